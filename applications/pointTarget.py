#!/usr/bin/env python3
"""pointTarget.py: see `pointTarget.py --help`."""
from isce.apps.pointtarget import PointTarget

if __name__ == "__main__":
    raise SystemExit(PointTarget.main())
