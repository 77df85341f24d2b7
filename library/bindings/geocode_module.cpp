// isce/library/bindings/geocode_module.cpp -- pybind11 module `isce.ext._geocode`.
//
// Thin bindings over library/geometry/geocode.hpp: the geo2rdr of an output
// lon/lat grid block and the interpolation of a block of radar lines at the
// resulting fractional (line, pixel). Arguments are plain arrays and numbers
// (orbit state vectors, Doppler table, radar grid), checked here; the kernels
// run with the GIL released, OpenMP over output lines / pixels.
// isce.geometry.geocode is the Python driver on top of this.
#include <pybind11/complex.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <complex>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "bindings/common.hpp"
#include "core/orbit.hpp"
#include "geometry/geocode.hpp"

namespace py = pybind11;
namespace geo = isce::geometry;
namespace gc = isce::geometry::geocode;
namespace orb = isce::core::orbit;

namespace {

using isce::bindings::farray;
using isce::bindings::kernel_threads;
using isce::bindings::lower;
using isce::bindings::shape_str;



gc::Method parse_method(const std::string& name) {
    const std::string k = lower(name);
    if (k == "nearest") return gc::Method::nearest;
    if (k == "bilinear" || k == "linear") return gc::Method::bilinear;
    if (k == "bicubic" || k == "cubic") return gc::Method::bicubic;
    if (k == "biquintic" || k == "quintic" || k == "spline6") return gc::Method::biquintic;
    if (k == "sinc") return gc::Method::sinc;
    throw py::value_error("geocode interpolation method must be 'nearest', 'bilinear', "
                          "'bicubic', 'biquintic' or 'sinc', got '" + name + "'");
}

geo::Interp parse_lut_method(const std::string& name) {
    const std::string k = lower(name);
    if (k == "nearest") return geo::Interp::nearest;
    if (k == "bilinear" || k == "linear") return geo::Interp::bilinear;
    if (k == "biquintic" || k == "quintic" || k == "spline6") return geo::Interp::biquintic;
    throw py::value_error("Doppler LUT method must be 'nearest', 'bilinear' or 'biquintic', "
                          "got '" + name + "'");
}

void check_positive(double v, const char* name) {
    if (!(std::isfinite(v) && v > 0.0)) {
        std::ostringstream msg;
        msg.precision(17);
        msg << name << " must be positive and finite, got " << v;
        throw py::value_error(msg.str());
    }
}

void check_finite(double v, const char* name) {
    if (!std::isfinite(v)) {
        std::ostringstream msg;
        msg.precision(17);
        msg << name << " must be finite, got " << v;
        throw py::value_error(msg.str());
    }
}

// ------------------------------------------------------------ geo2rdr
py::tuple geo2rdr_geogrid(const farray& orbit_time, const farray& orbit_position,
                          const farray& orbit_velocity, const farray& lon, const farray& lat,
                          const farray& heights, double t0, double prf, double r0, double dr,
                          long length, long width, double wavelength, int look_side,
                          const std::string& orbit_method, std::optional<farray> doppler,
                          std::tuple<double, double, double, double> doppler_grid,
                          const std::string& doppler_method, bool doppler_bounds_error,
                          double doppler_value, double t_guess, double a, double e2,
                          double threshold, int maxiter, double delta_range, int threads) {
    // orbit
    orb::Method om;
    if (!orb::parse_method(lower(orbit_method), om))
        throw py::value_error("orbit method must be 'hermite' or 'legendre', got '" +
                              orbit_method + "'");
    if (orbit_time.ndim() != 1)
        throw py::value_error("orbit time must be 1-D, got shape " + shape_str(orbit_time));
    const py::ssize_t nsv = orbit_time.shape(0);
    for (const farray* arr : {&orbit_position, &orbit_velocity})
        if (arr->ndim() != 2 || arr->shape(0) != nsv || arr->shape(1) != 3)
            throw py::value_error("orbit position/velocity must have shape (" +
                                  std::to_string(nsv) + ", 3), got " + shape_str(*arr));
    const std::string problem =
        orb::check_state_vectors(orbit_time.data(), static_cast<std::size_t>(nsv), om);
    if (!problem.empty()) throw py::value_error(problem);
    geo::OrbitView ov;
    ov.t = orbit_time.data();
    ov.pos = orbit_position.data();
    ov.vel = orbit_velocity.data();
    ov.n = static_cast<std::size_t>(nsv);
    ov.method = om;

    // Doppler
    geo::Lut2dView lv;
    lv.ref_value = doppler_value;
    lv.method = parse_lut_method(doppler_method);
    lv.bounds_error = doppler_bounds_error;
    if (doppler) {
        const farray& d = *doppler;
        if (d.ndim() != 2 || d.shape(0) < 2 || d.shape(1) < 2)
            throw py::value_error("Doppler table must be 2-D with at least 2 x 2 samples, got "
                                  "shape " + shape_str(d));
        auto [x0, dx, y0, dy] = doppler_grid;
        check_finite(x0, "Doppler x0");
        check_finite(y0, "Doppler y0");
        if (!std::isfinite(dx) || dx == 0.0 || !std::isfinite(dy) || dy == 0.0)
            throw py::value_error("Doppler table spacings must be finite and non-zero");
        lv.data = d.data();
        lv.length = static_cast<long>(d.shape(0));
        lv.width = static_cast<long>(d.shape(1));
        lv.x0 = x0;
        lv.dx = dx;
        lv.y0 = y0;
        lv.dy = dy;
    }

    // radar grid
    gc::RadarGridView g;
    check_finite(t0, "t0");
    check_positive(prf, "prf");
    check_finite(r0, "r0");
    check_positive(dr, "dr");
    check_positive(wavelength, "wavelength");
    if (length < 1 || width < 1)
        throw py::value_error("radar grid length and width must be >= 1");
    if (look_side != geo::kLeft && look_side != geo::kRight)
        throw py::value_error("look_side must be +1 (left) or -1 (right), got " +
                              std::to_string(look_side));
    g.t0 = t0;
    g.prf = prf;
    g.r0 = r0;
    g.dr = dr;
    g.length = length;
    g.width = width;
    g.wavelength = wavelength;
    g.side = look_side;

    // output grid
    if (lon.ndim() != 1 || lat.ndim() != 1)
        throw py::value_error("lon and lat must be 1-D (pixel-centre coordinates), got " +
                              shape_str(lon) + " and " + shape_str(lat));
    const long wo = static_cast<long>(lon.shape(0)), lo = static_cast<long>(lat.shape(0));
    if (heights.ndim() != 2 || heights.shape(0) != lo || heights.shape(1) != wo)
        throw py::value_error("heights must have shape (len(lat), len(lon)) = (" +
                              std::to_string(lo) + ", " + std::to_string(wo) + "), got " +
                              shape_str(heights));
    if (!(std::isfinite(a) && a > 0.0) || !(e2 >= 0.0 && e2 < 1.0))
        throw py::value_error("bad ellipsoid (a > 0, 0 <= e2 < 1)");
    check_positive(threshold, "threshold");
    if (maxiter < 1) throw py::value_error("maxiter must be >= 1");
    check_positive(delta_range, "delta_range");
    threads = kernel_threads(threads);

    geo::Ellipsoid ell{a, e2};
    geo::Geo2RdrParams prm{threshold, maxiter, delta_range};
    py::array_t<double> line({lo, wo}), pixel({lo, wo});
    const double* plon = lon.data();
    const double* plat = lat.data();
    const double* ph = heights.data();
    double* pl = line.mutable_data();
    double* pp = pixel.mutable_data();
    long kept;
    {
        py::gil_scoped_release release;
        kept = gc::geo2rdr_geogrid(ov, lv, ell, prm, g, plon, plat, ph, lo, wo, t_guess, pl, pp,
                                   threads);
    }
    return py::make_tuple(line, pixel, kept);
}

// ------------------------------------------------------------ interpolation
template <class T>
py::tuple interp_typed(const py::array& data_any, const farray& line, const farray& pixel,
                       long row0, long length, gc::Method method,
                       const std::optional<farray>& carrier, const py::object& fill_obj,
                       int threads) {
    using A = py::array_t<T, py::array::c_style | py::array::forcecast>;
    A data = A::ensure(data_any);
    if (!data) throw py::type_error("could not convert the radar block");
    const long rows = static_cast<long>(data.shape(0));
    const long width = static_cast<long>(data.shape(1));
    T fill;
    if (fill_obj.is_none()) {
        if constexpr (gc::is_complex<T>::value) {
            using R = typename T::value_type;
            fill = T(std::numeric_limits<R>::quiet_NaN(), std::numeric_limits<R>::quiet_NaN());
        } else if constexpr (std::is_floating_point_v<T>) {
            fill = std::numeric_limits<T>::quiet_NaN();
        } else {
            fill = T(0);
        }
    } else {
        fill = fill_obj.cast<T>();
    }
    std::vector<py::ssize_t> shape(line.shape(), line.shape() + line.ndim());
    py::array_t<T> out(shape);
    const T* pd = data.data();
    const double* pl = line.data();
    const double* pp = pixel.data();
    const double* pc = carrier ? carrier->data() : nullptr;
    T* po = out.mutable_data();
    const long n = static_cast<long>(line.size());
    long starved;
    {
        py::gil_scoped_release release;
        starved = gc::interpolate_block<T>(pd, rows, width, row0, length, pl, pp, n, method, pc,
                                           fill, po, threads);
    }
    return py::make_tuple(out, starved);
}

py::tuple interpolate(const py::array& data, const farray& line, const farray& pixel,
                      long row0, std::optional<long> length, const std::string& method,
                      std::optional<farray> carrier, const py::object& fill, int threads) {
    if (data.ndim() != 2)
        throw py::value_error("the radar block must be 2-D (rows, width), got shape " +
                              shape_str(data));
    if (line.size() != pixel.size() || line.ndim() != pixel.ndim())
        throw py::value_error("line and pixel must have the same shape, got " +
                              shape_str(line) + " and " + shape_str(pixel));
    for (py::ssize_t d = 0; d < line.ndim(); ++d)
        if (line.shape(d) != pixel.shape(d))
            throw py::value_error("line and pixel must have the same shape, got " +
                                  shape_str(line) + " and " + shape_str(pixel));
    const long rows = static_cast<long>(data.shape(0));
    const long full = length ? *length : row0 + rows;
    if (row0 < 0 || rows < 1 || data.shape(1) < 1 || row0 + rows > full)
        throw py::value_error("the block (row0 " + std::to_string(row0) + ", " +
                              std::to_string(rows) + " rows) must lie inside the image of " +
                              std::to_string(full) + " lines");
    const gc::Method m = parse_method(method);
    threads = kernel_threads(threads);
    const py::dtype dt = data.dtype();
    const char kind = dt.kind();
    const auto size = dt.itemsize();
    if (carrier) {
        if (carrier->size() != line.size())
            throw py::value_error("carrier must have the shape of line, got " +
                                  shape_str(*carrier));
        if (kind != 'c')
            throw py::value_error("an azimuth carrier only applies to complex data");
    }
    if (kind == 'c' && size == 8)
        return interp_typed<std::complex<float>>(data, line, pixel, row0, full, m, carrier, fill,
                                                 threads);
    if (kind == 'c' && size == 16)
        return interp_typed<std::complex<double>>(data, line, pixel, row0, full, m, carrier, fill,
                                                  threads);
    if (kind == 'f' && size == 4)
        return interp_typed<float>(data, line, pixel, row0, full, m, carrier, fill, threads);
    if (kind == 'f' && size == 8)
        return interp_typed<double>(data, line, pixel, row0, full, m, carrier, fill, threads);
    if (kind == 'u' && size == 1)
        return interp_typed<std::uint8_t>(data, line, pixel, row0, full, m, carrier, fill, threads);
    if (kind == 'i' && size == 1)
        return interp_typed<std::int8_t>(data, line, pixel, row0, full, m, carrier, fill, threads);
    if (kind == 'i' && size == 2)
        return interp_typed<std::int16_t>(data, line, pixel, row0, full, m, carrier, fill, threads);
    if (kind == 'u' && size == 2)
        return interp_typed<std::uint16_t>(data, line, pixel, row0, full, m, carrier, fill,
                                           threads);
    if (kind == 'i' && size == 4)
        return interp_typed<std::int32_t>(data, line, pixel, row0, full, m, carrier, fill, threads);
    if (kind == 'u' && size == 4)
        return interp_typed<std::uint32_t>(data, line, pixel, row0, full, m, carrier, fill,
                                           threads);
    if (kind == 'i' && size == 8)
        return interp_typed<std::int64_t>(data, line, pixel, row0, full, m, carrier, fill, threads);
    throw py::type_error("unsupported radar data type " + std::string(py::str(dt)) +
                         " (complex64/128, float32/64 or an integer type)");
}

py::tuple axis_weights(const std::string& method, double c, long n) {
    if (n < 1) throw py::value_error("n must be >= 1");
    gc::Axis ax;
    if (!(c >= 0.0 && c <= n - 1.0) || !gc::make_axis(parse_method(method), c, n, ax))
        return py::make_tuple(py::none(), py::array_t<double>(0));
    py::array_t<double> w(ax.count);
    std::copy(ax.w, ax.w + ax.count, w.mutable_data());
    return py::make_tuple(ax.first, w);
}

}  // namespace

PYBIND11_MODULE(_geocode, mod) {
    mod.doc() =
        "isce compiled geocoding kernels (ISCE3 geocode / ISCE2 geozero): geo2rdr of a "
        "lon/lat output grid and interpolation of radar data there. Built from "
        "library/geometry/geocode.hpp by SCons; see isce.geometry.geocode for the Python API.";

    const double wgs_a = 6378137.0, wgs_e2 = 0.0066943799901;

    mod.def("geo2rdr_geogrid", &geo2rdr_geogrid, py::arg("orbit_time"),
            py::arg("orbit_position"), py::arg("orbit_velocity"), py::arg("lon"), py::arg("lat"),
            py::arg("heights"), py::kw_only(), py::arg("t0"), py::arg("prf"), py::arg("r0"),
            py::arg("dr"), py::arg("length"), py::arg("width"), py::arg("wavelength"),
            py::arg("look_side"), py::arg("orbit_method") = "hermite",
            py::arg("doppler") = py::none(),
            py::arg("doppler_grid") = std::make_tuple(0.0, 1.0, 0.0, 1.0),
            py::arg("doppler_method") = "bilinear", py::arg("doppler_bounds_error") = false,
            py::arg("doppler_value") = 0.0,
            py::arg("t_guess") = std::numeric_limits<double>::quiet_NaN(), py::arg("a") = wgs_a,
            py::arg("e2") = wgs_e2, py::arg("threshold") = 1e-9, py::arg("maxiter") = 50,
            py::arg("delta_range") = 10.0, py::arg("threads") = 0,
            R"doc(Fractional radar (line, pixel) of every pixel of a lon/lat grid block.

orbit_time [n] s (same epoch as t0 and the Doppler table), orbit_position /
orbit_velocity [n, 3] ECEF; lon [W], lat [L] pixel-centre coordinates [deg];
heights [L, W] m above the ellipsoid (NaN: skip). Radar grid: line 0 at t0 [s],
prf [Hz], r0 [m], dr [m], length x width, wavelength [m], look_side (+1 left,
-1 right). Doppler [Hz]: table doppler [rows, cols] over rows y0 + i dy (time)
and columns x0 + j dx (range), doppler_grid = (x0, dx, y0, dy), or the
constant doppler_value. geo2rdr Newton threshold [s] and maxiter; t_guess: the
starting time of each row (NaN: coarse orbit scan). Returns (line, pixel,
kept): [L, W] arrays, NaN where geo2rdr failed or the point lies outside the
radar grid's pixel centres. GIL released, OpenMP over rows.)doc");

    mod.def("interpolate", &interpolate, py::arg("data"), py::arg("line"), py::arg("pixel"),
            py::kw_only(), py::arg("row0") = 0, py::arg("length") = py::none(),
            py::arg("method") = "bilinear", py::arg("carrier") = py::none(),
            py::arg("fill") = py::none(), py::arg("threads") = 0,
            R"doc(Interpolate radar lines at fractional (line, pixel).

data [rows, width]: lines row0 .. row0+rows-1 of an image of `length` lines
(default row0 + rows). line, pixel: global fractional indices (any shape).
method: 'nearest', 'bilinear', 'bicubic' (Keys a = -1/2, linear edge
extrapolation), 'biquintic' (ISCE3 6 x 6 natural-spline kernel, window kept
inside the image) or 'sinc' (8-tap raised-cosine windowed sinc; window must lie
inside the image). carrier (complex data only): azimuth carrier [rad/line] per
output pixel, removed before and restored after interpolation. fill: value
outside (default NaN for float/complex, 0 for integers). Returns (out, starved):
out shaped like line, of data's dtype; starved = pixels whose window left the
block (set to fill; read more lines).)doc");

    mod.def("axis_weights", &axis_weights, py::arg("method"), py::arg("c"), py::arg("n"),
            "(first, weights) of the 1-D window a method uses at coordinate c on an axis of n "
            "samples, or (None, []) where it cannot be evaluated.");
    mod.def("method_margin", [](const std::string& m) { return gc::method_margin(parse_method(m)); },
            py::arg("method"), "Lines a method may read beyond floor(line) on either side.");
    mod.attr("METHODS") = py::make_tuple("nearest", "bilinear", "bicubic", "biquintic", "sinc");
#ifdef _OPENMP
    mod.attr("OPENMP") = true;
#else
    mod.attr("OPENMP") = false;
#endif
}
