#!/usr/bin/env python3
"""simulateApp.py: see `simulateApp.py --help`."""
from isce.apps.simulate import SimulateApp

if __name__ == "__main__":
    raise SystemExit(SimulateApp.main())
