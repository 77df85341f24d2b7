#!/usr/bin/env python3
"""mdx.py: see `mdx.py --help`."""
from isce.apps.quicklook import Mdx

if __name__ == "__main__":
    raise SystemExit(Mdx.main())
