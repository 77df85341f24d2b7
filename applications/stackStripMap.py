#!/usr/bin/env python3
"""stackStripMap.py: see `stackStripMap.py --help` and `stackStripMap.py --steps --help`."""
from isce.apps.stack import Stack

if __name__ == "__main__":
    raise SystemExit(Stack.main())
