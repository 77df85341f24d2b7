"""Quicklook PNGs of an insarApp working directory and the HTML report."""
import base64
import html
import json
import math
import os
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import matplotlib
from matplotlib.image import imread

import isce.io
from isce.quality import report as rep

L, W, LOOKS = 64, 128, 2          # SLC lines x pixels; the interferogram is 32 x 64
CYCLES = 3                        # phase ramp along range: 3 cycles over the scene
WAVELENGTH = 0.2362
GEO_L, GEO_W = 60, 40              # taller than wide
GEO = (-118.5, 0.001, 0.0, 34.2, 0.0, -0.001)
GEO_RAMP = 4.0                    # rad over the geocoded grid, along longitude


def _slc(path, data):
    # as SlcProduct.write: CFLOAT, image type slc
    with isce.io.create(path, data.shape[1], data.shape[0], "CFLOAT", image_type="slc") as ds:
        ds[:] = data


def make_workdir(root: Path, *, with_json=True) -> Path:
    """The products of insarApp, written by the writers insarApp uses."""
    from isce.signal.crossmul import crossmul_raster
    from isce.unwrap.registry import unwrap

    for folder in ("reference", "coregisteredSlc", "interferogram", "geo"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    ref = (rng.normal(size=(L, W)) + 1j * rng.normal(size=(L, W))).astype(np.complex64)
    ramp = 2 * np.pi * CYCLES * np.arange(W) / W
    noise = rng.normal(size=(L, W)) + 1j * rng.normal(size=(L, W))
    sec = ref * np.exp(-1j * ramp)[None, :]                 # interferogram phase = +ramp
    sec = (sec + 0.4 * np.linspace(0, 1, L)[:, None] * noise).astype(np.complex64)  # coherence falls with azimuth
    _slc(root / "reference" / "reference.slc", ref)
    _slc(root / "coregisteredSlc" / "refined_coreg.slc", sec)
    if with_json:
        (root / "reference" / "reference.slc.json").write_text(
            json.dumps({"type": "SlcProduct", "radar_grid": {"wavelength": WAVELENGTH}}))
    ifg, cor = root / "interferogram" / "topophase.flat", root / "interferogram" / "topophase.cor"
    crossmul_raster(root / "reference" / "reference.slc", root / "coregisteredSlc" / "refined_coreg.slc",
                    ifg, cor, az_looks=LOOKS, rg_looks=LOOKS)
    unwrap("mcf", ifg, cor, root / "interferogram" / "filt_topophase.unw")
    # geocoded unw as geocode_product writes it: same bands/scheme/type, a geotransform, NaN outside
    lon_ramp = np.linspace(0, GEO_RAMP, GEO_W, dtype=np.float32)
    phase = np.repeat(lon_ramp[None, :], GEO_L, axis=0)
    amp = np.ones((GEO_L, GEO_W), np.float32)
    phase[:3], amp[:3] = np.nan, np.nan
    with isce.io.create(root / "geo" / "filt_topophase.unw.geo", GEO_W, GEO_L, "FLOAT", bands=2,
                        scheme="BIL", image_type="unw", geo=GEO) as ds:
        ds.write(np.stack([amp, phase]))
    report = {"mean_coherence": 0.987654321, "looks": [LOOKS, LOOKS], "wall_time_s": 12.5,
              "misregistration": {"kept": 384, "windows": 400, "rms_px": [0.00492, 0.00597]},
              "geocoded": {"interferogram/filt_topophase.unw": "geo/filt_topophase.unw.geo"},
              "steps": {"startup": {"wall_s": 0.012, "peak_rss_mib": 38.9},
                        "unwrap": {"wall_s": 3.25, "peak_rss_mib": 412.3}}}
    (root / "report.json").write_text(json.dumps(report))
    return root


@pytest.fixture(scope="module")
def products(tmp_path_factory):
    root = make_workdir(tmp_path_factory.mktemp("insar"))
    images = rep.quicklooks(root, root / "ql")
    return root, images


def _axes_box(png, ratio):
    """Pixel rows/columns of the image axes inside a quicklook (from the documented layout)."""
    layout = rep.figure_layout(ratio)
    left, bottom, aw, ah = (v * rep.DPI for v in layout["axes"])
    h = png.shape[0]
    return (int(math.ceil(h - bottom - ah)) + 2, int(h - bottom) - 2,
            int(math.ceil(left)) + 2, int(left + aw) - 2)


GEO_RATIO = (GEO_L * 0.001) / (GEO_W * 0.001 * math.cos(math.radians(34.2 - GEO_L * 0.001 / 2)))
RATIOS = {"amplitude": 0.5, "wrapped_phase": 0.5, "unwrapped_phase": 0.5, "coherence": 0.5,
          "deformation": GEO_RATIO}


def test_every_quicklook_is_written_with_the_expected_shape(products):
    root, images = products
    assert list(images) == ["amplitude", "wrapped_phase", "unwrapped_phase", "coherence", "deformation"]
    for name, path in images.items():
        assert Path(path).parent == root / "ql" and Path(path).name == f"{name}.png"
        png = imread(path)
        w_in, h_in = rep.figure_layout(RATIOS[name])["size"]
        assert abs(png.shape[1] - w_in * rep.DPI) <= 1 and abs(png.shape[0] - h_in * rep.DPI) <= 1, name
        r0, r1, c0, c1 = _axes_box(png, RATIOS[name])
        inner = png[r0:r1, c0:c1, :3]
        assert inner.std() > 0.02, f"{name}: constant image"
    # wide radar images give wide figures; the geocoded grid is taller than wide, more so on
    # the ground (a degree of longitude is cos(latitude) of one of latitude)
    amp = imread(images["amplitude"])
    assert amp.shape[1] > 1.5 * amp.shape[0]
    assert GEO_RATIO > 1.8
    defo = imread(images["deformation"])
    assert defo.shape[0] > 1.2 * defo.shape[1]


def test_unwrapped_phase_colour_follows_the_range_ramp(products):
    _, images = products
    png = imread(images["unwrapped_phase"])[..., :3]
    r0, r1, c0, c1 = _axes_box(png, 0.5)
    row = png[(r0 + r1) // 2, c0:c1]
    # along range (the ramp): the colours run through viridis from one end to the other
    cmap = matplotlib.colormaps["viridis"]
    lut = cmap(np.linspace(0, 1, 256))[:, :3]
    position = np.array([np.argmin(((lut - c) ** 2).sum(axis=1)) for c in row[::4]])
    assert position[0] < 40 and position[-1] > 215
    assert np.corrcoef(np.arange(position.size), position)[0, 1] > 0.98
    # along azimuth (no ramp): the colour does not change
    column = png[r0:r1, (c0 + c1) // 2]
    assert np.abs(column - column.mean(axis=0)).max() < 0.05


def test_wrapped_phase_cycles_along_range(products):
    _, images = products
    png = imread(images["wrapped_phase"])[..., :3]
    r0, r1, c0, c1 = _axes_box(png, 0.5)
    row = png[(r0 + r1) // 2, c0:c1]
    lut = matplotlib.colormaps["twilight"](np.linspace(0, 1, 256))[:, :3]
    position = np.array([np.argmin(((lut - c) ** 2).sum(axis=1)) for c in row])
    wraps = np.sum(np.abs(np.diff(position)) > 128)          # jumps from +pi back to -pi
    assert CYCLES - 1 <= wraps <= CYCLES + 1


def test_missing_products_are_skipped(tmp_path):
    assert rep.quicklooks(tmp_path, tmp_path / "ql") == {}
    root = make_workdir(tmp_path / "run")
    for name in ("interferogram/topophase.flat", "interferogram/filt_topophase.unw",
                 "geo/filt_topophase.unw.geo", "reference/reference.slc"):
        os.remove(root / name)
    images = rep.quicklooks(root, root / "ql")
    assert list(images) == ["coherence"]
    assert sorted(p.name for p in (root / "ql").iterdir()) == ["coherence.png"]


def test_wavelength_from_argument_product_or_none(tmp_path):
    assert rep.los_displacement_cm(2 * np.pi, 0.2) == pytest.approx(-10.0)   # towards the radar < 0
    root = make_workdir(tmp_path, with_json=False)
    assert rep.product_wavelength(root) is None
    images = rep.quicklooks(root, root / "a")
    assert "geocoded_phase" in images and "deformation" not in images
    images = rep.quicklooks(root, root / "b", wavelength=0.056)
    assert "deformation" in images
    (root / "reference" / "reference.slc.json").write_text(
        json.dumps({"radar_grid": {"wavelength": WAVELENGTH}}))
    assert rep.product_wavelength(root) == WAVELENGTH
    assert "deformation" in rep.quicklooks(root, root / "c")


def test_large_images_are_block_averaged_a_chunk_at_a_time(tmp_path, monkeypatch):
    length, width = 2400, 1800
    (tmp_path / "interferogram").mkdir()
    cor = np.tile(np.linspace(0, 1, width, dtype=np.float32), (length, 1))
    isce.io.write(tmp_path / "interferogram" / "topophase.cor", cor, image_type="cor")
    reads = []
    real_read = isce.io.Raster.read

    def read(self, band=None, rows=None):
        out = real_read(self, band, rows)
        reads.append(out.shape[-2])
        return out

    monkeypatch.setattr(isce.io.Raster, "read", read)
    monkeypatch.setattr(rep, "_CHUNK_BYTES", 1 << 20)
    images = rep.quicklooks(tmp_path, tmp_path / "ql", max_size=300)
    assert list(images) == ["coherence"]
    assert sum(reads) <= length and max(reads) * width * 4 <= (1 << 20) + 8 * width * 4
    png = imread(images["coherence"])
    w_in, h_in = rep.figure_layout(length / width)["size"]
    assert abs(png.shape[1] - w_in * rep.DPI) <= 1 and abs(png.shape[0] - h_in * rep.DPI) <= 1


def test_block_mean_ignores_no_data():
    data = np.arange(48, dtype=np.float32).reshape(6, 8)
    data[0, 0] = np.nan
    data[4:6, 6:8] = np.nan
    out = rep.block_mean(lambda rows: data[rows], 8 * 4, (3, 4), 2, 2)
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning):
        expected = np.nanmean(data.reshape(3, 2, 4, 2), axis=(1, 3))
    np.testing.assert_allclose(out[:2], expected[:2])
    assert np.isnan(out[2, 3]) and out[2, :3] == pytest.approx(expected[2, :3])


class _Checker(HTMLParser):
    """Fails on unbalanced tags; collects img sources and cell texts."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.images, self.cells, self.errors = [], [], [], []
        self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _leaves(d):
    for v in d.values():
        if isinstance(v, dict):
            yield from _leaves(v)
        else:
            yield v


@pytest.mark.parametrize("embed", [True, False])
def test_html_report_shows_every_value_and_image(products, tmp_path, embed):
    import lxml.html

    root, images = products
    report = json.loads((root / "report.json").read_text())
    report["<script>alert(1)</script>"] = "a & b"
    out = tmp_path / "site" / "report.html"
    assert rep.write_html(report, images, out, embed=embed) == str(out)
    text = out.read_text()
    checker = _Checker()
    checker.feed(text)
    checker.close()
    assert not checker.errors and not checker.stack
    doc = lxml.html.fromstring(text)
    assert doc.tag == "html" and doc.find("head/title") is not None
    # every value of the report (and per-step wall time and peak memory) is in a table cell
    for value in _leaves(report):
        assert rep.format_value(value) in checker.cells, value
    assert {"0.9877", "12.5", "2, 2", "384", "0.00492, 0.00597", "3.25", "412.3", "38.9"} <= set(checker.cells)
    assert "wall time [s]" in checker.cells and "peak RSS [MiB]" in checker.cells
    assert "3.262" in checker.cells       # total wall time of the steps
    # text is escaped
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "a &amp; b" in text
    # every image, with a caption
    assert [i["alt"] for i in checker.images] == list(images)
    for img, (name, path) in zip(checker.images, images.items()):
        if embed:
            assert img["src"].startswith("data:image/png;base64,")
            assert base64.b64decode(img["src"].split(",", 1)[1]) == Path(path).read_bytes()
        else:
            assert not os.path.isabs(img["src"])
            assert (out.parent / img["src"]).resolve() == Path(path).resolve()
        assert html.escape(images.captions[name]) in text
    assert len(doc.findall(".//figcaption")) == len(images)


def test_build_report_and_lazy_names(products):
    import isce.quality

    root, _ = products
    path = isce.quality.build_report(root, root / "ql2")
    assert path == str(root / "report.html") and "412.3" in Path(path).read_text()
    assert isce.quality.quicklooks is rep.quicklooks and isce.quality.write_html is rep.write_html


def _valid_unw(path, relative=False):
    """The phase band of a .unw raster over its valid pixels (amplitude band != 0)."""
    r = isce.io.open(path)
    amp, phase = np.asarray(r.read(0)), np.asarray(r.read(1), dtype=np.float64)
    phase = phase[(amp != 0) & np.isfinite(amp) & np.isfinite(phase)]
    return phase - np.median(phase) if relative else phase


def _figcaptions(images, path) -> dict:
    """{image name: its figcaption text} in the HTML page written for ``images``."""
    import lxml.html

    doc = lxml.html.fromstring(Path(rep.write_html({}, images, path)).read_text())
    return {fig.get("id"): fig.find("figcaption").text_content() for fig in doc.iter("figure")}


def test_captions_name_the_file_and_band_plotted(products, tmp_path):
    root, images = products
    captions = _figcaptions(images, tmp_path / "r.html")
    assert set(captions) == set(images)
    assert "reference/reference.slc band 1" in captions["amplitude"]
    assert "2-98 %" in captions["amplitude"]          # the one stretched scale says so
    assert "interferogram/topophase.flat band 1" in captions["wrapped_phase"]
    assert "interferogram/filt_topophase.unw: band 2 of 2" in captions["unwrapped_phase"]
    assert "interferogram/topophase.cor band 1" in captions["coherence"]
    assert "geo/filt_topophase.unw.geo band 2 of 2" in captions["deformation"]
    assert "23.62 cm" in captions["deformation"]      # the wavelength used
    assert captions == {k: f"{k}: {v}" for k, v in images.captions.items()}  # as quicklooks wrote them


def test_caption_follows_the_unw_file_drawn(tmp_path):
    """With both .unw files, the unfiltered one is drawn, and the caption (and the colour
    scale, which spans that file's phase) say so."""
    root = make_workdir(tmp_path / "run")
    unw = isce.io.open(root / "interferogram" / "filt_topophase.unw")
    data = np.array(unw.read())
    data[1] += 10.0                                   # another phase, 10 rad higher
    with isce.io.create(root / "interferogram" / "topophase.unw", unw.width, unw.length, "FLOAT",
                        bands=2, scheme=unw.scheme, image_type="unw") as ds:
        ds.write(data)
    images = rep.quicklooks(root, root / "ql")
    caption = _figcaptions(images, tmp_path / "r.html")["unwrapped_phase"]
    assert "interferogram/topophase.unw" in caption and "filt_topophase.unw" not in caption
    phase = _valid_unw(root / "interferogram" / "topophase.unw")
    assert images.limits["unwrapped_phase"] == pytest.approx((phase.min(), phase.max()), abs=1e-4)


def test_coherence_of_a_two_band_cor_is_its_second_band(tmp_path):
    """ISCE2's topophase.cor: band 1 magnitude, band 2 coherence; the quicklook shows band 2."""
    (tmp_path / "interferogram").mkdir()
    coh = np.tile(np.linspace(0.1, 0.9, 64, dtype=np.float32), (32, 1))
    magnitude = np.full_like(coh, 500.0)
    with isce.io.create(tmp_path / "interferogram" / "topophase.cor", 64, 32, "FLOAT", bands=2,
                        scheme="BIL", image_type="cor") as ds:
        ds.write(np.stack([magnitude, coh]))
    images = rep.quicklooks(tmp_path, tmp_path / "ql")
    png = imread(images["coherence"])[..., :3]
    r0, r1, c0, c1 = _axes_box(png, 0.5)
    grey = png[r0:r1, c0:c1].mean(axis=2)             # gray colour map, 0..1: the coherence
    assert grey.mean() == pytest.approx(coh.mean(), abs=0.03)
    caption = _figcaptions(images, tmp_path / "r.html")["coherence"]
    assert "interferogram/topophase.cor band 2 of 2" in caption


def _peaked_geo(root, peak_rad=12.0):
    """A geocoded unw that is flat but for a narrow bump (a deformation peak)."""
    y, x = np.mgrid[0:GEO_L, 0:GEO_W]
    phase = (peak_rad * np.exp(-((y - 30) ** 2 + (x - 20) ** 2) / (2 * 3.0 ** 2))).astype(np.float32)
    amp = np.ones_like(phase)
    amp[:3] = 0                                       # no data
    phase[:3] = 1e3                                   # (not to be shown or scaled to)
    (root / "geo").mkdir(parents=True, exist_ok=True)
    with isce.io.create(root / "geo" / "topophase.unw.geo", GEO_W, GEO_L, "FLOAT", bands=2,
                        scheme="BIL", image_type="unw", geo=GEO) as ds:
        ds.write(np.stack([amp, phase]))


def test_colour_scales_cover_the_data(tmp_path):
    """The deformation peak and the unwrapped phase's extremes are inside the colour scale
    (a 98 % percentile scale saturated the demo's 23 cm peak at 18 cm)."""
    root = make_workdir(tmp_path / "run")
    _peaked_geo(root)
    images = rep.quicklooks(root, root / "ql")
    # in the picture: only the peak's own pixel has the end colour of the scale
    png = imread(images["deformation"])[..., :3]
    r0, r1, c0, c1 = _axes_box(png, GEO_RATIO)
    inner = png[r0:r1, c0:c1]
    end = matplotlib.colormaps["RdBu_r"](0.0)[:3]     # the bump moves the ground away: d < 0
    at_end = np.abs(inner - end).max(axis=2) < 0.02
    assert 0 < at_end.mean() < 2.0 / (GEO_L * GEO_W)
    assert "geo/topophase.unw.geo band 2 of 2" in images.captions["deformation"]
    defo = rep.los_displacement_cm(_valid_unw(root / "geo" / "topophase.unw.geo", relative=True),
                                   WAVELENGTH)
    lo, hi = images.limits["deformation"]
    assert lo <= defo.min() and defo.max() <= hi
    assert lo == pytest.approx(-hi) and hi == pytest.approx(np.abs(defo).max(), rel=1e-5)  # not wider
    assert f"\u00b1{hi:.3g} cm" in images.captions["deformation"]
    phase = _valid_unw(root / "interferogram" / "filt_topophase.unw")
    lo, hi = images.limits["unwrapped_phase"]
    assert lo <= phase.min() + 1e-6 and phase.max() - 1e-6 <= hi


def test_steps_of_several_applications_and_runs_fill_the_table(tmp_path):
    """The demo's steps: {application: {step: stats}} (insarApp in two invocations)."""
    import lxml.html

    steps = {"simulateApp": {"setup": {"wall_s": 0.45, "peak_rss_mib": 67.0},
                             "scene": {"wall_s": 14.9, "peak_rss_mib": 1214.0}},
             "insarApp": {"formslc": {"wall_s": 5.87, "peak_rss_mib": 471.2},
                          "unwrap": {"wall_s": 0.12, "peak_rss_mib": 165.0}}}
    out = rep.write_html({"steps": steps, "wall_time_s": {"insarApp": 15.2}}, {},
                         tmp_path / "r.html")
    doc = lxml.html.fromstring(Path(out).read_text())
    table = doc.xpath("//h2[starts-with(., 'Steps')]/following-sibling::table[1]")[0]
    rows = [[c.text_content() for c in tr.xpath("td|th")] for tr in table.xpath(".//tbody/tr")]
    assert rows == [["simulateApp: setup", "0.45", "67"], ["simulateApp: scene", "14.9", "1214"],
                    ["insarApp: formslc", "5.87", "471.2"], ["insarApp: unwrap", "0.12", "165"]]
    foot = [c.text_content() for c in table.xpath(".//tfoot/tr/*")]
    assert foot == ["all steps", rep.format_value(0.45 + 14.9 + 5.87 + 0.12), "1214"]
    # a nested value takes its parent's unit (wall_time_s: insarApp is in seconds)
    cells = [[c.text_content() for c in tr.xpath("td")] for tr in doc.xpath("//tr")]
    assert ["insarApp", "15.2", "s"] in cells


def test_steps_table_shows_cpu_time_when_recorded(tmp_path):
    """Steps with ``cpu_s`` get a CPU column and its sum in the total row."""
    import lxml.html

    steps = {"topo": {"wall_s": 2.5, "cpu_s": 4.75, "peak_rss_mib": 290.0},
             "unwrap": {"wall_s": 0.5, "cpu_s": 0.25, "peak_rss_mib": 120.0}}
    out = rep.write_html({"steps": steps}, {}, tmp_path / "r.html")
    doc = lxml.html.fromstring(Path(out).read_text())
    table = doc.xpath("//h2[starts-with(., 'Steps')]/following-sibling::table[1]")[0]
    head = [c.text_content() for c in table.xpath(".//thead/tr/th")]
    assert head == ["step", "wall time [s]", "CPU time [s]", "peak RSS [MiB]"]
    rows = [[c.text_content() for c in tr.xpath("td|th")] for tr in table.xpath(".//tbody/tr")]
    assert rows == [["topo", "2.5", "4.75", "290"], ["unwrap", "0.5", "0.25", "120"]]
    foot = [c.text_content() for c in table.xpath(".//tfoot/tr/*")]
    assert foot == ["all steps", "3", "5", "290"]


def test_pair_dates_and_baseline_are_stated(tmp_path):
    import lxml.html

    report = {"acquisitions": {"reference": {"sensing_mid_utc": "2008-06-01T05:29:59.999770Z"},
                               "secondary": {"sensing_mid_utc": "2008-07-17T05:29:59.999770Z"},
                               "temporal_baseline_days": 46.0},
              "baseline": {"perpendicular_top_m": -299.94, "perpendicular_middle_m": -300.068,
                           "perpendicular_bottom_m": -300.196, "parallel_middle_m": -0.109}}
    doc = lxml.html.fromstring(
        Path(rep.write_html(report, {}, tmp_path / "r.html")).read_text())
    pair = doc.xpath("//p[@class='pair']")[0].text_content()
    assert "Reference acquired 2008-06-01T05:29:59.999770Z" in pair
    assert "secondary 2008-07-17T05:29:59.999770Z" in pair and "46 days apart" in pair
    assert "perpendicular baseline -300.1 m at the scene centre" in pair
    assert "-299.9 m at the first line, -300.2 m at the last" in pair
    cells = [[c.text_content() for c in tr.xpath("td")] for tr in doc.xpath("//tr")]
    assert ["reference.sensing_mid_utc", "2008-06-01T05:29:59.999770Z", "UTC"] in cells
    assert ["perpendicular_middle_m", "-300.1", "m"] in cells
