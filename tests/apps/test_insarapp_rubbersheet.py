"""insarApp's dense offsets, rubber-sheeting, fine_resample and geocodeoffsets (ISCE2
stripmapApp's steps) against a simulation's true offsets.

simulateApp.py makes a RADARSAT-2-like speckle pair in isce's SLC format (no focusing in
insarApp) with a glacier-like flow (``flow=6`` m: a Gaussian channel ~0.3 swath wide,
skewed 30 deg from the track, its speed varying along it: ~0.8 px in azimuth and ~0.3 px in
range, smooth but not a polynomial) and writes the true offsets, ``truth/azimuth.off`` and
``truth/range.off``. The misregistration polynomial (refined_resample) cannot follow the
channel; the rubber sheet (refined offsets + the filtered dense field) must, to 0.01 px RMS
(where the dense SNR passes ISCE2's threshold 5), at least 5x better than the polynomial.
"""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from isce_commands import run_command

import isce.io
from isce.apps.insar import Insar
from isce.framework import CommandLine, ConfigurationError
from isce.geometry.geocode import GeoGrid, geocode
from isce.offsets.ampcor import ampcor
from isce.sensors.product import SlcProduct

SIM = ("simulateApp.sensor=ISCE_SLC", "simulateApp.radar=RADARSAT2", "simulateApp.scene=speckle",
       "simulateApp.pulses=2560", "simulateApp.samples=3400", "simulateApp.baseline=100",
       "simulateApp.targets=34.5,-116.5,0,100", "simulateApp.flow=6")
RUBBER = ("insar.do denseoffsets=True", "insar.do rubbersheetingAzimuth=True",
          "insar.do rubbersheetingRange=True")
FAST = ("insar.do unwrap=False",)
SNR_THRESHOLD = 5.0
COMPONENTS = ("azimuth", "range")


@pytest.fixture(scope="module")
def simulation(tmp_path_factory):
    folder = tmp_path_factory.mktemp("flow")
    sim = run_command("simulateApp.py", *SIM, cwd=folder, timeout=600)
    assert sim.returncode == 0, sim.stderr[-3000:]
    return folder / "simulation"


@pytest.fixture(scope="module")
def rubber(simulation, tmp_path_factory):
    """The pair through every step with dense offsets and both rubber-sheeting switches."""
    work = tmp_path_factory.mktemp("rubber") / "run"
    shutil.copytree(simulation, work)
    app = run_command("insarApp.py", "insarApp.xml", *FAST, *RUBBER, "--steps", cwd=work,
                      timeout=600)
    assert app.returncode == 0, app.stderr[-3000:]
    return work


def _read(path):
    with isce.io.open(str(path)) as r:
        return np.array(r.read(), dtype=np.float64)


def _dense_grid(work):
    """(first line, first pixel, step, SNR per window) of the dense offsets, from their XML."""
    with isce.io.open(str(work / "denseOffsets/denseOffsets_snr.bil")) as r:
        extra, snr = r.info.extra, np.array(r.read())
    assert float(extra["line_step"]) == float(extra["pixel_step"])
    return float(extra["first_line"]), float(extra["first_pixel"]), float(extra["line_step"]), snr


def _good_pixels(work, shape):
    """Pixels between the first and last dense window centres whose nearest window has an SNR
    of at least ISCE2's rubber-sheeting threshold."""
    first_line, first_pixel, step, snr = _dense_grid(work)
    line, pixel = np.mgrid[0:shape[0], 0:shape[1]]
    rows, cols = snr.shape
    inside = ((line >= first_line) & (line <= first_line + step * (rows - 1))
              & (pixel >= first_pixel) & (pixel <= first_pixel + step * (cols - 1)))
    r = np.clip(np.rint((line - first_line) / step).astype(int), 0, rows - 1)
    c = np.clip(np.rint((pixel - first_pixel) / step).astype(int), 0, cols - 1)
    return inside & (snr[r, c] >= SNR_THRESHOLD)


def _rms(values):
    return float(np.sqrt(np.mean(values ** 2)))


def test_dense_grid_follows_isce2_window_settings(rubber):
    """ISCE2's defaults: 64-pixel windows, 20-pixel search, a window every 32 pixels: the
    first centre is search + (window - 1) / 2 from the edge, and the grid fills the image."""
    first_line, first_pixel, step, snr = _dense_grid(rubber)
    lines, pixels = SlcProduct.load(rubber / "ISCE_SLC/reference.slc.json").radar_grid.shape
    assert (first_line, first_pixel, step) == (20 + 31.5, 20 + 31.5, 32.0)
    assert snr.shape == ((lines - 104) // 32 + 1, (pixels - 104) // 32 + 1)


@pytest.mark.parametrize("component", COMPONENTS)
def test_rubber_sheet_meets_the_truth_where_the_polynomial_cannot(rubber, component):
    truth = _read(rubber / f"truth/{component}.off")
    sheet = _read(rubber / f"offsets/{component}_sheet.off")
    refined = _read(rubber / f"offsets/refined/{component}.off")
    good = _good_pixels(rubber, truth.shape)
    assert good.mean() > 0.8                          # most of the image is compared
    flow = np.ptp(truth[good])
    sheet_rms, poly_rms = _rms((sheet - truth)[good]), _rms((refined - truth)[good])
    print(f"{component}: truth spread {flow:.3f} px; rubber sheet RMS {sheet_rms:.4f} px, "
          f"refined (polynomial) RMS {poly_rms:.4f} px ({poly_rms / sheet_rms:.1f}x)")
    assert flow > 0.25                                # a flow to follow
    assert sheet_rms <= 0.01
    assert poly_rms >= 5 * sheet_rms


def test_fine_coreg_is_coregistered(rubber):
    """ampcor of the reference against fine_coreg.slc: no offset left (<= 0.01 px RMS both
    ways), where refined_coreg.slc keeps the flow."""
    residual = {name: _ampcor_residual(rubber, name) for name in ("fine_coreg", "refined_coreg")}
    print(f"ampcor residual RMS (az, rg) px: {residual}")
    assert max(residual["fine_coreg"]) <= 0.01
    assert residual["refined_coreg"][0] >= 5 * residual["fine_coreg"][0]


def _step_inputs(work, step):
    record = json.loads((work / "PICKLE" / f"{step}.json").read_text())
    return {Path(k).name for k, v in record["inputs"].items() if v.get("step") == step}


def _mean_coherence(work):
    cor = _read(work / "interferogram/topophase.cor")
    return float(cor[cor > 0].mean())


def test_the_interferogram_takes_fine_coreg(rubber, plain):
    """With rubber-sheeting the interferogram reads fine_coreg.slc (refined_coreg.slc
    without), and its coherence is higher: the flow no longer misregisters the pair."""
    assert "fine_coreg.slc" in _step_inputs(rubber, "interferogram")
    assert "refined_coreg.slc" not in _step_inputs(rubber, "interferogram")
    assert "refined_coreg.slc" in _step_inputs(plain, "interferogram")
    sheeted, polynomial = _mean_coherence(rubber), _mean_coherence(plain)
    print(f"mean coherence: rubber-sheeted {sheeted:.4f}, polynomial {polynomial:.4f}")
    assert sheeted > polynomial + 0.008


def test_geocoded_dense_offsets_match_the_truth(rubber):
    """geocodeoffsets' .geo (dense offsets on the dense grid, geocoded) equals the true
    residual offsets (truth minus refined, geocoded at full resolution onto the same lon/lat
    grid) to the dense field's noise; the SNR is geocoded by nearest neighbour."""
    ref = SlcProduct.load(rubber / "ISCE_SLC/reference.slc.json")
    geo = rubber / "geo/denseOffsets.bil.geo"
    grid = GeoGrid.from_raster(str(geo))
    for component in COMPONENTS:
        residual = _read(rubber / f"truth/{component}.off") - \
            _read(rubber / f"offsets/refined/{component}.off")
        isce.io.write(str(rubber / f"residual_{component}.off"), residual.astype(np.float32))
    out = geocode([str(rubber / f"residual_{c}.off") for c in COMPONENTS], ref.radar_grid,
                  ref.orbit, ref.geometry_doppler, geogrid=grid, output_dir=str(rubber / "check"),
                  geotiff=False)
    dense = _read(geo)
    for band, component in enumerate(COMPONENTS):
        truth = _read(out[str(rubber / f"residual_{component}.off")]["geo"])
        both = np.isfinite(truth) & np.isfinite(dense[band])
        assert both.sum() > 0.5 * truth.size
        err = _rms((dense[band] - truth)[both])
        spread = float(np.ptp(truth[both]))
        print(f"geocoded dense {component}: RMS vs truth {err:.4f} px (truth spread {spread:.3f})")
        assert err <= 0.02 and spread > 5 * err
    snr_geo = _read(rubber / "geo/denseOffsets_snr.bil.geo")
    snr = _dense_grid(rubber)[3]
    values = snr_geo[np.isfinite(snr_geo)]
    assert values.size and np.isin(values.astype(np.float32), snr).all()


def _ampcor_residual(work, name):
    """RMS (azimuth, range) [px] of ampcor between the reference and a coregistered SLC, over
    windows of SNR >= 5: large windows keep ampcor's own noise well below 0.01 px."""
    ref = SlcProduct.load(work / "ISCE_SLC/reference.slc.json").source.path
    field = ampcor(ref, str(work / f"coregisteredSlc/{name}.slc"), window=128, search=8, skip=128)
    ok = field.valid & (field.snr >= SNR_THRESHOLD)
    assert ok.mean() > 0.8
    return _rms(field.azimuth[ok]), _rms(field.range[ok])


def test_range_alone_runs_dense_offsets_and_keeps_the_refined_azimuth(simulation, tmp_path):
    """``do rubbersheetingRange`` alone (ISCE2 skipped the dense offsets, then read a missing
    file, and resampled with an absent azimuth sheet): the dense offsets run, the range is
    rubber-sheeted, the azimuth keeps the refined offsets (the flow stays in azimuth)."""
    work = tmp_path / "range"
    shutil.copytree(simulation, work)
    app = run_command("insarApp.py", "insarApp.xml", *FAST, "insar.do rubbersheetingRange=True",
                      "--end=fine_resample", cwd=work, timeout=600)
    assert app.returncode == 0, app.stderr[-3000:]
    assert (work / "denseOffsets/denseOffsets.bil").exists()
    assert (work / "offsets/range_sheet.off").exists()
    assert not (work / "offsets/azimuth_sheet.off").exists()
    assert "range_sheet.off" in _step_inputs(work, "fine_resample")
    az, rg = _ampcor_residual(work, "fine_coreg")
    print(f"range alone: fine_coreg residual RMS az {az:.4f} px, rg {rg:.4f} px")
    assert rg <= 0.01 and az >= 0.05


@pytest.fixture(scope="module")
def plain(simulation, tmp_path_factory):
    """The same pair with ISCE2's defaults (every offsets switch off), to the interferogram."""
    work = tmp_path_factory.mktemp("plain") / "run"
    shutil.copytree(simulation, work)
    app = run_command("insarApp.py", "insarApp.xml", *FAST, "--end=interferogram", cwd=work,
                      timeout=600)
    assert app.returncode == 0, app.stderr[-3000:]
    (work / "run.log").write_text(app.stderr)
    return work


def test_disabled_writes_nothing(plain):
    """All switches off (ISCE2's defaults): the four steps log 'skipping' and write nothing."""
    assert not (plain / "denseOffsets").exists() or not any((plain / "denseOffsets").iterdir())
    for name in ("coregisteredSlc/fine_coreg.slc", "offsets/azimuth_sheet.off",
                 "offsets/range_sheet.off"):
        assert not (plain / name).exists(), name
    assert (plain / "coregisteredSlc/refined_coreg.slc").exists()
    log = (plain / "run.log").read_text()
    for step in ("dense_offsets", "rubber_sheet_range", "rubber_sheet_azimuth", "fine_resample"):
        assert any(line.startswith(f"isce.insar.{step}: {step}: ") and line.endswith("skipping")
                   for line in log.splitlines()), step


@pytest.mark.parametrize("setting, message", [
    ("dense window width=2", "must be at least 4 (pixels), got 2"),
    ("dense skip height=0", "must be at least 1 (lines), got 0"),
    ("dense search width=0", "must be at least 1 (pixels), got 0"),
    ("rubber sheet filter size=0", "must be at least 1 (windows), got 0"),
    ("rubber sheet SNR Threshold=-1", "must be 0 or more, got -1.0"),
])
def test_bad_settings_are_refused_while_configuring(simulation, setting, message):
    app = Insar()
    with pytest.raises(ConfigurationError) as err:
        app.configure_from(CommandLine.parse([str(simulation / "insarApp.xml"), *RUBBER,
                                              f"insar.{setting}"]))
    assert setting.split("=")[0] in str(err.value) and message in str(err.value)


def test_a_bad_setting_exits_2_in_one_line_writing_nothing(simulation, tmp_path):
    app = run_command("insarApp.py", str(simulation / "insarApp.xml"), *RUBBER,
                      "insar.dense skip width=0", cwd=tmp_path, timeout=120)
    assert app.returncode == 2, app.stderr[-2000:]
    lines = [ln for ln in app.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "dense skip width" in lines[0] and "at least 1" in lines[0]
    assert not any(tmp_path.iterdir())


def test_window_larger_than_the_image_is_refused_in_preprocess(simulation, tmp_path):
    work = tmp_path / "big"
    shutil.copytree(simulation, work)
    before = set(work.rglob("*"))
    app = run_command("insarApp.py", "insarApp.xml", "insar.do rubbersheetingRange=True",
                      "insar.dense window height=2100", "--steps", cwd=work, timeout=120)
    assert app.returncode == 2, app.stderr[-2000:]
    errors = [ln for ln in app.stderr.splitlines() if ln.startswith("insarApp.py:")]
    assert len(errors) == 1 and "Traceback" not in app.stderr, app.stderr[-2000:]
    assert "dense window height" in errors[0] and "no dense window would fit" in errors[0]
    new = {p for p in set(work.rglob("*")) - before if p.is_file() and p.suffix != ".log"}
    assert not {p for p in new if "coreg" in str(p) or p.suffix in (".slc", ".off")}
