#!/usr/bin/env python3
"""dem.py: see `dem.py --help`."""
from isce.apps.demstitch import Dem

if __name__ == "__main__":
    raise SystemExit(Dem.main())
