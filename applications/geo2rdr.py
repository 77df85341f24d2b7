#!/usr/bin/env python3
"""geo2rdr.py: see `geo2rdr.py --help`."""
from isce.apps.geo2rdr import Geo2rdr

if __name__ == "__main__":
    raise SystemExit(Geo2rdr.main())
