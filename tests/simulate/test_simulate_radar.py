"""Radar presets: REE out17 parameters equal its rdf, ALOS PALSAR FBS as documented."""
import pytest

import isce.simulate.radar as radar_module
from isce.core.constants import SPEED_OF_LIGHT
from isce.framework.errors import InputError
from isce.simulate.radar import (REE_OUT17_RDF, RadarParameters, alos_palsar_fbs, preset, read_rdf,
                                 read_ree_fields, ree_out17)


@pytest.fixture(scope="module")
def rdf(shared_data):
    """JPL's REE_L0B_out17.rdf of the real test data."""
    return shared_data("ree_point_target", "REE_L0B_out17.rdf")


@pytest.fixture(scope="module")
def ree():
    """The package's REE preset (no file read)."""
    return ree_out17()


def test_ree_preset_equals_what_parsing_the_rdf_gives(rdf):
    """The preset carries the rdf's values: field by field, and as radar parameters."""
    assert read_ree_fields(rdf) == REE_OUT17_RDF
    parsed, carried = ree_out17(rdf).to_dict(), ree_out17().to_dict()
    assert parsed["extra"].pop("source") == str(rdf)
    assert "preset" in carried["extra"].pop("source")
    assert parsed == carried


def test_ree_preset_reads_no_file(monkeypatch):
    """ree_out17() and the REE scene need no data folder: reading an rdf or CSV fails here."""
    import isce.simulate.scenes as scenes

    def refuse(path, *args, **kwargs):
        raise AssertionError(f"the REE preset read {path}")

    monkeypatch.setattr(radar_module, "read_rdf", refuse)
    monkeypatch.setattr(scenes, "read_targets_csv", refuse)
    assert ree_out17().prf == 1650.0515641113786
    assert preset("REE").mission == "REE out17"
    scene = scenes.ree_out17_scene(pulses=64)
    assert [t.name for t in scene.targets] == ["CR1"] and scene.length == 64


def test_ree_preset_has_the_rdf_values(ree):
    assert ree.wavelength == SPEED_OF_LIGHT / 1260.0e6
    assert ree.center_frequency == pytest.approx(1260.0e6, rel=1e-15)
    assert ree.prf == 1650.0515641113786
    assert ree.range_sampling_rate == 24.0e6
    assert ree.chirp_slope == 20.0e6 / 20.0e-6 and ree.chirp_slope > 0      # UP
    assert ree.pulse_length == 20.0e-6
    assert ree.chirp_bandwidth == pytest.approx(20.0e6, rel=1e-15)
    assert ree.look_side == "right"
    assert ree.antenna_length == 12.0
    assert ree.look_angle == 37.0
    assert ree.inclination == 98.0
    assert ree.altitude == 7124137.0 - 6378137.0
    x = ree.extra
    assert x["orbit_semi_major_axis"] == 7124137.0 and x["ascending_node"] == -90.0
    assert x["reference_epoch"] == "2021-07-01T00:00:00" and x["sim_start"] == 12000.0
    assert x["sim_duration"] == 7.0004 and x["rx_window"] == 130e-6
    assert x["planet_rotation_rate"] == 7.2921151467e-5 and x["planet_gm"] == 398600.4418e9
    assert x["zero_doppler_steering"] is True and x["noise_temperature"] == 0.0
    assert ree.polarization == "HH"


def test_rdf_parser_sections_units_and_comments(rdf):
    rdf = read_rdf(rdf)
    value, units = rdf["radar parameters"]["nominal prf"]
    assert (value, units) == ("1650.0515641113786", "Hz")           # "! PRI = ..." stripped
    assert rdf["adc parameters"]["sampling frequency of adc"] == ("24.0", "MHz")


def test_rdf_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.rdf"
    bad.write_text("### RADAR PARAMETERS\nCenter frequency (MHz) = 1260\nnot a field\n")
    with pytest.raises(InputError, match="bad.rdf: line 3"):
        read_rdf(bad)
    bad.write_text("### RADAR PARAMETERS\nCenter frequency (MHz) = 1260\n")
    with pytest.raises(InputError, match="bad.rdf: the rdf has no"):
        ree_out17(bad)
    with pytest.raises(InputError, match="no-such.rdf"):
        ree_out17(tmp_path / "no-such.rdf")


def test_alos_fbs_preset():
    r = alos_palsar_fbs()
    assert r.center_frequency == pytest.approx(1270e6)
    assert r.chirp_bandwidth == pytest.approx(28e6) and r.pulse_length == 27e-6
    assert r.chirp_slope < 0                                        # as ISCE's ALOS reader
    assert r.range_sampling_rate == 32e6 and 2150 < r.prf < 2170
    assert r.antenna_length == 8.9 and r.look_angle == 34.3 and r.altitude == 691650.0
    assert r.chirp_samples == 864
    assert RadarParameters.from_dict(r.to_dict()) == r
    assert preset("alos") == r
    with pytest.raises(ValueError, match="unknown radar preset"):
        preset("SEASAT")
    with pytest.raises(ValueError, match="look side"):
        RadarParameters(0.2, 1000, 1e6, 1e12, 1e-5, look_side="up")
