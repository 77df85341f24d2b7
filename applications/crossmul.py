#!/usr/bin/env python3
"""crossmul.py: see `crossmul.py --help`."""
from isce.apps.crossmul import Crossmul

if __name__ == "__main__":
    raise SystemExit(Crossmul.main())
