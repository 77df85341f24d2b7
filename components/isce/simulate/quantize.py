"""What the format writers share to quantise an image: its peak component, found block by
block (a first pass over the image, memory bounded by the block)."""
from __future__ import annotations

import numpy as np

__all__ = ["image_peak"]


def image_peak(product, block_lines: int) -> tuple[float, int]:
    """(largest |I| or |Q| over the finite samples, number of NaN/inf samples) of a product's
    image (``iter_blocks``); each writer decides what non-finite samples mean for its format."""
    peak, bad = 0.0, 0
    for _rows, block in product.iter_blocks(block_lines):
        if not block.size:
            continue
        parts = np.abs(np.ascontiguousarray(block, dtype=np.complex64).view(np.float32))
        finite = np.isfinite(parts)
        bad += int(np.count_nonzero(~finite.reshape(block.shape + (2,)).all(axis=-1)))
        if finite.any():
            peak = max(peak, float(parts[finite].max()))
    return peak, bad
