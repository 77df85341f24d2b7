// isce/library/bindings/signal_module.cpp -- pybind11 module `isce.ext._signal`.
//
// Thin bindings: check shapes and arguments, allocate the outputs, release
// the GIL, call the pure kernels of library/signal/. Every ValueError names
// the argument, the expected shape and the shape received.
#include <pybind11/complex.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <sstream>
#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "bindings/common.hpp"
#include "signal/resample.hpp"

namespace py = pybind11;
namespace rs = isce::signal::resample;

namespace {

using isce::bindings::farray;
using isce::bindings::kernel_threads;
using isce::bindings::shape_str;
using carray = py::array_t<std::complex<float>, py::array::c_style | py::array::forcecast>;


void require_shape(const py::array& a, const char* name, py::ssize_t rows, py::ssize_t cols,
                   const char* why)
{
    if (a.ndim() != 2 || a.shape(0) != rows || a.shape(1) != cols) {
        std::ostringstream msg;
        msg << name << " must have shape (" << rows << ", " << cols << ") " << why << ", got "
            << shape_str(a);
        throw py::value_error(msg.str());
    }
}

py::array_t<double> sinc_table()
{
    const std::vector<double> w = rs::sinc_table();
    py::array_t<double> out({py::ssize_t(rs::SINC_SUB), py::ssize_t(rs::SINC_LEN)});
    std::copy(w.begin(), w.end(), out.mutable_data());
    return out;
}

using f32array = py::array_t<float, py::array::c_style | py::array::forcecast>;

py::array_t<std::complex<float>> resample_slc(const carray& block, const py::array& az_any,
                                              const py::array& rg_any, py::ssize_t block_row0,
                                              py::ssize_t image_length, py::ssize_t out_row0,
                                              py::object carrier, std::complex<float> fill,
                                              int threads, py::object out_obj)
{
    threads = kernel_threads(threads);
    // float32 offsets (both) are read as they are; anything else as float64
    const bool single = az_any.dtype().is(py::dtype::of<float>()) &&
                        rg_any.dtype().is(py::dtype::of<float>());
    f32array az32, rg32;
    farray az_off, rg_off;
    if (single) {
        az32 = f32array::ensure(az_any);
        rg32 = f32array::ensure(rg_any);
    } else {
        az_off = farray::ensure(az_any);
        rg_off = farray::ensure(rg_any);
        if (!az_off || !rg_off) throw py::value_error("az_off and rg_off must be float arrays");
    }
    const py::array& az_arr = single ? static_cast<const py::array&>(az32) : az_off;
    const py::array& rg_arr = single ? static_cast<const py::array&>(rg32) : rg_off;
    if (block.ndim() != 2)
        throw py::value_error("block must be 2-D (lines, width), got shape " + shape_str(block));
    if (az_arr.ndim() != 2)
        throw py::value_error("az_off must be 2-D (out_lines, out_width), got shape " +
                              shape_str(az_arr));
    const py::ssize_t rows = block.shape(0), width = block.shape(1);
    const py::ssize_t out_rows = az_arr.shape(0), out_width = az_arr.shape(1);
    require_shape(rg_arr, "rg_off", out_rows, out_width, "to match az_off");
    if (image_length < 0) image_length = block_row0 + rows;
    if (block_row0 < 0 || block_row0 + rows > image_length) {
        std::ostringstream msg;
        msg << "block lines [" << block_row0 << ", " << block_row0 + rows
            << ") must lie inside the image's " << image_length << " lines";
        throw py::value_error(msg.str());
    }
    if (out_row0 < 0) throw py::value_error("out_row0 must be >= 0, got " + std::to_string(out_row0));
    farray car;
    const double* pc = nullptr;
    if (!carrier.is_none()) {
        car = farray::ensure(carrier);
        if (!car) throw py::value_error("carrier must be a float array or None");
        require_shape(car, "carrier", out_rows, out_width, "to match az_off");
        pc = car.data();
    }
    const std::vector<double> table = rs::sinc_table();
    // `out`: a caller's complex64 (n, m) C-contiguous buffer reused block after block (no
    // fresh pages to fault in and zero each time), else a new array
    py::array_t<std::complex<float>> out;
    if (out_obj.is_none()) {
        out = py::array_t<std::complex<float>>({out_rows, out_width});
    } else {
        out = py::array_t<std::complex<float>>::ensure(out_obj);
        const py::array given = py::reinterpret_borrow<py::array>(out_obj);
        if (!out || !given.dtype().is(py::dtype::of<std::complex<float>>()) ||
            !(given.flags() & py::array::c_style) || !given.writeable() ||
            out.ptr() != out_obj.ptr())
            throw py::value_error("out must be a writable C-contiguous complex64 array");
        require_shape(out, "out", out_rows, out_width, "to match az_off");
    }
    const rs::InputBlock in{block.data(), rows, width, block_row0, image_length};
    std::complex<float>* po = out.mutable_data();
    std::int64_t starved;
    if (single) {
        const float* pa = az32.data();
        const float* pr = rg32.data();
        py::gil_scoped_release release;
        starved = rs::resample_slc(in, pa, pr, pc, out_rows, out_width, out_row0, fill,
                                   table.data(), po, threads);
    } else {
        const double* pa = az_off.data();
        const double* pr = rg_off.data();
        py::gil_scoped_release release;
        starved = rs::resample_slc(in, pa, pr, pc, out_rows, out_width, out_row0, fill,
                                   table.data(), po, threads);
    }
    if (starved > 0) {
        std::ostringstream msg;
        msg << starved << " output pixels need input lines outside the block [" << block_row0
            << ", " << block_row0 + rows << "): read lines floor(i + az) - 3 .. floor(i + az) + 4";
        throw py::value_error(msg.str());
    }
    return out;
}

int max_threads()
{
    return kernel_threads(0);
}

}  // namespace

PYBIND11_MODULE(_signal, mod)
{
    mod.doc() = "isce compiled signal kernels (8-tap windowed-sinc SLC resampling). "
                "Built from library/ by SCons; see isce.signal.resample for the Python API.";

    mod.def("sinc_table", &sinc_table,
            R"doc(The resampling kernel: float64[SINC_SUB, SINC_LEN].

Row k holds the 8 weights for a sub-pixel fraction f in [k, k+1) / SINC_SUB, for
the samples at offsets -3 .. +4 from floor(position); every row sums to 1.
Hann-windowed sinc of ISCE3's Sinc2dInterpolator (8 taps, 8192 bins).)doc");

    mod.def("resample_slc", &resample_slc, py::arg("block"), py::arg("az_off"),
            py::arg("rg_off"), py::arg("block_row0") = 0, py::arg("image_length") = -1,
            py::arg("out_row0") = 0, py::arg("carrier") = py::none(),
            py::arg("fill") = std::complex<float>(0.0f, 0.0f), py::arg("threads") = 0,
            py::arg("out") = py::none(),
            R"doc(Resample a block of output lines of a complex64 image by offsets.

out[i, j] = in(out_row0 + i + az_off[i, j], j + rg_off[i, j])  (pixels)

Parameters
----------
block        : complex64[rows, width]  input lines block_row0 .. block_row0+rows-1
az_off       : float[n, m]             azimuth offsets (input lines), NaN = no data
rg_off       : float[n, m]             range offsets (input pixels), NaN = no data
               (both float32: used as they are; otherwise converted to float64)
block_row0   : global input line of block[0]
image_length : input image lines (-1: block_row0 + rows)
out_row0     : global output line of az_off[0] (the line index i in the formula)
carrier      : float64[n, m] or None   azimuth carrier 2 pi f_dc / PRF (rad per input
               line) at each output pixel; removed over the 8 azimuth taps before
               interpolation and restored at the interpolated position
fill         : value of pixels whose 8x8 support is not inside the image
threads      : OpenMP threads, 0 = default
out          : complex64[n, m] C-contiguous to write into (returned), or None

Returns complex64[n, m]. Raises ValueError when a valid pixel needs input lines
outside the block (read floor(i + az) - 3 .. floor(i + az) + 4). GIL released.)doc");

    mod.def("max_threads", &max_threads,
            "Number of OpenMP threads a parallel region uses by default (1 without OpenMP).");
    mod.attr("SINC_LEN") = rs::SINC_LEN;
    mod.attr("SINC_HALF") = rs::SINC_HALF;
    mod.attr("SINC_SUB") = rs::SINC_SUB;
}
