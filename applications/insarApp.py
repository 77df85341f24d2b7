#!/usr/bin/env python3
"""insarApp.py: see `insarApp.py --help` and `insarApp.py --steps --help`."""
from isce.apps.insar import Insar

if __name__ == "__main__":
    raise SystemExit(Insar.main())
