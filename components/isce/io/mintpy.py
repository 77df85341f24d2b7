"""What MintPy reads of a stripmap run, written without ISCE2 (DESIGN.md §10).

MintPy 1.6's ``prep_isce.py``/``load_data.py`` read the metadata of an ISCE2 stripmap
run through ISCE2's own classes (``isce_utils.extract_stripmap_metadata``) unless a
ROI_PAC ``data.rsc`` beside the reference metadata file is newer than it: then that file
is read as is and ISCE2 is never imported. :func:`roipac_metadata` makes the very keys
``extract_isce_metadata`` (stripmap frame + ``extract_geometry_metadata`` +
``readfile.standardize_metadata``) would have made from ISCE2's frame, from our
:class:`~isce.sensors.SlcProduct` and geometry rasters; :func:`write_data_rsc` writes
them. Perpendicular baselines go to ISCE2 stripmapStack's two-line files
(:func:`write_baseline_file`), geometry at the interferograms' looks is made by
:func:`multilook_geometry`, and :func:`link_raster` gives a product a second name (a
relative symlink) with its own ``.xml``/``.vrt``/``.hdr`` sidecars.

    meta = roipac_metadata(ref_slc, (az_looks, rg_looks), {"lat": ..., "lon": ..., "los": ...})
    write_data_rsc("reference/data.rsc", meta)          # after the metadata file it describes
    write_baseline_file("baselines/20200101_20200113.txt", top_m, bottom_m)
    multilook_geometry({"hgt": "geometry/z.rdr", ...}, "geom_reference", (az, rg))
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from isce.core.ellipsoid import WGS84, enu_matrix
from isce.core.time import DateTime

from .atomic import replacing, write_text
from .blocks import block_lines_for, iter_blocks
from .raster import create, open_raster
from .readahead import read_ahead, read_rows_kept
from .sidecars import read_info, write_sidecars

__all__ = ["roipac_metadata", "write_data_rsc", "read_rsc", "write_baseline_file",
           "read_baseline_file", "multilook_geometry", "link_raster", "platform_name",
           "orbit_metadata", "reference_pixel", "STANDARD_KEYS", "SPEED_OF_LIGHT"]

SPEED_OF_LIGHT = 299792458.0
#: MintPy 1.6 ``readfile.STD_METADATA_KEYS`` for the keys ISCE2's stripmap metadata has:
#: the standard ROI_PAC name is added beside the ISCE2 one (both are kept, as MintPy does)
STANDARD_KEYS = {
    "AZIMUTH_PIXEL_SIZE": "azimuthPixelSize",
    "RANGE_PIXEL_SIZE": "rangePixelSize",
    "EARTH_RADIUS": "earthRadius",
    "HEIGHT": "altitude",
    "ORBIT_DIRECTION": "passDirection",
    "POLARIZATION": "polarization",
    "PRF": "prf",
    "STARTING_RANGE": "startingRange",
    "WAVELENGTH": "radarWavelength",
    "relative_orbit": "trackNumber",
}
#: MintPy 1.6 ``objects.sensor.SENSOR_NAME_VARIATION``: its short platform names
_SENSOR_NAMES = {
    "alos": ("alos", "alos1", "palsar", "palsar1"),
    "alos2": ("alos2", "palsar2"),
    "alos4": ("alos4", "palsar3"),
    "csk": ("csk", "csk1", "csk2", "csk3", "csk4", "cos", "cosmo", "cosmoskymed"),
    "env": ("env", "envisat", "asar"),
    "ers": ("ers", "ers1", "ers2", "ers12"),
    "ni": ("ni", "nisar"),
    "rs1": ("rs1", "rsat", "rsat1", "radarsat", "radarsat1"),
    "rs2": ("rs2", "rsat2", "radarsat2"),
    "sen": ("sen", "s1", "s1a", "s1b", "sent1", "sentinel1", "sentinel1a", "sentinel1b"),
    "tsx": ("tsx", "terra", "terrasar", "terrasarx", "tdx", "tandemx"),
    "uav": ("uav", "uavsar"),
}
#: how each geometry layer is reduced to the interferograms' looks (the rest: mean)
_ANY_OF = ("shadowMask", "waterMask")


# ----------------------------------------------------------------------------- metadata
def platform_name(name: str) -> str:
    """MintPy's short platform name (``standardize_sensor_name``): ``ALOS`` -> ``alos``,
    ``Sentinel-1A`` -> ``sen``; an unknown name lower-cased without ``-``/``_``."""
    key = str(name).replace("-", "").replace("_", "").replace(" ", "").lower()
    for short, variants in _SENSOR_NAMES.items():
        if key == short or key in variants:
            return short
    return key


def _orbit_time(orbit, when) -> float:
    """Seconds since the orbit's reference epoch of the DateTime ``when``."""
    epoch = DateTime(orbit.reference_epoch).nanoseconds_since_unix_epoch
    return (when.nanoseconds_since_unix_epoch - epoch) / 1e9


def orbit_metadata(orbit, when) -> dict:
    """ISCE2's platform numbers at the DateTime ``when`` (its stripmap metadata takes them at
    the sensing mid): ``satelliteSpeed`` [m/s], ``HEADING`` (ENU heading of the velocity,
    ``Orbit.getENUHeading``) [deg], ``altitude`` (geodetic height of the platform) [m],
    ``earthRadius`` (WGS-84 radius of curvature along the heading at the platform's
    latitude, ISCE2 ``Ellipsoid.setSCH(...).pegRadCur``) [m], ``passDirection``."""
    pos, vel = orbit.interpolate(_orbit_time(orbit, when))
    pos, vel = np.reshape(pos, 3), np.reshape(vel, 3)
    lon, lat, height = WGS84.xyz_to_lon_lat(pos)
    east, north, _ = enu_matrix(lon, lat) @ vel
    heading = math.degrees(math.atan2(east, north))
    s2 = math.sin(lat) ** 2
    r_east = WGS84.a / math.sqrt(1.0 - WGS84.e2 * s2)
    r_north = WGS84.a * (1.0 - WGS84.e2) / (1.0 - WGS84.e2 * s2) ** 1.5
    h = math.radians(heading)
    radius = r_east * r_north / (r_east * math.cos(h) ** 2 + r_north * math.sin(h) ** 2)
    return {"satelliteSpeed": float(np.linalg.norm(vel)), "HEADING": heading,
            "altitude": float(height), "earthRadius": radius,
            "passDirection": "ASCENDING" if abs(heading) < 90.0 else "DESCENDING"}


def _utc_text(when) -> str:
    """``YYYY-MM-DD HH:MM:SS.ffffff`` (Python's ``str(datetime)``, as ISCE2's frame times)."""
    return str(when.to_datetime().replace(tzinfo=None))


def _frame_metadata(slc) -> dict:
    """``extract_stripmap_metadata``'s keys, from an SLC product (full resolution)."""
    g = slc.radar_grid
    mid = g.sensing_mid_datetime
    meta = {"prf": g.prf, "startUTC": _utc_text(g.sensing_start_datetime),
            "stopUTC": _utc_text(g.sensing_stop_datetime), "radarWavelength": g.wavelength,
            "startingRange": g.starting_range}
    for key, attr in (("trackNumber", "track_number"), ("orbitNumber", "orbit_number")):
        value = slc.attributes.get(attr)
        if value not in (None, ""):
            meta[key] = value
    name = slc.platform or slc.mission
    if name:
        meta["PLATFORM"] = platform_name(name)
    pol = str(slc.polarization or "").replace("/", "")
    if pol:
        meta["polarization"] = pol
    # ISCE2: hour * 3600 + minute * 60 + second of the sensing mid (whole seconds)
    meta["CENTER_LINE_UTC"] = float(mid.hour * 3600 + mid.minute * 60 + mid.second)
    platform = orbit_metadata(slc.orbit, mid)
    speed = platform["satelliteSpeed"]
    meta["satelliteSpeed"] = speed
    antenna = slc.attributes.get("antenna_length")
    if antenna:                                 # ISCE2: antennaLength / 2
        meta["azimuthResolution"] = float(antenna) / 2.0
    elif slc.azimuth_bandwidth:                 # MintPy's alosStack rule: Vs / bandwidth
        meta["azimuthResolution"] = speed / slc.azimuth_bandwidth
    else:
        meta["azimuthResolution"] = speed / g.prf
    meta["azimuthPixelSize"] = speed / g.prf
    meta["rangePixelSize"] = g.range_pixel_spacing
    meta["rangeResolution"] = (SPEED_OF_LIGHT / (2.0 * slc.range_bandwidth)
                               if slc.range_bandwidth else g.range_pixel_spacing)
    meta.update({k: platform[k] for k in ("HEADING", "earthRadius", "altitude",
                                          "passDirection")})
    meta["beam_mode"] = "SM"
    return meta


def _nonzero_rows(data, buffer=2):
    """MintPy's first and last rows without zeros (``get_nonzero_row_number``)."""
    if np.all(data):
        return buffer, -1 - buffer
    rows = np.flatnonzero(np.count_nonzero(data, axis=1) == data.shape[1])
    if rows.size == 0:
        raise ValueError("no line of the geometry is free of zeros")
    return int(rows[0]) + buffer, int(rows[-1]) - buffer


def _geometry_metadata(meta: dict, looks, geometry: dict, shape) -> dict:
    """``extract_geometry_metadata``'s keys: looks, NCORRLOOKS, pixel sizes at looks,
    LENGTH/WIDTH, LAT/LON_REF1..4 (corners of ``lat``/``lon`` at looks) and
    CENTER_INCIDENCE_ANGLE (``los`` band 1 at the centre) [deg]."""
    az, rg = (int(v) for v in looks)
    meta["ALOOKS"], meta["RLOOKS"] = az, rg
    rgfact = meta["rangeResolution"] / meta["rangePixelSize"]
    azfact = meta["azimuthResolution"] / meta["azimuthPixelSize"]
    meta["NCORRLOOKS"] = rg * az / (rgfact * azfact)
    meta["rangePixelSize"] *= rg
    meta["azimuthPixelSize"] *= az
    length, width = shape[0] // az, shape[1] // rg
    if "lat" in geometry:
        ras = open_raster(geometry["lat"])
        length, width = ras.length, ras.width
    meta["LENGTH"], meta["WIDTH"] = length, width
    for key, name in (("LAT", "lat"), ("LON", "lon")):
        if name not in geometry:
            continue
        data = open_raster(geometry[name]).band(0)
        r0, r1 = _nonzero_rows(data)
        for i, (r, c) in enumerate(((r0, 0), (r0, -1), (r1, 0), (r1, -1)), start=1):
            meta[f"{key}_REF{i}"] = float(data[r, c])
    if "los" in geometry:
        inc = open_raster(geometry["los"]).band(0)
        value = float(inc[inc.shape[0] // 2, inc.shape[1] // 2])
        meta["CENTER_INCIDENCE_ANGLE"] = value if value != 0.0 else float("nan")
    return meta


def _text(value) -> str:
    """A value as MintPy's ``str(value)`` writes it (floats in full precision)."""
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (np.integer,)):
        return str(int(value))
    return str(value)


def roipac_metadata(slc, looks, geometry=None) -> dict:
    """The metadata MintPy's ``extract_isce_metadata`` makes of an ISCE2 stripmap
    reference (all values as text): ``slc`` an :class:`~isce.sensors.SlcProduct`,
    ``looks`` the interferograms' (azimuth, range) looks, ``geometry`` {name: path} of
    the geometry AT THOSE LOOKS (``lat``, ``lon``, ``los`` used; MintPy's corners,
    size and centre incidence come from them). Both ISCE2's keys (``prf``,
    ``radarWavelength``, ...) and MintPy's standard ones (``PRF``, ``WAVELENGTH``, ...)
    are present, plus ``PROCESSOR=isce`` and ``ANTENNA_SIDE`` (-1 right, 1 left)."""
    meta = _frame_metadata(slc)
    meta = _geometry_metadata(meta, looks, dict(geometry or {}), slc.radar_grid.shape)
    meta["PROCESSOR"] = "isce"
    meta["ANTENNA_SIDE"] = -1 if slc.radar_grid.look_side_sign < 0 else 1
    for std, key in STANDARD_KEYS.items():
        if key in meta and std not in meta:
            meta[std] = meta[key]
    return {k: _text(v) for k, v in meta.items()}


# ----------------------------------------------------------------------------- files
def _rsc_line(key: str, value: str, pad: int) -> str:
    if not key or any(ch.isspace() for ch in key):
        raise ValueError(f"ROI_PAC key {key!r}: must be a non-empty word")
    if not value or "\n" in value or "\r" in value or value != value.strip():
        raise ValueError(f"ROI_PAC value of {key!r} is {value!r}: must be one non-empty line")
    return f"{key:<{pad}}    {value}\n"


def write_data_rsc(path, metadata: dict) -> str:
    """Write ``metadata`` as a ROI_PAC ``.rsc`` (``KEY    value`` lines, sorted; MintPy's
    ``write_roipac_rsc`` layout, ``FILE_LENGTH`` = ``LENGTH``), atomically. Write it AFTER
    the metadata file it describes: MintPy reads it only while it is the newer one."""
    meta = {str(k): _text(v) for k, v in metadata.items()}
    if "LENGTH" in meta:
        meta["FILE_LENGTH"] = meta["LENGTH"]
    pad = max([len(k) for k in meta] + [2])
    write_text(os.fspath(path), "".join(_rsc_line(k, meta[k], pad) for k in sorted(meta)))
    return os.fspath(path)


def read_rsc(path) -> dict:
    """``{key: value}`` (text) of a ROI_PAC ``.rsc`` file."""
    out = {}
    for line in Path(path).read_text().splitlines():
        parts = line.strip().split(None, 1)
        if parts:
            out[parts[0]] = parts[1].strip() if len(parts) > 1 else ""
    return out


def write_baseline_file(path, top, bottom) -> str:
    """ISCE2 stripmapStack's baseline file (``baselines/<ref>_<date>.txt``), atomically::

        PERP_BASELINE_BOTTOM <bottom>
        PERP_BASELINE_TOP <top>

    ``top``/``bottom``: perpendicular baselines [m] at the first/last reference line, in
    ISCE2's stripmap sign (see :func:`isce.geometry.baseline.stripmap_perpendicular`)."""
    values = (float(bottom), float(top))
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"{os.fspath(path)}: baselines must be finite, got top {top!r}, "
                         f"bottom {bottom!r}")
    write_text(os.fspath(path), f"PERP_BASELINE_BOTTOM {values[0]!r}\n"
                                f"PERP_BASELINE_TOP {values[1]!r}\n")
    return os.fspath(path)


def read_baseline_file(path) -> tuple[float, float]:
    """(top, bottom) [m] of an ISCE2 stripmapStack baseline file."""
    text = read_rsc(path)
    return float(text["PERP_BASELINE_TOP"]), float(text["PERP_BASELINE_BOTTOM"])


def link_raster(target, link) -> str:
    """Give the raster ``target`` the second name ``link``: a relative symlink (replacing
    whatever ``link`` was, atomically) with its own ``.vrt``/``.hdr``/``.xml`` sidecars
    naming the link, so tools reading ``<link>.xml`` (MintPy) find a consistent raster."""
    target, link = Path(target), Path(link)
    info = read_info(target)[0]
    link.parent.mkdir(parents=True, exist_ok=True)
    rel = os.path.relpath(target.resolve(), link.parent.resolve())
    with replacing(link) as temp:
        os.symlink(rel, temp)
    write_sidecars(link, info)
    return os.fspath(link)


# ----------------------------------------------------------------------------- reference pixel
def _last_band(path) -> np.ndarray:
    """The last band of a raster (what MintPy loads of an ISCE ``.unw``/``.cor``: the phase,
    the coherence), read through the file."""
    ras = open_raster(path)
    try:
        return ras.read_rows(slice(0, ras.length), band=ras.bands - 1 if ras.bands > 1 else None)
    finally:
        ras.close()


def reference_pixel(unwrapped, coherence, conncomp=None) -> tuple[int, int]:
    """``(y, x)`` for ``mintpy.reference.yx``: the pixel of highest mean coherence over the
    pairs, among those valid in every pair (unwrapped phase finite and non-zero, coherence
    finite, connected component non-zero), the first in row order on a tie.

    ``unwrapped``, ``coherence``, ``conncomp`` (optional): one raster path per pair, in the
    same order, all at the interferograms' looks (the grid MintPy loads).

    Why: without ``mintpy.reference.yx`` MintPy 1.6 (``reference_point.py``) draws the
    pixel at random, unseeded, among those of mean coherence >= 0.85. Velocity and time
    series are relative to that pixel, so the same products give different results on every
    run, and a comparison with a truth referenced there carries that one pixel's error:
    on ``make stack-demo``'s stack, 0.62 to 2.3 mm/yr RMS of velocity from identical
    interferograms. This choice is MintPy's own maximum-coherence rule, made once."""
    unwrapped, coherence = [os.fspath(p) for p in unwrapped], [os.fspath(p) for p in coherence]
    conncomp = None if conncomp is None else [os.fspath(p) for p in conncomp]
    if not unwrapped or len(coherence) != len(unwrapped) or (
            conncomp is not None and len(conncomp) != len(unwrapped)):
        raise ValueError(f"one unwrapped, coherence (and conncomp) raster per pair, got "
                         f"{len(unwrapped)}, {len(coherence)}"
                         + ("" if conncomp is None else f", {len(conncomp)}"))
    total = valid = None
    for k, (unw, cor) in enumerate(zip(unwrapped, coherence)):
        layers = [(unw, _last_band(unw)), (cor, _last_band(cor).astype(np.float64))]
        if conncomp is not None:
            layers.append((conncomp[k], _last_band(conncomp[k])))
        shape = layers[0][1].shape if total is None else total.shape
        for path, data in layers:
            if data.shape != shape:
                raise ValueError(f"{path}: {data.shape[0]} x {data.shape[1]} pixels, the "
                                 f"first pair's are {shape[0]} x {shape[1]}")
        (_, phase), (_, coh) = layers[:2]
        good = np.isfinite(phase) & (phase != 0) & np.isfinite(coh)
        if conncomp is not None:
            good &= layers[2][1] != 0
        kept = np.where(good, coh, 0.0)
        total, valid = (kept, good) if total is None else (total + kept, valid & good)
    if not valid.any():
        raise ValueError(f"no pixel is valid in all {len(unwrapped)} pairs")
    y, x = np.unravel_index(np.argmax(np.where(valid, total, -np.inf)), total.shape)
    return int(y), int(x)


# ----------------------------------------------------------------------------- geometry
def _reduce(block, az, rg, any_of):
    """(bands, n*az, w*rg) -> (bands, n, w): mean (float64) or, for masks, bitwise OR."""
    b, n, w = block.shape[0], block.shape[1] // az, block.shape[2] // rg
    cells = block[:, :n * az, :w * rg].reshape(b, n, az, w, rg)
    if any_of:
        return np.bitwise_or.reduce(np.bitwise_or.reduce(cells, axis=4), axis=2)
    # the az lines of each cell added whole, then the rg neighbours: long contiguous adds
    # (ndarray.mean over the two short axes: 2-8x the time; same sums up to rounding)
    rows = cells.reshape(b, n, az, w * rg)
    total = rows[:, :, 0].astype(np.float64)
    for i in range(1, az):
        total += rows[:, :, i]
    total = total.reshape(b, n, w, rg)
    out = total[..., 0].copy()
    for j in range(1, rg):
        out += total[..., j]
    out *= 1.0 / (az * rg)
    return out


#: bytes of full-size lines multilook_geometry reads per block
_MULTILOOK_READ_BYTES = 4 * 2**20


def _multilook_one(src, dst, looks, any_of, block_lines):
    az, rg = looks
    ras = open_raster(src)
    length, width = ras.length // az, ras.width // rg
    if length < 1 or width < 1:
        raise ValueError(f"{src}: {ras.length} x {ras.width} is smaller than the looks {az} x {rg}")
    if any_of and ras.dtype.kind not in "iub":
        raise ValueError(f"{src}: a mask must be an integer raster, got {ras.data_type}")
    # small blocks (~4 MiB read) into two buffers used in turn: the reads fill memory already
    # faulted in, and the reduction works in cache (64 MiB blocks into fresh arrays: 2.5x
    # the time, most of it page faults)
    rows = block_lines or block_lines_for(ras.width * az, ras.dtype, bands=ras.bands,
                                          budget=_MULTILOOK_READ_BYTES)
    kept = ({}, {})

    def read(k_lines):      # in the read-ahead thread; copied through the file, not the map:
        k, lines = k_lines  # no page of the full-size raster stays resident
        return read_rows_kept(ras, slice(lines.start * az, lines.stop * az), kept[k % 2], 0)

    try:
        with create(dst, width, length, ras.dtype, bands=ras.bands, scheme=ras.scheme,
                    image_type=ras.image_type) as out:
            for (_, lines), block in read_ahead(enumerate(iter_blocks(length, rows)), read):
                block = block if ras.bands > 1 else block[None]
                reduced = _reduce(block, az, rg, any_of)
                out.write(reduced.astype(ras.dtype, copy=False) if ras.bands > 1
                          else reduced[0].astype(ras.dtype, copy=False), lines)
    finally:
        ras.close()
    return os.fspath(dst)


def multilook_geometry(full: dict, out_dir, looks, *, block_lines=None) -> dict:
    """Geometry at the interferograms' looks: for each ``{name: full-size raster}``, write
    ``<out_dir>/<name>.rdr`` of (length // az) x (width // rg) pixels (the interferograms'
    size), each pixel the mean of its az x rg full-size pixels per band (float64 sums,
    stored in the input's type), masks (``shadowMask``, ``waterMask``) the bitwise OR (any
    of the pixels flagged). Block by block (bounded memory), atomic, with sidecars.
    Returns ``{name: path}``."""
    az, rg = (int(v) for v in looks)
    if az < 1 or rg < 1:
        raise ValueError(f"looks must be at least 1, got {looks}")
    os.makedirs(out_dir, exist_ok=True)
    return {name: _multilook_one(path, os.path.join(out_dir, f"{name}.rdr"), (az, rg),
                                 name in _ANY_OF, block_lines)
            for name, path in full.items()}
