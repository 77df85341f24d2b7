"""insarApp.py / stripmapApp.py from SLCs: the San Andreas pair through the whole chain,
ISCE-style input files in both vocabularies, resume, and bad input refused early."""
import filecmp
import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
import rasterio
from isce_commands import run_command

REPO = Path(__file__).resolve().parents[2]
PRODUCTS = ["geometry/lat.rdr", "geometry/los.rdr", "offsets/range.off", "offsets/azimuth.off",
            "coregisteredSlc/coarse_coreg.slc", "coregisteredSlc/refined_coreg.slc",
            "interferogram/topophase.flat", "interferogram/topophase.cor",
            "interferogram/filt_topophase.flat", "interferogram/phsig.cor",
            "interferogram/filt_topophase.unw", "interferogram/filt_topophase.unw.conncomp"]
#: ISCE2 stripmapApp's 29 steps in its order, plus ours: coherence, and unwrap2stage
#: (ISCE2 insarApp's; stripmapApp declares its settings without the step)
STEP_NAMES = ["startup", "preprocess", "cropraw", "formslc", "cropslc", "verifyDEM", "topo",
              "geo2rdr", "coarse_resample", "misregistration", "refined_resample", "dense_offsets",
              "rubber_sheet_range", "rubber_sheet_azimuth", "fine_resample",
              "split_range_spectrum", "sub_band_resample", "interferogram",
              "sub_band_interferogram", "coherence", "filter", "filter_low_band",
              "filter_high_band", "unwrap", "unwrap2stage", "unwrap_low_band", "unwrap_high_band",
              "ionosphere", "geocode", "geocodeoffsets", "endup"]


@pytest.fixture(scope="module")
def sanandreas(shared_data):
    """The San Andreas UAVSAR folder of the real test data."""
    return shared_data("sanandreas")


def insar_xml(path, d, *, vocabulary="insar", looks=11, unwrapper="snaphu", dem=None, extra=""):
    """An insarApp/stripmapApp XML of the San Andreas pair in the folder ``d``."""
    ref, sec = ("Master", "Slave") if vocabulary == "insar" else ("Reference", "Secondary")
    key = "insar" if vocabulary == "insar" else "stripmapApp"
    dem = dem or d / "SanAnd_dem.tif"
    path.write_text(textwrap.dedent(f"""\
        <{vocabulary}App>
          <component name="{key}">
            <constant name="data">{d}</constant>
            <property name="Sensor Name">UAVSAR_HDF5_SLC</property>
            <component name="{ref}"><property name="HDF5">$data$/SanAnd_129.h5</property></component>
            <component name="{sec}"><property name="HDF5">$data$/SanAnd_138.h5</property></component>
            <property name="demFilename">{dem}</property>
            <property name="dem reference">WGS84</property>
            <property name="range looks">{looks}</property>
            <property name="azimuth looks">{looks}</property>
            <property name="unwrapper name">{unwrapper}</property>
            {extra}
          </component>
        </{vocabulary}App>
        """))
    return path


def gdal_shape(path):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with rasterio.open(f"{path}.vrt") as ds:
            return ds.count, ds.height, ds.width


def test_sanandreas_whole_chain_from_slcs(tmp_path, sanandreas):
    xml = insar_xml(tmp_path / "insarApp.xml", sanandreas)
    proc = run_command("insarApp.py", xml, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "band-passing the secondary" in proc.stderr
    for product in PRODUCTS:
        assert gdal_shape(tmp_path / product)[1:] in {(150, 200), (13, 18)}, product
    import isce.io
    coh = np.asarray(isce.io.open(tmp_path / "interferogram" / "topophase.cor").read())
    valid = coh > 0                                  # 0: looks holding no-data edge samples
    assert valid.mean() > 0.8
    assert coh[valid].mean() >= 0.95                 # issue 5: the resampled, band-passed pair
    assert abs(coh[3:-2, 3:-2].mean() - 1) < 0.02   # the data README's check
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["mean_coherence"] == pytest.approx(float(coh[valid].mean()), rel=1e-6)
    assert report["misregistration"]["kept"] > 100
    assert max(report["misregistration"]["rms_px"]) < 0.05
    unw = isce.io.open(tmp_path / "interferogram" / "filt_topophase.unw")
    assert unw.bands == 2 and np.isfinite(unw.read(band=1)).all()
    for name in ("filt_topophase.unw.geo", "topophase.cor.geo", "los.rdr.geo"):
        assert (tmp_path / "geo" / (name + ".tif")).exists() and gdal_shape(tmp_path / "geo" / name)[1] > 10
    check_dates_and_baselines(report, sanandreas)


def check_steps_of_both_runs(workdir):
    import lxml.html

    from isce.quality import build_report

    from isce.apps.insar import Insar

    assert [step.name for step in Insar.steps] == STEP_NAMES      # the whole chain, in order
    steps = json.loads((workdir / "report.json").read_text())["steps"]
    assert list(steps) == STEP_NAMES[:-1]          # endup writes report.json: all steps before it
    assert all(s["wall_s"] >= 0 and s["peak_rss_mib"] > 10 for s in steps.values())
    doc = lxml.html.fromstring(Path(build_report(workdir)).read_text())
    table = doc.xpath("//h2[starts-with(., 'Steps')]/following-sibling::table[1]")[0]
    rows = [[c.text_content() for c in tr.xpath("td")] for tr in table.xpath(".//tbody/tr")]
    head = [c.text_content() for c in table.xpath(".//thead/tr/th")]
    assert head == ["step", "wall time [s]", "CPU time [s]", "peak RSS [MiB]"]
    assert [r[0] for r in rows] == STEP_NAMES
    assert all(float(r[1]) >= 0 and float(r[2]) >= 0 and float(r[3]) > 10 for r in rows)
    assert all(s["cpu_s"] >= 0 for s in steps.values())


def check_dates_and_baselines(report, folder):
    """report.json's acquisition times and baselines are those of the products' metadata
    (read here through the sensor reader); the San Andreas pair has zero baseline."""
    from datetime import datetime

    from isce.geometry.baseline import baseline_summary
    from isce.sensors import create

    products = {}
    for role, name in (("reference", "SanAnd_129.h5"), ("secondary", "SanAnd_138.h5")):
        reader = create("UAVSAR_HDF5_SLC", name=role)
        reader.hdf5 = str(folder / name)
        products[role] = reader.product
    for role, product in products.items():
        dates, grid = report["acquisitions"][role], product.radar_grid
        for key in ("start", "mid", "stop"):
            text = dates[f"sensing_{key}_utc"]
            assert text.endswith("Z")
            assert datetime.fromisoformat(text[:-1]) == getattr(grid, f"sensing_{key}_datetime").to_datetime()
    expected_days = products["secondary"].radar_grid.sensing_mid_datetime.seconds_since(
        products["reference"].radar_grid.sensing_mid_datetime) / 86400
    assert report["acquisitions"]["temporal_baseline_days"] == pytest.approx(expected_days, abs=1e-9)
    expected = baseline_summary(products["reference"], products["secondary"])
    for kind in ("perpendicular", "parallel"):
        for where in ("top", "middle", "bottom"):
            value = report["baseline"][f"{kind}_{where}_m"]
            assert value == pytest.approx(expected[f"{kind}_{where}"], abs=1e-3)
            assert abs(value) < 1.0                       # the data README: zero baseline


def test_stripmap_vocabulary_and_resume_equal_a_straight_run(tmp_path, sanandreas):
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    for wd in (straight, resumed):
        wd.mkdir()
        insar_xml(wd / "stripmapApp.xml", sanandreas, vocabulary="stripmap", looks=4,
                  unwrapper="mcf")
    proc = run_command("stripmapApp.py", "stripmapApp.xml", cwd=straight)
    assert proc.returncode == 0, proc.stderr
    proc = run_command("stripmapApp.py", "stripmapApp.xml", "--steps", "--end=misregistration", cwd=resumed)
    assert proc.returncode == 0, proc.stderr
    assert not (resumed / "interferogram" / "topophase.flat").exists()
    proc = run_command("stripmapApp.py", "stripmapApp.xml", "--next", cwd=resumed)
    assert proc.returncode == 0, proc.stderr
    for product in PRODUCTS:
        assert filecmp.cmp(straight / product, resumed / product, shallow=False), product
    # both invocations' steps are in report.json and in the HTML report's steps table
    check_steps_of_both_runs(resumed)
    # a setting only later steps read: resuming there is accepted; one an earlier step read is not
    proc = run_command("stripmapApp.py", "stripmapApp.xml", "--start=filter",
                       "stripmapApp.filter strength=0.9", cwd=resumed)
    assert proc.returncode == 0, proc.stderr
    assert not filecmp.cmp(straight / "interferogram/filt_topophase.flat",
                           resumed / "interferogram/filt_topophase.flat", shallow=False)
    proc = run_command("stripmapApp.py", "stripmapApp.xml", "--start=filter",
                       "stripmapApp.range looks=5", cwd=resumed)
    assert proc.returncode == 2 and "--start=interferogram" in proc.stderr


def test_steps_help_lists_the_chain(tmp_path):
    proc = run_command("insarApp.py", "--steps", "--help", cwd=tmp_path)
    assert proc.returncode == 0
    names = [line.split()[1] for line in proc.stdout.splitlines() if line.strip()[:3].strip(" .").isdigit()]
    assert names == STEP_NAMES


def test_bad_inputs_are_refused_before_long_steps(tmp_path, sanandreas, shared_data):
    # a misspelt property: nothing runs
    xml = insar_xml(tmp_path / "a.xml", sanandreas,
                    extra='<property name="rnage looks">3</property>')
    proc = run_command("insarApp.py", xml, cwd=tmp_path)
    assert proc.returncode == 2 and "did you mean 'range looks'" in proc.stderr
    assert not (tmp_path / "reference").exists()
    # a DEM off the scene: refused at verifyDEM, before topo writes anything
    other = shared_data("winnipeg", "winnipeg_dem.tif")
    xml = insar_xml(tmp_path / "b.xml", sanandreas, dem=other)
    proc = run_command("insarApp.py", xml, cwd=tmp_path)
    assert proc.returncode == 2 and "winnipeg_dem.tif" in proc.stderr
    assert not (tmp_path / "geometry" / "lat.rdr").exists()
    # dates from different tracks: refused from the metadata, before any image is written
    envisat = shared_data("envisat", "envisat.h5")
    wd = tmp_path / "tracks"
    wd.mkdir()
    xml = insar_xml(wd / "c.xml", sanandreas)
    xml.write_text(xml.read_text().replace("$data$/SanAnd_138.h5", str(envisat))
                   .replace('<property name="Sensor Name">UAVSAR_HDF5_SLC</property>',
                            '<property name="reference sensor name">UAVSAR_HDF5_SLC</property>'
                            '<property name="secondary sensor name">NISAR_SLC</property>'))
    proc = run_command("insarApp.py", xml, cwd=wd)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "look" in proc.stderr or "track" in proc.stderr
    assert not (wd / "reference" / "reference.slc").exists()
    # settings for a sensor without a sensor name
    (tmp_path / "d.xml").write_text(f"""<x><component name="insar"><component name="Master">
        <property name="HDF5">{sanandreas}/SanAnd_129.h5</property></component></component></x>""")
    proc = run_command("insarApp.py", "d.xml", cwd=tmp_path)
    assert proc.returncode == 2 and "sensor name" in proc.stderr
