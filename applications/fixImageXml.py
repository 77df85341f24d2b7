#!/usr/bin/env python3
"""fixImageXml.py: see `fixImageXml.py --help`."""
from isce.apps.fiximagexml import FixImageXml

if __name__ == "__main__":
    raise SystemExit(FixImageXml.main())
