// isce/library/geometry/geo2rdr.hpp -- geographic -> radar coordinates
// (ISCE3 `geo2rdr`, ISCE2 geo2rdr.f90).
//
// For a target T (lon, lat, h) find the azimuth time t at which it sits on
// the platform's Doppler cone,
//     F(t) = (T - p(t)) . v(t) - (lambda/2) f(t, R(t)) R(t) = 0,
//     R(t) = |T - p(t)|,
// with Newton's method (ISCE3): dt = F / F', where
//     F' = -|v|^2 + (lambda/2) (f/R + df/dR) ((T - p) . v)
// (df/dR by a forward difference over `delta_range` metres). Start from t0
// when it lies inside the orbit, else from the time of closest approach on a
// coarse 15-point scan of the orbit. Each iteration first applies the step
// of the previous one, so the returned (t, R) are consistent; it stops when
// |dt| < threshold [s].
//
// Status codes (int8): 0 converged, 1 not converged in maxiter, 2 target on
// the wrong look side, 3 Doppler lookup out of the table (bounds_error set),
// 4 time outside the orbit, 5 non-finite input. t and R are NaN unless 0 or 1.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "geometry/common.hpp"
#include "geometry/lut2d.hpp"

namespace isce::geometry {

struct Geo2RdrParams {
    double threshold = 1e-8;   // |dt| convergence [s]
    int maxiter = 50;
    double delta_range = 10.0; // [m] for the Doppler range derivative
};

enum Geo2RdrStatus : std::int8_t {
    kGeo2RdrOk = 0,
    kGeo2RdrNotConverged = 1,
    kGeo2RdrWrongSide = 2,
    kGeo2RdrDopplerBounds = 3,
    kGeo2RdrOrbitDomain = 4,
    kGeo2RdrBadInput = 5,
};

// true when the target is on the `side` of the platform's track
inline bool on_look_side(const Vec3& rvec, const Vec3& pos, const Vec3& vel, int side) {
    const bool left = rvec.cross(vel).dot(pos) < 0.0;   // ISCE3's test (> 0: right)
    return side == kLeft ? left : !left;
}

// An OrbitView whose Hermite interpolation keeps its window between queries: the window's
// lower-bound index k, and per node i the products den_i = prod_{j!=i} (t_i - t_j) and sums
// c_i = sum_{j!=i} 1/(t_i - t_j), which depend on the nodes only. Successive geo2rdr
// queries (neighbouring pixels) almost always fall in the same window, so the binary search
// and 12 of the 20 divisions of core/orbit.hpp's `hermite` are skipped; the arithmetic left
// is `hermite`'s, in its order, so the results are the same bits. Legendre orbits (and
// orbits of fewer than 4 nodes) go through the view. One per thread (it is mutable).
class CachedOrbit {
public:
    explicit CachedOrbit(const OrbitView& view) : view_(view) {}

    double start() const { return view_.start(); }
    double end() const { return view_.end(); }
    const OrbitView& view() const { return view_; }

    bool interpolate(double tq, Vec3& p, Vec3& v) const {
        namespace co = isce::core::orbit;
        constexpr std::size_t N = co::hermite_nodes;
        if (view_.method != co::Method::hermite || view_.n < N ||
            !(tq >= view_.t[0] && tq <= view_.t[view_.n - 1]))
            return view_.interpolate(tq, p, v);
        const double* t = view_.t;
        const std::size_t n = view_.n;
        if (!(k_ <= n && (k_ == 0 || t[k_ - 1] < tq) && (k_ == n || t[k_] >= tq))) {
            std::size_t lo = 0, hi = n;        // the lower bound, as co::window_start
            while (lo < hi) {
                const std::size_t mid = lo + (hi - lo) / 2;
                if (t[mid] < tq) lo = mid + 1; else hi = mid;
            }
            k_ = lo;
            std::size_t i0 = k_ > co::hermite_before ? k_ - co::hermite_before : 0;
            if (i0 > n - N) i0 = n - N;
            if (i0 != i0_) {
                i0_ = i0;
                co::hermite_factors(t + i0, den_, c_);
            }
        }
        double pv[3], vv[3];
        co::hermite_sum(t + i0_, view_.pos + 3 * i0_, view_.vel + 3 * i0_, den_, c_, tq, pv, vv);
        p = {pv[0], pv[1], pv[2]};
        v = {vv[0], vv[1], vv[2]};
        return true;
    }

private:
    const OrbitView& view_;
    mutable std::size_t k_ = static_cast<std::size_t>(-1);    // no window yet
    mutable std::size_t i0_ = static_cast<std::size_t>(-1);
    mutable double den_[isce::core::orbit::hermite_nodes] = {};
    mutable double c_[isce::core::orbit::hermite_nodes] = {};
};

inline const OrbitView& orbit_view(const OrbitView& orbit) { return orbit; }
inline const OrbitView& orbit_view(const CachedOrbit& orbit) { return orbit.view(); }

// Coarse initial guess: the closest of 15 equally spaced orbit times.
inline int geo2rdr_initial_time(const Vec3& xyz, const OrbitView& orbit, int side, double& t) {
    constexpr int kTests = 15;
    const double t0 = orbit.start(), t1 = orbit.end();
    const double step = (t1 - t0) / (kTests - 1);
    double best_r = 1e300, best_t = kNaN;
    for (int k = 0; k < kTests; ++k) {
        const double tt = std::min(t0 + k * step, t1);
        Vec3 p, v;
        if (!orbit.interpolate(tt, p, v)) continue;
        const Vec3 rvec = xyz - p;
        if (k == 0 && !on_look_side(rvec, p, v, side)) return kGeo2RdrWrongSide;
        const double r = rvec.norm();
        if (r < best_r) { best_r = r; best_t = tt; }
    }
    t = std::isnan(best_t) ? orbit.mid() : best_t;
    return kGeo2RdrOk;
}

// `dt_out` (optional): the last Newton step [s]; t_out - dt_out is the better estimate
// of the root (t_out is returned, as ISCE3, so that (t_out, r_out) are consistent).
// `Orbit`: an OrbitView or a CachedOrbit (the same numbers).
template <class Orbit>
inline int geo2rdr_point(const Vec3& llh, const Ellipsoid& ell, const Orbit& orbit,
                         const Lut2dView& doppler, double wavelength, int side, double t0,
                         const Geo2RdrParams& prm, double& t_out, double& r_out,
                         double* dt_out = nullptr) {
    t_out = r_out = kNaN;
    if (!llh.finite()) return kGeo2RdrBadInput;
    const Vec3 xyz = ell.lon_lat_to_xyz(llh);
    double t;
    if (t0 >= orbit.start() && t0 <= orbit.end()) {
        t = t0;
    } else {
        const int st = geo2rdr_initial_time(xyz, orbit_view(orbit), side, t);
        if (st != kGeo2RdrOk) return st;
    }
    const double half_wvl = 0.5 * wavelength;
    double dt = 0.0;
    for (int i = 0; i < prm.maxiter; ++i) {
        t -= dt;
        Vec3 pos, vel;
        if (!orbit.interpolate(t, pos, vel)) return kGeo2RdrOrbitDomain;
        const Vec3 rvec = xyz - pos;
        const double r = rvec.norm();
        if (i == 0 && !on_look_side(rvec, pos, vel, side)) return kGeo2RdrWrongSide;
        if (doppler.bounds_error &&
            !(doppler.contains(t, r) && doppler.contains(t, r + prm.delta_range)))
            return kGeo2RdrDopplerBounds;
        const double dopfact = rvec.dot(vel);
        const double fdop = half_wvl * doppler.eval(t, r);
        const double fdopder = (half_wvl * doppler.eval(t, r + prm.delta_range) - fdop) /
                               prm.delta_range;
        const double fn = dopfact - fdop * r;
        const double fnprime = -vel.dot(vel) + (fdop / r + fdopder) * dopfact;
        dt = fn / fnprime;
        t_out = t;
        r_out = r;
        if (dt_out) *dt_out = dt;
        if (std::abs(dt) < prm.threshold) return kGeo2RdrOk;
        if (!std::isfinite(dt)) break;
    }
    return kGeo2RdrNotConverged;
}

// A radar grid as geo2rdr_grid needs it (times in the orbit's epoch).
struct RadarGridView {
    double t0 = 0.0;      // azimuth time of line 0 [s]
    double prf = 1.0;     // lines per second [Hz]
    double r0 = 0.0;      // slant range of sample 0 [m]
    double dr = 1.0;      // range spacing [m]
    long length = 0, width = 0;
};

// Pixel offsets of a block of targets into a (secondary) radar grid:
// lon/lat [deg], hgt [m] are [lines][width] (reference line first_line + i,
// sample j); t_line[lines] seeds the first pixel of each line (e.g. the
// reference line's time; NaN: coarse scan), later pixels start from the
// linear extrapolation of their two left neighbours' roots (t - dt of each,
// when both converged; else the last converged one): along a line the root
// changes smoothly, so Newton (whose derivative omits the orbit's
// acceleration and gains ~10x per step) starts ~100x closer than from the
// neighbour alone and needs 1-2 orbit interpolations instead of ~3. Outputs [lines][width]:
//   rg_off = (R - r0)/dr - j,  az_off = (t - t0) prf - (first_line + i)
// NaN where status != 0 (and, with mask_outside, outside the grid).
// OpenMP over lines. Returns the number converged.
long geo2rdr_grid(const OrbitView& orbit, const Lut2dView& doppler, const double* lon,
                  const double* lat, const double* hgt, long lines, long width,
                  long first_line, const double* t_line, const RadarGridView& grid,
                  double wavelength, int side, const Ellipsoid& ell, const Geo2RdrParams& prm,
                  bool mask_outside, double* rg_off, double* az_off, std::int8_t* status,
                  int threads) noexcept;

// geo2rdr of n targets llh[n][3] (rad, rad, m); t0[n] initial guesses (or
// nullptr: coarse scan). Outputs t[n] [s], r[n] [m], status[n]. OpenMP over
// targets. Returns the number converged.
long geo2rdr_points(const OrbitView& orbit, const Lut2dView& doppler, const double* llh,
                    const double* t0, long n, double wavelength, int side,
                    const Ellipsoid& ell, const Geo2RdrParams& prm, double* t_out,
                    double* r_out, std::int8_t* status, int threads) noexcept;

}  // namespace isce::geometry
