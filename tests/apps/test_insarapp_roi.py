"""insarApp's region of interest: ISCE2 stripmapApp's ``cropraw``/``cropslc`` on a simulated
ALOS raw pair (CEOS, 6144 pulses x 1536 samples, speckle, DEM, a Mogi source of up to 25 cm
LOS at the region's centre), checked against the whole-scene run and the simulator's truth.

* raw input: the region (~2.2 x 2.2 km around the Mogi source, ~1/6 of the scene on the
  ground; a third of the radar image once its edges, turned ~8 deg from the meridians, are
  mapped at the DEM's heights) is cut from the echoes before focusing: the focused image
  and topo's rasters are <= 0.35x the whole run's, fewer raw pulses are focused, and the
  LOS displacement's RMSE against the truth over the region's pixels is within 10 % of the
  whole run's over the same ground;
* SLC input: cropslc alone (cropraw skips); the cropped run's geometry is the whole run's on
  the same pixels (the window is aligned to whole looks of the full image) and its
  interferogram phase the whole run's there;
* a region off the scene: a one-line error, exit 2, before any product is written;
  a bad ``height range``: refused while configuring;
* --end then --next (resuming after cropslc) makes the same products as one run;
* covering_window (the secondary's window) maps a window onto its own geometry to itself.

Time: 127 s for the module on a 2-core machine shared with other jobs (load ~7; 54 s of CPU),
~70 s expected idle (simulation ~25 s, the whole run ~20 s, the raw region run ~15 s, two SLC
region runs ~7 s each, the truth comparisons ~10 s).
"""
import filecmp
import json
import shutil

import numpy as np
import pytest
from isce_commands import run_command

import isce.io
from isce.quality.truth import compare_with_truth, format_comparison
from isce.sensors import SlcProduct
from isce.sensors.raw import RawProduct
from isce.geometry.crop import covering_window, crop_window

PULSES, SAMPLES = 6144, 1536
MOGI = "34.5,-116.5,2000,5e6"
ROI = (34.49, 34.51, -116.512, -116.488)              # S, N, W, E [deg]
ROI_SETTING = f"insar.regionOfInterest=[{', '.join(map(str, ROI))}]"
INPUTS = ("IMG-HH-reference", "LED-reference", "IMG-HH-secondary", "LED-secondary",
          "insarApp.xml")
PRODUCT_FOLDERS = ("reference", "secondary", "geometry", "offsets", "coregisteredSlc",
                   "interferogram", "geo")


@pytest.fixture(scope="module")
def simulation(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roi")
    sim = run_command("simulateApp.py", "simulateApp.scene=speckle", "simulateApp.dem=true",
                      f"simulateApp.pulses={PULSES}", f"simulateApp.samples={SAMPLES}",
                      f"simulateApp.deformation={MOGI}", cwd=folder, timeout=900)
    assert sim.returncode == 0, sim.stderr[-3000:]
    return folder / "simulation"


def raw_run_folder(simulation, name):
    """A folder with the simulated CEOS pair and its insarApp.xml (the DEM stays in the
    simulation's folder, named by an absolute path)."""
    folder = simulation.parent / name
    folder.mkdir()
    for f in INPUTS:
        shutil.copy(simulation / f, folder / f)
    return folder


def insar(folder, *args, expect=0):
    app = run_command("insarApp.py", "insarApp.xml", "insar.unwrapper name=mcf",
                      f"insar.demFilename={folder.parent / 'simulation' / 'dem.dem'}", *args,
                      cwd=folder, timeout=900)
    assert app.returncode == expect, app.stderr[-3000:]
    return app


@pytest.fixture(scope="module")
def whole(simulation):
    folder = raw_run_folder(simulation, "whole")
    insar(folder, "--steps")
    return folder


@pytest.fixture(scope="module")
def region(simulation):
    folder = raw_run_folder(simulation, "region")
    insar(folder, ROI_SETTING, "--steps")
    return folder


def slc_run_folder(simulation, whole, name):
    """insarApp.xml reading the whole run's focused SLCs (ISCE_SLC) with the simulation's
    looks: a focused pair whose grid is the whole run's."""
    folder = simulation.parent / name
    folder.mkdir()
    dates = "".join(f'<component name="{role}"><property name="PRODUCT">'
                    f'{whole / role / (role + ".slc.json")}</property></component>'
                    for role in ("reference", "secondary"))
    (folder / "insarApp.xml").write_text(
        '<insarApp><component name="insar"><property name="sensor name">ISCE_SLC</property>'
        '<property name="azimuth looks">12</property><property name="range looks">4</property>'
        f'{dates}</component></insarApp>')
    return folder


@pytest.fixture(scope="module")
def slc_region(simulation, whole):
    folder = slc_run_folder(simulation, whole, "slc_region")
    insar(folder, ROI_SETTING, "--steps")
    return folder


def pixels(json_path, cls=SlcProduct) -> int:
    product = cls.load(str(json_path))
    return product.length * product.width


def raster_pixels(path) -> int:
    raster = isce.io.open(str(path))
    return raster.length * raster.width


def read(path):
    return np.array(isce.io.open(str(path)).read())


# ----------------------------------------------------------------------------- raw input
def test_region_cuts_the_echoes_before_focusing_and_topo(whole, region):
    focused = pixels(region / "reference" / "reference.slc.json") / \
        pixels(whole / "reference" / "reference.slc.json")
    topo = raster_pixels(region / "geometry" / "lat.rdr") / \
        raster_pixels(whole / "geometry" / "lat.rdr")
    raw_in = RawProduct.load(region / "reference" / "reference_raw_crop" / "reference.raw.json")
    raw_all = RawProduct.load(whole / "reference" / "reference.raw.json")
    echoes = raw_in.length * raw_in.width / (raw_all.length * raw_all.width)
    print(f"focused pixels {focused:.3f}, topo pixels {topo:.3f}, raw echoes {echoes:.3f} "
          "of the whole run's")
    assert focused <= 0.35 and topo <= 0.35
    assert echoes < 0.8               # the ALOS aperture (4685 pulses) is most of the scene
    for role in ("reference", "secondary"):
        assert (region / role / f"{role}_slc_crop" / f"{role}.slc.xml").is_file()
        assert not (whole / role / f"{role}_raw_crop").exists()
    report = json.loads((region / "report.json").read_text())
    assert report["slc"]["reference"] == "reference/reference_slc_crop/reference.slc"


def test_region_recovers_the_deformation_as_well_as_the_whole_scene(simulation, whole, region):
    full = compare_with_truth(whole, simulation, bbox=ROI)
    roi = compare_with_truth(region, simulation, bbox=ROI)
    print("whole scene, region's pixels:", format_comparison(full), sep="\n")
    print("region run:", format_comparison(roi), sep="\n")
    lo, hi = roi["truth_los_range_m"]
    assert hi - lo > 0.1                                   # the Mogi source is in the region
    assert roi["pixels_compared"] >= 0.98 * full["pixels_compared"]   # all of the region
    assert roi["los_displacement_rmse_m"] <= 1.1 * full["los_displacement_rmse_m"]
    assert roi["unwrapping_error_fraction"] == 0.0
    assert roi["point_target_max_offset_px"] < 0.1         # the crop keeps the geometry exact


def test_no_region_crops_nothing(whole):
    log = (whole / "isce.log").read_text()
    assert "cropraw: no regionOfInterest: skipping" in log
    assert "cropslc: no regionOfInterest: skipping" in log
    assert not list(whole.rglob("*_crop"))


# ----------------------------------------------------------------------------- SLC input
def test_slc_input_is_cut_by_cropslc_alone_on_the_whole_runs_pixels(whole, slc_region):
    log = (slc_region / "isce.log").read_text()
    assert "cropraw: no raw date: skipping" in log
    assert not list(slc_region.rglob("*_raw_crop"))
    ref = SlcProduct.load(str(slc_region / "reference" / "reference_slc_crop" /
                              "reference.slc.json"))
    window = ref.attributes["crop_window"]
    rows = slice(window["first_line"], window["first_line"] + window["length"])
    cols = slice(window["first_pixel"], window["first_pixel"] + window["width"])
    assert window["length"] * window["width"] <= 0.35 * raster_pixels(whole / "geometry" / "lat.rdr")
    # the same rdr2geo of the same pixels, to topo's 1e-4 m range threshold (the cut's solver
    # starts from other seeds): 1e-8 deg ~ 1 mm; a pixel is ~1e-4 deg
    for name, tol in (("lat", 1e-8), ("lon", 1e-8), ("z", 1e-3)):      # deg, deg, m
        cut, full = read(slc_region / "geometry" / f"{name}.rdr"), read(whole / "geometry" / f"{name}.rdr")
        assert cut.shape == (window["length"], window["width"])
        assert np.abs(cut - full[rows, cols]).max() < tol, name
    az, rg = 12, 4
    assert rows.start % az == 0 and cols.start % rg == 0
    cut = read(slc_region / "interferogram" / "topophase.flat")
    full = read(whole / "interferogram" / "topophase.flat")[
        rows.start // az:rows.start // az + cut.shape[0], cols.start // rg:cols.start // rg + cut.shape[1]]
    diff = np.angle(cut * np.conj(full))
    print(f"interferogram phase against the whole run's: RMS {np.sqrt(np.mean(diff ** 2)):.4f} rad")
    assert np.sqrt(np.mean(diff ** 2)) < 0.02


def test_resuming_after_cropslc_makes_the_same_products(simulation, whole, slc_region):
    folder = slc_run_folder(simulation, whole, "slc_region_resumed")
    insar(folder, ROI_SETTING, "--end=cropslc")
    assert not (folder / "geometry" / "lat.rdr").exists()
    done = insar(folder, ROI_SETTING, "--next")
    assert "resuming at 'verifyDEM'" in done.stderr
    compared = 0
    for sub in PRODUCT_FOLDERS:
        for f in sorted((slc_region / sub).rglob("*")):
            if f.is_file() and not f.name.endswith((".json", ".xml", ".vrt", ".hdr")):
                other = folder / f.relative_to(slc_region)
                assert filecmp.cmp(f, other, shallow=False), f.relative_to(slc_region)
                compared += 1
    assert compared > 30


def test_covering_window_maps_a_window_back_onto_itself(whole):
    """The secondary's window is the ground of the reference's window seen in the secondary's
    geometry (plus a margin): onto the reference's own geometry it is the window itself."""
    ref = SlcProduct.load(str(whole / "reference" / "reference.slc.json"))
    geometry = (ref.radar_grid, ref.orbit, ref.geometry_doppler)
    window = crop_window(*geometry, ROI, heights=(250.0,))
    same = covering_window(window, geometry, geometry, (250.0,))
    assert abs(same.first_line - window.first_line) <= 1 and abs(same.length - window.length) <= 2
    assert abs(same.first_pixel - window.first_pixel) <= 1 and abs(same.width - window.width) <= 2
    wide = covering_window(window, geometry, geometry, (250.0,), margin=(10, 20))
    assert (wide.first_line, wide.first_pixel) == (same.first_line - 10, same.first_pixel - 20)
    assert (wide.length, wide.width) == (same.length + 20, same.width + 40)


# ----------------------------------------------------------------------------- bad input
def test_region_off_the_scene_is_refused_before_anything_is_written(simulation):
    folder = raw_run_folder(simulation, "off_scene")
    before = {p for p in folder.rglob("*") if p.is_file()}
    app = insar(folder, "insar.regionOfInterest=[35.0, 35.1, -116.5, -116.4]", "--steps",
                expect=2)
    message = app.stderr.strip().splitlines()[-1]
    assert "regionOfInterest" in message and "misses the reference scene" in message
    assert "nothing to process" in message
    written = {p.relative_to(folder).parts[0] for p in folder.rglob("*")
               if p.is_file() and p not in before}
    assert written <= {"PICKLE", "isce.log"}, written


@pytest.mark.parametrize("value, words", [
    ("[300, 100]", "lowest first"), ("[100]", "lowest first"),
    ("[0, 20000]", "outside the Earth's surface")])
def test_bad_height_range_is_refused_while_configuring(tmp_path, value, words):
    app = run_command("insarApp.py", "insar.sensor name=ALOS", "insar.regionOfInterest=[34, 35, -117, -116]",
                      f"insar.height range={value}", "--steps", cwd=tmp_path)
    assert app.returncode == 2
    message = app.stderr.strip().splitlines()[-1]
    assert "height range" in message and words in message, message
    assert not list(tmp_path.iterdir())
