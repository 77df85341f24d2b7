"""Products carry their provenance (issue 13, item 4): every raster's .vrt, .hdr and .xml
name its bands, units, no-data value, the pair's dates and the isce version, as GDAL reads
them (GetDescription, GetUnitType, GetNoDataValue, GetMetadata) and as isce.io reads them back.

The expected descriptions below are written out by hand from what each product is (ISCE2
stripmapApp's products, MintPy's geometry names, ISCE2 DenseAmpcor and runDispersive)."""
import datetime
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import rasterio
from hypothesis import given, settings, strategies as st

import isce.io
from isce.geometry.geocode import write_geotiff
from isce.io import envi, isce_xml, provenance, vrt
from isce.io.info import RasterInfo
from isce.io.mintpy import link_raster
from isce.io.sidecars import write_sidecars
from isce.version import release_version

pytestmark = pytest.mark.filterwarnings("ignore::rasterio.errors.NotGeoreferencedWarning")

VERSION = f"isce {release_version}"
DATES = {"REFERENCE_DATE": "20080601", "SECONDARY_DATE": "20080717"}
NAN = math.nan
GEO = (-116.6, 0.001, 0.0, 34.6, 0.0, -0.001)

#: product path -> (numpy type, band names, units, no-data); None: no no-data value
KINDS = {
    "interferogram/topophase.flat": (np.complex64, ["complex interferogram"], ["1"], 0.0),
    "interferogram/filt_topophase.flat": (np.complex64, ["complex interferogram"], ["1"], 0.0),
    "interferogram/topophase.cor": (np.float32, ["coherence"], ["1"], 0.0),
    "interferogram/phsig.cor": (np.float32, ["phase-sigma coherence"], ["1"], 0.0),
    "interferogram/filt_topophase.unw": (np.float32, ["amplitude", "unwrapped phase"], ["1", "rad"], 0.0),
    "interferogram/topophase.unw": (np.float32, ["amplitude", "unwrapped phase"], ["1", "rad"], 0.0),
    "interferogram/filt_topophase.unw.conncomp": (np.uint8, ["connected component"], ["1"], 0.0),
    "geometry/lat.rdr": (np.float64, ["latitude"], ["deg"], NAN),
    "geometry/lon.rdr": (np.float64, ["longitude"], ["deg"], NAN),
    "geometry/z.rdr": (np.float64, ["height above the WGS-84 ellipsoid"], ["m"], NAN),
    "geom_reference/hgt.rdr.full": (np.float64, ["height above the WGS-84 ellipsoid"], ["m"], NAN),
    "geometry/los.rdr": (np.float32, ["incidence angle", "LOS azimuth angle (anticlockwise from north)"],
                         ["deg", "deg"], NAN),
    "geometry/incLocal.rdr": (np.float32, ["local psi angle", "local incidence angle"], ["deg", "deg"], NAN),
    "geometry/shadowMask.rdr": (np.uint8, ["shadow-layover mask (1 shadow 2 layover 3 both)"], ["1"], None),
    "offsets/range.off": (np.float32, ["range offset (secondary pixel minus reference pixel)"], ["px"], NAN),
    "offsets/refined/azimuth.off": (np.float32, ["azimuth offset (secondary line minus reference line)"],
                                    ["px"], NAN),
    "denseOffsets/denseOffsets.bil": (np.float32, ["azimuth offset", "range offset"], ["px", "px"], NAN),
    "denseOffsets/denseOffsets_snr.bil": (np.float32, ["signal-to-noise ratio"], ["1"], NAN),
    "ionosphere/dispersive.bil.unwCor.filt": (np.float32, ["dispersive (ionospheric) phase"], ["rad"], NAN),
    "reference/reference.slc": (np.complex64, ["complex SLC"], ["1"], 0.0),
    "coregisteredSlc/refined_coreg.slc": (np.complex64, ["complex SLC"], ["1"], 0.0),
    # geocoded: the radar product's bands, geocoding's fill (NaN for float data, 0 for integers)
    "geo/filt_topophase.unw.geo": (np.float32, ["amplitude", "unwrapped phase"], ["1", "rad"], NAN),
    "geo/filt_topophase.unw.conncomp.geo": (np.uint8, ["connected component"], ["1"], 0.0),
    "geo/los.rdr.geo": (np.float32, ["incidence angle", "LOS azimuth angle (anticlockwise from north)"],
                        ["deg", "deg"], NAN),
}


def same_nodata(got, expected):
    if expected is None or got is None:
        return got is expected
    return (math.isnan(got) and math.isnan(expected)) or got == expected


def write_product(root, name, dtype, bands):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = np.ones((bands, 6, 7), dtype)
    geo = GEO if str(name).endswith(".geo") else None
    isce.io.write(path, data if bands > 1 else data[0], scheme="BIL", geo=geo)
    return path


@pytest.fixture(scope="module")
def products(tmp_path_factory):
    root = tmp_path_factory.mktemp("run")
    with provenance.run_context(reference_date="20080601", secondary_date="20080717"):
        return {name: write_product(root, name, dtype, len(bands))
                for name, (dtype, bands, _, _) in KINDS.items()}


@pytest.mark.parametrize("name", list(KINDS))
def test_gdal_reads_bands_units_nodata_version_and_dates_from_the_vrt(products, name):
    _, bands, units, nodata = KINDS[name]
    with rasterio.open(f"{products[name]}.vrt") as ds:
        assert list(ds.descriptions) == bands
        assert list(ds.units) == units
        assert all(same_nodata(v, nodata) for v in ds.nodatavals), ds.nodatavals
        assert ds.tags() == {"ISCE_VERSION": VERSION, **DATES}


@pytest.mark.parametrize("name", list(KINDS))
def test_gdal_reads_them_from_the_envi_header_and_the_isce_xml(products, name):
    _, bands, units, nodata = KINDS[name]
    with rasterio.open(products[name], driver="ENVI") as ds:
        assert list(ds.descriptions) == bands
        assert all(same_nodata(v, nodata) for v in ds.nodatavals), ds.nodatavals
        envi_tags = ds.tags(ns="ENVI")
        assert envi_tags["isce_version"] == VERSION and envi_tags["reference_date"] == "20080601"
        assert f"[{units[-1]}]" in envi_tags["description"]
    with rasterio.open(products[name], driver="ISCE") as ds:
        props = ds.tags(ns="ISCE")
    assert props["ISCE_VERSION"] == VERSION
    assert props["description"] == summary_text(bands, units, nodata)


#: the properties ISCE2's Image declares (isceobj/Image/Image.py parameter_list, plus the
#: Configurable's family and name): its loader (createImage().load) exits on any other
ISCE2_IMAGE = {"byte_order", "scheme", "caster", "number_bands", "width", "length", "data_type",
               "image_type", "file_name", "extra_file_name", "access_mode", "description", "xmin",
               "xmax", "ISCE_VERSION", "family", "name"}


@pytest.mark.parametrize("name", list(KINDS))
def test_the_isce_xml_says_it_in_properties_isce2_loads(products, name):
    root = ET.parse(f"{products[name]}.xml").getroot()
    assert {p.get("name") for p in root.findall("property")} <= ISCE2_IMAGE
    assert root.findtext("component/property[@name='delta']/doc") == "Coordinate quantization."


def summary_text(bands, units, nodata):
    """The ISCE XML's description, as isce writes it."""
    text = "bands: " + ", ".join(f"{b} [{u}]" for b, u in zip(bands, units))
    if nodata is not None:
        text += f"; no data: {'nan' if math.isnan(nodata) else int(nodata)}"
    return text + "; reference date: 20080601; secondary date: 20080717"


@pytest.mark.parametrize("name", list(KINDS))
def test_isce_io_reads_them_back_from_each_sidecar(products, name):
    _, bands, units, nodata = KINDS[name]
    path = products[name]
    for sidecar in (".xml", ".vrt"):
        info = isce.io.read_info(f"{path}{sidecar}")[0]
        assert (list(info.band_names), list(info.units)) == (bands, units)
        assert same_nodata(info.nodata, nodata)
        assert info.metadata == {"ISCE_VERSION": VERSION, **DATES}
    info = envi.parse(f"{path}.hdr")                 # units: from its description
    assert (list(info.band_names), list(info.units)) == (bands, units)
    assert same_nodata(info.nodata, nodata)
    assert info.metadata == {"ISCE_VERSION": VERSION, **DATES}


def test_topophase_cor_is_one_band_of_coherence(products):
    """ISCE2 writes 2 bands (amplitude, coherence); ours is the coherence alone, and says so."""
    with rasterio.open(f"{products['interferogram/topophase.cor']}.vrt") as ds:
        assert ds.count == 1 and ds.descriptions == ("coherence",)


def test_stack_products_take_their_dates_from_their_names(tmp_path):
    """Without a run context (stack tasks), a pair folder's or a date's name dates a product."""
    unw = tmp_path / "Igrams" / "20200101_20200113" / "filt_20200101_20200113.unw"
    slc = tmp_path / "SLC" / "20200125" / "20200125.slc"
    off = tmp_path / "offsets" / "20200113" / "range.off"
    for path, bands in ((unw, 2), (slc, 1), (off, 1)):
        write_product(tmp_path, path.relative_to(tmp_path), np.float32 if path != slc else np.complex64, bands)
    assert isce.io.read_info(unw)[0].metadata == {"ISCE_VERSION": VERSION, "REFERENCE_DATE": "20200101",
                                                  "SECONDARY_DATE": "20200113"}
    assert isce.io.read_info(slc)[0].metadata["ACQUISITION_DATE"] == "20200125"
    assert isce.io.read_info(off)[0].metadata["ACQUISITION_DATE"] == "20200113"
    assert isce.io.read_info(unw)[0].band_names == ("amplitude", "unwrapped phase")


def test_unknown_names_and_misfit_band_counts_get_provenance_only(tmp_path):
    for name, bands in (("x.rdr", 1), ("one_band.unw", 1)):     # *.unw has 2 bands
        path = write_product(tmp_path, name, np.float32, bands)
        with rasterio.open(f"{path}.vrt") as ds:
            assert ds.descriptions == (None,) and ds.units == (None,) and ds.nodata is None
            assert ds.tags() == {"ISCE_VERSION": VERSION}


def test_a_link_keeps_the_version_and_dates_of_the_run_that_made_the_data(tmp_path, products):
    """Sidecars rewritten later (a MintPy link, a moved stack product) describe the data as
    made: the raster's own provenance wins over the current run's."""
    target = products["interferogram/filt_topophase.unw"]
    link = tmp_path / "Igrams" / "20990101_20990202" / "filt_20990101_20990202.unw"
    with provenance.run_context(reference_date="20990101"):
        link_raster(target, link)
    with rasterio.open(f"{link}.vrt") as ds:
        assert ds.tags() == {"ISCE_VERSION": VERSION, **DATES}
        assert ds.descriptions == ("amplitude", "unwrapped phase")


def test_what_a_writer_says_wins_over_the_catalogue(tmp_path):
    path = tmp_path / "topophase.cor"
    isce.io.write(path, np.ones((3, 4), np.float32))
    info = isce.io.read_info(path)[0].replace(band_names=("my coherence",), units=("%",), nodata=-1,
                                              metadata={"ISCE_VERSION": "isce2 2.6.3"})
    write_sidecars(path, info)
    with rasterio.open(f"{path}.vrt") as ds:
        assert (ds.descriptions, ds.units, ds.nodata) == (("my coherence",), ("%",), -1.0)
        assert ds.tags()["ISCE_VERSION"] == "isce2 2.6.3"


def test_geotiff_of_a_geocoded_product_carries_them(products):
    tif = write_geotiff(products["geo/filt_topophase.unw.geo"])
    with rasterio.open(tif) as ds:
        assert ds.descriptions == ("amplitude", "unwrapped phase") and ds.units == ("1", "rad")
        assert all(math.isnan(v) for v in ds.nodatavals)
        assert {k: ds.tags()[k] for k in ("ISCE_VERSION", *DATES)} == {"ISCE_VERSION": VERSION, **DATES}
    tif = write_geotiff(products["geo/filt_topophase.unw.conncomp.geo"])
    with rasterio.open(tif) as ds:
        assert ds.dtypes == ("uint8",) and ds.nodata == 0 and ds.descriptions == ("connected component",)


def test_run_context_refuses_unknown_items_and_bad_dates():
    with pytest.raises(ValueError, match="unknown provenance item 'reference'"):
        with provenance.run_context(reference="20080601"):
            pass
    with pytest.raises(ValueError):
        with provenance.run_context(reference_date="2008-06-01"):
            pass
    with provenance.run_context(reference_date="20080601"):
        with provenance.run_context(secondary_date="20080717"):
            assert provenance.current() == DATES
        assert provenance.current() == {"REFERENCE_DATE": "20080601"}
    assert provenance.current() == {}


def set_description(xml_path, text):
    root = ET.parse(xml_path).getroot()
    [prop] = [p for p in root.findall("property") if p.get("name") == "description"]
    prop.find("value").text = text
    ET.ElementTree(root).write(xml_path)


def test_sidecars_that_name_their_bands_wrongly_still_open(tmp_path):
    """A foreign description (names that do not fit the bands, ISCE2's free text) gives the
    data; free text is kept as it was."""
    path = tmp_path / "x.unw"
    isce.io.write(path, np.ones((2, 3, 4), np.float32), scheme="BIL")
    set_description(f"{path}.xml", "bands: just one [rad]; no data: 0")
    info = isce.io.read_info(path)[0]
    assert info.bands == 2 and info.band_names == () and info.nodata == 0.0   # the rest holds
    set_description(f"{path}.xml", "an ISCE2 image: amplitude, phase")
    info = isce.io.read_info(path)[0]
    assert info.band_names == () and info.extra == {"description": "an ISCE2 image: amplitude, phase"}


def test_raster_info_refuses_band_lists_that_do_not_fit():
    with pytest.raises(ValueError, match="1 entries for 2 band"):
        RasterInfo(width=2, length=2, datatype="FLOAT", bands=2, band_names=("a",))
    for bad in ("a, b", "a; b", "a [b]"):
        with pytest.raises(ValueError, match="without , ;"):
            RasterInfo(width=2, length=2, datatype="FLOAT", band_names=(bad,))


labels = st.text(st.characters(whitelist_categories=("L", "N"), whitelist_characters=" -_()^%/.:"),
                 min_size=1, max_size=12).filter(lambda t: t.strip())


@settings(max_examples=100, deadline=None)
@given(data=st.data(), bands=st.integers(1, 3),
       nodata=st.one_of(st.none(), st.just(NAN), st.floats(-1e30, 1e30, allow_nan=False)),
       dates=st.dictionaries(st.sampled_from(["REFERENCE_DATE", "SECONDARY_DATE"]),
                             st.dates(datetime.date(1990, 1, 1)).map(lambda d: d.strftime("%Y%m%d"))))
def test_descriptions_parse_back_from_every_sidecar(tmp_path_factory, data, bands, nodata, dates):
    info = RasterInfo(width=3, length=2, datatype="FLOAT", bands=bands, scheme="BIL",
                      band_names=[data.draw(labels) for _ in range(bands)],
                      units=[data.draw(labels) for _ in range(bands)], nodata=nodata,
                      metadata={"ISCE_VERSION": VERSION, **dates})
    folder = tmp_path_factory.mktemp("p")
    (folder / "x.xml").write_text(isce_xml.render(info, "x"))
    (folder / "x.vrt").write_text(vrt.render(info, "x"))
    (folder / "x.hdr").write_text(envi.render(info))
    from_xml, from_vrt = isce_xml.parse(folder / "x.xml")[0], vrt.parse(folder / "x.vrt")[0]
    for got in (from_xml, from_vrt, envi.parse(folder / "x.hdr")):
        assert (got.band_names, got.units) == (info.band_names, info.units)
        assert same_nodata(got.nodata, info.nodata)
        assert got.metadata == info.metadata


# ----------------------------------------------------------------------------- extra items
# RasterInfo.extra (ampcor's dense-offset grid, a prepared DEM's stamp, ...) travels in the
# ISCE XML's description as ``extra <key>: <value>`` parts: ISCE2 loads the XML, isce.io
# gets the items back as they were (text).

#: what write_dense records of a 3 x 4 grid of windows centred on lines 51.5 + 32 i and
#: pixels 40.25 + 16 j (ISCE2 DenseAmpcor's first line/pixel and steps)
DENSE_EXTRA = {"first_line": "51.5", "first_pixel": "40.25", "line_step": "32.0", "pixel_step": "16.0"}
#: a prepared DEM's items (isce.dem.verify_dem's stamp): a path with "; " and a ":" in values
DEM_EXTRA = {"reference": "WGS84", "source_reference": "EGM96", "geoid": "EGM96 (15')",
             "source_file": "/data/dems; old/srtm: v3.tif", "source_size": "4096",
             "filled_window": "rows 0:3 cols 1:4"}


def dense_offsets(folder):
    """The three rasters of ampcor.write_dense for a 3 x 4 window grid (paths)."""
    from isce.offsets.ampcor import OffsetField, write_dense

    line, pixel = np.meshgrid(51.5 + 32.0 * np.arange(3), 40.25 + 16.0 * np.arange(4), indexing="ij")
    n = line.size
    field = OffsetField(line=line.ravel(), pixel=pixel.ravel(), azimuth=np.full(n, 0.5),
                        range=np.full(n, -1.25), snr=np.full(n, 20.0), peak=np.full(n, 0.9),
                        cov_az=np.full(n, 0.01), cov_rg=np.full(n, 0.02), cov_azrg=np.zeros(n),
                        status=np.zeros(n, np.int8), grid_shape=(3, 4))
    return write_dense(field, folder / "denseOffsets")


@pytest.fixture(scope="module")
def extra_products(tmp_path_factory):
    """name -> (path, the extra items isce.io must read back) of products with extra items."""
    from isce.simulate.targets import synthetic_dem

    root = tmp_path_factory.mktemp("extra")
    off, snr, cov = dense_offsets(root)
    dem = root / "srtm.dem.wgs84"
    isce.io.write(dem, np.ones((4, 5), np.float32), image_type="dem", geo=GEO, extra=DEM_EXTRA)
    sim_dem = root / "sim" / "dem.wgs84"
    sim_dem.parent.mkdir()
    synthetic_dem(sim_dem, (34.0, 34.02), (-116.0, -115.98), posting_deg=0.01)
    return {"dense offsets": (off, DENSE_EXTRA), "dense snr": (snr, DENSE_EXTRA),
            "dense cov": (cov, DENSE_EXTRA), "prepared dem": (dem, DEM_EXTRA),
            "simulated dem": (sim_dem, {"reference": "WGS84"})}


@pytest.mark.parametrize("name", ["dense offsets", "dense snr", "dense cov", "prepared dem",
                                  "simulated dem"])
def test_products_with_extra_items_stay_within_what_isce2_loads(extra_products, name):
    """Only the declared properties; a DEM also its ``reference``, which ISCE2's DemImage
    declares and reads (EGM96 or WGS84), as in ISCE2's own DEM XMLs."""
    path, extra = extra_products[name]
    root = ET.parse(f"{path}.xml").getroot()
    names = {p.get("name") for p in root.findall("property")}
    declared = ISCE2_IMAGE | ({"reference"} if "dem" in name else set())
    assert names <= declared, names - declared
    if "dem" in name:
        assert root.findtext("property[@name='reference']/value") == "WGS84"


@pytest.mark.parametrize("name", ["dense offsets", "dense snr", "dense cov", "prepared dem",
                                  "simulated dem"])
def test_isce_io_reads_the_extra_items_back(extra_products, name):
    path, extra = extra_products[name]
    info = isce.io.read_info(f"{path}.xml")[0]
    assert info.extra == extra
    assert info.band_names                          # the catalogue's description is still read


def test_the_description_names_the_extra_items_readably(extra_products):
    root = ET.parse(f"{extra_products['dense offsets'][0]}.xml").getroot()
    text = root.findtext("property[@name='description']/value")
    assert text.endswith("; extra first_line: 51.5; extra first_pixel: 40.25; "
                         "extra line_step: 32.0; extra pixel_step: 16.0")
    root = ET.parse(f"{extra_products['prepared dem'][0]}.xml").getroot()
    text = root.findtext("property[@name='description']/value")
    assert "; extra source_file: /data/dems%3B old/srtm: v3.tif;" in text
    assert "extra reference" not in text                 # a property of its own


def test_older_xmls_with_extra_properties_still_read(tmp_path):
    """Files written before (or by other tools) with each item a property of its own."""
    path = tmp_path / "denseOffsets.bil"
    isce.io.write(path, np.ones((2, 3, 4), np.float32), scheme="BIL")
    root = ET.parse(f"{path}.xml").getroot()
    for key, value in DENSE_EXTRA.items():
        prop = ET.SubElement(root, "property", name=key)
        ET.SubElement(prop, "value").text = value
    ET.ElementTree(root).write(f"{path}.xml")
    info = isce.io.read_info(path)[0]
    assert info.extra == DENSE_EXTRA and info.band_names == ("azimuth offset", "range offset")


def test_isce2_free_text_stays_the_description(tmp_path):
    """An ISCE2 description read back is written back as it was: alone, as the property;
    with other things to say, as an extra item; either way it reads back the same."""
    text = "ISCE2 offsets; azimuth: 1, range: 2 %"
    for name, expected_property in (("x.rdr", text), ("y.unw", None)):
        path = tmp_path / name
        isce.io.write(path, np.ones((2, 3, 4), np.float32), scheme="BIL")
        info = isce.io.read_info(path)[0].replace(extra={"description": text, "note": "a"})
        if expected_property:
            info = info.replace(extra={"description": text})
        write_sidecars(path, info.replace(metadata={}))
        root = ET.parse(f"{path}.xml").getroot()
        written = root.findtext("property[@name='description']/value")
        assert (written == text) == bool(expected_property)
        assert isce.io.read_info(path)[0].extra == info.extra


keys = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=10).filter(
    lambda k: k.strip() and "".join(k.split()).replace("_", "").lower() not in ("description", "reference"))
values = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=200, deadline=None)
@given(extra=st.dictionaries(keys, values, max_size=4), dem=st.booleans(),
       bands=st.sampled_from([(), ("a",)]))
def test_any_extra_items_read_back_exactly(extra, dem, bands):
    info = RasterInfo(width=3, length=2, datatype="FLOAT", image_type="dem" if dem else "",
                      band_names=bands, extra=extra)
    text = isce_xml.render(info, "x")
    root = ET.fromstring(text)
    assert {p.get("name") for p in root.findall("property")} <= ISCE2_IMAGE
    assert isce_xml.parse_text(text, "x.xml")[0]["extra"] == info.extra
