"""Products are extracted with memory bounded by the block, not by the image: writing a
128 MiB SLC (and raw) product in 4 MiB blocks must not hold the output (or the input)
mapped and resident (the first writers held the whole output in a memory map: +128 MiB)."""
import subprocess
import sys

import numpy as np
from small_slcs import make_slc

import isce.io
from isce.sensors.product import SlcProduct

LINES, WIDTH, BLOCK = 8192, 2048, 256          # 128 MiB of complex64; blocks of 4 MiB
CHILD = """
import sys
from isce.sensors.product import SlcProduct
from isce.sensors.raw import RawProduct
kind, src, out = sys.argv[1:]
product = (SlcProduct if kind == "slc" else RawProduct).load(src)
def status_mib(key):        # VmHWM: this image's peak (ru_maxrss would keep the forked parent's)
    return int(open("/proc/self/status").read().split(key + ":")[1].split()[0]) / 1024
before = status_mib("VmRSS")
product.write(out, block_lines={block})
print(status_mib("VmHWM") - before)
"""


def _growth(kind, src, out) -> float:
    proc = subprocess.run([sys.executable, "-c", CHILD.format(block=BLOCK), kind, str(src), str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return float(proc.stdout.split()[-1])


def test_slc_extraction_memory_is_bounded_by_the_block(tmp_path):
    src = make_slc(tmp_path, "big", 3, lines=LINES, pixels=WIDTH)
    growth = _growth("slc", src, tmp_path / "out.slc")
    block_mib = BLOCK * WIDTH * 8 / 2**20
    assert growth < 8 * block_mib, growth                    # 32 MiB, a quarter of the image
    out = SlcProduct.load(tmp_path / "out.slc.json")
    np.testing.assert_array_equal(out.read(slice(4000, 4010)), SlcProduct.load(src).read(slice(4000, 4010)))


def test_raw_extraction_memory_is_bounded_by_the_block(tmp_path):
    from isce.sensors.raw import RawProduct, RawSource
    from small_slcs import alos_geometry

    radar, orbit, t0 = alos_geometry()
    rng = np.random.default_rng(0)
    path = tmp_path / "echoes.raw"
    with isce.io.create(str(path), WIDTH, LINES, "CFLOAT", image_type="raw") as ds:
        for start in range(0, LINES, 1024):
            z = rng.standard_normal((1024, 2 * WIDTH), dtype=np.float32).view(np.complex64)
            ds.write_rows(z, slice(start, start + 1024))
    raw = RawProduct(orbit=orbit, sensing_start=t0, prf=radar.prf, starting_range=8.5e5,
                     range_sampling_rate=radar.range_sampling_rate, length=LINES, width=WIDTH,
                     wavelength=radar.wavelength, look_side="right", chirp_slope=radar.chirp_slope,
                     pulse_length=radar.pulse_length, source=RawSource("raster", str(path)))
    raw.save(str(path) + ".json")
    growth = _growth("raw", str(path) + ".json", tmp_path / "copy.raw")
    assert growth < 8 * BLOCK * WIDTH * 8 / 2**20, growth
    copy = RawProduct.load(tmp_path / "copy.raw.json")
    np.testing.assert_array_equal(copy.read(slice(100, 105)), raw.read(slice(100, 105)))
