#!/usr/bin/env python3
"""geocode.py: see `geocode.py --help`."""
from isce.apps.geocode import Geocode

if __name__ == "__main__":
    raise SystemExit(Geocode.main())
