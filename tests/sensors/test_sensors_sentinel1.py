"""The SENTINEL1 reader on the real Sentinel-1 annotations of the shared data: what it reads
(checked against the annotation's own numbers), ESA's geolocation grid reproduced by
rdr2geo/geo2rdr with default settings, the burst model, and damaged copies of the files."""
import shutil
import zipfile

import numpy as np
import pytest
from lxml import etree

import isce.sensors
from isce_commands import run_command
from sentinel1_grid import geolocate, grid_points
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.time import DateTime
from isce.framework.errors import ConfigurationError, InputError
from isce.sensors.sentinel1 import (doppler_centroid, read_annotation, read_annotation_file, read_sentinel1,
                                    read_sentinel1_bursts)

ZIP_2020 = "S1A_IW_SLC__1SDV_20200511T135117_20200511T135144_032518_03C421_7768.zip"
ZIP_2022 = "S1A_IW_SLC__1SDV_20221016T015043_20221016T015111_045461_056FC0_6681.zip"
S1B_SAFE = "S1B_IW_SLC__1SDV_20210401T052622_20210401T052650_026269_032297_EFA4.SAFE"
S1B_XML = "s1b-iw1-slc-vv-20210401t052624-20210401t052649-026269-032297-004.xml"
MEMBER_2022 = ("S1A_IW_SLC__1SDV_20221016T015043_20221016T015111_045461_056FC0_6681.SAFE/"
               "annotation/s1a-iw2-slc-vv-20221016t015044-20221016t015109-045461-056fc0-005.xml")

#: (file, swath) of every product annotation with a geolocation grid
GRIDS = [(ZIP_2020, "IW1"), (ZIP_2020, "IW2"), (ZIP_2020, "IW3"), (ZIP_2022, "IW2"),
         (S1B_SAFE, None)]


def _product(shared_data, name, swath):
    """(product, annotation root) of a zip's swath, or of the lone S1B annotation."""
    if swath is None:
        path = shared_data("sentinel1", name, "annotation", S1B_XML)
        return read_annotation_file(path), etree.parse(str(path)).getroot()
    path = shared_data("sentinel1", name)
    _safe, _member, ann = read_annotation(path, swath, "vv")
    return read_sentinel1(path, swath, "vv"), ann.root


@pytest.mark.parametrize("name,swath", GRIDS)
def test_geolocation_grid_with_default_settings(shared_data, name, swath):
    product, root = _product(shared_data, name, swath)
    grid = grid_points(root, product.reference_epoch)
    assert grid[0].size > 100
    horiz, dh, dt, dr = geolocate(product, grid)             # the reader's orbit as it is
    hermite = geolocate(product, grid, "hermite")
    print(f"{name} {swath}: {grid[0].size} points; rdr2geo max {horiz.max():.4f} m, RMS "
          f"{np.sqrt(np.mean(horiz ** 2)):.4f} m, height {dh.max():.2e} m; geo2rdr "
          f"{dt.max() * 1e6:.3f} us, {dr.max():.2e} samples | Hermite: max {hermite[0].max():.4f} m,"
          f" RMS {np.sqrt(np.mean(hermite[0] ** 2)):.4f} m, {hermite[2].max() * 1e6:.3f} us")
    assert horiz.max() <= 0.05
    assert np.sqrt(np.mean(horiz ** 2)) <= 0.02
    assert dh.max() <= 1e-3
    assert dt.max() <= 5e-6
    assert dr.max() <= 1e-3


def test_grid_point_times_are_the_annotated_ones(shared_data):
    """The grid's azimuth times are not first line + line x interval (the trap of the data)."""
    product, root = _product(shared_data, ZIP_2020, "IW1")
    points = root.findall("geolocationGrid/geolocationGridPointList/geolocationGridPoint")
    t = grid_points(root, product.reference_epoch)[0]
    lines = np.array([int(p.findtext("line")) for p in points])
    naive = product.radar_grid.sensing_start + lines / product.prf
    assert np.abs(naive - t).max() > 1.0                      # bursts: seconds apart


def test_sentinel1_reads_the_annotation(shared_data):
    product, root = _product(shared_data, ZIP_2020, "IW2")
    info = root.find("imageAnnotation/imageInformation")
    tau = float(info.findtext("slantRangeTime"))
    assert product.radar_grid.starting_range == pytest.approx(SPEED_OF_LIGHT * tau / 2, abs=1e-6)
    assert product.width == int(info.findtext("numberOfSamples"))
    assert product.length == int(info.findtext("numberOfLines"))
    assert 1 / product.prf == pytest.approx(float(info.findtext("azimuthTimeInterval")), rel=1e-12)
    first = DateTime(info.findtext("productFirstLineUtcTime"))
    assert product.radar_grid.sensing_datetime(0).is_close(first, 1e-6)
    freq = float(root.findtext("generalAnnotation/productInformation/radarFrequency"))
    assert product.center_frequency == pytest.approx(freq, rel=1e-12)
    assert product.look_side == "right"
    assert product.orbit.interp_method == "legendre"
    assert len(product.orbit) == int(root.find("generalAnnotation/orbitList").get("count"))
    assert product.polarization == "VV" and product.platform == "Sentinel-1A"
    assert product.attributes["mode"] == "IW" and product.attributes["swath"] == "IW2"
    assert product.range_sampling_rate == pytest.approx(
        float(root.findtext("generalAnnotation/productInformation/rangeSamplingRate")))
    # zero-Doppler geometry; the data centroid table reproduces an estimate at its time
    assert product.is_zero_doppler
    est = product.attributes["doppler_centroid"][3]
    r = product.radar_grid.starting_range + 1000 * product.radar_grid.range_pixel_spacing
    tau_r = 2 * r / SPEED_OF_LIGHT - est["t0"]
    want = sum(c * tau_r ** k for k, c in enumerate(est["dataDcPolynomial"]))
    assert doppler_centroid(product).eval(est["azimuth_time"], r) == pytest.approx(want, abs=0.05)
    assert len(product.attributes["azimuth_fm_rate"]) == \
        int(root.find("generalAnnotation/azimuthFmRateList").get("count"))


def test_bursts(shared_data):
    path = shared_data("sentinel1", ZIP_2020)
    bursts = read_sentinel1_bursts(path, "IW1", "vv")
    assert len(bursts) == 9
    b = bursts[1]
    assert b.lines == 1497 and len(b.first_valid_sample) == 1497 and b.samples == 21444
    assert b.azimuth_time > bursts[0].azimuth_time
    first, stop = b.valid_lines
    assert 0 < first < stop < b.lines
    assert all(v >= 0 for v in b.first_valid_sample[first:stop])
    assert b.byte_offset > bursts[0].byte_offset
    assert b.azimuth_steering_rate == pytest.approx(1.590368784)


def test_component_refuses_tops_and_checks_settings(shared_data):
    reader = isce.sensors.create("SENTINEL1", name="reference")
    reader.safe = str(shared_data("sentinel1", ZIP_2022))
    reader.swath = "iw2"
    with pytest.raises(InputError, match=r"TOPS \(IW/EW\) needs topsApp"):
        reader.parse()
    reader.swath = None
    with pytest.raises(InputError, match="no annotation for swath IW2 polarization VH"):
        reader.polarization = "vh"
        reader.swath = "IW2"
        reader.parse()
    reader.swath = "S7"
    with pytest.raises(ConfigurationError, match="SWATH"):
        reader.parse()


def test_insarapp_refuses_an_iw_product_in_one_line(shared_data, tmp_path):
    safe = shared_data("sentinel1", ZIP_2022)
    dates = "".join(f'<component name="{d}"><property name="SAFE">{safe}</property>'
                    f'<property name="SWATH">IW2</property></component>'
                    for d in ("reference", "secondary"))
    (tmp_path / "insarApp.xml").write_text(
        '<insarApp><component name="insar"><property name="Sensor Name">SENTINEL1</property>'
        f"{dates}</component></insarApp>")
    proc = run_command("insarApp.py", "insarApp.xml", cwd=tmp_path)
    errors = [line for line in proc.stderr.splitlines() if "error" in line]
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(errors) == 1 and "TOPS (IW/EW) needs topsApp" in errors[0], proc.stderr
    assert not (tmp_path / "reference").exists()


def test_truncated_zip_names_the_file(shared_data, tmp_path):
    data = shared_data("sentinel1", ZIP_2022).read_bytes()
    bad = tmp_path / "truncated.zip"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated.zip: not a readable zip"):
        read_sentinel1(bad, "IW2")


def _rewrite_member(src, dst, member, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(data) if info.filename == member else data)


def test_damaged_xml_names_file_member_and_element(shared_data, tmp_path):
    src = shared_data("sentinel1", ZIP_2022)
    broken = tmp_path / "broken.zip"
    _rewrite_member(src, broken, MEMBER_2022, lambda d: d[: len(d) // 3])
    with pytest.raises(InputError, match=r"broken.zip: annotation/s1a-iw2-slc-vv-[-0-9t]*fc0-005"
                                         r"\.xml: not well-formed XML"):
        read_sentinel1(broken, "IW2")
    blank = tmp_path / "blank.zip"
    _rewrite_member(src, blank, MEMBER_2022, lambda d: d.replace(
        b"<azimuthTimeInterval>", b"<azimuthTimeInterval>x", 1))
    with pytest.raises(InputError, match=r"blank.zip: annotation/s1a-iw2-slc-vv-.*azimuthTimeInterval = "
                                         r"'x.*' is not a positive number"):
        read_sentinel1(blank, "IW2")
    missing = tmp_path / "missing.zip"
    _rewrite_member(src, missing, MEMBER_2022, lambda d: d.replace(
        b"<radarFrequency>", b"<radarFreq>", 1).replace(b"</radarFrequency>", b"</radarFreq>", 1))
    with pytest.raises(InputError, match=r"missing.zip:.*missing XML element "
                                         r"/product/generalAnnotation/productInformation/"
                                         r"radarFrequency"):
        read_sentinel1(missing, "IW2")


def test_damaged_folder_and_missing_manifest(shared_data, tmp_path):
    safe = tmp_path / S1B_SAFE
    shutil.copytree(shared_data("sentinel1", S1B_SAFE), safe)
    with pytest.raises(InputError, match="no manifest.safe"):
        read_sentinel1(safe, "IW1")
    xml = safe / "annotation" / S1B_XML
    xml.write_bytes(xml.read_bytes().replace(b"<orbit>", b"<orbit", 1))
    with pytest.raises(InputError, match=f"{S1B_XML} \\(in .*annotation\\): not well-formed XML"):
        read_annotation_file(xml)
