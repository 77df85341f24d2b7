"""A smooth ionospheric screen between two passes, to first order in frequency.

The slant total electron content differs between the passes by ``dTEC`` [TECU, 1e16
electrons/m^2]. At frequency ``f`` the one-way path changes by ``-K dTEC / f^2`` for the
carrier's phase (phase advance) and by ``+K dTEC / f^2`` for the envelope (group delay),
``K = 40.31 m^3 s^-2``. Around the carrier ``f0`` the secondary's phase is advanced by
``4 pi K dTEC / (c f0)`` and its image moved by the group delay ``K dTEC / f0^2`` in range:
a sub-band at ``f`` then sees ``4 pi K dTEC / (c f)`` to first order in ``f - f0`` (the
dispersive ``1/f`` law split-spectrum estimates; the term left out is ``~((f - f0)/f0)^2``
of it). ALOS (1270 MHz): 1 TECU = 0.25 m of path, 13.3 rad of interferometric phase.
"""
from __future__ import annotations

import math

import numpy as np

from isce.core.constants import SPEED_OF_LIGHT

__all__ = ["K_IONO", "TECU", "path_delay", "dispersive_phase", "tec_screen"]

K_IONO = 40.31          # m^3 s^-2
TECU = 1e16             # electrons / m^2


def path_delay(tec, frequency: float):
    """One-way group path delay [m] (= minus the phase path change) of ``tec`` [TECU]."""
    return K_IONO * TECU * np.asarray(tec, dtype=np.float64) / float(frequency) ** 2


def dispersive_phase(tec, frequency: float):
    """The interferogram's (reference x conj(secondary)) phase [rad] at ``frequency`` [Hz] of a
    secondary with ``tec`` [TECU] more than the reference: ``-4 pi K dTEC / (c f)``."""
    return -4.0 * math.pi * path_delay(tec, frequency) * float(frequency) / SPEED_OF_LIGHT


def tec_screen(shape, std_tecu: float, rng, correlation: float = 0.5):
    """A smooth differential-TEC screen [TECU] on a grid of ``shape``: white noise smoothed by
    a Gaussian of ``correlation`` x the grid's smaller side (in grid nodes), zero mean and
    standard deviation ``std_tecu`` over the grid."""
    from scipy import ndimage  # lazy: scipy costs ~0.3-0.8 s to import; loaded when first used

    n0, n1 = int(shape[0]), int(shape[1])
    s = max(float(correlation) * min(n0, n1), 1.0)
    pad = int(math.ceil(3 * s))
    z = rng.standard_normal((n0 + 2 * pad, n1 + 2 * pad))
    screen = ndimage.gaussian_filter(z, s, mode="wrap")[pad:pad + n0, pad:pad + n1]
    screen -= screen.mean()
    return screen * (float(std_tecu) / max(float(screen.std()), 1e-30))
