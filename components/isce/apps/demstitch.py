"""``dem.py``: stitch a DEM for a bounding box from SRTM-style tiles (ISCE2's ``dem.py``), from
a local folder or a server the user names; ``-c`` converts EGM96 heights to WGS-84."""
from __future__ import annotations

import os

import isce.io
from isce.dem.dem import verify_dem
from isce.dem.stitch import (DEFAULT_URLS, KINDS, LocalTiles, UrlTiles, default_name,
                             stitch_dem, tile_grid)
from isce.framework import Application, ConfigurationError, Parameter, Step
from isce.framework.application import Option
from isce.io.mintpy import write_data_rsc


def _tiles(p, folder: str):
    """The tile source the settings name: the local folder (-l) or a server (-u, or ISCE2's)."""
    if p.local:
        if not os.path.isdir(folder):
            raise ConfigurationError(f"--dir {folder}: no such folder of tiles (-l)")
        return LocalTiles(folder)
    url = p.url or DEFAULT_URLS.get((p.type, p.source))
    if url is None:
        raise ConfigurationError(f"no server known for -t {p.type} -s {p.source}: name one with "
                                 "-u <url>, or use local tiles with -l -d <folder>")
    os.makedirs(folder, exist_ok=True)
    return UrlTiles(url, folder, kind=p.type, source=p.source, extras=not p.noextras,
                    user=p.uname, password=p.password)


def _box(p):
    if len(p.bbox) != 4:
        raise ConfigurationError(f"-b/--bbox takes 4 values (south north west east), got "
                                 f"{len(p.bbox)}")
    return tuple(p.bbox)


def _download(ctx, tiles):
    """ISCE2's -a download: fetch the tiles of -b and of the -p lat/lon pairs, no stitching."""
    p = ctx.params
    corners = []
    if p.bbox:
        lats, lons = tile_grid(_box(p))
        corners += [(lat, lon) for lat in lats for lon in lons]
    if p.pairs:
        if len(p.pairs) % 2:
            raise ConfigurationError("-p/--pairs takes latitude longitude pairs: an even count")
        corners += list(zip(p.pairs[::2], p.pairs[1::2]))
    if not corners:
        raise ConfigurationError("-a download needs -b/--bbox or -p/--pairs")
    for lat, lon in corners:
        tiles.fetch(int(lat), int(lon))


def write_rsc(dem: str) -> str:
    """ROI_PAC's ``<dem>.rsc`` of a stitched DEM (X_FIRST/Y_FIRST: the grid's outer corner)."""
    r = isce.io.open(dem)
    g = r.geo
    return write_data_rsc(dem + ".rsc", {
        "WIDTH": r.width, "LENGTH": r.length, "X_FIRST": repr(g.x0), "Y_FIRST": repr(g.y0),
        "X_STEP": repr(g.dx), "Y_STEP": repr(g.dy), "X_UNIT": "degrees", "Y_UNIT": "degrees",
        "Z_OFFSET": 0, "Z_SCALE": 1, "PROJECTION": "LL"})


def make_dem(ctx):
    """Stitch (or download) the tiles of the bounding box; -c: EGM96 -> WGS-84 heights."""
    p = ctx.params
    folder = p.dir
    tiles = _tiles(p, folder)
    if p.action == "download":
        _download(ctx, tiles)
    else:
        if not p.bbox:
            raise ConfigurationError("-b/--bbox (south north west east) is needed to stitch")
        box = _box(p)
        output = os.path.join(folder, p.output or default_name(box))
        stitch_dem(box, tiles, output, source=p.source, fill=p.filling,
                   fill_value=p.filling_value)
        ctx.add_output(output)
        ctx.log.info("wrote %s", output)
        if p.meta == "rsc":
            ctx.add_output(write_rsc(output))
        if p.correct:
            report = verify_dem(output, reference="EGM96", output=output + ".wgs84", reuse=False,
                                progress=True)
            ctx.add_output(report.path)
            ctx.log.info("wrote %s (WGS-84 ellipsoid heights, geoid %s)", report.path,
                         report.geoid)
        if isinstance(tiles, UrlTiles) and not p.keep:
            for path in tiles.downloaded:
                os.remove(path)
    if p.report and isinstance(tiles, UrlTiles):
        for name, result in tiles.report.items():
            print(f"{name} = {result}")


class Dem(Application):
    """Stitch a DEM for a bounding box from SRTM tiles (ISCE2's dem.py).

    Tiles come from a folder (-l -d <folder>: N34W117.hgt, .hgt.zip, .SRTMGL1.hgt.zip or
    NASADEM_HGT_n34w117.zip) or are downloaded from -u <url> (<url>/<tile name>, or a URL with
    {tile}; ISCE2's NASA Earthdata servers by default, which need -n/-w) into --dir. The DEM
    (SHORT, heights above EGM96, voids -32768, ISCE .xml/.vrt/.hdr) is written in --dir as
    -o, default demLat_N31_N33_Lon_W114_W112.dem; -c adds <dem>.wgs84 (FLOAT, WGS-84
    ellipsoid heights, isce's shipped EGM96 grid). Missing tiles are an error listing them
    unless -f (filled with -v, default -32768); an unreachable server is a one-line error.

    Examples: dem.py -a stitch -b 31 33 -114 -112 -s 1 -l -d srtm_tiles -c
              dem.py -b 31 33 -114 -112 -u https://my.server/srtm1/ -n user -w password -k
    """

    family = "dem"
    parameters = (
        Parameter("action", type=str, default="stitch", choices=("stitch", "download"),
                  doc="stitch, or download the tiles only."),
        Parameter("bbox", type=float, container=list, default=[], units="deg",
                  doc="South north west east of the region (whole degrees or not: the tiles "
                      "covering it are used)."),
        Parameter("pairs", type=int, container=list, default=[], units="deg",
                  doc="Latitude longitude pairs of tiles to download (-a download)."),
        Parameter("correct", type=bool, default=False,
                  doc="Also write <dem>.wgs84: EGM96 -> WGS-84 ellipsoid heights."),
        Parameter("meta", type=str, default="xml", choices=("xml", "rsc"),
                  doc="Metadata: xml (ISCE's; .vrt and .hdr come too) or rsc (ROI_PAC .rsc "
                      "as well)."),
        Parameter("source", type=int, default=1, choices=(1, 3), units="arcsec",
                  doc="SRTM resolution: 1 or 3 arc-seconds."),
        Parameter("filling", type=bool, default=False,
                  doc="Fill missing tiles with the filling value instead of failing."),
        Parameter("filling_value", public_name="filling value", type=int, default=-32768,
                  units="m", doc="Height of filled tiles (-32768: void)."),
        Parameter("keep", type=bool, default=False, doc="Keep downloaded tiles after stitching."),
        Parameter("report", type=bool, default=False,
                  doc="Print which downloads succeeded or failed."),
        Parameter("local", type=bool, default=False,
                  doc="Use the tiles in --dir instead of downloading."),
        Parameter("dir", type="path", default=".", intent="output",
                  doc="Folder of local tiles (-l), or where tiles are downloaded; the DEM is "
                      "written there."),
        Parameter("output", type=str, default=None,
                  doc="Name of the DEM in --dir; default demLat_..._Lon_....dem."),
        Parameter("uname", type=str, default=None, doc="User name for the server."),
        Parameter("password", type=str, default=None, doc="Password for the server."),
        Parameter("type", type=str, default="version3", choices=KINDS,
                  doc="Tile naming of the server: version3 (N34W117.SRTMGL1.hgt.zip), "
                      "version2 (N34W117.hgt.zip), nasadem (NASADEM_HGT_n34w117.zip)."),
        Parameter("noextras", type=bool, default=False,
                  doc="version3 names without .SRTMGL1/.SRTMGL3 (N34W117.hgt.zip)."),
        Parameter("url", type=str, default=None,
                  doc="Server folder URL of the tiles, or a URL with {tile}."),
    )
    options = {
        "-a": "action", "--action": "action",
        "-b": Option("bbox", nargs=4), "--bbox": Option("bbox", nargs=4),
        "-p": Option("pairs", nargs="+"), "--pairs": Option("pairs", nargs="+"),
        "-c": Option("correct", const="true"), "--correct": Option("correct", const="true"),
        "-m": "meta", "--meta": "meta", "-s": "source", "--source": "source",
        "-f": Option("filling", const="true"), "--filling": Option("filling", const="true"),
        "-v": "filling value", "--filling_value": "filling value",
        "-k": Option("keep", const="true"), "--keep": Option("keep", const="true"),
        "-r": Option("report", const="true"), "--report": Option("report", const="true"),
        "-l": Option("local", const="true"), "--local": Option("local", const="true"),
        "-d": "dir", "--dir": "dir", "-o": "output", "--output": "output",
        "-n": "uname", "--uname": "uname", "-w": "password", "--password": "password",
        "-t": "type", "--type": "type",
        "-x": Option("noextras", const="true"), "--noextras": Option("noextras", const="true"),
        "-u": "url", "--url": "url",
    }
    steps = (Step("dem", make_dem, make_dem.__doc__),)

    def validate(self):
        if self.type == "nasadem" and self.source != 1:
            raise ConfigurationError("NASADEM comes at 1 arc-second only: -s 1",
                                     source=self.source_of("source"),
                                     path=f"{self.config_path}.source")
        if self.correct and self.action != "stitch":
            raise ConfigurationError("-c corrects a stitched DEM: not with -a download")
