"""Looked pixels whose window holds a no-data sample (0, or NaN) are no-data themselves."""
import numpy as np
import pytest

from isce.signal.crossmul import crossmul


@pytest.mark.parametrize("oversample", [1, 2])
def test_windows_with_empty_samples_are_masked(oversample):
    rng = np.random.default_rng(3)
    shape = (40, 64)
    s1 = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    s2 = (s1 * np.exp(0.7j)).astype(np.complex64)
    s2[:, :5] = 0                       # a resampler's empty edge
    s1[17, 40] = np.nan                 # a no-data sample inside
    out = crossmul(s1, s2, az_looks=4, rg_looks=4, oversample=oversample)
    ifg, coh = out.interferogram, out.coherence
    bad = np.zeros(ifg.shape, bool)
    bad[:, :2] = True                   # columns 0-4 fall in looked columns 0 and 1
    bad[17 // 4, 40 // 4] = True
    assert np.all(ifg[bad] == 0) and np.all(coh[bad] == 0)
    # the other pixels keep the signal: the phase of s1 conj(s2) is -0.7 rad, coherence ~1
    # (with oversampling, the gaps ring into the neighbouring windows of this white, not
    # band-limited, test signal: those are left out of the check)
    from scipy.ndimage import binary_dilation

    good = ~(binary_dilation(bad) if oversample > 1 else bad)
    if oversample > 1:
        good[:, -1] = False             # the line's FFT wraps the empty left edge round to here
    tol = 1e-4 if oversample == 1 else 0.02
    assert good.sum() > 0.5 * good.size
    assert np.allclose(np.angle(ifg[good]), -0.7, atol=tol)
    assert np.all(coh[good] > 1 - tol)
