// isce/library/bindings/core_module.cpp -- pybind11 module `isce.ext._core`.
//
// Thin bindings: check shapes and arguments, allocate the outputs, release
// the GIL, call the pure kernels of library/core/. Every ValueError names
// the argument, the expected shape and the shape received.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "bindings/common.hpp"
#include "core/orbit.hpp"

namespace py = pybind11;
namespace orb = isce::core::orbit;

namespace {

using isce::bindings::farray;
using isce::bindings::kernel_threads;
using isce::bindings::lower;
using isce::bindings::shape_str;


void require_rows3(const farray& a, const char* name, py::ssize_t n) {
    if (a.ndim() != 2 || a.shape(0) != n || a.shape(1) != 3) {
        std::ostringstream msg;
        msg << name << " must have shape (n, 3) = (" << n << ", 3) to match sv_time, got "
            << shape_str(a);
        throw py::value_error(msg.str());
    }
}

py::tuple interpolate_orbit(const farray& sv_time, const farray& sv_pos,
                            const farray& sv_vel, const farray& t,
                            std::string method, int threads) {
    method = lower(method);
    orb::Method m;
    if (!orb::parse_method(method, m))
        throw py::value_error("method must be 'hermite' or 'legendre', got '" + method + "'");
    threads = kernel_threads(threads);
    if (sv_time.ndim() != 1)
        throw py::value_error("sv_time must be 1-D (n,), got shape " + shape_str(sv_time));
    const py::ssize_t n = sv_time.shape(0);
    require_rows3(sv_pos, "sv_pos", n);
    require_rows3(sv_vel, "sv_vel", n);
    if (t.ndim() != 1)
        throw py::value_error("t must be 1-D (m,), got shape " + shape_str(t));
    const std::string problem =
        orb::check_state_vectors(sv_time.data(), static_cast<std::size_t>(n), m);
    if (!problem.empty()) throw py::value_error(problem);

    const py::ssize_t count = t.shape(0);
    py::array_t<double> out_pos({count, py::ssize_t(3)});
    py::array_t<double> out_vel({count, py::ssize_t(3)});
    const double* pt = sv_time.data();
    const double* pp = sv_pos.data();
    const double* pv = sv_vel.data();
    const double* pq = t.data();
    double* op = out_pos.mutable_data();
    double* ov = out_vel.mutable_data();
    {
        py::gil_scoped_release release;
        orb::interpolate_orbit(pt, pp, pv, static_cast<std::size_t>(n), pq,
                               static_cast<std::size_t>(count), m, op, ov, threads);
    }
    return py::make_tuple(out_pos, out_vel);
}

int max_threads() {
    return kernel_threads(0);
}

}  // namespace

PYBIND11_MODULE(_core, mod) {
    mod.doc() = "isce compiled core kernels (orbit interpolation). "
                "Built from library/ by SCons; see isce.core.orbit for the Python API.";

    mod.def("interpolate_orbit", &interpolate_orbit, py::arg("sv_time"), py::arg("sv_pos"),
            py::arg("sv_vel"), py::arg("t"), py::arg("method") = "hermite",
            py::arg("threads") = 0,
            R"doc(Interpolate orbit state vectors at query times.

Parameters
----------
sv_time : float64[n]      state-vector times (s), strictly increasing
sv_pos  : float64[n, 3]   ECEF positions (m)
sv_vel  : float64[n, 3]   ECEF velocities (m/s)
t       : float64[m]      query times (s, same epoch as sv_time)
method  : 'hermite' (4-node, degree-7 Hermite, velocity = derivative; needs n >= 4)
          or 'legendre' (9-node degree-8 Lagrange, position and velocity
          interpolated independently; needs n >= 9)
threads : OpenMP threads, 0 = default (OMP_NUM_THREADS / all cores)

Returns (pos[m, 3], vel[m, 3]). Query times outside [sv_time[0], sv_time[-1]]
are extrapolated from the end windows (no out-of-bounds reads); refusing them
is the caller's job. The GIL is released during the computation.)doc");

    mod.def("max_threads", &max_threads,
            "Number of OpenMP threads a parallel region uses by default (1 without OpenMP).");
    mod.attr("HERMITE_NODES") = static_cast<int>(orb::hermite_nodes);
    mod.attr("LEGENDRE_NODES") = static_cast<int>(orb::legendre_nodes);
#ifdef _OPENMP
    mod.attr("OPENMP") = true;
#else
    mod.attr("OPENMP") = false;
#endif
}
