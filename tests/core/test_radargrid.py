"""RadarGrid: accessors, multilook/crop conventions, look side, serialisation."""
import json
import pickle

import numpy as np
import pytest

from isce.core.constants import SPEED_OF_LIGHT
from isce.core.radargrid import LookSide, RadarGrid
from isce.core.time import DateTime

EPOCH = "2003-02-24 00:00:00"


def envisat_like(**kw):
    args = dict(sensing_start=237330.843491759, reference_epoch=EPOCH, prf=1652.4157,
                starting_range=826988.6900674499, range_pixel_spacing=7.803973671,
                length=500, width=500, wavelength=SPEED_OF_LIGHT / 5.331004416e9,
                look_side="right")
    args.update(kw)
    return RadarGrid(**args)


def test_accessors():
    g = envisat_like()
    assert g.shape == (500, 500) and g.size == 250000
    assert g.reference_epoch == DateTime("2003-02-24")
    assert g.az_time_interval == pytest.approx(1 / 1652.4157)
    assert g.center_frequency == pytest.approx(5.331004416e9)
    assert g.slant_range(0) == 826988.6900674499
    assert g.slant_range(10.5) == pytest.approx(826988.6900674499 + 10.5 * 7.803973671)
    assert g.end_range == pytest.approx(826988.6900674499 + 499 * 7.803973671)
    assert g.mid_range == pytest.approx(826988.6900674499 + 249.5 * 7.803973671)
    assert g.sensing_time(100) == pytest.approx(237330.843491759 + 100 / 1652.4157, abs=1e-12)
    assert g.sensing_stop == pytest.approx(237330.843491759 + 499 / 1652.4157, abs=1e-12)
    assert g.sensing_mid == pytest.approx(237330.843491759 + 249.5 / 1652.4157, abs=1e-12)
    assert g.sensing_end == pytest.approx(237330.843491759 + 500 / 1652.4157, abs=1e-12)
    j = np.array([0.0, 3.25, 499.0])
    np.testing.assert_allclose(g.slant_range_index(g.slant_range(j)), j, atol=1e-9)
    np.testing.assert_allclose(g.azimuth_index(g.sensing_time(j)), j, atol=1e-6)
    np.testing.assert_array_equal(g.slant_ranges()[[0, 7]], g.slant_range(np.array([0, 7])))
    assert g.sensing_times().shape == (500,)
    assert g.sensing_start_datetime.isoformat() == "2003-02-26T17:55:30.843491759"
    assert g.sensing_datetime(0) == DateTime(EPOCH) + 237330.843491759
    t = g.sensing_time(123.4)
    assert g.contains(t, 830450.1859446081)
    assert not g.contains(g.sensing_stop + 1.0, 830450.0)
    assert not g.contains(g.sensing_start - 1e-6, 830450.0)
    assert g.contains(np.array([t, t]), np.array([830450.0, 1e6])).tolist() == [True, False]


def test_prf_or_interval():
    g = envisat_like(prf=None, az_time_interval=6.051746e-4)
    assert g.prf == 1.0 / 6.051746e-4
    with pytest.raises(ValueError):
        envisat_like(az_time_interval=6.051746e-4)
    with pytest.raises(ValueError):
        envisat_like(prf=None)


@pytest.mark.parametrize("value,side,sign", [
    ("left", "left", 1), ("Right", "right", -1), (b"right", "right", -1), (" LEFT ", "left", 1),
    (1, "left", 1), (-1, "right", -1), (LookSide.Right, "right", -1), (np.bytes_(b"Left"), "left", 1),
])
def test_look_side(value, side, sign):
    g = envisat_like(look_side=value)
    assert g.look_side == side and g.look_side_sign == sign and int(g.lookside) == sign


@pytest.mark.parametrize("bad", ["up", 0, 2, "", None])
def test_look_side_rejects(bad):
    with pytest.raises((ValueError, TypeError)):
        envisat_like(look_side=bad)


@pytest.mark.parametrize("az,rg", [(1, 1), (2, 3), (4, 4), (5, 1), (7, 13)])
def test_multilook_convention(az, rg):
    g = envisat_like(length=503, width=499)
    m = g.multilook(az, rg)
    assert m.shape == (503 // az, 499 // rg)
    assert m.prf == pytest.approx(g.prf / az) and m.range_pixel_spacing == pytest.approx(g.range_pixel_spacing * rg)
    # every output pixel centre is the mean of the centres of the input pixels it averages
    for k in (0, 1, m.length - 1):
        expect_t = np.mean(g.sensing_time(np.arange(k * az, k * az + az)))
        assert m.sensing_time(k) == pytest.approx(expect_t, abs=1e-9)
    for k in (0, 1, m.width - 1):
        expect_r = np.mean(g.slant_range(np.arange(k * rg, k * rg + rg)))
        assert m.slant_range(k) == pytest.approx(expect_r, abs=1e-6)
    # ISCE3 formulas
    assert m.sensing_start == pytest.approx(g.sensing_start + 0.5 * (az - 1) / g.prf, abs=1e-10)
    assert m.starting_range == pytest.approx(g.starting_range + 0.5 * (rg - 1) * g.range_pixel_spacing)
    assert (m.wavelength, m.look_side, m.reference_epoch) == (g.wavelength, g.look_side, g.reference_epoch)


def test_multilook_identity_and_errors():
    g = envisat_like()
    assert g.multilook(1, 1) == g
    with pytest.raises(ValueError):
        g.multilook(0, 2)


def test_offset_resize_margin_upsample():
    g = envisat_like()
    c = g.offset_and_resize(10, 20, 100, 200)
    assert c.shape == (100, 200)
    assert c.sensing_start == pytest.approx(g.sensing_time(10)) and c.starting_range == pytest.approx(g.slant_range(20))
    assert c.prf == g.prf and c.range_pixel_spacing == g.range_pixel_spacing
    r = g.resize_keep_start_stop(1000, 250)
    assert r.sensing_start == g.sensing_start and r.sensing_stop == pytest.approx(g.sensing_stop, abs=1e-9)
    assert r.starting_range == g.starting_range and r.end_range == pytest.approx(g.end_range, abs=1e-6)
    with pytest.raises(ValueError):
        g.resize_keep_start_stop(1, 10)
    b = g.add_margin(3, 4)
    assert b.shape == (506, 508) and b.sensing_time(3) == pytest.approx(g.sensing_start)
    assert b.slant_range(4) == pytest.approx(g.starting_range)
    s = g.add_margin(3, 4, "stop")
    assert s.shape == (503, 504) and s.sensing_start == g.sensing_start
    u = g.upsample(2, 4)
    assert u.shape == (1000, 2000) and u.sensing_time(2) == pytest.approx(g.sensing_time(1))
    assert u.slant_range(4) == pytest.approx(g.slant_range(1))


def test_with_reference_epoch_keeps_absolute_times():
    g = envisat_like()
    h = g.with_reference_epoch("2003-02-26T00:00:00")
    assert h.sensing_start == pytest.approx(237330.843491759 - 2 * 86400, abs=1e-9)
    assert h.sensing_start_datetime == g.sensing_start_datetime


def test_serialisation_round_trips():
    g = envisat_like(look_side="left")
    d = json.loads(json.dumps(g.to_dict()))
    assert d["look_side"] == "left" and d["reference_epoch"] == "2003-02-24T00:00:00.000000000"
    assert RadarGrid.from_dict(d) == g
    assert RadarGrid.from_xml(g.to_xml()) == g
    xd = g.to_xml_dict()
    assert all(isinstance(v, str) for v in xd.values())
    assert RadarGrid.from_xml_dict({k.upper().replace(" ", "_"): v for k, v in xd.items()}) == g
    assert pickle.loads(pickle.dumps(g)) == g
    assert g.replace(width=3).width == 3 and g != g.replace(width=3)
    with pytest.raises(KeyError, match="starting range"):
        RadarGrid.from_xml_dict({k: v for k, v in xd.items() if k != "starting range"})


@pytest.mark.parametrize("kw", [dict(prf=0.0), dict(prf=-1.0), dict(range_pixel_spacing=0.0),
                                dict(wavelength=-0.05), dict(length=-1), dict(width=2.5),
                                dict(sensing_start=float("nan")), dict(reference_epoch="1970.1.1")])
def test_validation(kw):
    with pytest.raises((ValueError, TypeError)):
        envisat_like(**kw)


def test_subsample_places_the_dense_window_centres():
    """subsample: sample k of the new grid is old line first + k * step (ampcor's dense
    windows, centres at half-integers), same for pixels; steps must be positive."""
    g = envisat_like(length=503, width=499)
    s = g.subsample(31.5, 27.5, 32, 16, 15, 29)
    assert s.shape == (15, 29)
    for k in (0, 1, 14):
        assert s.sensing_time(k) == pytest.approx(g.sensing_time(31.5 + 32 * k), abs=1e-9)
    for k in (0, 1, 28):
        assert s.slant_range(k) == pytest.approx(g.slant_range(27.5 + 16 * k), abs=1e-6)
    assert (s.wavelength, s.look_side, s.reference_epoch) == (g.wavelength, g.look_side, g.reference_epoch)
    with pytest.raises(ValueError, match="line_step"):
        g.subsample(0, 0, 0, 16, 3, 3)
