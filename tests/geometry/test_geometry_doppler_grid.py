"""The geometry of a zero-Doppler image does not depend on its Doppler centroid.

ESA, DLR, ASI, MDA and JAXA (level 1.1 ALOS-2) SLCs, and our focuser's, are on zero-Doppler
grids: a target sits at its zero-Doppler time whatever the centroid (which only says where
the azimuth spectrum is). The chain used the centroid as the geometry Doppler, which moves
every pixel along track by lambda R f_dc / (2 V): 1.4 km for an ERS scene at 455 Hz, 5 km
for this ALOS-like date at 400 Hz. topo.py on a date with a 400 Hz centroid must give the
same latitude/longitude as with none; on a native-Doppler grid (``grid_doppler="native"``,
ISCE3's test RSLCs) the centroid is used and the pixels move by that amount."""
import json

import numpy as np
import pytest
import rasterio
from isce_commands import run_command
from small_slcs import make_slc

from isce.core.doppler import constant_doppler
from isce.sensors.product import SlcProduct


def _with_centroid(json_path, hz, grid_doppler="zero"):
    product = SlcProduct.load(json_path)
    data = product.to_dict()
    data["doppler"] = constant_doppler(hz).to_dict()
    data["grid_doppler"] = grid_doppler
    out = json_path.with_name(f"dop{hz:g}_{grid_doppler}.slc.json")
    out.write_text(json.dumps(data))
    return out


def _lat_lon(tmp_path, product_json, name):
    out = tmp_path / name
    proc = run_command("topo.py", f"topo.product={product_json}", f"topo.output directory={out}",
                       cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    with rasterio.open(out / "lat.rdr") as a, rasterio.open(out / "lon.rdr") as b:
        return a.read(1).astype(np.float64), b.read(1).astype(np.float64)


@pytest.fixture(scope="module")
def dates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dop")
    base = make_slc(folder, "d", 1)
    return folder, base


def test_zero_doppler_grid_geometry_ignores_the_centroid(dates):
    folder, base = dates
    lat0, lon0 = _lat_lon(folder, base, "zero")
    lat1, lon1 = _lat_lon(folder, _with_centroid(base, 400.0), "centroid")
    np.testing.assert_array_equal(lat1, lat0)
    np.testing.assert_array_equal(lon1, lon0)


def test_native_doppler_grid_geometry_uses_the_centroid(dates):
    folder, base = dates
    lat0, lon0 = _lat_lon(folder, base, "zero")
    lat1, lon1 = _lat_lon(folder, _with_centroid(base, 400.0, "native"), "native")
    north = (lat1 - lat0) * 111.1e3
    east = (lon1 - lon0) * 111.1e3 * np.cos(np.radians(lat0))
    shift = np.hypot(north, east)
    # lambda R f / (2 V): 0.236 m x ~850 km x 400 Hz / (2 x ~7.6 km/s on the ground) ~ 5 km
    assert 4e3 < np.median(shift) < 7e3, np.median(shift)


def test_grid_doppler_round_trips_and_is_checked(dates):
    _, base = dates
    native = SlcProduct.load(_with_centroid(base, 50.0, "native"))
    assert native.grid_doppler == "native" and native.geometry_doppler is native.doppler
    zero = SlcProduct.load(_with_centroid(base, 50.0))
    assert zero.geometry_doppler.eval(0.0, 8e5) == 0.0 and zero.doppler.eval(0.0, 8e5) == 50.0
    with pytest.raises(ValueError, match="grid_doppler"):
        SlcProduct.from_dict(dict(zero.to_dict(), grid_doppler="squinted"))
