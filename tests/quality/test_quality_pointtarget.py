"""Point-target analysis (isce.quality.pointtarget and pointTarget.py).

Synthetic chips: ideal 2-D sinc impulse responses (spectrum 1/1.2 of the
sampling rate, off baseband by a known Doppler/range spectral centre) at known
sub-pixel positions must give the textbook numbers; Hamming-weighted ones the
Hamming numbers. A synthetic product (own orbit, target placed by rdr2geo)
checks the geometry end to end. The real REE_RSLC_out17.h5 (ISCE3-focused,
complex float16) must put the peak within 0.1 pixel of the geo2rdr prediction.
"""
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from isce.quality import analyze_chip, analyze_point_target, cut_metrics, oversample, spectral_centre

REPO = Path(__file__).resolve().parents[2]
APPS = REPO / "applications"
REE_TARGET = (-54.579586258, 3.177088785, 0.0)

RATIO = 1.2                       # sampling rate / bandwidth
SINC_IRW = 0.885892941378904      # -3 dB width of sinc(x) [1/bandwidth]
HAMMING_IRW = 1.3030              # of the Hamming (0.54) weighted spectrum
HAMMING_PSLR = -42.68


@pytest.fixture(scope="module")
def ree(shared_data):
    """The ISCE3-focused REE_RSLC_out17.h5 of the real test data."""
    return shared_data("ree_point_target", "REE_RSLC_out17.h5")


def impulse(t, ratio=RATIO, window=None):
    """Impulse response at t samples from the peak: spectrum rect (or Hamming) of width fs/ratio."""
    u = np.asarray(t, dtype=float) / ratio
    if window == "hamming":
        return 0.54 * np.sinc(u) + 0.23 * (np.sinc(u - 1) + np.sinc(u + 1))
    return np.sinc(u)


def make_chip(shape=(64, 64), peak=(32.3, 31.7), centre=(0.23, -0.1), ratio=(RATIO, RATIO),
              window=None):
    """Separable point target at ``peak`` (line, pixel), spectra centred at ``centre`` [cycles/sample]."""
    yy = np.arange(shape[0])[:, None] - peak[0]
    xx = np.arange(shape[1])[None, :] - peak[1]
    return (impulse(yy, ratio[0], window) * impulse(xx, ratio[1], window)
            * np.exp(2j * np.pi * (centre[0] * yy + centre[1] * xx)))


def sinc_islr_theory(num_sidelobes=10):
    """ISLR of sinc with this module's definition, from a finely sampled sinc (nulls at integers)."""
    from scipy.integrate import trapezoid

    u = np.linspace(0.0, num_sidelobes + 1, (num_sidelobes + 1) * 20000 + 1)
    p = np.sinc(u) ** 2
    main = 2 * trapezoid(p[u <= 1], u[u <= 1])
    side = 2 * trapezoid(p[u >= 1], u[u >= 1])
    return 10 * math.log10(side / main)


# ------------------------------------------------------------------------- synthetic chips
CASES = [((64, 64), (32.3, 31.7), (0.23, -0.1)),
         ((64, 64), (31.55, 32.45), (-0.41, 0.37)),    # band straddling +-fs/2
         ((48, 80), (24.0, 40.5), (0.0, 0.5)),
         ((65, 63), (32.12, 30.91), (0.31, 0.07))]


@pytest.mark.parametrize("shape,peak,centre", CASES)
def test_ideal_sinc_meets_theory(shape, peak, centre):
    res = analyze_chip(make_chip(shape, peak, centre), oversample=32)
    theory = sinc_islr_theory(10)
    assert -10.2 < theory < -10.0
    assert abs(res["peak"]["line"] - peak[0]) < 0.01
    assert abs(res["peak"]["pixel"] - peak[1]) < 0.01
    assert res["peak"]["amplitude"] == pytest.approx(1.0, abs=2e-3)
    for name, axis in (("azimuth", 0), ("range", 1)):
        d = res[name]
        assert d["pslr_db"] == pytest.approx(-13.26, abs=0.1), name
        assert d["islr_db"] == pytest.approx(theory, abs=0.2), name
        assert d["irw_px"] == pytest.approx(SINC_IRW * RATIO, rel=0.01), name
        assert d["first_nulls_px"] == pytest.approx([-RATIO, RATIO], abs=0.01), name
        assert d["islr_sidelobes"] == [10, 10]
        # the spectral centre (Doppler centroid in azimuth) is found, modulo 1
        err = (d["spectral_centre"] - centre[axis] + 0.5) % 1.0 - 0.5
        assert abs(err) < 0.01, (name, d["spectral_centre"], centre[axis])


def test_ideal_sinc_position_is_precise():
    rng = np.random.default_rng(4)
    for _ in range(6):
        peak = 32 + rng.uniform(-0.5, 0.5, 2)
        centre = rng.uniform(-0.5, 0.5, 2)
        res = analyze_chip(make_chip((64, 64), peak, centre))
        assert abs(res["peak"]["line"] - peak[0]) < 1e-3
        assert abs(res["peak"]["pixel"] - peak[1]) < 1e-3


@pytest.mark.parametrize("shape,peak,centre", CASES[:2])
def test_hamming_weighted_response(shape, peak, centre):
    rect = analyze_chip(make_chip(shape, peak, centre))
    ham = analyze_chip(make_chip(shape, peak, centre, window="hamming"))
    assert abs(ham["peak"]["line"] - peak[0]) < 0.01 and abs(ham["peak"]["pixel"] - peak[1]) < 0.01
    for name in ("range", "azimuth"):
        assert ham[name]["pslr_db"] == pytest.approx(HAMMING_PSLR, abs=1.0), name
        ratio = ham[name]["irw_px"] / rect[name]["irw_px"]
        assert ratio == pytest.approx(1.47, rel=0.02), name
        assert ham[name]["irw_px"] == pytest.approx(HAMMING_IRW * RATIO, rel=0.01), name
        assert ham[name]["islr_db"] < -30


def test_spectral_centre_must_be_removed_before_padding():
    """With the band across +-fs/2, padding at the wrong place ruins the interpolation."""
    chip = make_chip((64, 64), (32.3, 31.7), (0.45, 0.0))
    assert spectral_centre(chip, 0) == pytest.approx(0.45, abs=0.01)
    good = analyze_chip(chip)
    bad = analyze_chip(chip, centre=(0.0, 0.0))
    assert good["azimuth"]["pslr_db"] == pytest.approx(-13.26, abs=0.1)
    assert not bad["azimuth"]["pslr_db"] == pytest.approx(-13.26, abs=0.5)


def test_cut_metrics_of_a_sampled_or_callable_sinc():
    u = np.arange(-20 * 64, 20 * 64 + 1) / 64
    theory = sinc_islr_theory(10)
    for power in (np.sinc(u) ** 2, lambda v: np.sinc(v) ** 2):
        m = cut_metrics(power, u)
        assert m["irw_px"] == pytest.approx(SINC_IRW, rel=1e-3)
        assert m["pslr_db"] == pytest.approx(-13.26, abs=0.01)
        assert m["islr_db"] == pytest.approx(theory, abs=0.01)
        assert m["first_nulls_px"] == pytest.approx([-1, 1], abs=1e-3)
    short = cut_metrics(lambda v: np.sinc(v) ** 2, u[np.abs(u) <= 5.5])
    assert short["islr_sidelobes"] == [4, 4]      # the cut ends inside the 5th sidelobe


def test_oversample_is_fft_zero_padding():
    chip = make_chip((32, 32), (16.2, 15.6), (0.3, -0.2))
    big = oversample(chip, 8)
    assert big.shape == (256, 256)
    np.testing.assert_allclose(big[::8, ::8], chip, atol=1e-9)
    i, j = np.unravel_index(np.argmax(np.abs(big)), big.shape)
    assert abs(i / 8 - 16.2) <= 1 / 16 and abs(j / 8 - 15.6) <= 1 / 16


def test_import_is_cheap():
    code = ("import sys, isce.quality as q; "
            "assert 'scipy' not in sys.modules and 'isce.quality.pointtarget' not in sys.modules; "
            "q.analyze_chip; assert 'isce.quality.pointtarget' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, env=_env())


# ------------------------------------------------------------------------- synthetic product
def _env():
    from isce_commands import isce_env
    return isce_env()


@pytest.fixture(scope="module")
def synthetic_product(tmp_path_factory):
    """A right-looking product over a circular polar orbit with a target at line 40.37, pixel 33.81."""
    import isce.io
    from isce.core.constants import SPEED_OF_LIGHT
    from isce.core.orbit import Orbit
    from isce.core.radargrid import RadarGrid
    from isce.geometry import rdr2geo_points
    from isce.sensors.product import ImageSource, SlcProduct

    radius, speed, epoch = 7.071e6, 7500.0, "2021-07-01T00:00:00"
    omega = speed / radius
    t = np.arange(-30.0, 31.0)
    th = omega * t
    pos = radius * np.stack([np.cos(th), np.zeros_like(th), np.sin(th)], axis=1)
    vel = radius * omega * np.stack([-np.sin(th), np.zeros_like(th), np.cos(th)], axis=1)
    orbit = Orbit(t, pos, vel, epoch)
    prf, dr, wvl = 1500.0, 6.0, SPEED_OF_LIGHT / 1.26e9
    t_target, r_target = 0.25, 850e3
    line, pixel = 40.37, 33.81
    length, width = 80, 70
    grid = RadarGrid(t_target - line / prf, epoch, prf, r_target - pixel * dr, dr, length, width,
                     wvl, "right")
    llh, ok = rdr2geo_points(np.array([t_target]), np.array([r_target]), orbit, wvl, "right",
                             heights=np.array([120.0]))
    assert ok.all()
    lon, lat, hgt = math.degrees(llh[0, 0]), math.degrees(llh[0, 1]), float(llh[0, 2])
    image = make_chip((length, width), (line, pixel), (0.2, 0.05)).astype(np.complex64)
    folder = tmp_path_factory.mktemp("synthetic")
    path = folder / "target.slc"
    with isce.io.create(path, width, length, "CFLOAT", image_type="slc") as ds:
        ds[slice(0, length)] = image
    product = SlcProduct(grid, orbit, source=ImageSource("raster", str(path)))
    saved = product.save(folder / "target.slc.json")
    return {"json": saved, "lon": lon, "lat": lat, "height": hgt, "line": line, "pixel": pixel,
            "prf": prf, "dr": dr, "speed": speed, "radius": radius}


def test_synthetic_product_end_to_end(synthetic_product):
    s = synthetic_product
    res = analyze_point_target(s["json"], s["lon"], s["lat"], s["height"])
    pk = res["peak"]
    assert pk["predicted_line"] == pytest.approx(s["line"], abs=1e-4)
    assert pk["predicted_pixel"] == pytest.approx(s["pixel"], abs=1e-4)
    for name in ("range", "azimuth"):
        d = res[name]
        assert set(d) >= {"irw_m", "irw_px", "pslr_db", "islr_db", "offset_px"}
        assert abs(d["offset_px"]) < 0.01, name
        assert d["pslr_db"] == pytest.approx(-13.26, abs=0.1)
        assert d["irw_px"] == pytest.approx(SINC_IRW * RATIO, rel=0.01)
    assert res["range"]["irw_m"] == pytest.approx(res["range"]["irw_px"] * s["dr"])
    # azimuth metres: ground speed / PRF; on a sphere-like Earth about speed * R_earth / R_orbit
    az = res["azimuth"]
    assert az["irw_m"] == pytest.approx(az["irw_px"] * az["ground_velocity"] / s["prf"])
    assert az["ground_velocity"] == pytest.approx(s["speed"] * 6.36e6 / s["radius"], rel=0.01)
    assert az["spectral_centre_hz"] == pytest.approx(0.2 * s["prf"], abs=0.01 * s["prf"])


def test_target_outside_the_image_is_an_input_error(synthetic_product):
    from isce.framework import InputError

    s = synthetic_product
    with pytest.raises(InputError, match="outside the image"):
        analyze_point_target(s["json"], s["lon"], s["lat"] + 0.05, s["height"])
    with pytest.raises(InputError, match="no such product"):
        analyze_point_target(Path(s["json"]).with_name("missing.json"), s["lon"], s["lat"], 0.0)


# ------------------------------------------------------------------------- the real ISCE3 chip
@pytest.fixture(scope="module")
def ree_result(ree):
    return analyze_point_target(ree, *REE_TARGET, chip=64, oversample=32)


def test_ree_rslc_peak_at_the_predicted_position(ree_result):
    res = ree_result
    pk = res["peak"]
    # README: zero-Doppler time and slant range put the target at line 64, pixel 64 of the
    # runconfig grid; this product's grid puts it at ~ (64.0002, 64.0000)
    assert pk["predicted_line"] == pytest.approx(64.0, abs=0.01)
    assert pk["predicted_pixel"] == pytest.approx(64.0, abs=0.01)
    assert abs(res["range"]["offset_px"]) < 0.1
    assert abs(res["azimuth"]["offset_px"]) < 0.1
    print("\nREE_RSLC_out17:", json.dumps({k: {kk: res[k][kk] for kk in
                                               ("irw_m", "irw_px", "pslr_db", "islr_db", "offset_px")}
                                           for k in ("range", "azimuth")}, indent=1))


def test_ree_rslc_impulse_response_is_plausible(ree_result):
    """20 MHz in range (7.49 m resolution), 1200 Hz processed in azimuth at ~6.75 km/s ground speed."""
    rg, az = ree_result["range"], ree_result["azimuth"]
    assert 0.886 * 7.49 <= rg["irw_m"] < 1.3 * 0.886 * 7.49
    assert 0.886 * 5.62 <= az["irw_m"] < 1.3 * 0.886 * 5.62
    for d in (rg, az):
        assert -25 < d["pslr_db"] < -13.0     # a weighted (Kaiser/cosine) focusing window
        assert -25 < d["islr_db"] < -10.0
        assert d["islr_sidelobes"] == [10, 10]
    assert abs(az["spectral_centre_hz"]) < 50.0      # zero-Doppler steering


def one_line_error(err):
    """The error: a single 'pointTarget.py: error: ...' line (log lines aside), no traceback."""
    lines = [line for line in err.splitlines() if "error" in line.lower()]
    assert len(lines) == 1 and lines[0].startswith("pointTarget.py: error: "), err
    assert "Traceback" not in err, err
    return lines[0]


def command(*args, cwd):
    proc = subprocess.run([sys.executable, str(APPS / "pointTarget.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600, env=_env())
    return proc.returncode, proc.stdout, proc.stderr


def test_command_on_the_ree_rslc(tmp_path, ree):
    rc, out, err = command(f"pointTarget.product={ree}",
                           "pointTarget.target={},{},{}".format(*REE_TARGET),
                           "pointTarget.output=results/pt.json", cwd=tmp_path)
    assert rc == 0, err
    assert "PSLR" in out and "range" in out and "azimuth" in out
    result = json.loads((tmp_path / "results" / "pt.json").read_text())
    for name in ("range", "azimuth"):
        assert set(result[name]) >= {"irw_m", "pslr_db", "islr_db", "offset_px"}
        assert all(isinstance(result[name][k], float) for k in ("irw_m", "pslr_db", "islr_db", "offset_px"))
        assert abs(result[name]["offset_px"]) < 0.1
    assert set(result["peak"]) >= {"line", "pixel", "predicted_line", "predicted_pixel", "amplitude"}


def test_command_from_an_xml_file(tmp_path, ree):
    (tmp_path / "pt.xml").write_text(
        "<pointTarget>\n"
        f"  <property name=\"product\">{ree}</property>\n"
        "  <property name=\"target\">[-54.579586258, 3.177088785, 0]</property>\n"
        "  <property name=\"chip size\">32</property>\n"
        "  <property name=\"oversample\">16</property>\n"
        "</pointTarget>\n")
    rc, out, err = command("pt.xml", cwd=tmp_path)
    assert rc == 0, err
    result = json.loads((tmp_path / "pointTarget.json").read_text())
    assert result["settings"]["chip"] == 32 and result["settings"]["oversample"] == 16
    assert abs(result["range"]["offset_px"]) < 0.1 and abs(result["azimuth"]["offset_px"]) < 0.1


@pytest.mark.parametrize("settings,message", [
    (("pointTarget.target=-54.5,3.177088785,0",), "outside the image"),
    (("pointTarget.target=-54.5,3.17",), "three numbers"),
])
def test_command_bad_target(tmp_path, settings, message, ree):
    rc, out, err = command(f"pointTarget.product={ree}", *settings, cwd=tmp_path)
    assert rc == 2
    assert message in one_line_error(err)
    assert not (tmp_path / "pointTarget.json").exists()


def test_command_missing_product(tmp_path):
    rc, out, err = command("pointTarget.product=missing.h5", "pointTarget.target=0,0,0", cwd=tmp_path)
    assert rc == 2
    line = one_line_error(err)
    assert "missing.h5" in line and "no such" in line
