"""COSMO_SKYMED_SLC (SCS_B) and COSMO_SKYMED (RAW_B), first (CSK) and second (CSG) generation:
small X-band products written by isce.simulate.cosmo_skymed and read back (metadata exactly,
pixels within the quantisation), block reads touching only the asked lines, a point target
focused from the 8-bit RAW_B file as well as from the float echoes, damaged copies refused
naming file, HDF5 path and attribute, and insarApp's one-line refusal of a bad file."""
import datetime
import re
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import h5py
import numpy as np
import pytest
from isce_commands import run_command

import isce.io
import isce.sensors
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.doppler import zero_doppler
from isce.core.orbit import Orbit
from isce.core.poly import Poly2d
from isce.core.radargrid import RadarGrid
from isce.core.time import DateTime
from isce.focus.rangecomp import range_compress
from isce.focus.rda import focus_azimuth
from isce.framework.errors import ConfigurationError, InputError
from isce.sensors.cosmo_skymed import read_cosmo_skymed_raw, read_cosmo_skymed_slc
from isce.sensors.product import ImageSource, SlcProduct
from isce.simulate import RadarParameters, orbit_over, simulate_point_targets, target_truth
from isce.simulate.cosmo_skymed import INT16_PEAK, write_cosmo_skymed_raw, write_cosmo_skymed_slc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "focus"))
from focus_helpers import SINC_PSLR_DB, measure_targets  # noqa: E402  (the focusing tests' measure)

LAT, LON = 41.9, 12.5
TARGET = [(LAT, LON, 0.0)]
#: a CSK-like X-band stripmap radar, kept small: 40 MHz chirp of 10 us sampled at 48 MHz
RADAR = RadarParameters(wavelength=SPEED_OF_LIGHT / 9.6e9, prf=3400.0, range_sampling_rate=48e6,
                        chirp_slope=4e12, pulse_length=10e-6, look_side="right",
                        antenna_length=5.7, look_angle=30.0, altitude=619.6e3, inclination=97.86,
                        platform="CSKS2", mission="CSK", polarization="HH")
LINES, SAMPLES = 60, 48
GENERATIONS = [pytest.param(1, id="CSK"), pytest.param(2, id="CSG")]


def _orbit(midnight: bool):
    """X-band orbit over (LAT, LON), 41 vectors 1 s apart; ``midnight``: re-referenced to
    midnight (ASI's Reference UTC) so that times round-trip bit for bit."""
    orbit, tzd = orbit_over(LAT, LON, RADAR.look_angle, "right", RADAR.altitude, RADAR.inclination,
                            time="2021-03-01T05:12:30", duration_s=40, spacing_s=1.0)
    if not midnight:
        return orbit, tzd
    epoch = DateTime(orbit.reference_epoch)
    shift = (epoch - epoch.date_only()).total_seconds()
    return Orbit(orbit.time + shift, orbit.position, orbit.velocity,
                 epoch.date_only().to_datetime64()), tzd + shift


def _slc(tmp_path, midnight=True, pixels=None):
    orbit, tzd = _orbit(midnight)
    rng = np.random.default_rng(3)
    data = pixels if pixels is not None else (
        rng.standard_normal((LINES, SAMPLES)) + 1j * rng.standard_normal((LINES, SAMPLES))
    ).astype(np.complex64) * 100
    path = tmp_path / "input.slc"
    with isce.io.create(str(path), SAMPLES, LINES, "CFLOAT", image_type="slc") as ds:
        ds[slice(0, LINES)] = data
    grid = RadarGrid(sensing_start=tzd - 0.01, reference_epoch=DateTime(orbit.reference_epoch),
                     prf=3400.0, starting_range=716_123.25, range_pixel_spacing=3.1229,
                     length=LINES, width=SAMPLES, wavelength=RADAR.wavelength, look_side="right")
    doppler = Poly2d([[40.0, -2e-4], [0.5, 0.0]], x_mean=716_200.0, y_mean=tzd)
    return SlcProduct(radar_grid=grid, orbit=orbit, doppler=doppler, range_bandwidth=40e6,
                      range_sampling_rate=SPEED_OF_LIGHT / (2 * 3.1229), polarization="VV",
                      platform="CSKS3", source=ImageSource("raster", str(path))), data


def _raw(midnight=True, pulses=256, target_offset=0.0):
    """Echoes of the point target: ``pulses`` pulses centred ``target_offset`` s from its
    beam centre (the full aperture needs about 4000)."""
    orbit, tzd = _orbit(midnight)
    r = target_truth(TARGET, orbit, RADAR.wavelength, "right")[0]["slant_range"]
    half = RADAR.chirp_samples // 2 + 1
    t0 = tzd - r / SPEED_OF_LIGHT - 0.5 * pulses / RADAR.prf + target_offset
    return simulate_point_targets(orbit, RADAR, TARGET, sensing_start=t0, length=pulses,
                                  starting_range=r - (half + 150) * RADAR.range_pixel_spacing,
                                  width=2 * (half + 150)), orbit


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("generation", GENERATIONS)
def test_slc_round_trip(tmp_path, generation):
    product, data = _slc(tmp_path)
    out = write_cosmo_skymed_slc(product, tmp_path / "csk", "reference", generation=generation)
    # right-looking, ascending; first and last lines (60 at 3400 Hz from 05:12:29.99)
    pattern = (r"CSKS3_SCS_B_HI_01_VV_RA_SF_20210301051229_20210301051230\.h5" if generation == 1
               else r"CSG_SSAR3_SCS_B_0101_STR_001_VV_RA_F_20210301051229_20210301051230_1_F_"
                    r"4[12]N_Z3[23]_N00\.h5")
    assert set(out) == {"HDF5"} and re.fullmatch(pattern, out["HDF5"]), out
    back = read_cosmo_skymed_slc(tmp_path / "csk" / out["HDF5"])
    g, h = product.radar_grid, back.radar_grid
    assert h.reference_epoch == g.reference_epoch               # midnight: times bit for bit
    assert (h.sensing_start, h.az_time_interval, h.length, h.width) == \
        (g.sensing_start, g.az_time_interval, g.length, g.width)
    assert h.starting_range == pytest.approx(g.starting_range, rel=1e-15, abs=0)   # via c t / 2
    assert (h.range_pixel_spacing, h.wavelength, h.look_side) == \
        (g.range_pixel_spacing, g.wavelength, g.look_side)
    assert back.center_frequency == product.center_frequency
    assert back.range_sampling_rate == product.range_sampling_rate
    assert back.range_bandwidth == product.range_bandwidth
    assert back.orbit == product.orbit.with_method("hermite")
    assert back.polarization == "VV" and back.mission == ("CSK", "CSG")[generation - 1]
    t = np.linspace(g.sensing_start, g.sensing_stop, 7)[:, None]
    r = (g.starting_range + np.linspace(0, g.width - 1, 7) * g.range_pixel_spacing)[None, :]
    # the separable Doppler survives ASI's polynomials (CSG: through raw time and back)
    assert np.abs(back.doppler.eval(t, r) - product.doppler.eval(t, r)).max() < 1e-6
    image = back.read()
    if generation == 1:      # int16: within half a step of the one Rescaling Factor
        step = np.abs(data.view(np.float32)).max() / INT16_PEAK
        assert np.abs(image.view(np.float32) - data.view(np.float32)).max() <= 0.5 * step * 1.0001
        assert back.attributes["rescaling_factor"] == pytest.approx(1 / step)
        saved = SlcProduct.load(back.save(tmp_path / "back.slc.json"))   # the scale is kept
        assert saved.source.scale == back.source.scale != 1 and np.array_equal(saved.read(), image)
        with h5py.File(tmp_path / "csk" / out["HDF5"]) as h5:
            assert h5["S01/SBI"].dtype == np.int16 and h5["S01/SBI"].shape == (LINES, SAMPLES, 2)
    else:
        assert np.array_equal(image, data)


def test_slc_times_are_exact_with_any_epoch(tmp_path):
    """An epoch other than midnight is moved to ASI's midnight Reference UTC: absolute times
    survive to well below a nanosecond."""
    product, _ = _slc(tmp_path, midnight=False)
    out = write_cosmo_skymed_slc(product, tmp_path, "secondary")
    back = read_cosmo_skymed_slc(tmp_path / out["HDF5"])
    g, h = product.radar_grid, back.radar_grid
    assert h.reference_epoch == g.reference_epoch.date_only() != g.reference_epoch
    first = (h.reference_epoch + h.sensing_start) - (g.reference_epoch + g.sensing_start)
    assert abs(first.total_seconds()) < 1e-9
    shift = (DateTime(product.orbit.reference_epoch) - h.reference_epoch).total_seconds()
    assert np.abs(back.orbit.time - (product.orbit.time + shift)).max() < 1e-9
    assert np.array_equal(back.orbit.position, product.orbit.position)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_raw_round_trip(tmp_path, generation):
    raw, orbit = _raw()
    t_mid = raw.sensing_start + 0.5 * raw.length / raw.prf
    raw = replace(raw, doppler=Poly2d([[-150.0, 3e-4], [2.0, 0.0]], x_mean=raw.starting_range,
                                      y_mean=t_mid))
    out = write_cosmo_skymed_raw(raw, tmp_path, "reference", generation=generation)
    assert out["HDF5"].startswith(("CSKS2_RAW_B_HI_01_HH_RA_SF_2021030105", "CSG_SSAR2_RAW_B_0101"
                                   "_STR_001_HH_RA_F_2021030105")[generation - 1])
    back = read_cosmo_skymed_raw(tmp_path / out["HDF5"])
    for name in ("sensing_start", "prf", "range_sampling_rate", "length", "width", "wavelength",
                 "look_side", "chirp_slope", "pulse_length", "antenna_length", "polarization"):
        assert getattr(back, name) == getattr(raw, name), name
    assert back.starting_range == pytest.approx(raw.starting_range, rel=1e-15, abs=0)
    assert back.orbit == orbit.with_method("hermite")
    t = raw.pulse_time(np.linspace(0, raw.length - 1, 5))[:, None]
    r = raw.slant_range(np.linspace(0, raw.width - 1, 5))[None, :]
    assert np.abs(back.doppler.eval(t, r) - raw.doppler.eval(t, r)).max() < 1e-6
    assert back.source.kind == "cosmo_skymed"
    echoes, truth = back.read(), raw.read()
    step = np.abs(truth.view(np.float32)).max() / 127.5       # the writer's documented gain
    err = np.abs(echoes.view(np.float32) - truth.view(np.float32)).max()
    assert 0.4 * step < err <= 0.5 * step * 1.0001           # 8-bit quantisation, no clipping
    with h5py.File(tmp_path / out["HDF5"]) as h5:
        codes = h5[("S01/B001", "S01/B0001")[generation - 1]][()]
    assert codes.dtype == np.uint8 and codes.min() < 8 and codes.max() > 247


def test_saved_raw_product_decodes_after_a_fresh_import(tmp_path, monkeypatch):
    """raw._DECODER_MODULES names this reader: a saved product's echoes decode in a process
    that never imported it (simulated by forgetting the decoder and the module)."""
    raw, _ = _raw(pulses=16)
    name = write_cosmo_skymed_raw(raw, tmp_path, "reference")["HDF5"]
    read_cosmo_skymed_raw(tmp_path / name).save(tmp_path / "raw.json")
    from isce.sensors import raw as raw_module
    monkeypatch.delitem(raw_module._DECODERS, "cosmo_skymed")
    monkeypatch.delitem(sys.modules, "isce.sensors.cosmo_skymed")
    loaded = raw_module.RawProduct.load(tmp_path / "raw.json")
    assert np.array_equal(loaded.read(), read_cosmo_skymed_raw(tmp_path / name).read())


#: what ISCE2's COSMO_SkyMed_SLC.py / COSMO_SkyMed.py read (path -> attribute names)
ISCE2_SLC = {"/": ["Satellite ID", "Look Side", "Antenna Length", "Multi-Beam ID", "Radar Wavelength",
                   "Orbit Direction", "Orbit Number", "Processing Centre", "L0 Software Version",
                   "Reference UTC", "State Vectors Times", "ECEF Satellite Position",
                   "ECEF Satellite Velocity", "Centroid vs Range Time Polynomial",
                   "Centroid vs Azimuth Time Polynomial", "Range Polynomial Reference Time",
                   "Azimuth Polynomial Reference Time", "Doppler Rate vs Azimuth Time Polynomial"],
             "S01": ["Range Chirp Length", "Range Chirp Rate", "Polarisation"],
             "S01/SBI": ["Column Spacing", "Line Time Interval", "Column Time Interval",
                         "Far Incidence Angle", "Near Incidence Angle", "Zero Doppler Range First Time",
                         "Zero Doppler Range Last Time", "Zero Doppler Azimuth First Time",
                         "Zero Doppler Azimuth Last Time"]}
ISCE2_RAW = {"/": ["Satellite ID", "Look Side", "Antenna Length", "Multi-Beam ID", "Radar Wavelength",
                   "Scene Sensing Start UTC", "Scene Sensing Stop UTC", "Orbit Direction",
                   "Orbit Number", "Processing Centre", "L0 Software Version", "Reference UTC",
                   "State Vectors Times", "ECEF Satellite Position", "ECEF Satellite Velocity",
                   "Centroid vs Range Time Polynomial", "Centroid vs Azimuth Time Polynomial",
                   "Range Polynomial Reference Time", "Azimuth Polynomial Reference Time",
                   "Analog Signal Reconstruction Levels"],
             "S01": ["Equivalent First Column Time", "Sampling Rate", "PRF", "Range Chirp Length",
                     "Range Chirp Rate", "Polarisation"],
             "S01/B001": ["Range First Times"]}


@pytest.mark.parametrize("level", ["slc", "raw"])
def test_first_generation_files_hold_what_isce2_reads(tmp_path, level):
    """ISCE2's readers would read the CSK files: every attribute they use, strings as bytes
    (they call .decode), 'Reference UTC' in the form their strptime expects."""
    if level == "slc":
        name = write_cosmo_skymed_slc(_slc(tmp_path)[0], tmp_path, "reference")["HDF5"]
    else:
        name = write_cosmo_skymed_raw(_raw(pulses=16)[0], tmp_path, "reference")["HDF5"]
    with h5py.File(tmp_path / name) as h5:
        for where, names in (ISCE2_SLC if level == "slc" else ISCE2_RAW).items():
            missing = [n for n in names if n not in h5[where].attrs]
            assert not missing, (where, missing)
        for key in ("Look Side", "Reference UTC", "Satellite ID", "Scene Sensing Start UTC"):
            assert isinstance(h5.attrs[key], bytes), key
        ref = h5.attrs["Reference UTC"].decode("utf-8")
        assert datetime.datetime.strptime(ref, "%Y-%m-%d %H:%M:%S.%f000").time() == datetime.time(0)
        assert h5.attrs["Look Side"].decode("utf-8") == "RIGHT"


def test_raw_point_target_focuses_as_from_float_echoes(tmp_path, monkeypatch):
    """The full aperture of the target, focused from the float echoes and from the RAW_B file
    (8-bit codes): the same point within 1e-3 line/pixel, amplitude 1e-3, phase 1e-3 rad,
    PSLR/ISLR 0.05 dB (measured: 4e-7 line, 2e-6 pixel, 5e-7, 7e-6 rad, 3e-4 dB)."""
    monkeypatch.setenv("ISCE_FFTW_PLANNER", "estimate")        # as tests/focus: cheap plans
    monkeypatch.setenv("ISCE_FFTW_WISDOM", str(tmp_path / "wisdom"))
    raw, orbit = _raw(pulses=6144)
    out = write_cosmo_skymed_raw(raw, tmp_path, "reference")
    back = read_cosmo_skymed_raw(tmp_path / out["HDF5"])
    assert back.doppler.to_dict() == zero_doppler().to_dict()     # zeros read as zero Doppler
    results = []
    for product in (raw, back):
        res = focus_azimuth(range_compress(product))
        results.append(measure_targets(res.data, res.product.radar_grid, TARGET, product.orbit,
                                       RADAR)[0])
    ref, csk = results
    for m in results:                          # both focus well: sinc sidelobes, on the truth
        assert abs(m["dline"]) < 1 / 32 and abs(m["dpixel"]) < 1 / 32
        assert abs(m["range"]["pslr"] - SINC_PSLR_DB) < 0.3
        assert abs(m["azimuth"]["pslr"] - SINC_PSLR_DB) < 0.3
    assert abs(csk["dline"] - ref["dline"]) < 1e-3 and abs(csk["dpixel"] - ref["dpixel"]) < 1e-3
    assert abs(csk["amplitude"] / ref["amplitude"] - 1) < 1e-3
    assert abs(csk["dphase"] - ref["dphase"]) < 1e-3
    for axis in ("range", "azimuth"):
        for k in ("pslr", "islr"):
            assert abs(csk[axis][k] - ref[axis][k]) < 0.05, (axis, k)


def test_two_passes_never_overwrite_each_other(tmp_path):
    product, _ = _slc(tmp_path)
    first = write_cosmo_skymed_slc(product, tmp_path, "reference")
    assert write_cosmo_skymed_slc(product, tmp_path, "reference") == first    # rewritten
    with pytest.raises(ValueError, match="already holds pass 'reference'"):
        write_cosmo_skymed_slc(product, tmp_path, "secondary")
    raw, _ = _raw(pulses=32)
    write_cosmo_skymed_raw(raw, tmp_path, "reference")
    with pytest.raises(ValueError, match="already holds pass 'reference'"):
        write_cosmo_skymed_raw(raw, tmp_path, "secondary")


# ------------------------------------------------------------------ streaming
def _record_reads(monkeypatch):
    seen = []
    original = h5py.Dataset.__getitem__

    def recording(self, key):
        if self.ndim == 3:
            seen.append((self.name, key))
        return original(self, key)

    monkeypatch.setattr(h5py.Dataset, "__getitem__", recording)
    return seen


def _rows(key):
    first = key[0] if isinstance(key, tuple) else key
    return first.start, first.stop


@pytest.mark.parametrize("level", ["slc", "raw"])
def test_block_reads_read_only_the_asked_lines(tmp_path, monkeypatch, level):
    if level == "slc":
        product, _ = _slc(tmp_path)
        path = tmp_path / write_cosmo_skymed_slc(product, tmp_path, "reference")["HDF5"]
        back = read_cosmo_skymed_slc(path)
    else:
        product, _ = _raw()
        path = tmp_path / write_cosmo_skymed_raw(product, tmp_path, "reference")["HDF5"]
        back = read_cosmo_skymed_raw(path)
    seen = _record_reads(monkeypatch)
    block = back.read(slice(20, 30))
    assert block.shape == (10, back.width)
    assert [_rows(key) for _, key in seen] == [(20, 30)]
    seen.clear()
    blocks = list(back.iter_blocks(16))
    assert [_rows(key) for _, key in seen] == [(s, min(s + 16, back.length))
                                               for s in range(0, back.length, 16)]
    assert all(b.shape[0] <= 16 for _, b in blocks)


def test_extract_writes_the_isce_raster(tmp_path):
    product, data = _slc(tmp_path, pixels=(np.arange(LINES * SAMPLES).reshape(LINES, SAMPLES)
                                           * (1 - 2j)).astype(np.complex64))
    out = write_cosmo_skymed_slc(product, tmp_path, "reference", generation=2)
    reader = isce.sensors.create("COSMO_SKYMED_SLC", name="reference")
    reader.hdf5 = str(tmp_path / out["HDF5"])
    slc = reader.extract(str(tmp_path / "reference.slc"))
    assert slc.source.format == "raster"
    assert np.array_equal(isce.io.open(str(tmp_path / "reference.slc")).read(), data)


def test_readers_use_isce2_property_names():
    for name in ("COSMO_SKYMED_SLC", "COSMO_SKYMED"):
        assert {"HDF5", "OUTPUT"} <= set(isce.sensors.create(name).public_names())


def test_raw_reader_refuses_a_list_of_frames(tmp_path):
    reader = isce.sensors.create("COSMO_SKYMED", name="reference")
    reader.hdf5 = [str(tmp_path / "a.h5"), str(tmp_path / "b.h5")]
    with pytest.raises(ConfigurationError, match="HDF5.*stitching COSMO-SkyMed frames|stitching"):
        reader.parse()


# ------------------------------------------------------------------ damaged copies
def _delete(where, name=None):
    def change(h5):
        if name is None:
            del h5[where]
        else:
            del h5[where].attrs[name]
    return change


def _set(where, name, value):
    def change(h5):
        h5[where].attrs[name] = value
    return change


def _reshape_image(h5):
    del h5["S01/SBI"]
    h5.create_dataset("S01/SBI", data=np.zeros((LINES, SAMPLES), np.int16))


SLC_DAMAGE = {
    "missing image": (_delete("S01/SBI"), ["missing dataset /S01/SBI"]),
    "image of the wrong shape": (_reshape_image, ["/S01/SBI has shape (60, 48)",
                                                 "(lines, samples, 2)"]),
    "missing Reference UTC": (_delete("/", "Reference UTC"),
                              ["missing attribute 'Reference UTC' of /"]),
    "blank look side": (_set("/", "Look Side", np.bytes_(b"  ")),
                        ["attribute 'Look Side' of / is blank"]),
    "wrong look side": (_set("/", "Look Side", np.bytes_(b"UP")),
                        ["attribute 'Look Side' = 'UP'"]),
    "orbit of the wrong shape": (_set("/", "ECEF Satellite Position", np.zeros((41, 2))),
                                 ["attribute 'ECEF Satellite Position' of / has shape (41, 2)",
                                  "expected (41, 3)"]),
    "missing line interval": (_delete("S01/SBI", "Line Time Interval"),
                              ["missing attribute 'Line Time Interval' of /S01/SBI"]),
    "non-finite range time": (_set("S01/SBI", "Zero Doppler Range First Time", np.nan),
                              ["attribute 'Zero Doppler Range First Time' of /S01/SBI holds "
                               "non-finite"]),
    "last time disagreeing": (_set("S01/SBI", "Zero Doppler Azimuth Last Time", 0.0),
                              ["attribute 'Zero Doppler Azimuth Last Time' of /S01/SBI = 0.0"]),
    "frequency disagreeing": (_set("/", "Radar Frequency", 5.4e9),
                              ["'Radar Wavelength'", "'Radar Frequency' = 5400000000.0 Hz disagree"]),
    "missing Doppler": (_delete("/", "Centroid vs Range Time Polynomial"),
                        ["missing attribute 'Centroid vs Range Time Polynomial' of /"]),
    "raw product": (_set("/", "Product Type", np.bytes_(b"RAW_B")),
                    ["'Product Type' is 'RAW_B', expected 'SCS_B'", "sensor name COSMO_SKYMED)"]),
    "another mission": (_set("/", "Mission ID", np.bytes_(b"TSX")),
                        ["'Mission ID' is 'TSX': not a COSMO-SkyMed product"]),
}


@pytest.mark.parametrize("damage", sorted(SLC_DAMAGE))
def test_damaged_slc_is_refused_naming_file_and_place(tmp_path, damage):
    product, _ = _slc(tmp_path)
    name = write_cosmo_skymed_slc(product, tmp_path, "reference")["HDF5"]
    change, words = SLC_DAMAGE[damage]
    with h5py.File(tmp_path / name, "r+") as h5:
        change(h5)
    with pytest.raises(InputError) as err:
        read_cosmo_skymed_slc(tmp_path / name).read()
    message = str(err.value)
    assert "\n" not in message and message.startswith(str(tmp_path / name)), message
    for word in words:
        assert word in message, message


def test_neither_generation_is_refused_in_one_line(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as h5:
        h5.create_dataset("S01/QLK", data=np.zeros((2, 2)))
    with pytest.raises(InputError, match=r"other.h5: not a COSMO-SkyMed product: no root "
                                         r"attribute 'Mission ID' and neither of /S01/SBI"):
        read_cosmo_skymed_slc(path)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_generation_is_detected_without_mission_id(tmp_path, generation):
    product, _ = _slc(tmp_path)
    name = write_cosmo_skymed_slc(product, tmp_path, "x", generation=generation)["HDF5"]
    with h5py.File(tmp_path / name, "r+") as h5:
        del h5.attrs["Mission ID"]
    assert read_cosmo_skymed_slc(tmp_path / name).attributes["generation"] == generation


def test_truncated_file_is_refused(tmp_path):
    product, _ = _slc(tmp_path)
    name = write_cosmo_skymed_slc(product, tmp_path, "reference")["HDF5"]
    data = (tmp_path / name).read_bytes()
    (tmp_path / "cut.h5").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut.h5: truncated HDF5 file"):
        read_cosmo_skymed_slc(tmp_path / "cut.h5")


RAW_DAMAGE = {
    "missing levels": (_delete("/", "Analog Signal Reconstruction Levels"),
                       ["missing attribute 'Analog Signal Reconstruction Levels' of /"]),
    "short levels": (_set("/", "Analog Signal Reconstruction Levels", np.arange(16.0)),
                     ["'Analog Signal Reconstruction Levels' has 16 values"]),
    "SWST changes": (lambda h5: (_set("S01/B001", "Range First Times",
                                      np.array([4.7e-3, 4.8e-3]))(h5),
                                 _set("S01", "Equivalent First Column Time", np.nan)(h5)),
                     ["'Range First Times' of /S01/B001 holds 2 different",
                      "'Equivalent First Column Time' of /S01 is NaN"]),
    "start times disagreeing": (_set("S01/B001", "Azimuth First Time", 10.0),
                                ["'Azimuth First Time' of /S01/B001 (10.0 s)",
                                 "'Scene Sensing Start UTC'", "disagree"]),
    "missing PRF": (_delete("S01", "PRF"), ["missing attribute 'PRF' of /S01"]),
    "negative PRF": (_set("S01", "PRF", -3400.0), ["attribute 'PRF' of /S01 = -3400.0"]),
    "signed echoes": (lambda h5: (h5.__delitem__("S01/B001"),
                                  h5.create_dataset("S01/B001", data=np.zeros((4, 4, 2), np.int8))),
                      ["/S01/B001 has data type int8"]),
}


@pytest.mark.parametrize("damage", sorted(RAW_DAMAGE))
def test_damaged_raw_is_refused_naming_file_and_place(tmp_path, damage):
    raw, _ = _raw(pulses=32)
    name = write_cosmo_skymed_raw(raw, tmp_path, "reference")["HDF5"]
    change, words = RAW_DAMAGE[damage]
    with h5py.File(tmp_path / name, "r+") as h5:
        change(h5)
    with pytest.raises(InputError) as err:
        read_cosmo_skymed_raw(tmp_path / name)
    message = str(err.value)
    assert "\n" not in message and message.startswith(str(tmp_path / name)), message
    for word in words:
        assert word in message, message


def test_raw_adjusted_for_swst_changes_is_read_as_isce2(tmp_path):
    """Several 'Range First Times' with an 'Equivalent First Column Time': the first one."""
    raw, _ = _raw(pulses=32)
    name = write_cosmo_skymed_raw(raw, tmp_path, "reference")["HDF5"]
    tau0 = 2 * raw.starting_range / SPEED_OF_LIGHT
    with h5py.File(tmp_path / name, "r+") as h5:
        h5["S01/B001"].attrs["Range First Times"] = np.array([tau0, tau0 + 1e-7])
    assert read_cosmo_skymed_raw(tmp_path / name).starting_range == \
        pytest.approx(raw.starting_range, rel=1e-15)


def test_raw_lines_of_a_file_cut_after_parsing_are_refused(tmp_path):
    raw, _ = _raw(pulses=64)
    name = write_cosmo_skymed_raw(raw, tmp_path, "reference")["HDF5"]
    product = read_cosmo_skymed_raw(tmp_path / name)
    data = (tmp_path / name).read_bytes()
    (tmp_path / name).write_bytes(data[: len(data) - 40 * product.width])
    with pytest.raises(InputError, match=re.escape(str(tmp_path / name))):
        product.read(slice(50, 64))


# ------------------------------------------------------------------ insarApp
def test_insarapp_refuses_a_bad_cosmo_skymed_file_in_one_line(tmp_path):
    product, _ = _slc(tmp_path)
    good = write_cosmo_skymed_slc(product, tmp_path / "data", "reference")["HDF5"]
    bad = tmp_path / "data" / "bad.h5"
    shutil.copy(tmp_path / "data" / good, bad)
    with h5py.File(bad, "r+") as h5:
        del h5["S01/SBI"].attrs["Column Time Interval"]
    dates = "".join(f'<component name="{d}"><property name="HDF5">{f}</property></component>'
                    for d, f in (("reference", bad), ("secondary", tmp_path / "data" / good)))
    (tmp_path / "insarApp.xml").write_text(
        '<insarApp><component name="insar"><property name="Sensor Name">COSMO_SKYMED_SLC'
        f"</property>{dates}</component></insarApp>")
    proc = run_command("insarApp.py", "insarApp.xml", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = [ln for ln in proc.stderr.splitlines() if "insarApp.py:" in ln]
    assert len(lines) == 1 and lines[0].startswith("insarApp.py: error: "), proc.stderr[-3000:]
    assert str(bad) in lines[0] and "missing attribute 'Column Time Interval' of /S01/SBI" in lines[0]
