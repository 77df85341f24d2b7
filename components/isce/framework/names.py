"""Name normalisation: ISCE compares property and component names ignoring case and spaces."""
from __future__ import annotations

import difflib
import re

_SPACE = re.compile(r"\s+")


def normalize(name: str) -> str:
    """Return the comparison key of a name: case-folded, all whitespace removed.

    ``"Sensor Name"``, ``"sensorname"`` and ``" SENSOR\\tNAME "`` share one key.
    """
    return _SPACE.sub("", str(name)).casefold()


def closest(name: str, candidates) -> str | None:
    """The candidate most similar to ``name`` (compared normalised), or None."""
    candidates = list(candidates)
    keys = {normalize(c): c for c in candidates}
    match = difflib.get_close_matches(normalize(name), list(keys), n=1, cutoff=0.5)
    return keys[match[0]] if match else None


def did_you_mean(name: str, candidates) -> str:
    """A suffix like `` (did you mean 'x'?)`` or an empty string."""
    best = closest(name, candidates)
    return f" (did you mean {best!r}?)" if best else ""
