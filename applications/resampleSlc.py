#!/usr/bin/env python3
"""resampleSlc.py: see `resampleSlc.py --help`."""
from isce.apps.resample import ResampleSlc

if __name__ == "__main__":
    raise SystemExit(ResampleSlc.main())
