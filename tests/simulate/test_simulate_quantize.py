"""The writers' shared peak search: largest |I| or |Q| over the finite samples, block by
block, and how many samples are NaN/inf (each writer refuses or ignores them)."""
import numpy as np
from small_slcs import make_slc

import isce.io
from isce.sensors.product import SlcProduct
from isce.simulate.quantize import image_peak


def test_peak_and_non_finite_count_over_blocks(tmp_path):
    product = SlcProduct.load(make_slc(tmp_path, "p", 3, lines=64, pixels=16))
    z = np.array(isce.io.open(product.source.path).read())
    want = max(np.abs(z.real).max(), np.abs(z.imag).max())
    assert image_peak(product, 7) == (float(want), 0)
    z[5, 3] = np.nan + 1j                       # one non-finite sample, in the second block
    z[40, 0] = 1e6 - 2e6j                       # the peak, far from the first block
    z[63, 15] = complex(np.inf, 0.0)
    isce.io.write(product.source.path, z.astype(np.complex64))
    assert image_peak(product, 7) == (2e6, 2)
