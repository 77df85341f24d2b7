"""isce.io.mintpy: the metadata, baseline files and geometry MintPy reads without ISCE2.

The metadata of a small ALOS-like date (real ALOS orbit, tests/support/small_slcs.py) are
checked against values computed here independently: pyproj for the platform's geodetic
height, the geodesic bearing of the ground track for the heading (ISCE2's
``Orbit.getHeading``), Euler's formula for the radius of curvature along the heading, the
lat.rdr corners for LAT_REF1..4. Baselines: the sign of ISCE2 stripmapStack's files
(``mroipac/baseline``, ported below from its source) on pairs the simulator made with a
known perpendicular baseline.
"""
import dataclasses
import datetime
import math
import os

import numpy as np
import pytest
from pyproj import Geod, Transformer
from small_slcs import LAT, LON, alos_geometry, make_slc

import isce.io
from isce.core.radargrid import RadarGrid
from isce.geometry.baseline import baseline_summary, stripmap_perpendicular
from isce.geometry.rdr2geo import topo
from isce.io.layout import MintPyView, date_name, pair_name
from isce.io.mintpy import (link_raster, multilook_geometry, platform_name, read_baseline_file,
                            read_rsc, reference_pixel, roipac_metadata, write_baseline_file,
                            write_data_rsc)
from isce.sensors.product import SlcProduct

LOOKS = (4, 2)
C = 299792458.0
A, F = 6378137.0, 1 / 298.257223563             # WGS-84


@pytest.fixture(scope="module")
def date(tmp_path_factory):
    """An SLC product, its full-size geometry and the geometry at LOOKS."""
    folder = tmp_path_factory.mktemp("mintpy_date")
    slc = SlcProduct.load(make_slc(folder, "ref", 1))
    full = topo(slc.radar_grid, slc.orbit, None, 150.0, str(folder / "geometry"),
                products=("lat", "lon", "z", "los", "incLocal", "shadowMask"))
    names = {"hgt": full["z"], "lat": full["lat"], "lon": full["lon"], "los": full["los"],
             "shadowMask": full["shadowMask"], "incLocal": full["incLocal"]}
    looked = multilook_geometry(names, folder / "geom_reference", LOOKS)
    return slc, full, looked


def _platform(slc):
    pos, vel = slc.orbit.interpolate(slc.radar_grid.sensing_mid)
    return np.reshape(pos, 3), np.reshape(vel, 3)


def test_radar_numbers_are_the_products(date):
    slc, _, looked = date
    meta = roipac_metadata(slc, LOOKS, looked)
    g = slc.radar_grid
    assert float(meta["PRF"]) == g.prf and float(meta["prf"]) == g.prf
    assert float(meta["WAVELENGTH"]) == g.wavelength
    assert float(meta["STARTING_RANGE"]) == g.starting_range
    assert float(meta["RANGE_PIXEL_SIZE"]) == pytest.approx(g.range_pixel_spacing * LOOKS[1])
    _, vel = _platform(slc)
    assert float(meta["AZIMUTH_PIXEL_SIZE"]) == pytest.approx(np.linalg.norm(vel) / g.prf
                                                              * LOOKS[0], rel=1e-9)
    assert (meta["ALOOKS"], meta["RLOOKS"]) == ("4", "2")
    assert (int(meta["LENGTH"]), int(meta["WIDTH"])) == (g.length // 4, g.width // 2)
    assert meta["PLATFORM"] == "alos" and meta["PROCESSOR"] == "isce"
    assert meta["ANTENNA_SIDE"] == "-1" and meta["beam_mode"] == "SM"
    # NCORRLOOKS: looks over the resolution cells per pixel (range: c / 2B; azimuth: one
    # pixel, the product records no antenna length nor azimuth bandwidth)
    range_cells = (C / (2 * slc.range_bandwidth)) / g.range_pixel_spacing
    assert float(meta["NCORRLOOKS"]) == pytest.approx(8 / range_cells, rel=1e-9)


def test_times_are_the_sensing_times(date):
    slc, _, looked = date
    meta = roipac_metadata(slc, LOOKS, looked)
    g = slc.radar_grid
    mid = g.sensing_mid_datetime.to_datetime()
    # ISCE2: hour * 3600 + minute * 60 + second of the sensing mid (whole seconds)
    assert float(meta["CENTER_LINE_UTC"]) == mid.hour * 3600 + mid.minute * 60 + mid.second
    start = datetime.datetime.fromisoformat(meta["startUTC"])
    stop = datetime.datetime.fromisoformat(meta["stopUTC"])
    assert abs((stop - start).total_seconds() - (g.length - 1) / g.prf) < 2e-6


def test_platform_numbers_match_independent_geodesy(date):
    slc, _, looked = date
    meta = roipac_metadata(slc, LOOKS, looked)
    pos, vel = _platform(slc)
    to_geodetic = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True)
    lon, lat, height = to_geodetic.transform(*pos)
    assert float(meta["HEIGHT"]) == pytest.approx(height, abs=1e-2)     # PROJ: mm at 700 km
    # heading: bearing of the ground track over +-0.5 s (ISCE2 Orbit.getHeading)
    t = slc.radar_grid.sensing_mid
    (p1, _), (p2, _) = (slc.orbit.interpolate(t + dt) for dt in (-0.5, 0.5))
    (lo1, la1, _), (lo2, la2, _) = (to_geodetic.transform(*np.reshape(p, 3)) for p in (p1, p2))
    bearing = Geod(ellps="WGS84").inv(lo1, la1, lo2, la2)[0]
    assert float(meta["HEADING"]) == pytest.approx(bearing, abs=0.05)
    assert meta["ORBIT_DIRECTION"] == ("ASCENDING" if vel[2] > 0 else "DESCENDING")
    # radius of curvature along the heading at the platform's latitude (Euler)
    e2 = F * (2 - F)
    s2 = math.sin(math.radians(lat)) ** 2
    n, m = A / math.sqrt(1 - e2 * s2), A * (1 - e2) / (1 - e2 * s2) ** 1.5
    h = math.radians(float(meta["HEADING"]))
    assert float(meta["EARTH_RADIUS"]) == pytest.approx(
        1 / (math.cos(h) ** 2 / m + math.sin(h) ** 2 / n), abs=1e-3)


def test_corners_and_incidence_are_the_geometry_at_looks(date):
    slc, full, looked = date
    meta = roipac_metadata(slc, LOOKS, looked)
    lat_full = isce.io.open(full["lat"]).data
    az, rg = LOOKS
    for key, (r, c) in {"1": (2, 0), "2": (2, -1), "3": (-3, 0), "4": (-3, -1)}.items():
        rows = slice(r * az, r * az + az) if r >= 0 else slice(
            (lat_full.shape[0] // az + r) * az, (lat_full.shape[0] // az + r + 1) * az)
        cw = lat_full.shape[1] // rg
        cols = slice(0, rg) if c == 0 else slice((cw - 1) * rg, cw * rg)
        assert float(meta[f"LAT_REF{key}"]) == pytest.approx(lat_full[rows, cols].mean(),
                                                             abs=1e-12)
    lon = isce.io.open(looked["lon"]).data
    assert float(meta["LON_REF4"]) == lon[-3, -1]
    assert abs(float(meta["LAT_REF1"]) - LAT) < 0.2 and abs(float(meta["LON_REF1"]) - LON) < 0.2
    inc = isce.io.open(looked["los"]).band(0)
    assert float(meta["CENTER_INCIDENCE_ANGLE"]) == inc[inc.shape[0] // 2, inc.shape[1] // 2]


def test_left_looking_antenna_side(date):
    slc, _, looked = date
    g = slc.radar_grid
    left = RadarGrid(g.sensing_start, g.reference_epoch, prf=g.prf,
                     starting_range=g.starting_range, range_pixel_spacing=g.range_pixel_spacing,
                     length=g.length, width=g.width, wavelength=g.wavelength, look_side="left")
    assert roipac_metadata(dataclasses.replace(slc, radar_grid=left), LOOKS,
                           looked)["ANTENNA_SIDE"] == "1"


@pytest.mark.parametrize("name, short", [("ALOS", "alos"), ("Sentinel-1A", "sen"),
                                         ("TerraSAR-X", "tsx"), ("UAVSAR", "uav"),
                                         ("COSMO-SkyMed", "csk"), ("ENVISAT", "env"),
                                         ("NISAR", "ni"), ("Foo_Sat-2", "foosat2")])
def test_platform_names_are_mintpy_s(name, short):
    assert platform_name(name) == short


def test_data_rsc_is_roipac_text(tmp_path, date):
    slc, _, looked = date
    meta = roipac_metadata(slc, LOOKS, looked)
    path = write_data_rsc(tmp_path / "data.rsc", meta)
    lines = (tmp_path / "data.rsc").read_text().splitlines()
    keys = [line.split()[0] for line in lines]
    assert keys == sorted(keys) and all(len(line.split(None, 1)) == 2 for line in lines)
    back = read_rsc(path)
    assert back["FILE_LENGTH"] == meta["LENGTH"]
    assert {k: back[k] for k in meta} == meta
    for bad in ({"A": ""}, {"A B": "1"}, {"A": "1\n2"}):
        with pytest.raises(ValueError):
            write_data_rsc(tmp_path / "bad.rsc", bad)
    assert not (tmp_path / "bad.rsc").exists()


def test_baseline_file_is_isce2_stripmapstack_s(tmp_path):
    path = write_baseline_file(tmp_path / "20080601_20080717.txt", 174.056, 173.979)
    assert (tmp_path / "20080601_20080717.txt").read_text() == (
        "PERP_BASELINE_BOTTOM 173.979\nPERP_BASELINE_TOP 174.056\n")
    assert read_baseline_file(path) == (174.056, 173.979)
    with pytest.raises(ValueError):
        write_baseline_file(tmp_path / "nan.txt", float("nan"), 1.0)
    assert not (tmp_path / "nan.txt").exists()


def _mroipac_perp(ref, sec, look_range):
    """ISCE2 mroipac/baseline/Baseline.py's pBaselineTop/Bottom (ported from its source):
    secondary at the reference's along-track position, cross-track/vertical components in
    the reference's (r, v, c = r x v) basis, projected with the look angle of a sphere of
    radius a at range ``look_range``."""
    g = ref.radar_grid

    def state(orbit, t):
        p, v = orbit.interpolate(t)
        return np.reshape(p, 3), np.reshape(v, 3)

    pm, _ = state(ref.orbit, g.sensing_mid)                # ISCE2: radius a, platform height
    height = Transformer.from_crs("EPSG:4978", "EPSG:4979", always_xy=True).transform(*pm)[2]
    cosl = ((height * (2 * A + height) + look_range ** 2) / (2 * look_range * (A + height)))
    sinl = math.sqrt(1 - cosl ** 2)
    out = []
    for t_ref in (g.sensing_start, g.sensing_stop):
        x1, v1 = state(ref.orbit, t_ref)
        r = x1 / np.linalg.norm(x1)
        c = np.cross(r, v1 / np.linalg.norm(v1))
        c /= np.linalg.norm(c)
        v = np.cross(c, r)
        t_sec = sec.radar_grid.sensing_mid + (t_ref - g.sensing_mid)
        for _ in range(3):                                  # along-track offset removed
            x2, _ = state(sec.orbit, t_sec)
            t_sec -= (x2 - x1) @ v / np.linalg.norm(v1)
        dx = state(sec.orbit, t_sec)[0] - x1
        out.append(-(dx @ c) * cosl + (dx @ r) * sinl)
    return out


def _pair(folder, side, asked):
    """A reference date looking to ``side`` and a secondary pass the simulator displaced
    ``asked`` metres perpendicular to the line of sight (positive: away from the Earth)."""
    from isce.simulate.orbit import orbit_over, orbit_with_baseline

    ref = SlcProduct.load(make_slc(folder, "ref", 1))
    radar, orbit, t_zd = alos_geometry()
    if side == "left":
        orbit, t_zd = orbit_over(LAT, LON, radar.look_angle, "left", radar.altitude,
                                 radar.inclination, time="2009-06-01T06:00:00", ascending=True,
                                 duration_s=20.0, spacing_s=1.0)
    orbit2, t2, _ = orbit_with_baseline(orbit, LAT, LON, 0.0, side, asked, "2009-07-17T06:00:00",
                                        inclination_deg=radar.inclination, duration_s=20.0)

    def date(orb, t):
        g = ref.radar_grid
        grid = RadarGrid(t - g.length / 2 / g.prf, orb.reference_epoch, prf=g.prf,
                         starting_range=g.starting_range,
                         range_pixel_spacing=g.range_pixel_spacing, length=g.length,
                         width=g.width, wavelength=g.wavelength, look_side=side)
        return dataclasses.replace(ref, radar_grid=grid, orbit=orb)

    return date(orbit, t_zd), date(orbit2, t2)


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("asked", [300.0, -250.0])
def test_perpendicular_baselines_have_isce2_stripmap_sign(tmp_path, asked, side):
    """The simulator's pass ``asked`` metres perpendicular to the line of sight (positive:
    away from the Earth) has ISCE2 stripmapApp/stripmapStack baselines of that sign and
    size (right-looking: as ISCE2's mroipac computes them); zerodop's (report.json's) sign
    is the opposite one for a right-looking radar."""
    ref, sec = _pair(tmp_path, side, asked)
    top, bottom = stripmap_perpendicular(ref, sec)
    assert top == pytest.approx(asked, abs=2.0) and bottom == pytest.approx(asked, abs=2.0)
    summary = baseline_summary(ref, sec)
    assert summary["perpendicular_top"] == pytest.approx(top if side == "left" else -top,
                                                         abs=1e-6)
    if side == "right":
        g = ref.radar_grid
        mid_range = g.starting_range + (g.width - 1) / 2 * g.range_pixel_spacing
        isce2_top, isce2_bottom = _mroipac_perp(ref, sec, mid_range)
        assert top == pytest.approx(isce2_top, abs=0.5)
        assert bottom == pytest.approx(isce2_bottom, abs=0.5)
    path = write_baseline_file(tmp_path / "b.txt", top, bottom)
    assert np.sign(read_baseline_file(path)[0]) == np.sign(asked)


def test_multilook_geometry_is_the_block_average(tmp_path):
    rng = np.random.default_rng(3)
    length, width, az, rg = 47, 31, 3, 2                   # sizes not multiples of the looks
    hgt = rng.normal(200.0, 50.0, (length, width))
    los = rng.uniform(20, 40, (2, length, width)).astype(np.float32)
    mask = np.zeros((length, width), np.uint8)
    mask[rng.integers(0, length, 25), rng.integers(0, width, 25)] = rng.integers(1, 4, 25)
    full = {"hgt": isce.io.write(str(tmp_path / "z.rdr"), hgt),
            "los": isce.io.write(str(tmp_path / "los.rdr"), los, scheme="BIL"),
            "shadowMask": isce.io.write(str(tmp_path / "shadowMask.rdr"), mask)}
    out = multilook_geometry(full, tmp_path / "looked", (az, rg), block_lines=4)
    n, w = length // az, width // rg

    def cells(a):
        return a[..., :n * az, :w * rg].reshape(a.shape[:-2] + (n, az, w, rg))

    h = isce.io.open(out["hgt"])
    assert (h.length, h.width, h.data_type) == (n, w, "DOUBLE")
    np.testing.assert_allclose(h.data, cells(hgt).mean(axis=(-3, -1)), rtol=0, atol=1e-12)
    looked_los = isce.io.open(out["los"])
    assert (looked_los.bands, looked_los.scheme, looked_los.data_type) == (2, "BIL", "FLOAT")
    np.testing.assert_allclose(looked_los.data, cells(los.astype(np.float64)).mean(axis=(-3, -1)),
                               rtol=1e-6)
    expected = np.bitwise_or.reduce(np.bitwise_or.reduce(cells(mask), axis=-1), axis=-2)
    np.testing.assert_array_equal(isce.io.open(out["shadowMask"]).data, expected)
    assert expected.any() and not expected.all()
    assert str(out["shadowMask"]).endswith("looked/shadowMask.rdr")


def test_linked_raster_has_its_own_sidecars(tmp_path):
    data = np.arange(12, dtype=np.float32).reshape(3, 4)
    (tmp_path / "interferogram").mkdir()
    target = isce.io.write(str(tmp_path / "interferogram" / "phsig.cor"), data)
    link = link_raster(target, tmp_path / "Igrams" / "20200101_20200113" / "filt_x.cor")
    np.testing.assert_array_equal(isce.io.open(link).data, data)
    xml = (tmp_path / "Igrams" / "20200101_20200113" / "filt_x.cor.xml").read_text()
    assert "filt_x.cor" in xml and "phsig.cor" not in xml
    assert not (tmp_path / "Igrams" / "20200101_20200113" / "filt_x.cor").resolve() \
        .is_relative_to(tmp_path / "Igrams")
    assert not os.path.isabs(os.readlink(link))         # relative: the run folder can move


def test_view_names_are_stripmapstack_s(date):
    slc, _, _ = date
    d = date_name(slc.radar_grid.sensing_mid_datetime)
    assert d == "20090601" and pair_name(d, "20090717") == "20090601_20090717"
    view = MintPyView("run")
    assert str(view.unw(d, "20090717")) == "run/Igrams/20090601_20090717/filt_20090601_20090717.unw"
    assert str(view.conncomp(d, "x")).endswith("filt_20090601_x.unw.conncomp")
    assert str(view.cor(d, "x")).endswith("Igrams/20090601_x/filt_20090601_x.cor")
    assert str(view.geometry("hgt", full=True)) == "run/geom_reference/hgt.rdr.full"
    assert str(view.baseline(d, "x")) == "run/baselines/20090601_x.txt"
    assert str(MintPyView.rsc_beside("run/reference/reference.slc.xml")) == \
        "run/reference/data.rsc"


def _pairs(folder, coherence, phase=None, conncomp=None):
    """One ISCE pair per layer of ``coherence`` (pairs, lines, pixels): ``.unw`` (2 bands
    BIL: amplitude 1, then ``phase``), ``.cor`` (FLOAT) and ``.unw.conncomp`` (BYTE)."""
    n = coherence.shape[0]
    phase = np.full(coherence.shape, 0.5, np.float32) if phase is None else phase
    conncomp = np.ones(coherence.shape, np.uint8) if conncomp is None else conncomp
    unw, cor, cc = [], [], []
    for k in range(n):
        stem = str(folder / f"filt_{k}")
        bands = np.stack([np.ones_like(phase[k]), phase[k]]).astype(np.float32)
        unw.append(isce.io.write(stem + ".unw", bands, scheme="BIL"))
        cor.append(isce.io.write(stem + ".cor", coherence[k].astype(np.float32)))
        cc.append(isce.io.write(stem + ".unw.conncomp", conncomp[k]))
    return unw, cor, cc


def test_reference_pixel_is_the_most_coherent_valid_in_every_pair(tmp_path):
    """MintPy draws its reference pixel at random (unseeded) unless mintpy.reference.yx is
    given; make stack-demo gives it this one: the highest mean coherence among the pixels
    valid in every pair, the same on every call."""
    rng = np.random.default_rng(5)
    coh = rng.uniform(0.2, 0.8, (3, 9, 11))
    phase = rng.uniform(-3, 3, coh.shape).astype(np.float32)
    conncomp = np.ones(coh.shape, np.uint8)
    coh[:, 1, 2] = 0.99                 # the most coherent: phase 0 (not unwrapped) in one pair
    phase[1, 1, 2] = 0.0
    coh[:, 4, 4] = 0.98                 # next: not in a connected component in one pair
    conncomp[2, 4, 4] = 0
    coh[:, 6, 1] = 0.97                 # next: NaN phase in one pair
    phase[0, 6, 1] = np.nan
    coh[:, 7, 3] = 0.96                 # next: NaN coherence in one pair (mean would be NaN)
    coh[2, 7, 3] = np.nan
    coh[:, 5, 8] = coh[:, 3, 9] = 0.95  # then two equal: the first in row order
    unw, cor, cc = _pairs(tmp_path, coh, phase, conncomp)
    assert reference_pixel(unw, cor, cc) == (3, 9)
    assert reference_pixel(unw, cor, cc) == (3, 9)          # no draw
    assert reference_pixel(unw, cor) == (4, 4)              # components not given
    assert all(isinstance(v, int) for v in reference_pixel(unw, cor, cc))


def test_reference_pixel_refuses_what_cannot_be_one_stack(tmp_path):
    (tmp_path / "b").mkdir()
    unw, cor, cc = _pairs(tmp_path, np.full((2, 4, 5), 0.9))
    with pytest.raises(ValueError, match="per pair"):
        reference_pixel(unw, cor[:1], cc)
    with pytest.raises(ValueError, match="per pair"):
        reference_pixel([], [])
    other, _, _ = _pairs(tmp_path / "b", np.full((1, 4, 6), 0.9))
    with pytest.raises(ValueError, match="4 x 6 pixels"):
        reference_pixel([unw[0], other[0]], cor, cc)
    _, _, none = _pairs(tmp_path / "b", np.full((2, 4, 5), 0.9),
                        conncomp=np.zeros((2, 4, 5), np.uint8))
    with pytest.raises(ValueError, match="no pixel is valid"):
        reference_pixel(unw, cor, none)
