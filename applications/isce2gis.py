#!/usr/bin/env python3
"""isce2gis.py: see `isce2gis.py --help`."""
from isce.apps.isce2gis import Isce2Gis

if __name__ == "__main__":
    raise SystemExit(Isce2Gis.main())
