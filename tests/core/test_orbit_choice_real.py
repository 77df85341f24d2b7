"""``orbit interpolation = auto`` on real orbits: the velocity inconsistency it measures and the
method it picks. Measured: envisat.h5 0.35 mm/s (60-s vectors; its interpMethod says Hermite),
winnipeg 3e-5 mm/s, San Andreas 1e-5 mm/s, Sentinel-1A 2020 IW1 0.02 mm/s, 2022 IW2 0.01 mm/s,
all kept on Hermite (ISCE3's golden outputs were made with it; REE: checked around its scene);
the 2021 Sentinel-1B IW1 annotation 11 mm/s -> Legendre (Hermite puts its rdr2geo 0.23 m off ESA's grid)."""
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pytest

from isce.apps.products import orbit_span
from isce.core.orbit import Orbit, choose_method, velocity_consistency
from isce.sensors.product_files import load_product


@pytest.mark.parametrize("parts, below", [
    (("envisat", "envisat.h5"), 1e-3),
    (("winnipeg", "winnipeg.h5"), 1e-6),
    (("sanandreas", "SanAnd_129.h5"), 1e-6),
    (("sanandreas", "SanAnd_138.h5"), 1e-6),
])
def test_isce3_test_products_stay_on_hermite(shared_data, parts, below):
    orbit = load_product(shared_data(*parts)).orbit
    assert orbit.interp_method == "hermite"
    assert velocity_consistency(orbit) < below
    method, reason = choose_method(orbit)
    assert method == "hermite" and "the reader's hermite" in reason


def test_ree_orbit_is_checked_around_its_scene(shared_data):
    """REE's 28 vectors drift from their velocities away from the scene (1.2 m/s at the ends)
    while the ones interpolation uses there agree to 0.02 mm/s: auto keeps Hermite."""
    product = load_product(shared_data("ree_point_target", "REE_RSLC_out17.h5"))
    assert velocity_consistency(product.orbit) > 1.0
    span = orbit_span(product)
    assert velocity_consistency(product.orbit, span) < 1e-4
    assert choose_method(product.orbit, "auto", span)[0] == "hermite"


def _annotation_orbit(text: bytes) -> Orbit:
    """The state vectors of a Sentinel-1 product annotation (``orbitList/orbit``)."""
    root = ET.fromstring(text)
    vectors = root.findall("generalAnnotation/orbitList/orbit")
    times = np.array([v.findtext("time") for v in vectors], dtype="datetime64[ns]")
    pos = [[float(v.findtext(f"position/{k}")) for k in "xyz"] for v in vectors]
    vel = [[float(v.findtext(f"velocity/{k}")) for k in "xyz"] for v in vectors]
    return Orbit.from_datetimes(times, pos, vel)


def _zipped_annotation(path) -> bytes:
    with zipfile.ZipFile(path) as z:
        name = next(n for n in sorted(z.namelist())
                    if "/annotation/s1" in n and n.endswith(".xml"))
        return z.read(name)


@pytest.mark.parametrize("name", ["S1A_IW_SLC__1SDV_20200511T135117_20200511T135144_032518_03C421_7768.zip",
                                  "S1A_IW_SLC__1SDV_20221016T015043_20221016T015111_045461_056FC0_6681.zip"])
def test_consistent_sentinel1_annotations_stay_on_hermite(shared_data, name):
    orbit = _annotation_orbit(_zipped_annotation(shared_data("sentinel1", name)))
    assert velocity_consistency(orbit) < 1e-4
    assert choose_method(orbit)[0] == "hermite"


def test_sentinel1b_2021_annotation_goes_to_legendre(shared_data):
    folder = shared_data("sentinel1", "S1B_IW_SLC__1SDV_20210401T052622_20210401T052650_026269_"
                         "032297_EFA4.SAFE", "annotation")
    (path,) = folder.glob("s1b-iw1-slc-vv-*.xml")
    orbit = _annotation_orbit(path.read_bytes())
    assert 0.005 < velocity_consistency(orbit) < 0.03      # the 1-2 cm/s of the data README
    method, reason = choose_method(orbit)
    assert method == "legendre" and "interpolating the positions alone" in reason
