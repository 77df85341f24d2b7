#!/usr/bin/env python3
"""topo.py: see `topo.py --help`."""
from isce.apps.topo import Topo

if __name__ == "__main__":
    raise SystemExit(Topo.main())
