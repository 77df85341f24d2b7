"""Dates of two sensors (or two bandwidths): insarApp pairs them where the physics allows
(the reference's range band inside the secondary's: the secondary is band-passed to it) and
refuses them in preprocess, in one line with the bands, where not (no overlap: another radar
band; partial overlap; a wider reference, with the hint to swap the dates)."""
import json

import pytest
from isce_commands import run_command
from small_slcs import make_slc, pair_xml

from isce.core.constants import SPEED_OF_LIGHT
from isce.sensors.product import SlcProduct


def _retune(json_path, center_frequency=None, bandwidth=None):
    """Give a small date another carrier [Hz] (its wavelength follows) or range band [Hz]."""
    data = json.loads(json_path.read_text())
    if center_frequency is not None:
        data["center_frequency"] = center_frequency
        data["radar_grid"]["wavelength"] = SPEED_OF_LIGHT / center_frequency
    if bandwidth is not None:
        data["range_bandwidth"] = bandwidth
    json_path.write_text(json.dumps(data))
    SlcProduct.load(json_path)                       # still a valid product
    return json_path


def _run(tmp_path, ref_tuning, sec_tuning):
    ref = _retune(make_slc(tmp_path, "ref", 1), **ref_tuning)
    sec = _retune(make_slc(tmp_path, "sec", 2), **sec_tuning)
    xml = pair_xml(tmp_path / "pair.xml", (ref, sec))
    return run_command("insarApp.py", xml, "--steps", cwd=tmp_path, timeout=600)


def _refusal(proc):
    assert proc.returncode == 2, proc.stderr[-3000:]
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("insarApp.py: error: ")]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return lines[0]


@pytest.mark.parametrize("ref_tuning, sec_tuning, words, absent", [
    # ALOS L-band against a C-band date (Sentinel-1's 5.405 GHz)
    ({}, {"center_frequency": 5.405e9}, ["do not overlap", "1270.000 MHz +- 14.000 MHz",
                                         "5405.000 MHz", "different radar bands"], ["swap"]),
    # a 28 MHz reference and a 14 MHz secondary at the same carrier
    ({}, {"bandwidth": 14e6}, ["is not inside the secondary's", "14.000 MHz shared",
                               "swap the dates"], []),
    # overlapping bands, neither inside the other (carriers 10 MHz apart)
    ({}, {"center_frequency": 1280e6}, ["is not inside the secondary's", "18.000 MHz shared"],
     ["swap"]),
])
def test_incompatible_bands_are_refused_in_preprocess(tmp_path, ref_tuning, sec_tuning, words, absent):
    proc = _run(tmp_path, ref_tuning, sec_tuning)
    line = _refusal(proc)
    for word in words:
        assert word in line, (word, line)
    for word in absent:
        assert word not in line, (word, line)
    assert not (tmp_path / "reference" / "ref.slc").exists()
    assert not list(tmp_path.glob("**/*.int"))


def test_a_reference_band_inside_the_secondary_band_is_paired(tmp_path):
    """14 MHz reference, 28 MHz secondary (carriers 3 MHz apart): the secondary is band-passed
    to the reference's band and the chain runs to the end."""
    proc = _run(tmp_path, {"bandwidth": 14e6}, {"center_frequency": 1273e6})
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = (tmp_path / "isce.log").read_text()
    assert "band-passing the secondary from 28.0 MHz at 1.2730 GHz to 14.0 MHz at 1.2700 GHz" in log
    assert (tmp_path / "interferogram" / "topophase.flat").stat().st_size > 0
