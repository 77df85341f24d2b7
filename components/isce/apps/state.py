"""The state a step saved, with ISCE's accessors: ``isce.load_state("PICKLE/formslc")``.

ISCE2 pickled its processing object (``InsarProc``), whose getters return the dates' frames
and orbits. Ours pickles plain data only (a product as its ``to_dict()``), read back through
the hash-checked, restricted loader (:func:`isce.framework.steps.load_saved_state`);
:func:`load_state` returns it as a :class:`SavedState`, whose getters build the product
objects on demand::

    >>> import isce
    >>> state = isce.load_state("PICKLE/formslc")
    >>> orbit = state.getReferenceOrbit()
    >>> t, x, v, t0 = orbit._unpackOrbit()
"""
from __future__ import annotations

from isce.core.orbit import Orbit
from isce.framework.errors import StepError
from isce.framework.steps import State, load_saved_state
from isce.sensors.product import SlcProduct
from isce.sensors.raw import RawProduct

ROLES = ("reference", "secondary")


class SavedState(State):
    """A step's saved :class:`~isce.framework.steps.State` (same attributes) with ISCE2's
    getters of the dates' products (built on demand from its plain dicts)."""

    def frame(self, role: str) -> SlcProduct | RawProduct:
        """The ``reference``/``secondary`` date: its SLC product once read or focused, its raw
        product before formslc (ISCE's frame)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        slc, raw = getattr(self, "slc", None) or {}, getattr(self, "raw", None) or {}
        if role in slc:
            return SlcProduct.from_dict(slc[role])
        if role in raw:
            return RawProduct.from_dict(raw[role])
        raise StepError(f"this state holds no {role} date (it was saved before preprocess, "
                        "or by an application that reads no pair)")

    def getReferenceFrame(self) -> SlcProduct | RawProduct:
        return self.frame("reference")

    def getSecondaryFrame(self) -> SlcProduct | RawProduct:
        return self.frame("secondary")

    def getReferenceOrbit(self) -> Orbit:
        return self.frame("reference").orbit

    def getSecondaryOrbit(self) -> Orbit:
        return self.frame("secondary").orbit

    def getReferenceDoppler(self):
        """The reference date's Doppler centroid model [Hz] (None for raw data without one)."""
        return self.frame("reference").doppler

    def getSecondaryDoppler(self):
        """The secondary date's Doppler centroid model [Hz] (None for raw data without one)."""
        return self.frame("secondary").doppler

    def __repr__(self):   # the orbits' numbers would fill the screen
        return f"{type(self).__name__}({', '.join(sorted(vars(self)))})"


def load_state(path) -> SavedState:
    """The state saved after a step (``<run folder>/PICKLE/<step>``, written in step mode:
    ``--steps``, ``--end``, ...), hash-checked and read by the restricted unpickler."""
    return SavedState(**vars(load_saved_state(path)))
