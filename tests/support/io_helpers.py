"""Shared helpers of the isce.io tests (a plain module, so its name cannot clash with other conftests)."""
import numpy as np

#: every ISCE data type this package writes, with its numpy dtype
DTYPES = {
    "BYTE": np.uint8, "SHORT": np.int16, "INT": np.int32, "LONG": np.int64,
    "FLOAT": np.float32, "DOUBLE": np.float64, "CFLOAT": np.complex64, "CDOUBLE": np.complex128,
}
SCHEMES = ("BIP", "BIL", "BSQ")


def random_data(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    if dtype.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)
