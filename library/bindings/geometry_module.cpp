// isce/library/bindings/geometry_module.cpp -- pybind11 module `isce.ext._geometry`.
//
// Thin bindings over library/geometry/: three immutable data holders
// (OrbitData, Lut2d, Dem: they own a C-contiguous copy or reference of
// their arrays and expose read-only properties, no setters) and pure
// functions over arrays. Shapes and arguments are checked here; the kernels
// run with the GIL released, OpenMP over lines/points. isce.geometry is the
// Python API on top of this.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "bindings/common.hpp"
#include "core/orbit.hpp"
#include "geometry/common.hpp"
#include "geometry/dem_interp.hpp"
#include "geometry/geo2rdr.hpp"
#include "geometry/lut2d.hpp"
#include "geometry/rdr2geo.hpp"

namespace py = pybind11;
namespace geo = isce::geometry;
namespace orb = isce::core::orbit;

namespace {

using isce::bindings::farray;
using isce::bindings::kernel_threads;
using isce::bindings::lower;
using isce::bindings::shape_str;
using f32array = py::array_t<float, py::array::c_style | py::array::forcecast>;



geo::Interp parse_interp(const std::string& name, const char* what) {
    const std::string k = lower(name);
    if (k == "nearest") return geo::Interp::nearest;
    if (k == "bilinear" || k == "linear") return geo::Interp::bilinear;
    if (k == "biquintic" || k == "quintic" || k == "spline6")
        return geo::Interp::biquintic;
    throw py::value_error(std::string(what) + " interpolation method must be 'nearest', "
                          "'bilinear' or 'biquintic' (ISCE3's 6x6 spline kernel), got '" +
                          name + "'");
}

const char* interp_name(geo::Interp m) {
    switch (m) {
        case geo::Interp::nearest: return "nearest";
        case geo::Interp::bilinear: return "bilinear";
        default: return "biquintic";
    }
}

int parse_side(int side) {
    if (side != geo::kLeft && side != geo::kRight)
        throw py::value_error("look_side must be +1 (left) or -1 (right), got " +
                              std::to_string(side));
    return side;
}

void check_finite_nonzero(double v, const char* name) {
    if (!std::isfinite(v) || v == 0.0) {
        std::ostringstream msg;
        msg.precision(17);
        msg << name << " must be finite and non-zero, got " << v;
        throw py::value_error(msg.str());
    }
}

geo::Ellipsoid make_ellipsoid(double a, double e2) {
    if (!(std::isfinite(a) && a > 0.0))
        throw py::value_error("ellipsoid semi-major axis a must be positive");
    if (!(e2 >= 0.0 && e2 < 1.0))
        throw py::value_error("ellipsoid e2 must be in [0, 1)");
    return geo::Ellipsoid{a, e2};
}

void check_positive(double v, const char* name) {
    if (!(std::isfinite(v) && v > 0.0)) {
        std::ostringstream msg;
        msg.precision(17);
        msg << name << " must be positive and finite, got " << v;
        throw py::value_error(msg.str());
    }
}

// ------------------------------------------------------------- holders
struct OrbitData {
    farray t, pos, vel;
    orb::Method method;

    OrbitData(farray t_, farray pos_, farray vel_, const std::string& m)
        : t(std::move(t_)), pos(std::move(pos_)), vel(std::move(vel_)) {
        if (!orb::parse_method(lower(m), method))
            throw py::value_error("orbit method must be 'hermite' or 'legendre', got '" + m + "'");
        if (t.ndim() != 1)
            throw py::value_error("orbit time must be 1-D (n,), got shape " + shape_str(t));
        const py::ssize_t n = t.shape(0);
        for (auto* a : {&pos, &vel}) {
            if (a->ndim() != 2 || a->shape(0) != n || a->shape(1) != 3)
                throw py::value_error(std::string(a == &pos ? "orbit position" : "orbit velocity") +
                                      " must have shape (n, 3) = (" + std::to_string(n) +
                                      ", 3) to match the times, got " + shape_str(*a));
        }
        const std::string problem =
            orb::check_state_vectors(t.data(), static_cast<std::size_t>(n), method);
        if (!problem.empty()) throw py::value_error(problem);
        const double* p = pos.data();
        const double* v = vel.data();
        for (py::ssize_t i = 0; i < 3 * n; ++i)
            if (!std::isfinite(p[i]) || !std::isfinite(v[i]))
                throw py::value_error("orbit positions and velocities must be finite");
    }

    geo::OrbitView view() const {
        geo::OrbitView o;
        o.t = t.data();
        o.pos = pos.data();
        o.vel = vel.data();
        o.n = static_cast<std::size_t>(t.shape(0));
        o.method = method;
        return o;
    }
};

struct Lut2d {
    farray data;            // [length, width]; unused when !have
    bool have = false;
    double ref_value = 0.0;
    double x0 = 0.0, dx = 1.0, y0 = 0.0, dy = 1.0;
    geo::Interp method = geo::Interp::bilinear;
    bool bounds_error = false;

    static Lut2d constant(double value) {
        Lut2d l;
        l.ref_value = value;
        return l;
    }

    Lut2d() = default;
    Lut2d(double x0_, double dx_, double y0_, double dy_, farray data, const std::string& m,
          bool bounds)
        : x0(x0_), dx(dx_), y0(y0_), dy(dy_), method(parse_interp(m, "LUT2d")),
          bounds_error(bounds) {
        if (data.ndim() != 2)
            throw py::value_error("LUT2d data must be 2-D (length, width), got shape " +
                                  shape_str(data));
        const long need = geo::interp_min_size(method);
        if (data.shape(0) < need || data.shape(1) < need)
            throw py::value_error("LUT2d data needs at least " + std::to_string(need) +
                                  " rows and columns for " + interp_name(method) +
                                  " interpolation, got shape " + shape_str(data));
        check_finite_nonzero(dx, "LUT2d x spacing");
        check_finite_nonzero(dy, "LUT2d y spacing");
        if (!std::isfinite(x0) || !std::isfinite(y0))
            throw py::value_error("LUT2d starts must be finite");
        ref_value = data.data()[0];
        this->data = std::move(data);
        have = true;
    }

    bool have_data() const { return have; }

    geo::Lut2dView view() const {
        geo::Lut2dView v;
        v.ref_value = ref_value;
        v.method = method;
        v.bounds_error = bounds_error;
        if (have_data()) {
            const farray& a = data;
            v.data = a.data();
            v.length = static_cast<long>(a.shape(0));
            v.width = static_cast<long>(a.shape(1));
            v.x0 = x0;
            v.dx = dx;
            v.y0 = y0;
            v.dy = dy;
        }
        return v;
    }
};

struct Dem {
    f32array data;          // [length, width]; unused when !have
    bool have = false;
    double ref_height = 0.0;
    double x0 = 0.0, y0 = 0.0, dx = 1.0, dy = -1.0;
    geo::Interp method = geo::Interp::biquintic;

    static Dem constant(double h) {
        if (!std::isfinite(h)) throw py::value_error("constant DEM height must be finite");
        Dem d;
        d.ref_height = h;
        return d;
    }

    Dem() = default;
    Dem(double x0_, double y0_, double dx_, double dy_, f32array data, double ref,
        const std::string& m)
        : ref_height(ref), x0(x0_), y0(y0_), dx(dx_), dy(dy_), method(parse_interp(m, "DEM")) {
        if (data.ndim() != 2)
            throw py::value_error("DEM data must be 2-D (length, width), got shape " +
                                  shape_str(data));
        if (data.shape(0) < 4 || data.shape(1) < 4)
            throw py::value_error("DEM needs at least 4 x 4 samples, got shape " +
                                  shape_str(data));
        check_finite_nonzero(dx, "DEM x spacing");
        check_finite_nonzero(dy, "DEM y spacing");
        if (!std::isfinite(x0) || !std::isfinite(y0))
            throw py::value_error("DEM origin must be finite");
        if (!std::isfinite(ref))
            throw py::value_error("DEM reference height must be finite");
        this->data = std::move(data);
        have = true;
    }

    bool have_raster() const { return have; }

    geo::DemView view() const {
        geo::DemView v;
        v.ref_height = ref_height;
        v.method = method;
        if (have_raster()) {
            const f32array& a = data;
            v.data = a.data();
            v.length = static_cast<long>(a.shape(0));
            v.width = static_cast<long>(a.shape(1));
            v.x0 = x0;
            v.y0 = y0;
            v.dx = dx;
            v.dy = dy;
        }
        return v;
    }
};

// ------------------------------------------------------------ functions
geo::Rdr2GeoParams make_rdr2geo_params(double threshold, int maxiter, int extraiter, bool secant) {
    check_positive(threshold, "threshold");
    if (maxiter < 1 || extraiter < 0)
        throw py::value_error("need maxiter >= 1 and extraiter >= 0, got " +
                              std::to_string(maxiter) + " and " + std::to_string(extraiter));
    geo::Rdr2GeoParams prm;
    prm.threshold = threshold;
    prm.maxiter = maxiter;
    prm.extraiter = extraiter;
    prm.secant = secant;
    return prm;
}

py::tuple rdr2geo_points(const OrbitData& orbit, const Lut2d& doppler, const Dem& dem,
                         const farray& t, const farray& r, double wavelength, int look_side,
                         const std::optional<farray>& heights, double a, double e2,
                         double threshold, int maxiter, int extraiter, bool secant,
                         int threads) {
    check_positive(wavelength, "wavelength");
    parse_side(look_side);
    threads = kernel_threads(threads);
    const geo::Ellipsoid ell = make_ellipsoid(a, e2);
    if (t.ndim() != 1) throw py::value_error("t must be 1-D (n,), got shape " + shape_str(t));
    const py::ssize_t n = t.shape(0);
    if (r.ndim() != 1 || r.shape(0) != n)
        throw py::value_error("r must have shape (" + std::to_string(n) +
                              ",) to match t, got " + shape_str(r));
    const double* ph = nullptr;
    if (heights) {
        if (heights->ndim() != 1 || heights->shape(0) != n)
            throw py::value_error("heights must have shape (" + std::to_string(n) +
                                  ",) to match t, got " + shape_str(*heights));
        ph = heights->data();
    }
    const geo::Rdr2GeoParams prm = make_rdr2geo_params(threshold, maxiter, extraiter, secant);
    py::array_t<double> llh({n, py::ssize_t(3)});
    py::array_t<bool> conv(n);
    const auto ov = orbit.view();
    const auto lv = doppler.view();
    const auto dv = dem.view();
    const double* pt = t.data();
    const double* pr = r.data();
    double* pl = llh.mutable_data();
    auto* pc = reinterpret_cast<std::uint8_t*>(conv.mutable_data());
    {
        py::gil_scoped_release release;
        geo::rdr2geo_points(ov, lv, dv, ph, pt, pr, static_cast<long>(n), wavelength, look_side,
                            ell, prm, pl, pc, threads);
    }
    return py::make_tuple(llh, conv);
}

const std::vector<std::string>& all_layers() {
    static const std::vector<std::string> names = {"lon", "lat", "z", "inc", "hdg", "los_az",
                                                   "local_inc", "local_psi", "converged"};
    return names;
}

py::dict rdr2geo_grid(const OrbitData& orbit, const Lut2d& doppler, const Dem& dem,
                      const farray& t, const farray& r, double wavelength, int look_side,
                      const std::optional<farray>& heights, double a, double e2,
                      double threshold, int maxiter, int extraiter, bool secant,
                      const std::optional<std::vector<std::string>>& layers, int threads,
                      const std::optional<py::dict>& out_arrays) {
    check_positive(wavelength, "wavelength");
    parse_side(look_side);
    threads = kernel_threads(threads);
    const geo::Ellipsoid ell = make_ellipsoid(a, e2);
    if (t.ndim() != 1) throw py::value_error("t must be 1-D (lines,), got shape " + shape_str(t));
    if (r.ndim() != 1) throw py::value_error("r must be 1-D (width,), got shape " + shape_str(r));
    const py::ssize_t L = t.shape(0), W = r.shape(0);
    const double* ph = nullptr;
    if (heights) {
        if (heights->ndim() != 2 || heights->shape(0) != L || heights->shape(1) != W)
            throw py::value_error("heights must have shape (lines, width) = (" +
                                  std::to_string(L) + ", " + std::to_string(W) + "), got " +
                                  shape_str(*heights));
        ph = heights->data();
    }
    std::vector<std::string> wanted = layers ? *layers : all_layers();
    for (const auto& name : wanted)
        if (std::find(all_layers().begin(), all_layers().end(), name) == all_layers().end())
            throw py::value_error("unknown rdr2geo layer '" + name +
                                  "'; choose from lon, lat, z, inc, hdg, los_az, local_inc, "
                                  "local_psi, converged");
    auto has = [&](const char* name) {
        return std::find(wanted.begin(), wanted.end(), name) != wanted.end();
    };
    py::dict result;
    geo::TopoOutputs out;
    // a layer goes into the caller's array when `out_arrays` has one (C-contiguous, writable,
    // [lines, width] of the layer's dtype: reused buffers are not page-faulted in again),
    // else into a new array
    auto make = [&](const char* name, auto*& ptr, auto tag) {
        using T = decltype(tag);
        if (!has(name)) return;
        if (out_arrays && out_arrays->contains(name)) {
            py::object given = (*out_arrays)[name];
            if (!py::isinstance<py::array>(given))
                throw py::type_error(std::string("out[") + name + "] must be a NumPy array");
            auto arr = py::reinterpret_borrow<py::array>(given);
            if (!arr.dtype().is(py::dtype::of<T>()) || arr.ndim() != 2 || arr.shape(0) != L ||
                arr.shape(1) != W || !(arr.flags() & py::array::c_style) || !arr.writeable())
                throw py::value_error(std::string("out[") + name + "] must be a writable "
                                      "C-contiguous (lines, width) array of the layer's dtype");
            ptr = reinterpret_cast<std::remove_reference_t<decltype(ptr)>>(arr.mutable_data());
            result[name] = arr;
            return;
        }
        py::array_t<T> arr({L, W});
        ptr = reinterpret_cast<std::remove_reference_t<decltype(ptr)>>(arr.mutable_data());
        result[name] = arr;
    };
    make("lon", out.lon, double{});
    make("lat", out.lat, double{});
    make("z", out.z, double{});
    make("inc", out.inc, float{});
    make("hdg", out.hdg, float{});
    make("los_az", out.los_az, float{});
    make("local_inc", out.local_inc, float{});
    make("local_psi", out.local_psi, float{});
    make("converged", out.converged, bool{});
    const geo::Rdr2GeoParams prm = make_rdr2geo_params(threshold, maxiter, extraiter, secant);
    const auto ov = orbit.view();
    const auto lv = doppler.view();
    const auto dv = dem.view();
    const double* pt = t.data();
    const double* pr = r.data();
    {
        py::gil_scoped_release release;
        geo::rdr2geo_grid(ov, lv, dv, ph, pt, static_cast<long>(L), pr, static_cast<long>(W),
                          wavelength, look_side, ell, prm, out, threads);
    }
    return result;
}

py::tuple geo2rdr_points(const OrbitData& orbit, const Lut2d& doppler, const farray& llh,
                         double wavelength, int look_side, const std::optional<farray>& t0,
                         double a, double e2, double threshold, int maxiter,
                         double delta_range, int threads) {
    check_positive(wavelength, "wavelength");
    parse_side(look_side);
    threads = kernel_threads(threads);
    check_positive(threshold, "threshold");
    check_positive(delta_range, "delta_range");
    if (maxiter < 1) throw py::value_error("maxiter must be >= 1");
    const geo::Ellipsoid ell = make_ellipsoid(a, e2);
    if (llh.ndim() < 1 || llh.shape(llh.ndim() - 1) != 3)
        throw py::value_error("llh must have shape (..., 3), got " + shape_str(llh));
    std::vector<py::ssize_t> shape(llh.shape(), llh.shape() + llh.ndim() - 1);
    const py::ssize_t n = llh.size() / 3;
    const double* p0 = nullptr;
    if (t0) {
        if (t0->size() != n)
            throw py::value_error("t0 must have " + std::to_string(n) +
                                  " elements (llh.shape[:-1]), got shape " + shape_str(*t0));
        p0 = t0->data();
    }
    geo::Geo2RdrParams prm{threshold, maxiter, delta_range};
    py::array_t<double> tt(shape), rr(shape);
    py::array_t<std::int8_t> st(shape);
    const auto ov = orbit.view();
    const auto lv = doppler.view();
    const double* pl = llh.data();
    double* pt = tt.mutable_data();
    double* pr = rr.mutable_data();
    std::int8_t* ps = st.mutable_data();
    {
        py::gil_scoped_release release;
        geo::geo2rdr_points(ov, lv, pl, p0, static_cast<long>(n), wavelength, look_side, ell,
                            prm, pt, pr, ps, threads);
    }
    return py::make_tuple(tt, rr, st);
}

py::tuple geo2rdr_grid(const OrbitData& orbit, const Lut2d& doppler, const farray& lon,
                       const farray& lat, const farray& hgt, const py::tuple& grid,
                       double wavelength, int look_side, long first_line,
                       const std::optional<farray>& t_line, double a, double e2,
                       double threshold, int maxiter, double delta_range, bool mask_outside,
                       int threads) {
    check_positive(wavelength, "wavelength");
    parse_side(look_side);
    threads = kernel_threads(threads);
    check_positive(threshold, "threshold");
    check_positive(delta_range, "delta_range");
    if (maxiter < 1) throw py::value_error("maxiter must be >= 1");
    const geo::Ellipsoid ell = make_ellipsoid(a, e2);
    if (lon.ndim() != 2)
        throw py::value_error("lon must be 2-D (lines, width), got shape " + shape_str(lon));
    const py::ssize_t L = lon.shape(0), W = lon.shape(1);
    for (const auto* arr : {&lat, &hgt})
        if (arr->ndim() != 2 || arr->shape(0) != L || arr->shape(1) != W)
            throw py::value_error(std::string(arr == &lat ? "lat" : "hgt") +
                                  " must have the shape of lon " + shape_str(lon) + ", got " +
                                  shape_str(*arr));
    const double* pg = nullptr;
    if (t_line) {
        if (t_line->ndim() != 1 || t_line->shape(0) != L)
            throw py::value_error("t_line must have shape (" + std::to_string(L) +
                                  ",) (one time per line), got " + shape_str(*t_line));
        pg = t_line->data();
    }
    if (grid.size() != 6)
        throw py::value_error("grid must be (t0, prf, r0, dr, length, width)");
    geo::RadarGridView gv;
    gv.t0 = grid[0].cast<double>();
    gv.prf = grid[1].cast<double>();
    gv.r0 = grid[2].cast<double>();
    gv.dr = grid[3].cast<double>();
    gv.length = grid[4].cast<long>();
    gv.width = grid[5].cast<long>();
    check_positive(gv.prf, "grid prf");
    check_positive(gv.dr, "grid range spacing");
    const geo::Geo2RdrParams prm{threshold, maxiter, delta_range};
    py::array_t<double> rg({L, W}), az({L, W});
    py::array_t<std::int8_t> st({L, W});
    const auto ov = orbit.view();
    const auto lv = doppler.view();
    const double *plon = lon.data(), *plat = lat.data(), *ph = hgt.data();
    double* prg = rg.mutable_data();
    double* paz = az.mutable_data();
    std::int8_t* pst = st.mutable_data();
    {
        py::gil_scoped_release release;
        geo::geo2rdr_grid(ov, lv, plon, plat, ph, static_cast<long>(L), static_cast<long>(W),
                          first_line, pg, gv, wavelength, look_side, ell, prm, mask_outside, prg,
                          paz, pst, threads);
    }
    return py::make_tuple(rg, az, st);
}

py::array_t<double> lut_eval(const Lut2d& lut, const farray& y, const farray& x) {
    if (y.size() != x.size())
        throw py::value_error("y and x must have the same size, got shapes " + shape_str(y) +
                              " and " + shape_str(x));
    std::vector<py::ssize_t> shape(x.shape(), x.shape() + x.ndim());
    py::array_t<double> out(shape);
    const auto v = lut.view();
    const double* py_ = y.data();
    const double* px = x.data();
    double* po = out.mutable_data();
    const py::ssize_t n = x.size();
    {
        py::gil_scoped_release release;
        for (py::ssize_t k = 0; k < n; ++k) po[k] = v.eval(py_[k], px[k]);
    }
    return out;
}

py::array_t<double> dem_interpolate(const Dem& dem, const farray& x, const farray& y) {
    if (y.size() != x.size())
        throw py::value_error("x and y must have the same size, got shapes " + shape_str(x) +
                              " and " + shape_str(y));
    std::vector<py::ssize_t> shape(x.shape(), x.shape() + x.ndim());
    py::array_t<double> out(shape);
    const auto v = dem.view();
    const double* px = x.data();
    const double* py_ = y.data();
    double* po = out.mutable_data();
    const py::ssize_t n = x.size();
    {
        py::gil_scoped_release release;
        for (py::ssize_t k = 0; k < n; ++k) po[k] = v.interpolate_xy(px[k], py_[k]);
    }
    return out;
}

int max_threads() {
    return kernel_threads(0);
}

}  // namespace

PYBIND11_MODULE(_geometry, mod) {
    mod.doc() =
        "isce compiled geometry kernels: rdr2geo (topo) and geo2rdr, as ISCE3. "
        "Built from library/geometry by SCons; see isce.geometry for the Python API.\n\n"
        "Units: lon/lat in radians for point functions (llh arrays (..., 3)), degrees in "
        "rdr2geo_grid outputs; heights and ranges in metres; times in seconds in the "
        "orbit's epoch; Doppler in Hz; look_side +1 left, -1 right.";

    py::class_<OrbitData>(mod, "OrbitData",
                          "State vectors for the geometry kernels (immutable).")
        .def(py::init<farray, farray, farray, const std::string&>(), py::arg("time"),
             py::arg("position"), py::arg("velocity"), py::arg("method") = "hermite",
             "time [n] s (strictly increasing), position/velocity [n, 3] ECEF m, m/s; "
             "method 'hermite' (>= 4 vectors) or 'legendre' (>= 9). Queries outside "
             "[time[0], time[-1]] give NaN (no extrapolation).")
        .def_property_readonly("time", [](const OrbitData& o) { return o.t; })
        .def_property_readonly("position", [](const OrbitData& o) { return o.pos; })
        .def_property_readonly("velocity", [](const OrbitData& o) { return o.vel; })
        .def_property_readonly("method",
                               [](const OrbitData& o) { return orb::method_name(o.method); });

    py::class_<Lut2d>(mod, "Lut2d",
                      "Regular 2-D table over (y rows, x columns), e.g. Doppler [Hz] over "
                      "(azimuth time s, slant range m); immutable.")
        .def(py::init<double, double, double, double, farray, const std::string&, bool>(),
             py::arg("x0"), py::arg("dx"), py::arg("y0"), py::arg("dy"), py::arg("data"),
             py::arg("method") = "bilinear", py::arg("bounds_error") = false,
             "Columns at x0 + j dx, rows at y0 + i dy, data [length, width]; method "
             "'nearest', 'bilinear' or 'biquintic' (ISCE3 6x6 spline kernel). Evaluation "
             "clamps to the table; bounds_error only makes geo2rdr report status 3 when "
             "it leaves the table.")
        .def_static("constant", &Lut2d::constant, py::arg("value") = 0.0,
                    "A table that evaluates to `value` everywhere (0: zero Doppler).")
        .def_property_readonly("have_data", &Lut2d::have_data)
        .def_property_readonly("ref_value", [](const Lut2d& l) { return l.ref_value; })
        .def_property_readonly("method", [](const Lut2d& l) { return interp_name(l.method); })
        .def_property_readonly("bounds_error", [](const Lut2d& l) { return l.bounds_error; })
        .def_property_readonly("data", [](const Lut2d& l) -> py::object {
            return l.have ? py::object(l.data) : py::object(py::none());
        })
        .def_property_readonly("grid", [](const Lut2d& l) {
            return py::make_tuple(l.x0, l.dx, l.y0, l.dy);
        }, "(x0, dx, y0, dy)");

    py::class_<Dem>(mod, "Dem",
                    "Heights for rdr2geo: a constant, or a lon/lat DEM (EPSG:4326, degrees, "
                    "float32 metres); immutable.")
        .def(py::init<double, double, double, double, f32array, double, const std::string&>(),
             py::arg("x0"), py::arg("y0"), py::arg("dx"), py::arg("dy"), py::arg("data"),
             py::arg("ref_height") = 0.0, py::arg("method") = "biquintic",
             "Sample (i, j) is the pixel centre lon = x0 + j dx, lat = y0 + i dy [deg]; "
             "ref_height [m] is returned near or beyond the edges (ISCE3: the DEM mean); "
             "method 'biquintic' (ISCE3 6x6 spline, default), 'bilinear' or 'nearest'. "
             "NaN samples are voids.")
        .def_static("constant", &Dem::constant, py::arg("height") = 0.0,
                    "A flat surface at `height` metres above the ellipsoid.")
        .def_property_readonly("have_raster", &Dem::have_raster)
        .def_property_readonly("ref_height", [](const Dem& d) { return d.ref_height; })
        .def_property_readonly("method", [](const Dem& d) { return interp_name(d.method); })
        .def_property_readonly("data", [](const Dem& d) -> py::object {
            return d.have ? py::object(d.data) : py::object(py::none());
        })
        .def_property_readonly("grid", [](const Dem& d) {
            return py::make_tuple(d.x0, d.y0, d.dx, d.dy);
        }, "(x0, y0, dx, dy)");

    const double wgs_a = 6378137.0, wgs_e2 = 0.0066943799901;

    mod.def("rdr2geo_points", &rdr2geo_points, py::arg("orbit"), py::arg("doppler"),
            py::arg("dem"), py::arg("t"), py::arg("r"), py::arg("wavelength"),
            py::arg("look_side"), py::arg("heights") = py::none(), py::arg("a") = wgs_a,
            py::arg("e2") = wgs_e2, py::arg("threshold") = 1e-8, py::arg("maxiter") = 25,
            py::arg("extraiter") = 10, py::arg("secant") = false, py::arg("threads") = 0,
            R"doc(rdr2geo of independent points (ISCE3 rdr2geo).

t [n] azimuth times (s, orbit epoch), r [n] slant ranges (m); Doppler
doppler.eval(t, r) [Hz]; heights [n] (m): each point on the constant surface
h = heights[k] (ISCE3 DEMInterpolator(h)), or None: the `dem`.
threshold [m] on range, maxiter + extraiter iterations (ISCE3 scheme;
secant=True: secant steps in the plain iterations, same solution, fewer
iterations on slopes).
Returns (llh [n, 3] lon, lat [rad], h [m]; converged [n] bool). NaN rows
for failures (time outside the orbit, no intersection, DEM void).)doc");

    mod.def("rdr2geo_grid", &rdr2geo_grid, py::arg("orbit"), py::arg("doppler"),
            py::arg("dem"), py::arg("t"), py::arg("r"), py::arg("wavelength"),
            py::arg("look_side"), py::arg("heights") = py::none(), py::arg("a") = wgs_a,
            py::arg("e2") = wgs_e2, py::arg("threshold") = 1e-8, py::arg("maxiter") = 25,
            py::arg("extraiter") = 10, py::arg("secant") = false,
            py::arg("layers") = py::none(), py::arg("threads") = 0,
            py::arg("out") = py::none(),
            R"doc(rdr2geo (topo) of a block of a radar grid.

t [lines] azimuth times (s), r [width] slant ranges (m). Heights: `dem`, or
heights [lines, width] (m, per-pixel constant surfaces). Iterations and
secant as rdr2geo_points. Returns a dict of
[lines, width] arrays (only the `layers` asked for; default all):
  lon, lat (deg, float64), z (m, float64),
  inc, hdg, los_az, local_inc, local_psi (deg, float32), converged (bool).
inc: incidence at the target (vs ellipsoid normal); hdg: atan2(N, E) of
sensor->target in the target ENU frame +90 (right) / -90 (left), in
(-180, 180]; los_az: azimuth of target->sensor anticlockwise from north
(ISCE2 los.rdr band 2); local_inc/local_psi from DEM slopes (zero slopes
without a DEM raster). OpenMP over lines, GIL released. out: optional dict
layer -> preallocated C-contiguous [lines, width] array of the layer's dtype,
written in place and returned (buffers reused from block to block).)doc");

    mod.def("geo2rdr_points", &geo2rdr_points, py::arg("orbit"), py::arg("doppler"),
            py::arg("llh"), py::arg("wavelength"), py::arg("look_side"),
            py::arg("t0") = py::none(), py::arg("a") = wgs_a, py::arg("e2") = wgs_e2,
            py::arg("threshold") = 1e-8, py::arg("maxiter") = 50,
            py::arg("delta_range") = 10.0, py::arg("threads") = 0,
            R"doc(geo2rdr of targets llh (..., 3) (lon, lat rad, h m) (ISCE3 geo2rdr).

t0 (llh.shape[:-1]) initial azimuth times, or None/NaN/outside the orbit: a
coarse scan of the orbit. Newton on the Doppler equation until |dt| <
threshold [s] (at most maxiter). Returns (t [s], r [m], status int8) of shape
llh.shape[:-1]; status 0 converged, 1 not converged, 2 wrong look side,
3 Doppler table left (bounds_error), 4 outside the orbit, 5 bad input.)doc");

    mod.def("geo2rdr_grid", &geo2rdr_grid, py::arg("orbit"), py::arg("doppler"), py::arg("lon"),
            py::arg("lat"), py::arg("hgt"), py::arg("grid"), py::arg("wavelength"),
            py::arg("look_side"), py::arg("first_line") = 0, py::arg("t_line") = py::none(),
            py::arg("a") = wgs_a, py::arg("e2") = wgs_e2, py::arg("threshold") = 1e-8,
            py::arg("maxiter") = 50, py::arg("delta_range") = 10.0,
            py::arg("mask_outside") = false, py::arg("threads") = 0,
            R"doc(Pixel offsets of a block of targets into a radar grid (ISCE's range.off/azimuth.off).

lon, lat [deg], hgt [m]: (lines, width), row i = reference line first_line + i.
grid = (t0 [s], prf [Hz], r0 [m], dr [m], length, width) of the grid the
offsets point into (times in the orbit's epoch). t_line (lines,): first guess
of each line's first pixel (NaN/None: coarse orbit scan); later pixels start
from their left neighbour's solution. Returns (range_off, azimuth_off,
status) (lines, width): range_off = (R - r0)/dr - j, azimuth_off =
(t - t0) prf - line; NaN where status != 0 (see geo2rdr_points) and, with
mask_outside, outside the grid.)doc");

    mod.def("lut_eval", &lut_eval, py::arg("lut"), py::arg("y"), py::arg("x"),
            "Evaluate a Lut2d at (y, x) (same sizes; result shaped like x).");
    mod.def("dem_interpolate", &dem_interpolate, py::arg("dem"), py::arg("x"), py::arg("y"),
            "Interpolate a Dem at lon x, lat y [deg] (ISCE3 DEMInterpolator.interpolateXY).");
    mod.def("max_threads", &max_threads,
            "Number of OpenMP threads a parallel region uses by default (1 without OpenMP).");
#ifdef _OPENMP
    mod.attr("OPENMP") = true;
#else
    mod.attr("OPENMP") = false;
#endif
}
