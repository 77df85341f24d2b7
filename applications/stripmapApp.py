#!/usr/bin/env python3
"""stripmapApp.py: insarApp's workflow under its own instance name."""
from isce.apps.insar import Stripmap

if __name__ == "__main__":
    raise SystemExit(Stripmap.main())
