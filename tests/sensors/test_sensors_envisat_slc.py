"""ENVISAT_SLC / ERS_ENVISAT_SLC (ESA IMS in N1): the real ASAR IMS header and the real ERS PRI
header of ../shared/data/real_headers, ESA's geolocation grid against our rdr2geo, and small
products written by isce.simulate.envisat_n1 read back (metadata, pixels, block reads, DORIS
orbits), damaged copies refused with file, data set and byte, insarApp refusing a header
without image lines in one line."""
import datetime as dt
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import isce.io
import isce.sensors
from isce.core.constants import SPEED_OF_LIGHT
from isce.core.ellipsoid import WGS84
from isce.core.radargrid import RadarGrid
from isce.framework.errors import ConfigurationError, InputError
from isce.geometry.rdr2geo import rdr2geo_points
from isce.sensors import envisat_n1 as n1
from isce.sensors.envisat_slc import (DOPPLER, GEOLOCATION, MPP, geolocation_grid,
                                      read_envisat_slc, read_n1_slc_header)
from isce.sensors.product import ImageSource, SlcProduct
from isce.simulate.envisat_n1 import (GAIN_PEAK, DataSet, mph_values, n1_header,
                                      write_envisat_slc, write_ers_envisat_slc)
from isce.simulate.orbit import orbit_over
from isce_commands import run_command

IMS = ("real_headers", "ASA_IMS_1PNESA20040703_205338_000000182028_00172_12250_"
       "00001672562030318361237.N1")
PRI = ("real_headers", "SAR_IMP_1PXESA19960808_205906_00000017G158_00458_26498_2615.E1")
C = SPEED_OF_LIGHT


@pytest.fixture
def ims(shared_data):
    return shared_data(*IMS)


@pytest.fixture
def header(ims):
    return read_n1_slc_header(ims)


# ----------------------------------------------------------------------------- the real IMS
def test_main_processing_parameters_agree_with_the_sph(header):
    """The MPP (2009 bytes + PF-ASAR 6.03's extension) against the SPH's redundant fields."""
    m, sph = header.mpp, header.n1.sph
    assert header.mpp_dsd.dsr_size == 10069 and header.mission == "ENVISAT"
    assert header.first_line == sph.time("FIRST_LINE_TIME") == dt.datetime(2004, 7, 3, 20, 53, 38, 232230)
    assert header.last_line == sph.time("LAST_LINE_TIME") == dt.datetime(2004, 7, 3, 20, 53, 56, 573257)
    assert m["swath_num"] == b"IS2" and m["data_type"] == b"SWORD"
    assert (header.lines, header.samples) == (30308, sph.integer("LINE_LENGTH", "samples")) == (30308, 5177)
    assert header.mds.num_dsr == 30308
    assert float(m["range_spacing"]) == pytest.approx(sph.real("RANGE_SPACING", "m"), abs=5e-9)
    assert float(m["range_spacing"]) == pytest.approx(C / (2 * header.range_sampling_rate), rel=1e-7)
    assert header.line_time_interval == pytest.approx(sph.real("LINE_TIME_INTERVAL", "s"), rel=1e-8)
    assert float(m["azimuth_spacing"]) == pytest.approx(sph.real("AZIMUTH_SPACING", "m"), rel=1e-8)
    span = (header.last_line - header.first_line).total_seconds()
    assert span == pytest.approx((header.lines - 1) * header.line_time_interval, abs=1e-6)
    assert float(m["prf_value"][0]) == pytest.approx(1 / header.line_time_interval, rel=1e-7)
    assert float(m["prf_value"][0]) == pytest.approx(1652.4156, abs=1e-4)
    assert header.range_sampling_rate == 19207680.0
    assert header.radar_frequency == 5331004416.0 == float(np.float32(5331004416.0))   # float32
    assert float(m["avg_scene_height_ellpsoid"]) == pytest.approx(276.7301, abs=1e-4)


def test_chirp_and_doppler_of_the_real_ims(header):
    m = header.mpp
    pulse, bandwidth = float(m["tx_pulse_len_value"][0]), float(m["tx_pulse_bw_value"][0])
    assert pulse == pytest.approx(27.1766e-6, rel=1e-5) and bandwidth == 16.0e6
    assert float(m["tot_bw_range"][0]) == 16.0e6 and m["filter_range"] == b"HAMMING"
    # nominal chirp phase: phi = phs_1 + phs_2 t + phs_3 t^2 cycles -> rate 2 phs_3 = B / T
    assert 2 * float(m["nominal_chirp"][0]["phs"][2]) == pytest.approx(bandwidth / pulse, rel=1e-6)
    assert float(m["to_bw_az"]) == 1316.0 and m["filter_az"] == b"HAMMING"
    chirp = header.chirp
    assert n1.mjd_datetime(*chirp["zero_doppler_time"].tolist()) == header.first_line
    assert chirp["polar"] == b"V/V"
    assert float(chirp["chirp_width"]) == pytest.approx(1.07142, abs=1e-5)
    assert float(chirp["chirp_sidelobe"]) == pytest.approx(-12.4944, abs=1e-4)
    assert float(chirp["chirp_islr"]) == pytest.approx(-9.8664, abs=1e-4)
    (dop,) = header.doppler
    when = n1.mjd_datetime(*dop["zero_doppler_time"].tolist())
    assert header.first_line < when < header.last_line                # mid-scene estimate
    assert float(dop["slant_range_time"]) == 5527279.0                 # ns, two-way
    assert list(dop["dop_coef"][:3]) == pytest.approx([-604.6025, -457815.6, 1.608701e8], rel=1e-6)
    assert float(dop["dop_conf"]) == pytest.approx(0.99005, abs=1e-5)
    product = read_envisat_slc(header.path, require_image=False)
    est = product.attributes["doppler_centroid"][0]
    assert est["reference_point"] == pytest.approx(5.527279e-3) and est["coefficients"][0] == pytest.approx(-604.6025)
    assert product.is_zero_doppler and product.polarization == "VV"


def test_state_vectors_of_the_mpp_and_the_mph(header):
    """The MPP's 5 vectors run evenly from the first to the last line; the MPH's DORIS vector
    (10.2 s before the first line) lies on the same orbit: a cubic through the 5 MPP vectors,
    extrapolated back to it, agrees within 0.3 m and 1 mm/s (the MPP stores 1 cm and 1e-5 m/s;
    extrapolating 10 s beyond a 18.3-s span amplifies the cm rounding about tenfold; another
    orbit solution, e.g. FOS restituted, differs by metres)."""
    when, pos, vel = header.state_vectors()
    assert when[0] == header.first_line and when[-1] == header.last_line
    steps = np.diff([(w - when[0]).total_seconds() for w in when])
    assert steps == pytest.approx(np.full(4, 4.585257), abs=1.5e-6)     # times to 1 us
    assert pos[0] == pytest.approx([5350934.52, 866491.98, 4675604.42], abs=0.005)
    assert vel[0] == pytest.approx([-4428.14636, -2601.61670, 5534.99960], abs=5e-6)
    assert np.linalg.norm(pos, axis=1) == pytest.approx(np.full(5, 7.16e6), rel=2e-3)
    assert np.linalg.norm(vel, axis=1) == pytest.approx(np.full(5, 7.55e3), rel=2e-3)   # ECEF
    t0, p0, v0 = header.mph_state_vector()
    assert header.n1.mph.text("VECTOR_SOURCE") == "DP"
    t = np.array([(w - t0).total_seconds() for w in when])
    P = np.polynomial.polynomial
    p_fit = np.array([P.polyval(0.0, P.polyfit(t, pos[:, i], 3)) for i in range(3)])
    v_fit = np.array([P.polyval(0.0, P.polyfit(t, vel[:, i], 3)) for i in range(3)])
    assert np.linalg.norm(p_fit - p0) < 0.3
    assert np.linalg.norm(v_fit - v0) < 1e-3


def test_geolocation_grid_structure(header):
    """13 granules of contiguous lines covering the image, 11 tie points from sample 1 to
    5177, line times on the MPP's line grid, range times on the sampling grid (float32 ns),
    corner coordinates repeated in the SPH."""
    geo = header.geolocation
    assert len(geo) == 13 and header.n1.dsd(GEOLOCATION.name).dsr_size == GEOLOCATION.size
    first = geo["line_num"].astype(int)
    count = geo["num_lines"].astype(int)
    assert first[0] == 1 and np.all(first[1:] == first[:-1] + count[:-1])
    assert first[-1] + count[-1] - 1 == header.lines
    g = geolocation_grid(header, read_envisat_slc(header.path, require_image=False).radar_grid.reference_epoch)
    t_first = (header.first_line - dt.datetime(2004, 7, 3, 20, 53, 38)).total_seconds()
    assert g["time"] == pytest.approx(t_first + (g["line"] - 1) * header.line_time_interval, abs=1e-6)
    samples = g["sample"].reshape(-1, 11)[0]
    assert list(samples) == [1, 519, 1037, 1555, 2073, 2589, 3109, 3627, 4145, 4663, 5177]
    tau = g["range_time"].reshape(-1, 11)
    assert np.all(tau == tau[0])                                      # the same on every line
    assert tau[0] - tau[0, 0] == pytest.approx((samples - 1) / header.range_sampling_rate, abs=0.3e-9)
    assert np.all((geo["swath"] == b"IS2"))
    sph = header.n1.sph
    assert g["lat"][0] == sph.integer("FIRST_NEAR_LAT", "10-6degN") * 1e-6
    assert g["lon"][10] == sph.integer("FIRST_FAR_LONG", "10-6degE") * 1e-6
    # ESA's SPH corner is one storage unit (1e-6 deg, 0.1 m) from its own last tie point
    assert g["lat"][-1] == pytest.approx(sph.integer("LAST_FAR_LAT", "10-6degN") * 1e-6, abs=1.01e-6)
    assert g["incidence"].min() == pytest.approx(18.67, abs=0.01)
    assert g["incidence"].max() == pytest.approx(26.24, abs=0.01)


def _offsets_m(lat, lon, ref_lat, ref_lon):
    """(north, east) [m] of points from reference points (local spherical approximation)."""
    north = (lat - ref_lat) * math.pi / 180 * WGS84.r_north(np.radians(ref_lat))
    east = (lon - ref_lon) * math.pi / 180 * WGS84.r_east(np.radians(ref_lat)) * np.cos(np.radians(ref_lat))
    return north, east


def test_geolocation_grid_against_our_rdr2geo(header, capsys):
    """ESA's tie points are where our rdr2geo puts them, on the ellipsoid raised by the MPP's
    average scene height (276.73 m): reported per point (-s shows them).

    What ESA's grid is: the IMS geolocation grid gives each tie point's zero-Doppler time,
    two-way slant-range time and latitude/longitude computed by ESA's processor on the WGS84
    ellipsoid raised by ``avg_scene_height_ellpsoid`` (the ADSR has no height field; that it
    is this height and not the ellipsoid is shown below: at h = 0 every point moves
    h / tan(incidence) across track, 560-820 m, as ESA's incidence angles predict).

    Agreement reached with the product's own orbit (the MPP's 5 state vectors, 4.585 s apart,
    Hermite interpolation) at the average height: 0.39 m at worst, 0.18 m RMS. Budget:
    * across track (range): ESA stores range times as float32 ns (resolution 0.5 ns: up to
      3.7 cm of slant range, 0.11 m on the ground at 19-26 deg incidence) -- the residual's
      column pattern, identical on every grid line -- plus a constant 0.13 m (0.3 ns);
    * along track, up to 0.36 m, smooth in time: our Hermite interpolation of 5 vectors
      whose velocities differ from the derivative of their (1-cm) positions by up to 7.7 mm/s
      moves the zero-Doppler plane by up to R dv / v = 0.85 m; ESA interpolated its own
      (denser) DORIS orbit. With the velocities replaced by the positions' derivative the
      along-track residual drops to 0.20 m;
    * latitude/longitude stored to 1e-6 deg: up to 0.06 m; times to 1 us: 7 mm.
    The tolerance, 0.5 m per point, is that budget (0.11 + 0.13 across, 0.36 along track,
    rounded up), not a fit to the result."""
    product = read_envisat_slc(header.path, require_image=False)
    assert product.attributes["orbit_source"] == "MPP"
    g = geolocation_grid(header, product.radar_grid.reference_epoch)
    ranges = C * g["range_time"] / 2
    height = float(header.mpp["avg_scene_height_ellpsoid"])

    def solve(h):
        llh, ok = rdr2geo_points(g["time"], ranges, product.orbit, product.wavelength, "right",
                                 heights=np.full(len(ranges), h))
        assert ok.all()
        return _offsets_m(np.degrees(llh[:, 1]), np.degrees(llh[:, 0]), g["lat"], g["lon"])

    north, east = solve(height)
    error = np.hypot(north, east)
    with capsys.disabled():
        print(f"\nESA geolocation grid vs rdr2geo at h = {height:.2f} m (MPP orbit): "
              f"max {error.max():.3f} m, RMS {np.sqrt(np.mean(error ** 2)):.3f} m over {len(error)} points")
        for k in range(0, len(error), 11):
            print(f"  line {int(g['line'][k]):5d}: " + " ".join(f"{e:.2f}" for e in error[k:k + 11]))
    assert error.max() < 0.5
    north0, east0 = solve(0.0)
    shift = np.hypot(north0, east0)
    expected = height / np.tan(np.radians(g["incidence"]))
    assert shift == pytest.approx(expected, rel=0.02)                # h / tan(incidence)
    assert shift.min() > 550


def test_header_without_image_lines_is_refused_by_the_readers(ims):
    for sensor in ("ENVISAT_SLC",):
        reader = isce.sensors.create(sensor, name="reference")
        reader.image_file = str(ims)
        with pytest.raises(InputError) as err:
            reader.parse()
        assert str(err.value) == (f"{ims}: no image data: the file ends at byte 25896, where DSD "
                                  "11 (MDS1) (30308 lines of 20725 bytes) starts (a header-only copy?)")
    product = read_envisat_slc(ims, require_image=False)
    assert product.attributes["image_lines_present"] == 0 and product.shape == (30308, 5177)


def test_the_real_ers_pri(shared_data):
    """The ERS-1 PRI (N1): the MPP (PF-ASAR before 6.02: 2009 bytes) decodes with the same
    layout; ERS_ENVISAT_SLC refuses it in one line: a PRI is not an SLC."""
    path = shared_data(*PRI)
    f = n1.open_n1(path)
    (m,) = f.read_ads(MPP.name, MPP)
    assert n1.mjd_datetime(*m["first_zero_doppler_time"].tolist()) == f.sph.time("FIRST_LINE_TIME")
    assert n1.mjd_datetime(*m["first_zero_doppler_time"].tolist()) == dt.datetime(1996, 8, 8, 20, 59, 6, 396550)
    assert float(m["prf_value"][0]) == pytest.approx(1679.902, abs=1e-3)
    assert float(m["range_samp_rate"]) == 18962468.0 and float(m["radar_freq"]) == np.float32(5.3e9)
    assert float(m["tx_pulse_len_value"][0]) == pytest.approx(37.126e-6, rel=1e-4)
    assert float(m["tx_pulse_bw_value"][0]) == 15.55e6
    assert float(m["range_spacing"]) == 12.5 and m["data_type"] == b"UWORD"   # ground range
    assert (int(m["num_output_lines"]), int(m["num_samples_per_line"])) == (9242, 8089)
    sv = m["orbit_state_vectors"]
    assert n1.mjd_datetime(*sv[-1]["time"].tolist()) == f.sph.time("LAST_LINE_TIME")
    assert np.linalg.norm([sv[0]["x"], sv[0]["y"], sv[0]["z"]]) * 1e-2 == pytest.approx(7.16e6, rel=3e-3)
    (dop,) = f.read_ads(DOPPLER.name, DOPPLER)
    assert float(dop["dop_coef"][0]) == pytest.approx(-256.35, abs=0.01)
    assert len(f.read_ads(GEOLOCATION.name, GEOLOCATION)) == 12
    reader = isce.sensors.create("ERS_ENVISAT_SLC", name="reference")
    reader.image_file = str(path)
    with pytest.raises(InputError) as err:
        reader.parse()
    assert str(err.value) == (f"{path}: MPH key PRODUCT at byte offset 0: product type SAR_IMP_1P "
                              "is a precision image (PRI, ground range), not an SLC (IMS)")


def _error_line(proc):
    err = proc.stderr
    assert proc.returncode == 2 and "Traceback" not in err, err[-3000:]
    lines = [ln.strip() for ln in err.splitlines() if "insarApp.py:" in ln]
    assert len(lines) == 1 and lines[0].startswith("insarApp.py: error: "), err[-3000:]
    return lines[0]


def test_insarapp_refuses_the_real_header_in_one_line(ims, tmp_path):
    dates = "".join(f'<component name="{d}"><property name="IMAGEFILE">{ims}</property></component>'
                    for d in ("reference", "secondary"))
    (tmp_path / "insarApp.xml").write_text(
        '<insarApp><component name="insar"><property name="sensor name">ENVISAT_SLC</property>'
        f"{dates}</component></insarApp>")
    line = _error_line(run_command("insarApp.py", "insarApp.xml", cwd=tmp_path))
    assert f"{ims}: no image data" in line, line
    steps = re.findall(r"step \d+/\d+ '(\w+)'", (tmp_path / "isce.log").read_text())
    assert steps == ["startup", "preprocess"], steps


# ----------------------------------------------------------------------------- written products
LAT, LON = 42.0, 12.5
LINES, SAMPLES = 61, 41
F0, FS, PRF = 5331004416.0, 19.20768e6, 1652.4156494140625


def _product(folder, mission="ENVISAT"):
    orbit, t_zd = orbit_over(LAT, LON, 21.5, "right", 790e3, 98.55, time="2004-07-03T20:53:48.5",
                             ascending=True, duration_s=120.0, spacing_s=10.0)
    target = WGS84.lon_lat_to_xyz(np.array([np.radians(LON), np.radians(LAT), 0.0]))
    r = float(np.linalg.norm(target - orbit.interpolate(t_zd)[0]))
    dr = C / (2 * FS)
    first = round((t_zd - (LINES - 1) / 2 / PRF) * 1e6) / 1e6
    grid = RadarGrid(first, orbit.reference_epoch, prf=PRF, starting_range=r - (SAMPLES - 1) / 2 * dr,
                     range_pixel_spacing=dr, length=LINES, width=SAMPLES, wavelength=C / F0,
                     look_side="right")
    rng = np.random.default_rng(7)
    z = (100 * (rng.standard_normal((LINES, SAMPLES)) + 1j * rng.standard_normal((LINES, SAMPLES))))
    z = z.astype(np.complex64)
    z[5] = 0
    isce.io.write(str(folder / "in.slc"), z)
    return SlcProduct(radar_grid=grid, orbit=orbit, range_bandwidth=16e6, azimuth_bandwidth=1316.0,
                      range_sampling_rate=FS, polarization="VV", platform=mission, mission=mission,
                      source=ImageSource("raster", str(folder / "in.slc"))), z


@pytest.fixture
def written(tmp_path):
    product, pixels = _product(tmp_path)
    props = write_envisat_slc(product, tmp_path / "sim", "reference")
    return product, pixels, {k: tmp_path / "sim" / v for k, v in props.items()}


def _absolute(grid):
    return grid.reference_epoch.nanoseconds_since_unix_epoch + round(grid.sensing_start * 1e9)


def _reader(sensor, **settings):
    reader = isce.sensors.create(sensor, name="reference")
    for key, value in settings.items():
        setattr(reader, key, None if value is None else str(value))
    return reader


def test_writer_returns_the_reader_properties(written):
    _, _, files = written
    assert set(files) == {"IMAGEFILE", "ORBITFILE"}
    assert re.fullmatch(r"ASA_IMS_1PNISC20040703_\d{6}_00000001\d{4}_\d{5}_\d{5}_\d{4}\.N1",
                        files["IMAGEFILE"].name)
    assert files["ORBITFILE"].name.startswith("DOR_VOR_AXVF-P2004")
    assert n1.open_n1(files["IMAGEFILE"]).size == n1.open_n1(files["IMAGEFILE"]).tot_size


def test_metadata_round_trip(written):
    product, _, files = written
    got = _reader("ENVISAT_SLC", image_file=files["IMAGEFILE"], orbit_file=files["ORBITFILE"]).parse()
    g0, g1 = product.radar_grid, got.radar_grid
    assert abs(_absolute(g1) - _absolute(g0)) <= 500                  # ns: to the microsecond
    assert g1.prf == pytest.approx(g0.prf, rel=1e-7)                  # float32 line interval
    assert abs(g1.starting_range - g0.starting_range) <= 0.038        # float32 ns: 0.25 ns
    assert g1.range_pixel_spacing == pytest.approx(g0.range_pixel_spacing, rel=1e-12)
    assert g1.wavelength == pytest.approx(g0.wavelength, rel=1e-7)
    assert (g1.length, g1.width, g1.look_side) == (LINES, SAMPLES, "right")
    assert (got.polarization, got.mission, got.orbit_type) == ("VV", "ENVISAT", "DORIS")
    assert got.range_bandwidth == 16e6 and got.azimuth_bandwidth == 1316.0
    t = g1.sensing_start + np.arange(LINES) / g1.prf
    shift = (g1.reference_epoch.nanoseconds_since_unix_epoch
             - g0.reference_epoch.nanoseconds_since_unix_epoch) / 1e9
    p0, v0 = product.orbit.interpolate(t + shift)
    p1, v1 = got.orbit.interpolate(t)
    assert np.abs(p1 - p0).max() < 1e-3 and np.abs(v1 - v0).max() < 1e-5    # DORIS: mm
    mpp = _reader("ENVISAT_SLC", image_file=files["IMAGEFILE"]).parse()
    assert mpp.attributes["orbit_source"] == "MPP"
    assert np.abs(mpp.orbit.interpolate(t)[0] - p0).max() < 0.01          # MPP: 1 cm
    found = _reader("ENVISAT_SLC", image_file=files["IMAGEFILE"],
                    orbit_dir=files["ORBITFILE"].parent).parse()
    assert found.attributes["orbit_source"] == "DORIS"


def test_pixels_round_trip_within_the_quantisation(written):
    _, pixels, files = written
    got = _reader("ENVISAT_SLC", image_file=files["IMAGEFILE"]).parse()
    gain = GAIN_PEAK / max(np.abs(pixels.real).max(), np.abs(pixels.imag).max())
    image = got.read()
    assert np.abs(image.real / gain - pixels.real).max() <= 0.501 / gain     # int16 rounding
    assert np.abs(image.imag / gain - pixels.imag).max() <= 0.501 / gain
    assert float(n1.open_n1(files["IMAGEFILE"]).read_ads(MPP.name, _mpp_layout(files))
                 [0]["base"]["calibration_factors"][0]["proc_scaling_fact"]) == pytest.approx(gain, rel=1e-6)
    assert np.array_equal(got.read(slice(10, 20)), image[10:20])
    assert np.array_equal(got.read(7, slice(3, 9)), image[7, 3:9])
    assert np.array_equal(got.read(slice(2, 30, 7)), image[2:30:7])
    blocks = [b for _, b in got.iter_blocks(8)]
    assert np.array_equal(np.concatenate(blocks), image)


def _mpp_layout(files):
    from isce.sensors.envisat_slc import MPP_EXTENDED
    return MPP_EXTENDED


def test_reads_only_the_requested_lines(written, monkeypatch):
    _, _, files = written
    got = _reader("ENVISAT_SLC", image_file=files["IMAGEFILE"]).parse()
    mds = n1.open_n1(files["IMAGEFILE"]).dsd("MDS1")
    real_open = open
    seen = []

    class Spy:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.fh.close()

        def seek(self, k, *a):
            seen.append(("seek", k))
            return self.fh.seek(k, *a)

        def read(self, n=-1):
            seen.append(("read", n))
            return self.fh.read(n)

        def __getattr__(self, name):
            return getattr(self.fh, name)

    def spy_open(path, mode="r", *a, **k):
        fh = real_open(path, mode, *a, **k)
        return Spy(fh) if str(path) == str(files["IMAGEFILE"]) and "b" in mode else fh

    import isce.sensors.envisat_slc as mod
    monkeypatch.setattr(mod, "open", spy_open, raising=False)
    got.read(slice(40, 43))
    assert ("seek", mds.offset + 40 * mds.dsr_size) in seen
    assert ("read", 3 * mds.dsr_size) in seen


def test_geolocation_grid_of_the_written_product(written):
    """The writer's grid is our rdr2geo at the recorded height (0 m): the reader's tie points
    land within the 1e-6 deg storage (0.11 m) and the float32 range time (3.7 cm)."""
    _, _, files = written
    header = read_n1_slc_header(files["IMAGEFILE"])
    got = read_envisat_slc(files["IMAGEFILE"], orbit_file=files["ORBITFILE"])
    g = geolocation_grid(header, got.radar_grid.reference_epoch)
    assert float(header.mpp["avg_scene_height_ellpsoid"]) == 0.0
    assert g["sample"].min() == 1 and g["sample"].max() == SAMPLES and g["line"].max() == LINES
    llh, ok = rdr2geo_points(g["time"], C * g["range_time"] / 2, got.orbit, got.wavelength, "right",
                             heights=np.zeros(len(g["time"])))
    north, east = _offsets_m(np.degrees(llh[:, 1]), np.degrees(llh[:, 0]), g["lat"], g["lon"])
    assert ok.all() and np.hypot(north, east).max() < 0.12


def test_ers_round_trip(tmp_path):
    product, pixels = _product(tmp_path, mission="ERS")
    props = write_ers_envisat_slc(product, tmp_path / "sim", "secondary")
    assert set(props) == {"IMAGEFILE"} and props["IMAGEFILE"].startswith("ERS_ENVISAT_SLC/secondary/SAR_IMS_1P")
    path = tmp_path / "sim" / props["IMAGEFILE"]
    assert n1.open_n1(path).dsd(MPP.name).dsr_size == MPP.size
    got = _reader("ERS_ENVISAT_SLC", image_file=path).parse()
    assert got.mission == "ERS" and got.attributes["product_type"] == "SAR_IMS_1P"
    assert abs(_absolute(got.radar_grid) - _absolute(product.radar_grid)) <= 500
    assert got.read().shape == pixels.shape
    envisat = _reader("ENVISAT_SLC", image_file=path)
    with pytest.raises(InputError, match=r"MPH key PRODUCT at byte offset 0: product type "
                                         r"SAR_IMS_1P, expected ASA_IMS_1P \(ENVISAT ASAR SLC\)"):
        envisat.parse()
    odr = _reader("ERS_ENVISAT_SLC", image_file=path, orbit_type="ODR")
    with pytest.raises(ConfigurationError, match="ORBIT_TYPE ODR needs ORBIT_DIRECTORY"):
        odr.parse()
    with pytest.raises(ConfigurationError, match="ORBIT_TYPE 'DELFT': expected one of ODR, PRC, PDS"):
        _reader("ERS_ENVISAT_SLC", image_file=path, orbit_type="DELFT").parse()
    lone = _reader("ERS_ENVISAT_SLC", image_file=path, orbit_file=tmp_path / "PDS")
    with pytest.raises(ConfigurationError, match="ORBITFILE / ORBIT_DIRECTORY are read with ORBIT_TYPE"):
        lone.parse()


def test_an_ers_orbit_type_replaces_the_mpp_vectors(tmp_path):
    """ISCE2's ORBIT_TYPE (here PDS + ORBITFILE; ODR/PRC go through the same ERS orbit readers,
    tested with the ERS CEOS readers) gives the product that orbit on its time axis: positions
    as the orbit written (0.5 m shifted, so the MPP's vectors would fail), the grid unchanged."""
    from isce.simulate.ers_ceos import write_pds

    product, _ = _product(tmp_path, mission="ERS")
    path = tmp_path / "sim" / write_ers_envisat_slc(product, tmp_path / "sim", "s")["IMAGEFILE"]
    o = product.orbit
    moved = type(o)(o.time, o.position + 0.5, o.velocity, o.reference_epoch, interp_method="hermite")
    write_pds(moved, tmp_path / "pds.txt", step=None)
    got = _reader("ERS_ENVISAT_SLC", image_file=path, orbit_type="PDS",
                  orbit_file=tmp_path / "pds.txt").parse()
    mpp = _reader("ERS_ENVISAT_SLC", image_file=path).parse()
    assert got.orbit_type == "PDS" and got.radar_grid == mpp.radar_grid
    t = got.radar_grid.sensing_start + 0.5 * got.radar_grid.length / got.radar_grid.prf
    want = moved.interpolate(moved.seconds(got.orbit.datetime64(t)))[0]
    assert np.max(np.abs(got.orbit.interpolate(t)[0] - want)) < 0.01
    assert np.max(np.abs(mpp.orbit.interpolate(t)[0] - want)) > 0.4


# ----------------------------------------------------------------------------- damaged copies
def _copy(files, tmp_path, edit):
    src = files["IMAGEFILE"]
    out = tmp_path / "damaged" / src.name
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(bytes(edit(bytearray(src.read_bytes()))))
    return out


def test_a_truncated_image_names_the_line_and_byte(written, tmp_path):
    _, _, files = written
    mds = n1.open_n1(files["IMAGEFILE"]).dsd("MDS1")
    cut = mds.offset + 30 * mds.dsr_size + 100
    bad = _copy(files, tmp_path, lambda d: d[:cut])
    with pytest.raises(InputError) as err:
        _reader("ENVISAT_SLC", image_file=bad).parse()
    assert str(err.value) == (f"{bad}: DSD 11 (MDS1) at byte offset {mds.offset + 30 * mds.dsr_size}: "
                              f"truncated: record 31 of {LINES} ({mds.dsr_size} bytes each from byte "
                              f"{mds.offset}) is not in the file, which ends at byte {cut} (data set "
                              f"needs bytes up to {mds.offset + LINES * mds.dsr_size})")
    header_only = _copy(files, tmp_path, lambda d: d[:mds.offset])
    with pytest.raises(InputError, match=r"no image data: the file ends at byte \d+, where DSD 11 "
                                         r"\(MDS1\) \(61 lines of 181 bytes\) starts"):
        _reader("ENVISAT_SLC", image_file=header_only).parse()


def test_a_bad_dsd_and_a_bad_mph_key(written, tmp_path):
    _, _, files = written
    raw = files["IMAGEFILE"].read_bytes()
    k = raw.index(b'DS_NAME="MDS1                        "')
    bad = _copy(files, tmp_path, lambda d: d[:k] + b'DS_NAME="MDS9                        "' + d[k + 38:])
    with pytest.raises(InputError, match=r"DSD MDS1 at byte offset \d+: no data set 'MDS1' in the "
                                         r"DSD table .*MDS9"):
        _reader("ENVISAT_SLC", image_file=bad).parse()
    k = raw.index(b"ABS_ORBIT=")
    bad = _copy(files, tmp_path, lambda d: d[:k] + b"ABS_ORBIX=" + d[k + 10:])
    with pytest.raises(InputError, match=rf"{re.escape(str(bad))}: MPH at byte offset {k}: key "
                                         "ABS_ORBIX where the MPH has ABS_ORBIT"):
        _reader("ENVISAT_SLC", image_file=bad).parse()


def test_a_corrupt_mpp_field_names_its_byte(written, tmp_path):
    _, _, files = written
    f = n1.open_n1(files["IMAGEFILE"])
    off = f.dsd(MPP.name).offset + MPP.offset("line_time_interval")
    bad = _copy(files, tmp_path, lambda d: d[:off] + np.array([7e-4], ">f4").tobytes() + d[off + 4:])
    with pytest.raises(InputError) as err:
        _reader("ENVISAT_SLC", image_file=bad).parse()
    assert str(err.value).startswith(
        f"{bad}: DSD 3 (MAIN PROCESSING PARAMS ADS) field last_zero_doppler_time at byte offset "
        f"{f.dsd(MPP.name).offset + MPP.offset('last_zero_doppler_time')}: last line ")


def test_a_line_out_of_time_order_is_refused_when_read(written, tmp_path):
    _, _, files = written
    mds = n1.open_n1(files["IMAGEFILE"]).dsd("MDS1")
    k = mds.offset + 20 * mds.dsr_size
    bad = _copy(files, tmp_path, lambda d: d[:k] + b"\x00" * 12 + d[k + 12:])
    product = _reader("ENVISAT_SLC", image_file=bad).parse()
    assert product.read(slice(0, 10)).shape == (10, SAMPLES)          # other lines still read
    with pytest.raises(InputError) as err:
        product.read(slice(15, 25))
    assert str(err.value) == (f"{bad}: DSD 11 (MDS1) line 21 at byte offset {k}: its "
                              "zero-Doppler time does not follow the previous line's (corrupt line)")


def test_instrument_file_frequency_is_checked(written, tmp_path):
    """INSTRUMENTFILE (ASA_INS_AX): its radar frequency (first GADS, after MJD and record
    length, as ISCE2 reads it) must be the product's."""
    _, _, files = written

    def ins(freq):
        now = dt.datetime(2004, 1, 1)
        gads = bytearray(64)
        gads[16:20] = np.array([freq], ">f4").tobytes()
        mph = mph_values("ASA_INS_AXVIEC20061220_105425_20030211_000000_20071231_000000", sensing_start=now,
                         sensing_stop=now, state_time=now, position=[0, 0, 0], velocity=[0, 0, 0])
        sph = n1.format_block((("SPH_DESCRIPTOR", "s", 28, ""),), {"SPH_DESCRIPTOR": "ASAR INSTRUMENT CHAR."})
        head, _ = n1_header(mph, sph, [DataSet("INSTRUMENT CHAR", "G", 1, 64)])
        path = tmp_path / f"ins_{freq:.0f}"
        path.write_bytes(head + bytes(gads))
        return path

    good = ins(F0)
    ok = _reader("ENVISAT_SLC", image_file=files["IMAGEFILE"], instrument_file=good)
    assert ok.parse().center_frequency == pytest.approx(F0, rel=1e-7)
    folder = tmp_path / "ins"
    folder.mkdir()
    name = "ASA_INS_AXVIEC20061220_105425_20030211_000000_20071231_000000"
    shutil.copy(good, folder / name)
    found = _reader("ENVISAT_SLC", image_file=files["IMAGEFILE"], instrument_dir=folder).parse()
    assert found.attributes["instrument_file"] == str(folder / name)
    bad = ins(5.3e9)
    reader = _reader("ENVISAT_SLC", image_file=files["IMAGEFILE"], instrument_file=bad)
    with pytest.raises(InputError, match=rf"{re.escape(str(bad))}: DSD 1 \(INSTRUMENT CHAR\) at byte "
                                         r"offset \d+: radar frequency 5299999744.0 Hz, the product's MPP says"):
        reader.parse()


def test_example_names_each_date_by_its_n1_file(tmp_path):
    """examples/envisat_slc/insarApp.xml (ISCE2 style: IMAGEFILE, ORBITFILE, INSTRUMENTFILE per
    date) is understood: without the data, preprocess refuses the reference's file."""
    example = Path(__file__).resolve().parents[2] / "examples" / "envisat_slc" / "insarApp.xml"
    shutil.copy(example, tmp_path / "insarApp.xml")
    line = _error_line(run_command("insarApp.py", "insarApp.xml", cwd=tmp_path))
    assert "ASA_IMS_1PNESA20040703_205338_000000182028_00172_12250_0000.N1: no such file" in line, line


def test_a_product_read_from_an_ims_writes_back_the_same(written, tmp_path):
    """ENVISAT_SLC -> write_envisat_slc -> ENVISAT_SLC: grid, ESA Doppler polynomial and pixels
    unchanged (the second write quantises already-integer samples with the same peak)."""
    _, _, files = written
    first = _reader("ENVISAT_SLC", image_file=files["IMAGEFILE"]).parse()
    first.attributes["doppler_centroid"][0]["coefficients"] = [-604.6, -4.5e5, 1.6e8, 0.0, 0.0]
    again = write_envisat_slc(first, tmp_path / "again", "reference")
    second = _reader("ENVISAT_SLC", image_file=tmp_path / "again" / again["IMAGEFILE"]).parse()
    assert _absolute(second.radar_grid) == _absolute(first.radar_grid)
    assert second.radar_grid.starting_range == first.radar_grid.starting_range
    assert second.radar_grid.prf == first.radar_grid.prf
    est = second.attributes["doppler_centroid"][0]
    assert est["coefficients"] == pytest.approx([-604.6, -4.5e5, 1.6e8, 0.0, 0.0], rel=1e-7)
    assert est["azimuth_time"] == pytest.approx(first.attributes["doppler_centroid"][0]["azimuth_time"],
                                                abs=1e-6)
    assert np.array_equal(second.read(), first.read())
