#!/usr/bin/env python3
"""focus.py: see `focus.py --help`."""
from isce.apps.focus import Focus

if __name__ == "__main__":
    raise SystemExit(Focus.main())
