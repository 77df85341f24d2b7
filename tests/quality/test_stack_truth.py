"""MintPy's outputs against a stack's truth: referencing, looks, the velocity fit, the mask."""
import datetime as dt

import h5py
import numpy as np
import pytest

import isce.io
from isce.quality.stack_truth import YEAR_DAYS, compare_mintpy_with_truth

DATES = ["20200101", "20200215", "20200401", "20200601", "20201001"]
LOOKS = (2, 3)
SHAPE = (6, 5)          # looked


def _years():
    t0 = dt.datetime.strptime(DATES[0], "%Y%m%d")
    return np.array([(dt.datetime.strptime(d, "%Y%m%d") - t0).days / YEAR_DAYS for d in DATES])


def _write_truth(folder, full):
    folder.mkdir()
    for k, d in enumerate(DATES):
        with isce.io.create(str(folder / f"{d}.los.rdr"), full.shape[2], full.shape[1],
                            "FLOAT") as ds:
            ds.write(full[k].astype(np.float32))


def _write_mintpy(folder, ts, velocity, mask, ref, ref_date):
    folder.mkdir()
    with h5py.File(folder / "timeseries.h5", "w") as f:
        f["timeseries"] = ts.astype(np.float32)
        f["date"] = np.array([d.encode() for d in DATES])
        f.attrs.update({"REF_Y": str(ref[0]), "REF_X": str(ref[1]), "REF_DATE": ref_date})
    with h5py.File(folder / "velocity.h5", "w") as f:
        f["velocity"] = velocity.astype(np.float32)
    with h5py.File(folder / "maskTempCoh.h5", "w") as f:
        f["mask"] = mask


@pytest.fixture
def case(tmp_path):
    """Truth: a rate field and an offset per date, at full resolution (plus one extra row and
    column the looks drop); MintPy's view: looked, referenced to pixel (2, 1) and date 1."""
    rng = np.random.default_rng(3)
    rate = rng.normal(0, 0.02, SHAPE)           # m/yr, constant over each look block
    t = _years()
    looked = rate[None] * t[:, None, None] + 0.004 * np.sin(2 * np.pi * t)[:, None, None]
    full = np.repeat(np.repeat(looked, LOOKS[0], axis=1), LOOKS[1], axis=2)
    full = np.pad(full, ((0, 0), (0, 1), (0, 2)), constant_values=9.0)   # outside the looks
    _write_truth(tmp_path / "truth", full)
    ref, ref_k = (2, 1), 1
    ts = looked - looked[ref_k] - (looked - looked[ref_k])[:, ref[0]:ref[0] + 1, ref[1]:ref[1] + 1]
    slope = np.polyfit(t, ts.reshape(len(t), -1), 1)[0].reshape(SHAPE)
    return tmp_path, ts, slope, ref, DATES[ref_k]


def test_exact_outputs_compare_to_zero(case):
    root, ts, slope, ref, ref_date = case
    _write_mintpy(root / "mintpy", ts, slope, np.ones(SHAPE, bool), ref, ref_date)
    result = compare_mintpy_with_truth(root / "mintpy", root / "truth", LOOKS)
    assert result["velocity_rms_m_per_yr"] < 1e-6
    assert result["timeseries_max_rms_m"] < 1e-6
    assert result["pixels"] == SHAPE[0] * SHAPE[1] - 1        # the reference pixel is left out
    assert result["reference_date"] == ref_date


def test_errors_are_measured_over_the_coherent_pixels_only(case):
    root, ts, slope, ref, ref_date = case
    mask = np.ones(SHAPE, bool)
    mask[0] = False
    bad_ts, bad_v = ts.copy(), slope.copy()
    bad_ts[3] += 0.002                         # 2 mm on one date, everywhere
    bad_v[0] += 1.0                            # a huge error where MintPy is not coherent
    bad_v[1:] += 0.001
    _write_mintpy(root / "mintpy", bad_ts, bad_v, mask, ref, ref_date)
    result = compare_mintpy_with_truth(root / "mintpy", root / "truth", LOOKS)
    assert result["velocity_rms_m_per_yr"] == pytest.approx(0.001, rel=1e-4)
    assert result["timeseries_rms_m"][DATES[3]] == pytest.approx(0.002, rel=1e-4)
    assert result["timeseries_rms_m"][DATES[2]] < 1e-6
    assert result["pixels"] == (SHAPE[0] - 1) * SHAPE[1] - 1


def test_a_wrong_reference_pixel_shows(case):
    """Truth referenced elsewhere than MintPy says: the comparison must not hide it."""
    root, ts, slope, ref, ref_date = case
    _write_mintpy(root / "mintpy", ts, slope, np.ones(SHAPE, bool), (0, 0), ref_date)
    result = compare_mintpy_with_truth(root / "mintpy", root / "truth", LOOKS)
    assert result["velocity_rms_m_per_yr"] > 1e-3
