"""``pointTarget.py``: point-target analysis of an SLC (IRW, PSLR, ISLR, position error)."""
from __future__ import annotations

import json
import math
from pathlib import Path

from isce.framework import Application, ConfigurationError, InputError, Parameter, Step
from isce.quality.pointtarget import analyze_point_target, format_summary

from .products import PRODUCT_SELECTION, load_product


def _plain(value):
    """JSON-able copy: NaN/inf -> None (JSON has no NaN)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return _plain(value.item())
    return value


def analyze(ctx):
    """Predict the target's position, measure its impulse response, print and write the result."""
    p = ctx.params
    target = list(p.target or [])
    if len(target) != 3 or not all(math.isfinite(v) for v in target):
        raise ConfigurationError(f"target must be three numbers: longitude, latitude [deg], "
                                 f"height [m]; got {p.target!r}")
    lon, lat, hgt = target
    if not (-180.0 <= lon <= 360.0 and -90.0 <= lat <= 90.0):
        raise ConfigurationError(f"target longitude {lon} / latitude {lat} are not degrees "
                                 "(give target = lon, lat, height)")
    if p.chip_size < 8:
        raise ConfigurationError(f"chip size must be at least 8 samples, got {p.chip_size}")
    if p.oversample < 2:
        raise ConfigurationError(f"oversample must be at least 2, got {p.oversample}")
    product = load_product(p.product, p.polarization, p.frequency)
    ctx.add_input(p.product)
    try:
        result = analyze_point_target(product, lon, lat, hgt, chip=p.chip_size,
                                      oversample=p.oversample, search=p.search,
                                      num_sidelobes=p.sidelobes,
                                      native_doppler=p.native_doppler)
    except InputError as exc:
        raise InputError(f"{p.product}: {exc}" if str(p.product) not in str(exc) else str(exc)) from None
    except ValueError as exc:  # e.g. a chip without a usable main lobe
        raise InputError(f"{p.product}: cannot analyse the target: {exc}") from None
    result = _plain(result)
    result["product"] = str(p.product)
    print(f"{p.product}: point target at lon {lon}, lat {lat}, height {hgt} m")
    print(format_summary(result))
    if p.output:
        out = Path(p.output)
        if out.parent != Path(""):
            out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        ctx.add_output(out)
        ctx.log.info("wrote %s", out)
    ctx.state.pointtarget = result


class PointTarget(Application):
    """Point-target analysis: -3 dB width, PSLR, ISLR and position error of a target.

    The target's position in the product is predicted by geo2rdr of its
    longitude, latitude and height with the product's orbit (zero Doppler: the
    image is taken to be on a zero-Doppler grid, as ISCE3 RSLCs are); the peak
    near it is found to sub-pixel precision in an FFT-oversampled chip (its
    spectrum, e.g. the azimuth Doppler centroid, moved to baseband first), and
    range and azimuth cuts through the peak give the -3 dB impulse-response
    width (metres: slant range; azimuth along track on the ground), the PSLR and
    the ISLR (10 sidelobes each side, main lobe between the first nulls).
    Prints a summary and writes JSON {"range": {...}, "azimuth": {...}, "peak":
    {...}} with irw_m, irw_px, pslr_db, islr_db, offset_px per direction.
    """

    family = "pointtarget"
    parameters = (
        Parameter("product", type="path", mandatory=True,
                  doc="Radar product (.h5 RSLC or product .json)."),
        Parameter("target", type=float, container=list, mandatory=True,
                  doc="The target: longitude, latitude [deg], height [m] (e.g. -54.58, 3.18, 0)."),
        Parameter("output", type="path", default="pointTarget.json", intent="output",
                  doc="JSON file for the result (empty: do not write)."),
        Parameter("chip_size", public_name="chip size", type=int, default=64,
                  doc="Size of the chip around the peak [samples]."),
        Parameter("oversample", type=int, default=32,
                  doc="Oversampling of the chip and of the cuts [samples per pixel]."),
        Parameter("search", public_name="search radius", type=int, default=None,
                  doc="Half-size of the window searched for the brightest sample around the "
                      "prediction [pixels]; default a quarter of the chip size."),
        Parameter("sidelobes", public_name="islr sidelobes", type=int, default=10,
                  doc="Sidelobes on each side counted in the ISLR."),
        Parameter("native_doppler", public_name="native doppler", type=bool, default=False,
                  doc="Predict with the product's Doppler (native-Doppler grid) instead of "
                      "zero Doppler."),
        *PRODUCT_SELECTION,
    )
    steps = (
        Step("analyze", analyze, analyze.__doc__),
    )
