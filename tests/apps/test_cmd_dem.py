"""dem.py (ISCE2's): synthetic SRTM tiles stitched from a local folder and from a local HTTP
server, exact heights and grid; EGM96 -> WGS-84 with -c; missing tiles and an unreachable
server are one-line errors (exit 2) with nothing written. Never the real network."""
import functools
import http.server
import socket
import threading
import zipfile

import numpy as np
import pytest
from everyday_commands import one_line_error, run_app
from isce_commands import run_command

import isce.io
from isce.apps.demstitch import Dem
from isce.dem.geoid import geoid_undulation
from isce.io.mintpy import read_rsc

N3 = 1201                        # samples per side of a 3" tile


def make_tiles(folder, corners, n=N3, seed=0):
    """Random int16 tiles (big-endian, some voids) under the names ISCE2 users have."""
    folder.mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    tiles = {}
    for k, (lat, lon) in enumerate(corners):
        t = rng.integers(-50, 3000, (n, n)).astype(np.int16)
        t[rng.random((n, n)) < 0.001] = -32768
        key = f"N{lat:02d}W{-lon:03d}"
        raw = t.astype(">i2").tobytes()
        if k % 3 == 0:
            (folder / f"{key}.hgt").write_bytes(raw)
        else:
            name = f"{key}.SRTMGL{1 if n == 3601 else 3}.hgt.zip" if k % 3 == 1 \
                else f"NASADEM_HGT_{key.lower()}.zip"
            with zipfile.ZipFile(folder / name, "w") as z:
                z.writestr(f"{key}.hgt", raw)
        tiles[(lat, lon)] = t
    return tiles


def dem(capsys, *args):
    return run_app(Dem, "dem.py", *args, capsys=capsys)


def expected(tiles, lats, lons, n=N3, fill=None):
    """Independent mosaic: each tile without its last row and column, north to south."""
    def tile(lat, lon):
        return tiles[(lat, lon)] if (lat, lon) in tiles else np.full((n, n), fill, np.int16)

    rows = [np.hstack([tile(lat, lon)[:-1, :-1] for lon in lons]) for lat in lats]
    return np.vstack(rows)


CORNERS = [(31, -114), (31, -113), (32, -114), (32, -113)]


def test_stitch_local_tiles_exact_heights_grid_and_isce2_name(workdir, capsys):
    tiles = make_tiles(workdir / "srtm", CORNERS)
    rc, _, err = dem(capsys, "-a", "stitch", "-b", "31", "33", "-114", "-112", "-s", "3", "-l",
                     "-d", "srtm", "-m", "rsc")
    assert rc == 0, err
    out = isce.io.open(workdir / "srtm" / "demLat_N31_N33_Lon_W114_W112.dem")
    assert (out.data_type, out.image_type, out.info.extra["reference"]) == ("SHORT", "dem", "EGM96")
    np.testing.assert_array_equal(out.read(), expected(tiles, [32, 31], [-114, -113]))
    d = 1 / 1200                                   # sample centres on whole degrees
    assert out.geo.geotransform == pytest.approx((-114 - d / 2, d, 0, 33 + d / 2, 0, -d), abs=1e-12)
    rsc = read_rsc(f"{out.path}.rsc")
    assert (int(rsc["WIDTH"]), float(rsc["X_FIRST"])) == (2400, pytest.approx(-114 - d / 2))


def test_one_arcsecond_tile_and_egm96_to_wgs84(workdir, capsys):
    tiles = make_tiles(workdir, [(34, -117)], n=3601)
    rc, _, err = dem(capsys, "-b", "34.2", "34.8", "-117", "-116.5", "-l", "-c", "-o", "mojave.dem")
    assert rc == 0, err
    h = isce.io.open("mojave.dem").read()
    np.testing.assert_array_equal(h, tiles[(34, -117)][:-1, :-1])
    wgs = isce.io.open("mojave.dem.wgs84")
    assert wgs.data_type == "FLOAT" and wgs.info.extra["reference"] == "WGS84"
    rows = np.r_[0:3600:97, 3599]
    cols = np.r_[0:3600:89, 3599]
    lat = 35 - rows / 3600.0
    lon = -117 + cols / 3600.0
    n = geoid_undulation(lat[:, None], lon[None, :])
    egm = h[np.ix_(rows, cols)].astype(np.float64)
    want = np.where(egm == -32768, np.nan, egm + n)
    np.testing.assert_allclose(wgs.read()[np.ix_(rows, cols)], want, atol=1e-3)


def test_missing_tiles_refused_or_filled(workdir, capsys):
    tiles = make_tiles(workdir / "srtm", CORNERS[:3])
    rc, _, err = dem(capsys, "-b", "31", "33", "-114", "-112", "-s", "3", "-l", "-d", "srtm")
    assert rc == 2 and "1 of 4 tiles missing in srtm: N32W113" in one_line_error(err, "dem.py")
    assert not list((workdir / "srtm").glob("*.dem*"))
    rc, _, err = dem(capsys, "-b", "31", "33", "-114", "-112", "-s", "3", "-l", "-d", "srtm",
                     "-f", "-v", "0")
    assert rc == 0, err
    out = isce.io.open(workdir / "srtm" / "demLat_N31_N33_Lon_W114_W112.dem").read()
    np.testing.assert_array_equal(out, expected(tiles, [32, 31], [-114, -113], fill=0))


@pytest.fixture
def server(tmp_path):
    """A local HTTP server of a tile folder (never the real network): (url, folder)."""
    folder = tmp_path / "served"
    folder.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/srtm", folder
    httpd.shutdown()
    httpd.server_close()


def test_download_and_stitch_from_a_server(workdir, capsys, server):
    url, served = server
    (served / "srtm").mkdir()
    rng = np.random.default_rng(7)
    tiles = {}
    for lat, lon in CORNERS[:2]:
        tiles[(lat, lon)] = rng.integers(0, 900, (N3, N3)).astype(np.int16)
        with zipfile.ZipFile(served / "srtm" / f"N{lat}W{-lon}.SRTMGL3.hgt.zip", "w") as z:
            z.writestr(f"N{lat}W{-lon}.hgt", tiles[(lat, lon)].astype(">i2").tobytes())
    rc, out, err = dem(capsys, "-b", "31", "32", "-114", "-112", "-s", "3", "-u", url, "-d", "dl",
                       "-r")
    assert rc == 0, err
    got = isce.io.open(workdir / "dl" / "demLat_N31_N32_Lon_W114_W112.dem").read()
    np.testing.assert_array_equal(got, expected(tiles, [31], [-114, -113]))
    assert "N31W114.SRTMGL3.hgt.zip = succeeded" in out
    assert not list((workdir / "dl").glob("*.zip"))              # not kept without -k
    rc, _, err = dem(capsys, "-b", "31", "33", "-114", "-112", "-s", "3", "-u", url, "-d", "dl")
    assert rc == 2 and "2 of 4 tiles missing at" in one_line_error(err, "dem.py")
    rc, out, err = dem(capsys, "-a", "download", "-p", "31", "-113", "35", "-113", "-s", "3",
                       "-u", url, "-d", "tiles", "-r")
    assert rc == 0, err
    assert [p.name for p in (workdir / "tiles").iterdir()] == ["N31W113.SRTMGL3.hgt.zip"]
    assert "N35W113.SRTMGL3.hgt.zip = failed" in out


def test_unreachable_server_is_one_line_exit_2(workdir, capsys):
    with socket.socket() as s:                 # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rc, _, err = dem(capsys, "-b", "31", "32", "-114", "-113", "-s", "3", "-d", "dl",
                     "-u", f"http://127.0.0.1:{port}/srtm/{{tile}}")
    line = one_line_error(err, "dem.py")
    assert rc == 2 and f"cannot reach http://127.0.0.1:{port}/srtm/N31W114.SRTMGL3.hgt.zip" in line
    assert not list((workdir / "dl").glob("*.dem*"))


@pytest.mark.parametrize("args, words", [
    (["-b", "33", "31", "-114", "-112", "-l"], "need -90 <= S < N <= 90"),
    (["-b", "31", "33", "-114", "-l"], "-b needs 4 values"),
    (["-b", "31", "32", "-114", "-113", "-l", "-d", "nowhere"], "no such folder"),
    (["-b", "31", "32", "-114", "-113", "-l", "-s", "2"], "expected one of 1, 3"),
    (["-a", "stitch", "-l"], "-b/--bbox (south north west east) is needed"),
    (["-b", "31", "32", "-114", "-113", "-l", "-s", "1"], "use -s 3"),
])
def test_bad_input_is_one_line_exit_2(workdir, capsys, args, words):
    make_tiles(workdir, [(31, -114)])
    rc, _, err = dem(capsys, *args)
    assert rc == 2 and words in one_line_error(err, "dem.py")
    assert not list(workdir.glob("*.dem*"))


def test_help_through_the_launcher(tmp_path):
    proc = run_command("dem.py", "--help", cwd=tmp_path)
    assert proc.returncode == 0 and "[-b|--bbox <bbox> ...]" in proc.stdout and "-c" in proc.stdout
