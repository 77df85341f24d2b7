"""Real data: ENVISAT HH against warped_envisat.slc, which ISCE3 made by
resampling HH with offsets/{azimuth,range}.off (out(i, j) = HH(i + az, j + rg)).
A feature at warped (i, j) is at HH (i + az, j + rg), so ampcor with the warped
image as reference and HH as secondary measures (az, rg) at the window centres."""
import h5py
import numpy as np
import pytest

from isce.offsets.ampcor import ampcor


def _hh(path):
    """The HH image of envisat.h5 (NISAR layout, SLC or RSLC group)."""
    with h5py.File(path, "r") as f:
        for group in ("science/LSAR/SLC", "science/LSAR/RSLC"):
            if f"{group}/swaths/frequencyA/HH" in f:
                return np.asarray(f[f"{group}/swaths/frequencyA/HH"][()], dtype=np.complex64)
    pytest.fail(f"no HH image in {path}")


def test_envisat_warp_recovered(shared_data):
    warped = np.fromfile(shared_data("envisat", "warped_envisat.slc"),
                         np.complex64).reshape(500, 500)
    az = np.fromfile(shared_data("envisat", "offsets", "azimuth.off"), np.float32).reshape(500, 500)
    rg = np.fromfile(shared_data("envisat", "offsets", "range.off"), np.float32).reshape(500, 500)
    hh = _hh(shared_data("envisat", "envisat.h5"))
    f = ampcor(warped, hh, window=64, search=6, skip=24)
    v = f.valid & (f.snr > 10)
    assert v.sum() >= 0.9 * len(f)
    # truth: the warp averaged over each reference window (the offsets vary with pixel)
    li = (f.line - 31.5).astype(int)
    pi = (f.pixel - 31.5).astype(int)
    ta = np.array([az[a:a + 64, b:b + 64].mean() for a, b in zip(li, pi)])
    tr = np.array([rg[a:a + 64, b:b + 64].mean() for a, b in zip(li, pi)])
    ea, er = f.azimuth[v] - ta[v], f.range[v] - tr[v]
    print(f"\nenvisat: {int(v.sum())} of {len(f)} windows; error azimuth mean {ea.mean():+.4f} "
          f"median {np.median(ea):+.4f} std {ea.std():.4f}; range mean {er.mean():+.4f} "
          f"median {np.median(er):+.4f} std {er.std():.4f} px (warp: az {az.min():.2f}..{az.max():.2f}, "
          f"rg {rg.min():.2f}..{rg.max():.2f})")
    assert abs(np.median(ea)) < 0.02 and abs(np.median(er)) < 0.02
    assert abs(ea.mean()) < 0.03 and abs(er.mean()) < 0.03
    assert np.percentile(np.abs(ea), 90) < 0.1 and np.percentile(np.abs(er), 90) < 0.1
