"""Where a stripmap run keeps its products: ISCE2 StripmapProc's folder and file names,
defined once for insarApp's steps, the quality reports, geocoding and later writers.

    from isce.io.layout import StripmapLayout
    run = StripmapLayout()                      # paths relative to the run folder
    run.topophase_flat                          # interferogram/topophase.flat
    run.geometry("lat")                         # geometry/lat.rdr
    StripmapLayout.of_run("run").slc("reference")   # the reference SLC a run wrote

The dates' SLCs go where their readers' ``OUTPUT`` says (default
``<role>/<role>.slc``); a finished run records them in ``report.json``
(``"slc": {"reference": ..., "secondary": ...}``), so :meth:`StripmapLayout.of_run`
finds them for any ``OUTPUT``. Paths are relative when ``root`` is ``"."`` (as the
steps record them in their manifests). Plain path arithmetic: no import beyond the
standard library, so any layer may use it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["StripmapLayout", "ROLES", "GEOMETRY", "OFFSETS", "REFINED_OFFSETS", "COREG",
           "INTERFEROGRAM", "GEO", "DENSE_OFFSETS", "SPLIT_SPECTRUM", "IONOSPHERE", "SUB_BANDS", "REPORT", "PRODUCT_DIRS", "GEOCODE_DEFAULT", "MintPyView",
           "MINTPY_IGRAMS", "MINTPY_GEOMETRY", "MINTPY_BASELINES", "MINTPY_RSC",
           "MINTPY_GEOMETRY_NAMES", "MINTPY_TOPO_PRODUCTS", "date_name", "pair_name",
           "StackLayout", "STACK_DIRS"]

ROLES = ("reference", "secondary")
GEOMETRY = "geometry"                     # topo: lat, lon, z, los, ... .rdr
OFFSETS = "offsets"                       # geo2rdr: range.off, azimuth.off; misreg_*.json
REFINED_OFFSETS = "offsets/refined"       # geometry + misregistration offsets
COREG = "coregisteredSlc"                 # coarse_coreg.slc, refined_coreg.slc
INTERFEROGRAM = "interferogram"           # topophase.*, filt_topophase.*, phsig.cor
GEO = "geo"                               # <product>.geo (+ .tif)
DENSE_OFFSETS = "denseOffsets"            # denseOffsets.bil (+ _snr, _cov), filt{Azimuth,Range}.off
SPLIT_SPECTRUM = "SplitSpectrum"          # {lowBand,highBand}/<date's SLC name>
IONOSPHERE = "ionosphere"                 # dispersive/nondispersive .bil.unwCor.filt, mask.bil
SUB_BANDS = ("lowBand", "highBand")
#: the ionosphere step's products ISCE2 geocodes by default
IONOSPHERE_GEOCODED = ("dispersive.bil.unwCor.filt", "nondispersive.bil.unwCor.filt", "mask.bil")
REPORT = "report.json"
MINTPY_IGRAMS = "Igrams"                  # Igrams/<d1>_<d2>/filt_<d1>_<d2>.unw, .cor, .unw.conncomp
MINTPY_GEOMETRY = "geom_reference"        # <n>.rdr at the interferograms' looks, <n>.rdr.full
MINTPY_BASELINES = "baselines"            # <d1>_<d2>.txt: PERP_BASELINE_BOTTOM/TOP [m]
MINTPY_RSC = "data.rsc"                   # ROI_PAC metadata, beside the reference metadata file
#: the folders a run writes products in ("." itself, the dates' default folders, the rest)
PRODUCT_DIRS = (".", *ROLES, GEOMETRY, OFFSETS, REFINED_OFFSETS, COREG, INTERFEROGRAM, GEO,
                MINTPY_GEOMETRY, MINTPY_BASELINES, DENSE_OFFSETS, IONOSPHERE,
                *(f"{d}/{b}" for d in (SPLIT_SPECTRUM, COREG, INTERFEROGRAM) for b in SUB_BANDS))


@dataclass(frozen=True)
class StripmapLayout:
    """Product paths of a stripmap run folder ``root``. ``slcs`` maps a role
    (``reference``/``secondary``) to its SLC when not the default ``<role>/<role>.slc``
    (a reader's ``OUTPUT``), relative to ``root`` unless absolute."""

    root: str = "."
    slcs: dict = field(default_factory=dict)

    @classmethod
    def of_run(cls, root=".") -> "StripmapLayout":
        """The layout of a run folder, with the SLC paths its ``report.json`` records
        (the defaults when it has none, e.g. before ``endup``)."""
        try:
            recorded = json.loads(Path(root, REPORT).read_text()).get("slc")
        except (OSError, ValueError, AttributeError):
            recorded = None
        slcs = {r: str(p) for r, p in (recorded or {}).items()
                if r in ROLES and isinstance(p, str) and p} if isinstance(recorded, dict) else {}
        return cls(str(root), slcs)

    def path(self, *parts) -> Path:
        """``root``/parts (``Path`` drops a leading ``.``: relative paths stay as written)."""
        return Path(self.root, *parts)

    # --- the dates
    def date_file(self, role: str, suffix: str) -> Path:
        """A date's default product: ``<role>/<role><suffix>`` (no ``OUTPUT`` given)."""
        return self.path(role, f"{role}{suffix}")

    def slc(self, role: str) -> Path:
        """A date's SLC: as recorded (``OUTPUT``) or ``<role>/<role>.slc``."""
        return self.path(self.slcs[role]) if role in self.slcs else self.date_file(role, ".slc")

    def slc_json(self, role: str) -> Path:
        """A date's SLC metadata: ``<slc>.json``."""
        slc = self.slc(role)
        return slc.with_name(slc.name + ".json")

    # --- folders
    @property
    def folders(self) -> tuple[Path, ...]:
        """The product folders startup makes (offsets/refined is made by its step)."""
        return tuple(self.path(d) for d in (GEOMETRY, OFFSETS, COREG, INTERFEROGRAM, GEO))

    @property
    def geometry_dir(self) -> Path:
        return self.path(GEOMETRY)

    @property
    def offsets_dir(self) -> Path:
        return self.path(OFFSETS)

    @property
    def refined_offsets_dir(self) -> Path:
        return self.path(REFINED_OFFSETS)

    @property
    def geo_dir(self) -> Path:
        return self.path(GEO)

    # --- geometry and offsets
    def geometry(self, name: str) -> Path:
        """``geometry/<name>.rdr`` (lat, lon, z, los, inc, hdg, ...)."""
        return self.path(GEOMETRY, f"{name}.rdr")

    def range_offsets(self, folder=None) -> Path:
        """``range.off`` in ``offsets/`` (or another offsets folder, e.g. offsets/refined)."""
        return Path(folder if folder is not None else self.offsets_dir, "range.off")

    def azimuth_offsets(self, folder=None) -> Path:
        """``azimuth.off`` in ``offsets/`` (or another offsets folder)."""
        return Path(folder if folder is not None else self.offsets_dir, "azimuth.off")

    def misreg_json(self, component: str) -> Path:
        """``offsets/misreg_az.json`` or ``misreg_rg.json`` (component ``az``/``rg``)."""
        return self.path(OFFSETS, f"misreg_{component}.json")

    # --- coregistered secondary
    @property
    def coarse_coreg(self) -> Path:
        return self.path(COREG, "coarse_coreg.slc")

    @property
    def refined_coreg(self) -> Path:
        return self.path(COREG, "refined_coreg.slc")

    # --- interferogram
    def interferogram(self, name: str) -> Path:
        """``interferogram/<name>``."""
        return self.path(INTERFEROGRAM, name)

    @property
    def topophase_flat(self) -> Path:
        return self.interferogram("topophase.flat")

    @property
    def topophase_cor(self) -> Path:
        return self.interferogram("topophase.cor")

    @property
    def filt_topophase_flat(self) -> Path:
        return self.interferogram("filt_topophase.flat")

    @property
    def phsig_cor(self) -> Path:
        return self.interferogram("phsig.cor")

    @property
    def filt_topophase_unw(self) -> Path:
        return self.interferogram("filt_topophase.unw")

    @property
    def topophase_unw(self) -> Path:
        """The unfiltered phase with the filtered solution's cycle counts."""
        return self.interferogram("topophase.unw")

    @property
    def fine_coreg(self) -> Path:
        """The secondary resampled with the rubber-sheeted offsets (fine_resample)."""
        return self.path(COREG, "fine_coreg.slc")

    # --- cropping to the region of interest (cropraw, cropslc)
    def raw_crop(self, output) -> Path:
        """A raw date cut to the region: ``<OUTPUT>_raw_crop/<name of OUTPUT>.raw``."""
        return Path(f"{output}_raw_crop", f"{Path(output).name}.raw")

    def slc_crop(self, output) -> Path:
        """A focused date cut to the region: ``<OUTPUT>_slc_crop/<name of OUTPUT>.slc``."""
        return Path(f"{output}_slc_crop", f"{Path(output).name}.slc")

    # --- dense offsets and rubber-sheeting
    def dense_offsets(self, suffix: str = "") -> Path:
        """``denseOffsets/denseOffsets<suffix>.bil`` (suffix "", "_snr", "_cov")."""
        return self.path(DENSE_OFFSETS, f"denseOffsets{suffix}.bil")

    def filtered_dense(self, component: str) -> Path:
        """``denseOffsets/filtAzimuth.off`` or ``filtRange.off`` (component ``az``/``rg``)."""
        return self.path(DENSE_OFFSETS, {"az": "filtAzimuth.off", "rg": "filtRange.off"}[component])

    def sheet_offsets(self, component: str) -> Path:
        """``offsets/azimuth_sheet.off`` or ``range_sheet.off`` (component ``az``/``rg``)."""
        return self.path(OFFSETS, {"az": "azimuth_sheet.off", "rg": "range_sheet.off"}[component])

    # --- split spectrum and ionosphere
    def sub_band_slc(self, band: str, slc) -> Path:
        """``SplitSpectrum/<band>/<name of the date's SLC>`` (band lowBand/highBand)."""
        return self.path(SPLIT_SPECTRUM, band, Path(slc).name)

    def sub_band_coreg(self, band: str) -> Path:
        """``coregisteredSlc/<band>/refined_coreg.slc``: the secondary's sub-band resampled."""
        return self.path(COREG, band, "refined_coreg.slc")

    def sub_band_interferogram(self, band: str, name: str) -> Path:
        """``interferogram/<band>/<name>`` (topophase.flat, filt_topophase.unw, ...)."""
        return self.path(INTERFEROGRAM, band, name)

    def ionosphere(self, name: str) -> Path:
        """``ionosphere/<name>`` (dispersive.bil.unwCor.filt, nondispersive..., mask.bil)."""
        return self.path(IONOSPHERE, name)

    @property
    def filt_topophase_2stage_unw(self) -> Path:
        """The unwrapped phase with its components tied (unwrap2stage)."""
        return self.interferogram("filt_topophase_2stage.unw")

    # --- geocoded, report
    def geocoded(self, product) -> Path:
        """``geo/<name of product>.geo`` (what geocoding writes for a product)."""
        return self.path(GEO, f"{Path(product).name}.geo")

    @property
    def report(self) -> Path:
        return self.path(REPORT)

    def in_geometry(self, product) -> bool:
        """Whether a product path is written as one of ``geometry/`` (full resolution)."""
        return str(product).startswith(f"{GEOMETRY}/")


def _geocode_default() -> list[str]:
    run = StripmapLayout()
    return [str(p) for p in (run.filt_topophase_flat, run.filt_topophase_unw, run.topophase_unw,
                             run.phsig_cor, run.topophase_cor, run.geometry("los"),
                             run.interferogram("filt_topophase.unw.conncomp"),
                             run.filt_topophase_2stage_unw,            # ISCE2 insarApp's list
                             *(run.ionosphere(n) for n in IONOSPHERE_GEOCODED))]


#: insarApp's default ``geocode list`` (relative names, as users write them)
GEOCODE_DEFAULT = _geocode_default()


# ----------------------------------------------------------------------------- MintPy's view
#: the geometry MintPy loads (ISCE2 stripmapStack names; hgt is our z)
MINTPY_GEOMETRY_NAMES = ("hgt", "lat", "lon", "los", "shadowMask", "incLocal")
#: MintPy geometry name -> the topo product (``geometry/<product>.rdr``) it is
MINTPY_TOPO_PRODUCTS = {"hgt": "z", "lat": "lat", "lon": "lon", "los": "los",
                        "shadowMask": "shadowMask", "incLocal": "incLocal"}


def date_name(when) -> str:
    """``YYYYMMDD`` of a date-time (anything with ``year``, ``month``, ``day``), e.g. an SLC's
    sensing mid (UTC): the dates in ISCE2 stripmapStack's (and MintPy's) names."""
    return f"{int(when.year):04d}{int(when.month):02d}{int(when.day):02d}"


def pair_name(date1: str, date2: str) -> str:
    """``<date1>_<date2>`` (``YYYYMMDD_YYYYMMDD``): the pair folder MintPy reads dates from."""
    return f"{date1}_{date2}"


@dataclass(frozen=True)
class MintPyView:
    """ISCE2 stripmapStack's names under ``root`` (the products MintPy's ``prep_isce.py``
    and ``load_data.py`` read): ``Igrams/``, ``geom_reference/``, ``baselines/``."""

    root: str = "."

    def path(self, *parts) -> Path:
        return Path(self.root, *parts)

    def pair_dir(self, date1: str, date2: str) -> Path:
        """``Igrams/<d1>_<d2>``."""
        return self.path(MINTPY_IGRAMS, pair_name(date1, date2))

    def unw(self, date1: str, date2: str) -> Path:
        """``Igrams/<d1>_<d2>/filt_<d1>_<d2>.unw`` (2 bands: amplitude, phase [rad])."""
        return self.pair_dir(date1, date2) / f"filt_{pair_name(date1, date2)}.unw"

    def conncomp(self, date1: str, date2: str) -> Path:
        """``Igrams/<d1>_<d2>/filt_<d1>_<d2>.unw.conncomp``."""
        unw = self.unw(date1, date2)
        return unw.with_name(unw.name + ".conncomp")

    def cor(self, date1: str, date2: str) -> Path:
        """``Igrams/<d1>_<d2>/filt_<d1>_<d2>.cor``: the phase-sigma coherence (ISCE2
        stripmapStack's FilterAndCoherence writes phsig there)."""
        return self.pair_dir(date1, date2) / f"filt_{pair_name(date1, date2)}.cor"

    @property
    def geometry_dir(self) -> Path:
        return self.path(MINTPY_GEOMETRY)

    def geometry(self, name: str, full: bool = False) -> Path:
        """``geom_reference/<name>.rdr`` (at looks) or ``<name>.rdr.full`` (full size)."""
        return self.path(MINTPY_GEOMETRY, f"{name}.rdr" + (".full" if full else ""))

    @property
    def baselines_dir(self) -> Path:
        return self.path(MINTPY_BASELINES)

    def baseline(self, date1: str, date2: str) -> Path:
        """``baselines/<d1>_<d2>.txt`` (MintPy reads ``baselines/*.txt`` for stripmap)."""
        return self.path(MINTPY_BASELINES, f"{pair_name(date1, date2)}.txt")

    @staticmethod
    def rsc_beside(meta_file) -> Path:
        """``data.rsc`` in the folder of the reference metadata file ``meta_file``."""
        return Path(meta_file).with_name(MINTPY_RSC)


# ----------------------------------------------------------------------------- stacks
#: stackStripMap's folders (ISCE2 stripmapStack's names)
STACK_SLC = "SLC"                     # each date as read or focused: SLC/<date>/<date>.slc
STACK_MERGED = "merged/SLC"           # coregistered: merged/SLC/<date>/<date>.slc.full
STACK_GEOMETRY = MINTPY_GEOMETRY      # <name>.rdr.full (full size), <name>.rdr (at looks)
STACK_IGRAMS = MINTPY_IGRAMS          # <d1>_<d2>/filt_<d1>_<d2>.unw ...
STACK_BASELINES = MINTPY_BASELINES    # <ref>_<date>.txt, <d1>_<d2>/<d1>_<d2>.txt
STACK_OFFSETS = "offsets"             # <date>/range.off, azimuth.off, misreg_*.json, refined/
STACK_LOGS = "logs"                   # <task>.log
STACK_TASKS = "tasks"                 # <task>.json: a task's done-marker (written last)
#: the folders a stack run writes products in
STACK_DIRS = (".", STACK_SLC, STACK_MERGED, STACK_GEOMETRY, STACK_IGRAMS, STACK_BASELINES,
              STACK_OFFSETS, STACK_LOGS, STACK_TASKS)


@dataclass(frozen=True)
class StackLayout:
    """Product paths of a stackStripMap run folder ``root`` (dates ``YYYYMMDD``; a pair is
    ``(d1, d2)`` with ``d1`` the earlier date)."""

    root: str = "."

    def path(self, *parts) -> Path:
        return Path(self.root, *parts)

    pair_name = staticmethod(pair_name)

    # --- dates
    def slc(self, date: str) -> Path:
        """A date's own SLC (read or focused, on its own grid): ``SLC/<date>/<date>.slc``."""
        return self.path(STACK_SLC, date, f"{date}.slc")

    def slc_json(self, date: str) -> Path:
        return self.path(STACK_SLC, date, f"{date}.slc.json")

    def raw_json(self, date: str) -> Path:
        """A raw date's metadata: ``SLC/<date>/<date>.raw.json``."""
        return self.path(STACK_SLC, date, f"{date}.raw.json")

    def merged_slc(self, date: str) -> Path:
        """A date coregistered to the reference grid: ``merged/SLC/<date>/<date>.slc.full``."""
        return self.path(STACK_MERGED, date, f"{date}.slc.full")

    def merged_json(self, date: str) -> Path:
        return self.path(STACK_MERGED, date, f"{date}.slc.full.json")

    def data_rsc(self, reference: str) -> Path:
        """MintPy's ROI_PAC metadata beside the reference's: ``merged/SLC/<ref>/data.rsc``."""
        return self.path(STACK_MERGED, reference, MINTPY_RSC)

    # --- geometry
    @property
    def geometry_dir(self) -> Path:
        return self.path(STACK_GEOMETRY)

    def geometry_full(self, name: str) -> Path:
        """``geom_reference/<name>.rdr.full`` (hgt, lat, lon, los, shadowMask, incLocal)."""
        return self.path(STACK_GEOMETRY, f"{name}.rdr.full")

    def geometry(self, name: str) -> Path:
        """``geom_reference/<name>.rdr``: at the interferograms' looks."""
        return self.path(STACK_GEOMETRY, f"{name}.rdr")

    # --- coregistration
    def offsets_dir(self, date: str) -> Path:
        return self.path(STACK_OFFSETS, date)

    def coarse_coreg(self, date: str) -> Path:
        return self.path(STACK_OFFSETS, date, "coarse_coreg.slc")

    # --- interferograms
    def igram_dir(self, d1: str, d2: str) -> Path:
        return self.path(STACK_IGRAMS, self.pair_name(d1, d2))

    def igram(self, d1: str, d2: str, kind: str) -> Path:
        """A pair's product: ``int``/``cor`` (unfiltered, at looks), ``filt_int``,
        ``filt_cor`` (phase sigma), ``unw``, ``conncomp``."""
        name = self.pair_name(d1, d2)
        files = {"int": f"{name}.int", "cor": f"{name}.cor", "filt_int": f"filt_{name}.int",
                 "filt_cor": f"filt_{name}.cor", "unw": f"filt_{name}.unw",
                 "conncomp": f"filt_{name}.unw.conncomp"}
        return self.igram_dir(d1, d2) / files[kind]

    # --- baselines, bookkeeping
    def baseline(self, reference: str, date: str) -> Path:
        """``baselines/<ref>_<date>.txt`` (what MintPy reads)."""
        return self.path(STACK_BASELINES, f"{self.pair_name(reference, date)}.txt")

    def pair_baseline(self, d1: str, d2: str) -> Path:
        name = self.pair_name(d1, d2)
        return self.path(STACK_BASELINES, name, f"{name}.txt")

    @property
    def stack_json(self) -> Path:
        """The dates, the reference, the network and the baselines of the run."""
        return self.path("stack.json")

    @property
    def report(self) -> Path:
        """What the run did: dates, pairs, misregistration, wall time (``report.json``)."""
        return self.path(REPORT)

    def log(self, task: str) -> Path:
        return self.path(STACK_LOGS, f"{task}.log")

    def done(self, task: str) -> Path:
        """A task's done-marker: written last, with its inputs' identity and its outputs."""
        return self.path(STACK_TASKS, f"{task}.json")
