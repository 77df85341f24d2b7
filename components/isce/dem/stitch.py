"""Stitch SRTM-style 1x1 degree tiles into one DEM for a bounding box (ISCE2's ``dem.py``,
``DemStitcher``), from a source the user names: a local folder of tiles or a URL.

    tiles = LocalTiles("srtm")                             # or UrlTiles(url, download_dir)
    path = stitch_dem((31, 33, -114, -112), tiles, "dem.dem", source=1)

Tiles are ``.hgt`` grids of big-endian int16 heights [m] above the EGM96 geoid, 3601 x 3601
samples (1 arc-second, ``source=1``) or 1201 x 1201 (3", ``source=3``), sample centres on
whole degrees: tile ``N34W117`` spans lat 34..35, lon -117..-116, its first sample at
(35 N, 117 W). They are found under any of the names ISCE2 uses -- ``N34W117.hgt``,
``N34W117.hgt.zip``, ``N34W117.SRTMGL1.hgt.zip`` (version 3), ``NASADEM_HGT_n34w117.zip`` --
in a folder, or downloaded from ``<url>/<name>`` (or ``url`` with ``{tile}`` replaced by the
name) in the naming of the chosen ``kind``.

The stitched DEM has ``nlat * (N-1)`` lines and ``nlon * (N-1)`` samples (the last row and
column of each tile repeat the next tile's first and are dropped, as ISCE2 does), SHORT,
voids -32768, north up, with ISCE XML/VRT/ENVI sidecars recording ``reference = EGM96``; its
geotransform has the pixel edges half a sample outside the whole-degree sample centres.
Missing tiles are an :class:`InputError` listing them, unless ``fill`` is set (then they hold
``fill_value``); an unreachable source is a :class:`SourceUnreachable` naming the URL.
"""
from __future__ import annotations

import logging
import math
import os
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass, field
from http.cookiejar import CookieJar

import numpy as np

import isce.io
from isce.framework.errors import ConfigurationError, InputError
from isce.io.atomic import replacing

__all__ = ["stitch_dem", "default_name", "tile_key", "tile_name", "tile_grid", "read_tile",
           "LocalTiles", "UrlTiles", "SourceUnreachable", "KINDS", "VOID"]

log = logging.getLogger("isce.dem")

VOID = -32768                       # SRTM's void height
SAMPLES = {1: 3601, 3: 1201}        # samples per tile side, by resolution [arc-seconds]
KINDS = ("version3", "version2", "nasadem")
#: ISCE2's default servers (NASA Earthdata: need -n/-w)
DEFAULT_URLS = {("version3", 1): "https://e4ftl01.cr.usgs.gov/MEASURES/SRTMGL1.003/2000.02.11",
                ("version3", 3): "https://e4ftl01.cr.usgs.gov/MEASURES/SRTMGL3.003/2000.02.11",
                ("nasadem", 1): "https://e4ftl01.cr.usgs.gov/MEASURES/NASADEM_HGT.001/2000.02.11"}
TIMEOUT = 60.0                      # seconds per request


class SourceUnreachable(InputError):
    """The tile server cannot be reached (no network, refused, timed out, or refused us)."""


def _hemi(value: int, pos: str, neg: str, width: int) -> str:
    return f"{pos if value >= 0 else neg}{abs(int(value)):0{width}d}"


def tile_key(lat: int, lon: int) -> str:
    """``N34W117`` for the tile whose south-west corner is (lat, lon) [deg]."""
    lon = lon - 360 if lon >= 180 else lon
    return _hemi(lat, "N", "S", 2) + _hemi(lon, "E", "W", 3)


def tile_name(lat: int, lon: int, kind: str = "version3", source: int = 1,
              extras: bool = True) -> str:
    """The file name a server of ``kind`` gives the tile (ISCE2's DemStitcher naming)."""
    key = tile_key(lat, lon)
    if kind == "nasadem":
        return f"NASADEM_HGT_{key.lower()}.zip"
    if kind == "version3" and extras:
        return f"{key}.SRTMGL{source}.hgt.zip"
    return f"{key}.hgt.zip"


def _candidates(key: str) -> list[str]:
    """Every name a tile may have in a local folder."""
    return [f"{key}.hgt", f"{key.lower()}.hgt", f"{key}.hgt.zip", f"{key}.SRTMGL1.hgt.zip",
            f"{key}.SRTMGL3.hgt.zip", f"NASADEM_HGT_{key.lower()}.zip"]


def default_name(snwe) -> str:
    """ISCE2's ``demLat_N31_N33_Lon_W114_W112.dem`` for a (south, north, west, east) box."""
    s, n, w, e = (float(v) for v in snwe)
    return (f"demLat_{_hemi(math.floor(s), 'N', 'S', 2)}_{_hemi(math.ceil(n), 'N', 'S', 2)}"
            f"_Lon_{_hemi(math.floor(w), 'E', 'W', 3)}_{_hemi(math.ceil(e), 'E', 'W', 3)}.dem")


def tile_grid(snwe) -> tuple[list[int], list[int]]:
    """(latitudes north to south, longitudes west to east) of the tiles' south-west corners
    covering the (south, north, west, east) box [deg]; longitudes may be 0..360."""
    s, n, w, e = (float(v) for v in snwe)
    w, e = (w - 360 if w > 180 else w), (e - 360 if e > 180 else e)
    if not (-90 <= s < n <= 90):
        raise ConfigurationError(f"bounding box south {s:g} north {n:g}: need -90 <= S < N <= 90")
    if not (-180 <= w < e <= 180):
        raise ConfigurationError(f"bounding box west {w:g} east {e:g}: need W < E within "
                                 "-180..180 (crossing the antimeridian is not handled, as in ISCE2)")
    lats = list(range(math.ceil(n) - 1, math.floor(s) - 1, -1))
    lons = list(range(math.floor(w), math.ceil(e)))
    return lats, lons


def read_tile(path: str, source: int) -> np.ndarray:
    """Heights of the ``.hgt`` (or zipped ``.hgt``) at ``path``: (N, N) int16, N by ``source``."""
    n = SAMPLES[source]
    try:
        if path.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                members = [m for m in z.infolist() if m.filename.lower().endswith(".hgt")]
                if len(members) != 1:
                    raise InputError(f"{path}: expected one .hgt inside, found {len(members)}")
                _check_tile_size(path, members[0].file_size, source)   # before inflating it
                raw = z.read(members[0])
        else:
            _check_tile_size(path, os.path.getsize(path), source)
            with open(path, "rb") as f:
                raw = f.read()
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path}: cannot read the tile: {exc}") from None
    _check_tile_size(path, len(raw), source)
    return np.frombuffer(raw, dtype=">i2").reshape(n, n)


def _check_tile_size(path: str, size: int, source: int) -> None:
    """Refuse a tile of the wrong size, saying which resolution its size is."""
    n = SAMPLES[source]
    if size != n * n * 2:
        other = [s for s, m in SAMPLES.items() if size == m * m * 2]
        hint = f" (a {other[0]}\" tile: use -s {other[0]})" if other else ""
        raise InputError(f"{path}: {size} bytes, a {source}\" tile has {n * n * 2}{hint}")


@dataclass
class LocalTiles:
    """Tiles in a folder, under any of their usual names."""

    folder: str

    def fetch(self, lat: int, lon: int) -> str | None:
        for name in _candidates(tile_key(lat, lon)):
            path = os.path.join(self.folder, name)
            if os.path.isfile(path):
                return path
        return None

    def where(self) -> str:
        return f"in {self.folder}"


@dataclass
class UrlTiles:
    """Tiles downloaded from ``url`` into ``folder`` (kept there); names as ``kind`` gives them.
    ``url`` is a folder URL (``<url>/<name>``) or holds ``{tile}``. A 404 is a missing tile;
    an unreachable server, a refusal (401/403) or a server error stop with SourceUnreachable."""

    url: str
    folder: str
    kind: str = "version3"
    source: int = 1
    extras: bool = True
    user: str | None = None
    password: str | None = None
    downloaded: list = field(default_factory=list)
    report: dict = field(default_factory=dict)

    def __post_init__(self):
        handlers = [urllib.request.HTTPCookieProcessor(CookieJar())]
        if self.user:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for uri in (self.url.split("{")[0], "https://urs.earthdata.nasa.gov"):
                manager.add_password(None, uri, self.user, self.password or "")
            handlers.append(urllib.request.HTTPBasicAuthHandler(manager))
        self.opener = urllib.request.build_opener(*handlers)

    def tile_url(self, name: str) -> str:
        if "{tile}" in self.url:
            return self.url.replace("{tile}", name)
        return self.url.rstrip("/") + "/" + urllib.parse.quote(name)

    def fetch(self, lat: int, lon: int) -> str | None:
        name = tile_name(lat, lon, self.kind, self.source, self.extras)
        path = os.path.join(self.folder, name)
        if os.path.isfile(path):                     # downloaded before
            self.report[name] = "succeeded"
            return path
        url = self.tile_url(name)
        try:
            with self.opener.open(url, timeout=TIMEOUT) as response, replacing(path) as temp:
                with open(temp, "wb") as out:
                    while chunk := response.read(1 << 20):
                        out.write(chunk)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                self.report[name] = "failed"
                return None
            hint = " (give the user name and password with -n/-w)" if exc.code in (401, 403) else ""
            raise SourceUnreachable(f"cannot get {url}: HTTP {exc.code} {exc.reason}{hint}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise SourceUnreachable(f"cannot reach {url}: {getattr(reason, 'strerror', None) or reason}") \
                from None
        self.report[name] = "succeeded"
        self.downloaded.append(path)
        return path

    def where(self) -> str:
        return f"at {self.url}"


def fetch_tiles(lats, lons, tiles, fill: bool) -> dict:
    """``{(lat, lon): path or None}`` of every tile; missing ones refused unless ``fill``."""
    found = {(lat, lon): tiles.fetch(lat, lon) for lat in lats for lon in lons}
    missing = [tile_key(*k) for k, v in found.items() if v is None]
    if missing and not fill:
        raise InputError(f"{len(missing)} of {len(found)} tiles missing {tiles.where()}: "
                         f"{', '.join(missing)} (-f fills them with -v, default {VOID})")
    if missing:
        log.warning("tiles missing %s, filled: %s", tiles.where(), ", ".join(missing))
    return found


def stitch_dem(snwe, tiles, output: str, source: int = 1, fill: bool = False,
               fill_value: int = VOID) -> str:
    """Stitch the tiles covering ``snwe`` (south, north, west, east) [deg] from ``tiles``
    (:class:`LocalTiles` or :class:`UrlTiles`) into ``output``; see the module doc."""
    if source not in SAMPLES:
        raise ConfigurationError(f"source must be 1 or 3 (arc-seconds), got {source}")
    if not -32768 <= int(fill_value) <= 32767:
        raise ConfigurationError(f"filling value {fill_value} does not fit a 16-bit DEM")
    lats, lons = tile_grid(snwe)
    found = fetch_tiles(lats, lons, tiles, fill)
    step = SAMPLES[source] - 1
    d = 1.0 / step
    geo = isce.io.Geo(lons[0] - d / 2, d, lats[0] + 1 + d / 2, -d)
    width, length = len(lons) * step, len(lats) * step
    with isce.io.create(output, width, length, "SHORT", image_type="dem", geo=geo,
                        extra={"reference": "EGM96"}) as ds:
        for i, lat in enumerate(isce.io.progress_bar(lats, desc="stitching")):
            block = np.full((step, width), int(fill_value), dtype=np.int16)
            for j, lon in enumerate(lons):
                path = found[(lat, lon)]
                if path is not None:
                    block[:, j * step:(j + 1) * step] = read_tile(path, source)[:step, :step]
            ds.write(block, slice(i * step, (i + 1) * step))
    return output
