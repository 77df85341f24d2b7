// Helpers shared by the pybind11 bindings: array aliases and readable error text.
#pragma once

#include <algorithm>
#include <cctype>
#include <sstream>
#include <string>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace isce::bindings {

namespace py = pybind11;

// float64 array, C-contiguous, converted from whatever the caller passes
using farray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// "(3, 4)" / "(5,)": an array's shape as Python prints it, for error messages
inline std::string shape_str(const py::array& a) {
    std::ostringstream s;
    s << "(";
    for (py::ssize_t i = 0; i < a.ndim(); ++i) {
        if (i) s << ", ";
        s << a.shape(i);
    }
    if (a.ndim() == 1) s << ",";
    s << ")";
    return s.str();
}

// lower-case copy (option names compare case-insensitively)
inline std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// OpenMP threads a kernel runs with: `requested` (0 = OpenMP's default, i.e.
// $OMP_NUM_THREADS or all processors), never more than the processors this process
// may run on: a count beyond the machine (OMP_NUM_THREADS=100000) would make the
// runtime fail to create its threads and crash the process. Negative is an error.
inline int kernel_threads(int requested) {
    if (requested < 0)
        throw py::value_error("threads must be >= 0 (0 = OpenMP default), got " +
                              std::to_string(requested));
#ifdef _OPENMP
    const int wanted = requested > 0 ? requested : omp_get_max_threads();
    return std::max(1, std::min(wanted, omp_get_num_procs()));
#else
    return 1;
#endif
}

}  // namespace isce::bindings
