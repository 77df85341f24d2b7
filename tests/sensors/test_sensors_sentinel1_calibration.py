"""Sentinel-1 calibration and noise annotation on the real files of the shared data (the 2020
IW SLC, as its zip and as an extracted SAFE folder): the LUTs at the files' own vector points,
ESA's relations (betaNought constant, A_beta^2 / A_sigma^2 = sin(incidence) of the
geolocation grid, A_beta^2 / A_gamma^2 = tan(incidence), so sigma0 < beta0 < gamma0 here),
the noise (range x azimuth LUT), sigma0 of a block, and damaged calibration/noise XML."""
import zipfile

import numpy as np
import pytest
from lxml import etree

from isce.framework.errors import InputError
from isce.sensors.sentinel1 import read_annotation, read_sentinel1
from isce.sensors.sentinel1_calibration import radiometry

ZIP_2020 = "S1A_IW_SLC__1SDV_20200511T135117_20200511T135144_032518_03C421_7768.zip"
SAFE_2020 = ZIP_2020[:-4] + ".SAFE"
STEM = "s1a-iw1-slc-vv-20200511t135119-20200511t135144-032518-03c421-004"
CAL = f"annotation/calibration/calibration-{STEM}.xml"
NOISE = f"annotation/calibration/noise-{STEM}.xml"


@pytest.fixture(scope="module", params=["zip", "folder"])
def source(request, shared_data, tmp_path_factory):
    """The 2020 product as its zip, or extracted to a SAFE folder."""
    path = shared_data("sentinel1", ZIP_2020)
    if request.param == "zip":
        return path
    folder = tmp_path_factory.mktemp("safe")
    with zipfile.ZipFile(path) as archive:
        archive.extractall(folder)
    return next(folder.rglob(SAFE_2020))


def _files(shared_data):
    """(calibration root, noise root) of IW1 VV straight from the zip."""
    with zipfile.ZipFile(shared_data("sentinel1", ZIP_2020)) as archive:
        prefix = f"safe/{SAFE_2020}/"
        return tuple(etree.fromstring(archive.read(prefix + m)) for m in (CAL, NOISE))


def test_luts_at_the_files_own_points(source, shared_data):
    product = read_sentinel1(source, "IW1", "vv")
    rad = radiometry(product)
    cal, noise = _files(shared_data)
    vectors = cal.findall("calibrationVectorList/calibrationVector")
    assert len(product.attributes["calibration"]["line"]) == len(vectors) == 29
    for k, j in ((2, 0), (2, 5), (10, 300), (28, 537)):
        line = int(vectors[k].findtext("line"))
        pixel = int(vectors[k].findtext("pixel").split()[j])
        for name in ("sigmaNought", "betaNought", "gamma", "dn"):
            want = float(vectors[k].findtext(name).split()[j])
            assert rad.lut(name, [line], [pixel])[0, 0] == pytest.approx(want, rel=1e-12)
    # half-way between two vectors (in line and pixel): the mean of the four corners
    l0, l1 = (int(vectors[k].findtext("line")) for k in (5, 6))
    p = [int(v) for v in vectors[5].findtext("pixel").split()[10:12]]
    corners = [float(vectors[k].findtext("sigmaNought").split()[j]) for k in (5, 6) for j in (10, 11)]
    assert rad.lut("sigmaNought", [(l0 + l1) / 2], [sum(p) / 2])[0, 0] == \
        pytest.approx(np.mean(corners), rel=1e-12)
    # noise: range LUT x azimuth LUT at a range vector's line and pixel
    rv = noise.findall("noiseRangeVectorList/noiseRangeVector")[3]
    av = noise.find("noiseAzimuthVectorList/noiseAzimuthVector")
    line, pixel = int(rv.findtext("line")), int(rv.findtext("pixel").split()[7])
    az_lines = [int(v) for v in av.findtext("line").split()]
    az_gain = float(av.findtext("noiseAzimuthLut").split()[az_lines.index(line)])
    assert rad.noise([line], [pixel])[0, 0] == \
        pytest.approx(float(rv.findtext("noiseRangeLut").split()[7]) * az_gain, rel=1e-12)


def test_esa_relations_hold(source):
    product = read_sentinel1(source, "IW1", "vv")
    rad = radiometry(product)
    rows, cols = np.arange(0, product.length, 97), np.arange(0, product.width, 331)
    beta = rad.lut("betaNought", rows, cols)
    np.testing.assert_allclose(beta, 237.0, rtol=1e-13)           # constant, as ESA says
    _safe, _member, ann = read_annotation(source, "IW1", "vv")
    points = list(ann.root.iter("geolocationGridPoint"))
    lines, pixels, inc = (np.array([float(p.findtext(k)) for p in points])
                          for k in ("line", "pixel", "incidenceAngle"))
    sigma = np.array([rad.lut("sigmaNought", [a], [b])[0, 0] for a, b in zip(lines, pixels)])
    gamma = np.array([rad.lut("gamma", [a], [b])[0, 0] for a, b in zip(lines, pixels)])
    b = beta[0, 0]
    assert np.abs(np.degrees(np.arcsin((b / sigma) ** 2)) - inc).max() < 0.15
    assert np.abs(np.degrees(np.arctan((b / gamma) ** 2)) - inc).max() < 0.15
    assert np.all(sigma > b) and np.all(gamma > b)       # sigma0 < beta0 < gamma0 below 45 deg


def test_sigma0_of_a_block(source):
    product = read_sentinel1(source, "IW1", "vv")
    rad = radiometry(product)
    rows, cols = slice(5000, 5004), np.arange(1000, 1003)
    dn = np.full((4, 3), 40 + 30j, np.complex64)
    eta = rad.noise(np.arange(5000, 5004), cols)
    a = rad.lut("sigmaNought", np.arange(5000, 5004), cols)
    np.testing.assert_allclose(rad.sigma0(rows, dn, cols=cols), (2500 - eta) / a ** 2, rtol=1e-12)
    np.testing.assert_allclose(rad.sigma0(rows, dn, denoise=False, cols=cols), 2500 / a ** 2,
                               rtol=1e-12)
    assert np.all(rad.calibrate(rows, dn, "beta0", cols=cols) > rad.sigma0(rows, dn, cols=cols))


def _rewrite(src, dst, member, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, change(data) if info.filename.endswith(member) else data)
    return dst


@pytest.mark.parametrize("member,change,message", [
    (CAL, lambda d: d.replace(b"<betaNought count=\"538\">", b"<betaNought count=\"538\">x", 1),
     "XML element /calibration/calibrationVectorList/calibrationVector[1]/betaNought holds a "
     "non-number"),
    (CAL, lambda d: d.replace(b"<calibrationVectorList", b"<calibrationVectorLis", 1)
     .replace(b"</calibrationVectorList>", b"</calibrationVectorLis>"),
     "no /calibration/calibrationVectorList/calibrationVector element"),
    (NOISE, lambda d: d.replace(b"<firstAzimuthLine>0</firstAzimuthLine>", b"", 1),
     "missing XML element /noise/noiseAzimuthVectorList/noiseAzimuthVector/firstAzimuthLine"),
    (NOISE, lambda d: d[: len(d) // 2], "not well-formed XML"),
], ids=["non-number", "no-vectors", "azimuth-block", "truncated"])
def test_damaged_calibration_or_noise_names_file_and_element(shared_data, tmp_path, member,
                                                             change, message):
    bad = _rewrite(shared_data("sentinel1", ZIP_2020), tmp_path / "bad.zip", member, change)
    with pytest.raises(InputError) as err:
        read_sentinel1(bad, "IW1", "vv")
    assert f"bad.zip: {member}: " in str(err.value) and message in str(err.value), str(err.value)
