"""Property tests: sidecars describe the bytes numpy actually puts on disk, for any shape."""
import numpy as np
from hypothesis import given, settings, strategies as st

import isce.io
from isce.io import isce_xml, envi, vrt
from isce.io.info import RasterInfo

names = st.sampled_from(["BYTE", "SHORT", "INT", "LONG", "FLOAT", "DOUBLE", "CFLOAT", "CDOUBLE"])
schemes = st.sampled_from(["BIP", "BIL", "BSQ"])
geos = st.one_of(st.none(), st.builds(
    isce.io.Geo,
    x0=st.floats(-180, 180), dx=st.floats(1e-6, 1).map(float),
    y0=st.floats(-90, 90), dy=st.floats(-1, -1e-6).map(float)))


@settings(max_examples=200, deadline=None)
@given(w=st.integers(1, 9), l=st.integers(1, 9), b=st.integers(1, 4), name=names, scheme=schemes)
def test_band_offsets_match_numpy_layout(w, l, b, name, scheme):
    info = RasterInfo(width=w, length=l, bands=b, datatype=name, scheme=scheme)
    flat = np.arange(info.nbytes // info.itemsize).reshape(info.file_shape)
    cube = isce.io.raster._band_first(flat, info)
    n = info.itemsize
    for band in range(b):
        image, pixel, line = info.band_offsets(band)
        for row in range(l):
            for col in range(w):
                assert cube[band, row, col] * n == image + row * line + col * pixel


@settings(max_examples=200, deadline=None)
@given(w=st.integers(1, 5000), l=st.integers(1, 5000), b=st.integers(1, 4), name=names, scheme=schemes,
       geo=geos, image_type=st.sampled_from(["", "slc", "int", "cor", "unw", "dem"]))
def test_sidecars_parse_back(tmp_path_factory, w, l, b, name, scheme, geo, image_type):
    folder = tmp_path_factory.mktemp("p")
    info = RasterInfo(width=w, length=l, bands=b, datatype=name, scheme=scheme, geo=geo, image_type=image_type)
    (folder / "x.xml").write_text(isce_xml.render(info, "x"))
    (folder / "x.vrt").write_text(vrt.render(info, "x"))
    (folder / "x.hdr").write_text(envi.render(info))
    from_xml, _ = isce_xml.parse(folder / "x.xml")
    assert from_xml == info
    from_vrt, _ = vrt.parse(folder / "x.vrt")
    from_hdr = envi.parse(folder / "x.hdr")
    for other in (from_vrt, from_hdr):
        expect_scheme = scheme if (b > 1 or other is from_hdr) else "BIP"   # one band: layouts coincide
        assert other == info.replace(image_type="", scheme=expect_scheme)
