// isce/library/bindings/offsets_module.cpp -- pybind11 module `isce.ext._offsets`.
//
// Thin bindings: check shapes and arguments, allocate the outputs, release
// the GIL, call the pure kernels of library/offsets/. Every ValueError names
// the argument, the expected shape and the shape received.
#include <pybind11/complex.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <sstream>
#include <string>

#include "bindings/common.hpp"
#include "offsets/ampcor.hpp"

namespace py = pybind11;
namespace off = isce::offsets;

namespace {

using isce::bindings::farray;
using isce::bindings::kernel_threads;
using isce::bindings::shape_str;
using iarray = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

void require(bool ok, const std::string& name, const std::string& expected, const py::array& a)
{
    if (!ok) {
        std::ostringstream msg;
        msg << name << " must have shape " << expected << ", got " << shape_str(a);
        throw py::value_error(msg.str());
    }
}

template <typename T>
py::tuple run(const py::array_t<std::complex<T>, py::array::c_style>& spec, std::int64_t ny,
              std::int64_t nx, const farray& var3, const farray& rr, const iarray& ky,
              const iarray& kx, const farray& y0, const farray& x0, int iterations, int threads)
{
    const std::int64_t b = spec.ndim() == 3 ? spec.shape(0) : -1;
    const std::int64_t nxh = nx / 2 + 1;
    std::ostringstream sshape;
    sshape << "(B, " << ny << ", " << nxh << ")";
    require(spec.ndim() == 3 && spec.shape(1) == ny && spec.shape(2) == nxh, "spec", sshape.str(),
            spec);
    const std::string vec = "(" + std::to_string(b) + ",)";
    require(var3.ndim() == 3 && var3.shape(0) == b && var3.shape(1) == 3 && var3.shape(2) == 3,
            "var3", "(" + std::to_string(b) + ", 3, 3)", var3);
    for (auto [a, name] : {std::pair<const py::array*, const char*>{&rr, "rr"}, {&y0, "y0"},
                           {&x0, "x0"}, {&ky, "ky"}, {&kx, "kx"}})
        require(a->ndim() == 1 && a->shape(0) == b, name, vec, *a);
    py::array_t<double> y(b), x(b), peak(b);
    const off::PeakInputs in{b, ny, nx, var3.data(), rr.data(), ky.data(), kx.data(), y0.data(),
                             x0.data()};
    const off::PeakOutputs out{y.mutable_data(), x.mutable_data(), peak.mutable_data()};
    {
        py::gil_scoped_release release;
        off::refine_peaks<T>(spec.data(), in, iterations, out, threads);
    }
    return py::make_tuple(y, x, peak);
}

py::tuple refine_peaks(const py::array& spec, std::int64_t ny, std::int64_t nx,
                       const farray& var3, const farray& rr, const iarray& ky, const iarray& kx,
                       const farray& y0, const farray& x0, int iterations, int threads)
{
    if (ny < 1 || nx < 1)
        throw py::value_error("ny and nx must be >= 1, got " + std::to_string(ny) + ", " +
                              std::to_string(nx));
    threads = kernel_threads(threads);
    if (py::isinstance<py::array_t<std::complex<float>>>(spec))
        return run<float>(py::array_t<std::complex<float>, py::array::c_style>::ensure(spec), ny,
                          nx, var3, rr, ky, kx, y0, x0, iterations, threads);
    auto s = py::array_t<std::complex<double>, py::array::c_style | py::array::forcecast>::ensure(spec);
    if (!s) throw py::value_error("spec must be a complex64 or complex128 array");
    return run<double>(s, ny, nx, var3, rr, ky, kx, y0, x0, iterations, threads);
}

template <typename T>
py::array_t<double> box_variance_t(const py::array_t<T, py::array::c_style>& chips, std::int64_t h,
                                   std::int64_t w, int threads)
{
    const std::int64_t b = chips.shape(0), rows = chips.shape(1), cols = chips.shape(2);
    if (h < 1 || w < 1 || h > rows || w > cols) {
        std::ostringstream msg;
        msg << "box (" << h << ", " << w << ") must be at least 1 x 1 and fit in the chips "
            << shape_str(chips);
        throw py::value_error(msg.str());
    }
    py::array_t<double> out({b, rows - h + 1, cols - w + 1});
    double* po = out.mutable_data();
    const T* pc = chips.data();
    {
        py::gil_scoped_release release;
        off::box_variance<T>(pc, b, rows, cols, h, w, po, threads);
    }
    return out;
}

py::array_t<double> box_variance(const py::array& chips, std::int64_t h, std::int64_t w,
                                 int threads)
{
    if (chips.ndim() != 3)
        throw py::value_error("chips must be 3-D (B, rows, cols), got shape " + shape_str(chips));
    threads = kernel_threads(threads);
    if (py::isinstance<py::array_t<float>>(chips))
        return box_variance_t<float>(py::array_t<float, py::array::c_style>::ensure(chips), h, w,
                                     threads);
    auto c = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(chips);
    if (!c) throw py::value_error("chips must be a real (float32 or float64) array");
    return box_variance_t<double>(c, h, w, threads);
}

}  // namespace

PYBIND11_MODULE(_offsets, mod)
{
    mod.doc() = "isce compiled offset kernels (sub-pixel correlation peaks for ampcor). "
                "Built from library/ by SCons; see isce.offsets.ampcor for the Python API.";

    mod.def("refine_peaks", &refine_peaks, py::arg("spec"), py::arg("ny"), py::arg("nx"),
            py::arg("var3"), py::arg("rr"), py::arg("ky"), py::arg("kx"), py::arg("y0"),
            py::arg("x0"), py::arg("iterations") = 3, py::arg("threads") = 0,
            R"doc(Sub-sample maxima of B normalized correlation surfaces (Newton's method).

Parameters
----------
spec       : complex64 or complex128 [B, ny, nx//2+1]  half spectra (numpy rfft2 layout)
             of the correlation numerators on an ny x nx grid
ny, nx     : the DFT grid
var3       : float64 [B, 3, 3]  search-chip local energy at the integer lags around (ky, kx)
rr         : float64 [B]        sum of the squared zero-mean reference chip
ky, kx     : int64 [B]          integer peak (lag samples)
y0, x0     : float64 [B]        start positions (lag samples)
iterations : Newton steps
threads    : OpenMP threads, 0 = default

Returns (y, x, peak): float64 [B] each: position in lag samples (within +-1 of
(ky, kx)) and the normalized correlation there. GIL released. Matches
isce.offsets._ncc.newton_refine.)doc");

    mod.def("box_variance", &box_variance, py::arg("chips"), py::arg("h"), py::arg("w"),
            py::arg("threads") = 0,
            R"doc(Local variance of every h x w box of a stack of real chips.

chips : float32 or float64 [B, rows, cols]
Returns float64 [B, rows-h+1, cols-w+1]: sum s^2 - (sum s)^2 / (h w) over the box
whose top-left sample is (i, j) (sums of s - chip mean, in double precision).
GIL released, OpenMP over chips. Matches isce.offsets._ncc.box_variance(kernel=False).)doc");
}
