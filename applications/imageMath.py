#!/usr/bin/env python3
"""imageMath.py: see `imageMath.py --help`."""
from isce.apps.imagemath import ImageMath

if __name__ == "__main__":
    raise SystemExit(ImageMath.main())
