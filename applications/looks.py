#!/usr/bin/env python3
"""looks.py: see `looks.py --help`."""
from isce.apps.looks import Looks

if __name__ == "__main__":
    raise SystemExit(Looks.main())
