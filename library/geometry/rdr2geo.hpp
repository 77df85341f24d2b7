// isce/library/geometry/rdr2geo.hpp -- radar -> geographic coordinates
// (ISCE3 `rdr2geo`, the per-pixel solver of ISCE2 topozero / ISCE3 Topo).
//
// Given the platform position `pos` and velocity `vel` at the pixel's azimuth
// time, its slant range R and Doppler centroid f [Hz], find the target T with
//     |T - pos| = R,   (T - pos) . vel = (lambda f / 2) R      (Doppler cone)
// lying on the surface h = DEM(lon, lat).
//
// Algorithm (ISCE3): in the geocentric TCN basis (t, c, n) of the platform,
// and for a trial target height h *measured from a local sphere* of radius
// rho = |pos| * eta (eta = ellipsoid radius factor of the satellite
// direction), the vector to the target is  delta = alpha t + beta c + gamma n
// with
//     cos(theta) = (|pos|/R + R/|pos| - (rho+h)^2 / (|pos| R)) / 2
//     gamma = R cos(theta),  alpha = (dopfact - gamma n.v^) / (v^.t),
//     beta  = -side * sqrt(R^2 sin^2(theta) - alpha^2)
// (dopfact = lambda f R / (2 |v|); beta > 0 to the right of the track). The
// point pos + delta is converted to lon/lat, its height replaced by the DEM
// height there, and h updated to |T| - rho. Iterate until the range of the
// snapped point is within `threshold` [m] of R: at most `maxiter` plain
// iterations, then `extraiter` iterations that average the last two
// estimates (which breaks 2-cycles). The result is the point of the last
// trial height, which lies exactly at range R on the Doppler cone (when
// converged, the trial point whose snapped point passed the test: no extra
// evaluation; ISCE3 evaluates the point of the updated height, which is
// within ~threshold of it).
//
// The plain iteration h <- phi(h) converges linearly, at a rate that grows
// with the terrain slope (~15 iterations to 1e-8 m on 10-degree slopes).
// With prm.secant the plain iterations take secant steps on
// g(h) = phi(h) - h instead (guarded: a step longer than 20 |g| falls back to
// the plain one), which converges superlinearly to the same fixed point; the
// averaging iterations are unchanged. Kernel default: off (ISCE3's path).
// In rdr2geo_grid a pixel's first trial point is converted to geodetic
// coordinates from its left neighbour's (GeoHint, below) rather than by
// Vermeille's closed form; later trial points by the local expansion about it.
// The "snap to the DEM height" is done along the ellipsoid normal,
// xyz + (h_dem - h) n, the same point as lon_lat_to_xyz(lon, lat, h_dem)
// without its trigonometry.
//
// Height sources (template parameter Height): anything with
// `double interpolate_lon_lat(lon_rad, lat_rad)` -- DemView, ConstantHeight.
//
// Conventions: lon, lat in radians; side = +1 left, -1 right.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "geometry/common.hpp"
#include "geometry/dem_interp.hpp"
#include "geometry/lut2d.hpp"

namespace isce::geometry {

struct Rdr2GeoParams {
    double threshold = 1e-8;   // range convergence [m]
    int maxiter = 25;          // plain iterations
    int extraiter = 10;        // averaging iterations after them
    bool secant = false;       // accelerate the plain iterations (see rdr2geo_pixel)
};

// Quantities of the platform at one azimuth time (shared by every pixel of
// a line of a zero- or constant-time grid).
struct Platform {
    Vec3 pos, vel;
    Basis tcn;
    double ndotv = kNaN, inv_vdott = kNaN;   // n . v^, 1 / (v^ . t)
    double sat_dist = kNaN, inv_sat_dist = kNaN;
    double radius = kNaN, sat_height = kNaN; // local sphere below the platform
    Platform() = default;
    Platform(const Vec3& p, const Vec3& v, const Basis& basis, const Ellipsoid& ell)
        : pos(p), vel(v), tcn(basis) {
        const Vec3 vhat = vel.normalized();
        ndotv = tcn.n.dot(vhat);
        inv_vdott = 1.0 / vhat.dot(tcn.t);
        const double major = ell.a, minor = ell.b();
        sat_dist = pos.norm();
        inv_sat_dist = 1.0 / sat_dist;
        const double ex = pos.x / major, ey = pos.y / major, ez = pos.z / minor;
        const double eta = 1.0 / std::sqrt(ex * ex + ey * ey + ez * ez);
        radius = eta * sat_dist;
        sat_height = (1.0 - eta) * sat_dist;
    }
};

// Geodetic coordinates of a point near one already converted (a neighbouring pixel's
// first trial point), without Vermeille's closed form (7 square roots, 12 divisions, a
// cube root and 2 arc tangents; ~15 % of rdr2geo_grid's time): the longitude from the
// small angle to the hint's (arc tangent series), the latitude from the first-order
// expansion about the hint refined by one Newton step on the normal condition
//     f(phi) = p sin(phi) - z cos(phi) - a e2 sin(phi) cos(phi) / W,  W^2 = 1 - e2 sin^2
// (the first-order guess is within |d|^2/R^2 ~ 1e-12 rad for d ~ 10 m; Newton squares
// that), the height as p cos + z sin - a W (stationary in phi: exact to second order).
// Same values as Vermeille up to rounding (< 1e-15 rad, < 1e-9 m in tests). Angles
// add the hint's, so rounding accumulates along a chain of hints: a chain is restarted
// (Vermeille) every kMaxChain points.
struct GeoHint {
    Vec3 xyz = Vec3::nan();             // ECEF [m] (NaN: no hint)
    Vec3 geo;                           // lon, lat [rad], h [m]
    double sl = 0.0, cl = 0.0;          // sin, cos of the latitude
    double co = 0.0, so = 0.0;          // cos, sin of the longitude
    // 1 / (prime vertical radius + h), 1 / (meridian radius + h) [1/m], 1 / cos(lat):
    // the local expansion's coefficients (rdr2geo_pixel)
    double inv_ne = 0.0, inv_me = 0.0, inv_cl = 0.0;
    int chain = 0;                      // points converted since the last Vermeille
    static constexpr int kMaxChain = 64;
    static constexpr double kMaxDist = 200.0;   // m
};

// Vermeille's conversion, recorded as a hint. Returns geo; normal receives the up vector.
inline Vec3 geodetic_hint(const Ellipsoid& ell, const Vec3& xyz, Vec3& normal, GeoHint& hint) {
    const Vec3 geo = ell.geodetic(xyz, true, &normal);
    const double cl = std::sqrt(normal.x * normal.x + normal.y * normal.y);
    if (!(cl > 1e-3) || !std::isfinite(geo.z)) {        // near a pole (or NaN): no hint
        hint.xyz = Vec3::nan();
        return geo;
    }
    hint.xyz = xyz;
    hint.geo = geo;
    hint.sl = normal.z;
    hint.cl = cl;
    hint.inv_cl = 1.0 / cl;
    hint.co = normal.x * hint.inv_cl;
    hint.so = normal.y * hint.inv_cl;
    const double w2 = 1.0 - ell.e2 * hint.sl * hint.sl;
    const double nrad = ell.a / std::sqrt(w2);              // prime vertical
    const double mrad = nrad * (1.0 - ell.e2) / w2;         // meridian
    hint.inv_ne = 1.0 / (nrad + geo.z);
    hint.inv_me = 1.0 / (mrad + geo.z);
    hint.chain = 0;
    return geo;
}

// Geodetic lon, lat [rad], h [m] of xyz and its ellipsoid normal, from `hint` when it is
// near enough (updated to xyz), else by Vermeille (hint restarted).
inline Vec3 geodetic_near(const Ellipsoid& ell, const Vec3& xyz, Vec3& normal, GeoHint& hint) {
    const Vec3 d = xyz - hint.xyz;                      // NaN without a hint
    if (!(d.dot(d) <= GeoHint::kMaxDist * GeoHint::kMaxDist) ||
        hint.chain >= GeoHint::kMaxChain)
        return geodetic_hint(ell, xyz, normal, hint);
    const double p = std::sqrt(xyz.x * xyz.x + xyz.y * xyz.y);
    const double inv_p = 1.0 / p;
    const double co = xyz.x * inv_p, so = xyz.y * inv_p;
    // longitude: hint's + atan(t), t = tan of the difference (|t| < 3.2e-5: 3 terms exact)
    const double t = (so * hint.co - co * hint.so) / (co * hint.co + so * hint.so);
    const double t2 = t * t;
    double lon = hint.geo.x + t * (1.0 - t2 * (1.0 / 3.0 - t2 * 0.2));
    if (lon > kPi) lon -= 2.0 * kPi;
    else if (lon <= -kPi) lon += 2.0 * kPi;
    // latitude: first order about the hint, then one Newton step
    const Vec3 north{-hint.sl * hint.co, -hint.sl * hint.so, hint.cl};
    const double kn = north.dot(d) * hint.inv_me;
    const double ck = 1.0 - 0.5 * kn * kn, sk = kn * (1.0 - kn * kn * (1.0 / 6.0));
    const double s0 = hint.sl * ck + hint.cl * sk, c0 = hint.cl * ck - hint.sl * sk;
    const double w = std::sqrt(1.0 - ell.e2 * s0 * s0);
    const double iw = 1.0 / w;
    const double ae2 = ell.a * ell.e2;
    const double f = p * s0 - xyz.z * c0 - ae2 * s0 * c0 * iw;
    const double fp = p * c0 + xyz.z * s0 -
                      ae2 * iw * ((c0 * c0 - s0 * s0) + ell.e2 * s0 * s0 * c0 * c0 * iw * iw);
    const double delta = -f / fp;
    const double h = p * c0 + xyz.z * s0 - ell.a * w;
    const double s1 = s0 + delta * c0, c1 = c0 - delta * s0;
    const Vec3 geo{lon, hint.geo.y + (kn + delta), h};
    normal = {c1 * co, c1 * so, s1};
    if (!(c1 > 1e-3) || !std::isfinite(h)) return geodetic_hint(ell, xyz, normal, hint);
    hint.xyz = xyz;
    hint.geo = geo;
    hint.sl = s1;
    hint.cl = c1;
    hint.co = co;
    hint.so = so;
    // coefficients at the guess's latitude (|delta| ~ 1e-12 rad: relative 1e-14, on
    // displacements of centimetres), with one division: r = 1 / (ne me cl)
    const double ne = ell.a * iw + h, me = ell.a * (1.0 - ell.e2) * iw * iw * iw + h;
    const double r = 1.0 / (ne * me * c1);
    hint.inv_ne = r * me * c1;
    hint.inv_me = r * ne * c1;
    hint.inv_cl = r * ne * me;
    ++hint.chain;
    return geo;
}

// Returns true when converged; llh always receives the final estimate (NaN
// if the height source gave NaN or the geometry has no solution).
// h0: initial trial height [m] (above the local sphere, see above; ISCE3
// passes the DEM's mean height); NaN starts from the platform height.
// h_final (optional): the last trial height -- the best h0 for a neighbour.
// dgdh (optional, in/out, secant mode only): on input an estimate of the
// derivative of g(h) = phi(h) - h (e.g. a neighbour's; NaN: none), used for
// a Newton step in the first iteration instead of the plain one (same
// guard as the secant steps); on output the last secant estimate.
// xyz_out, up_out (optional): ECEF of the result and its ellipsoid normal.
// taps (optional): the spline taps of the last DEM query (at the result when converged),
// for topo_angles' slopes.
template <class Height>
inline bool rdr2geo_pixel(double range, double dopfact, const Platform& plat,
                          const Height& dem, const Ellipsoid& ell, int side, double h0,
                          const Rdr2GeoParams& prm, Vec3& llh, double* h_final = nullptr,
                          double* dgdh = nullptr, Vec3* xyz_out = nullptr,
                          Vec3* up_out = nullptr, GeoHint* hint = nullptr,
                          DemTaps* taps = nullptr) {
    const Vec3& pos = plat.pos;
    const Vec3& vel = plat.vel;
    const Basis& tcn = plat.tcn;
    const double ndotv = plat.ndotv, inv_vdott = plat.inv_vdott;
    const double sat_dist = plat.sat_dist, inv_sat_dist = plat.inv_sat_dist;
    const double radius = plat.radius, sat_height = plat.sat_height;
    const double inv_range = 1.0 / range;

    // target for trial height h: pos + alpha t + beta c + gamma n (ECEF)
    auto target = [&](double h) -> Vec3 {
        const double a = sat_dist, b = radius + h;
        const double cos_theta =
            0.5 * (a * inv_range + range * inv_sat_dist - (b * inv_sat_dist) * (b * inv_range));
        const double sin_theta = std::sqrt(1.0 - cos_theta * cos_theta);
        const double gamma = range * cos_theta;
        const double alpha = (dopfact - gamma * ndotv) * inv_vdott;
        const double xs = range * sin_theta;
        double beta = std::sqrt(xs * xs - alpha * alpha);
        if (side == kLeft) beta = -beta;
        return pos + (alpha * tcn.t + beta * tcn.c + gamma * tcn.n);
    };

    if (!(range > 0.0) || !pos.finite() || !vel.finite()) {
        llh = Vec3::nan();
        return false;
    }

    // ISCE3's iteration, with the "snap to the DEM height" step done along
    // the ellipsoid normal (xyz + (h_dem - h) n: the same point as
    // lon_lat_to_xyz(lon, lat, h_dem), without its trigonometry).
    bool converged = false;
    double h = std::isnan(h0) ? sat_height : h0;
    Vec3 xyz_old = Vec3::nan();
    double h_prev = kNaN, g_prev = kNaN;
    const int total = prm.maxiter + prm.extraiter;
    const bool angles = needs_lon_lat(dem);
    // reference point of the local geodetic expansion (see below)
    Vec3 ref_xyz = Vec3::nan(), ref_geo, ref_up, ref_east, ref_north;
    double ref_inv_ne = kNaN, ref_inv_me = kNaN, ref_inv_cl = kNaN;
    constexpr double kLocalMove = 0.05;                // m
    for (int i = 0; i < total; ++i) {
        if (sat_height - h >= range) break;          // near nadir: no intersection
        const Vec3 xyz = target(h);
        // Geodetic coordinates and ellipsoid normal of the trial point:
        // exactly (Vermeille) for the first one, then, while the trial
        // points stay within kLocalMove of that reference (they converge to
        // within millimetres of each other), from the second-order
        // expansion about it: height += up.d + (de^2/(N+h) + dn^2/(M+h))/2
        // (exact to |d|^3/R^2 < 1e-15 m), longitude, latitude and normal to
        // first order (|d|^2/R < 1e-9 m along the surface).
        Vec3 normal, geo;
        const Vec3 dxyz = xyz - ref_xyz;
        if (dxyz.dot(dxyz) <= kLocalMove * kLocalMove) {     // false while no reference (NaN)
            const double de = ref_east.dot(dxyz), dn = ref_north.dot(dxyz);
            const double ke = de * ref_inv_ne, kn = dn * ref_inv_me;   // rotation angles
            geo.z = ref_geo.z + ref_up.dot(dxyz) + 0.5 * (de * ke + dn * kn);
            normal = ref_up + ke * ref_east + kn * ref_north;
            geo.x = ref_geo.x + ke * ref_inv_cl;
            geo.y = ref_geo.y + kn;
            if (geo.x > kPi) geo.x -= 2.0 * kPi;
            else if (geo.x <= -kPi) geo.x += 2.0 * kPi;
        } else if (hint && angles) {    // from the previous pixel's conversion (GeoHint)
            geo = geodetic_near(ell, xyz, normal, *hint);
            if (hint->xyz.finite()) {               // the hint is now this point's
                ref_xyz = xyz;
                ref_geo = geo;
                ref_up = normal;
                ref_east = {-hint->so, hint->co, 0.0};
                ref_north = {-hint->sl * hint->co, -hint->sl * hint->so, hint->cl};
                ref_inv_ne = hint->inv_ne;
                ref_inv_me = hint->inv_me;
                ref_inv_cl = hint->inv_cl;
            } else {
                ref_xyz = Vec3::nan();
            }
        } else {
            geo = ell.geodetic(xyz, angles, &normal);
            const double cl = std::sqrt(normal.x * normal.x + normal.y * normal.y);
            const double sl = normal.z;
            if (cl > 1e-9 && std::isfinite(geo.z) && std::isfinite(cl)) {   // not at a pole
                const double co = normal.x / cl, so = normal.y / cl;
                ref_xyz = xyz;
                ref_geo = geo;
                ref_up = normal;
                ref_east = {-so, co, 0.0};
                ref_north = {-sl * co, -sl * so, cl};
                const double w2 = 1.0 - ell.e2 * sl * sl;
                const double nrad = ell.a / std::sqrt(w2);              // prime vertical
                const double mrad = nrad * (1.0 - ell.e2) / w2;         // meridian
                ref_inv_ne = 1.0 / (nrad + geo.z);
                ref_inv_me = 1.0 / (mrad + geo.z);
                ref_inv_cl = 1.0 / cl;
            } else {
                ref_xyz = Vec3::nan();
            }
        }
        const double h_dem = dem.interpolate_lon_lat(geo.x, geo.y, taps);
        if (std::isnan(h_dem)) {                       // void in the DEM (or no solution)
            llh = Vec3::nan();
            return false;
        }
        Vec3 xyz_new = xyz + (h_dem - geo.z) * normal;
        const double h_trial = h;
        h = xyz_new.norm() - radius;
        const double dr = std::abs(range - (pos - xyz_new).norm());
        if (dr < prm.threshold) {
            // Converged: return the trial point itself (on the cone at range
            // R; its DEM misfit is ~dr). ISCE3 returns target(h) of the
            // updated h, which differs by ~dr too, at the cost of one more
            // target() and geodetic conversion.
            if (h_final) *h_final = h;
            if (xyz_out) *xyz_out = xyz;
            if (up_out) *up_out = normal;
            if (angles) {
                llh = geo;
            } else {
                llh = {std::atan2(xyz.y, xyz.x),
                       std::atan2(normal.z, std::sqrt(normal.x * normal.x + normal.y * normal.y)),
                       geo.z};
            }
            if (!llh.finite()) {
                llh = Vec3::nan();
                return false;
            }
            return true;
        }
        if (i > prm.maxiter) {                         // averaging iterations (ISCE3)
            xyz_new = 0.5 * (xyz_old + xyz_new);
            h = xyz_new.norm() - radius;
        } else if (prm.secant) {
            const double g = h - h_trial;              // phi(h) - h
            if (std::isfinite(g_prev) && g != g_prev) {
                const double step = -g * (h_trial - h_prev) / (g - g_prev);
                if (std::isfinite(step) && std::abs(step) <= 20.0 * std::abs(g))
                    h = h_trial + step;
                if (dgdh && h_trial != h_prev) *dgdh = (g - g_prev) / (h_trial - h_prev);
            } else if (i == 0 && dgdh && std::isfinite(*dgdh) && *dgdh != 0.0) {
                const double step = -g / *dgdh;        // Newton with the given slope
                if (std::isfinite(step) && std::abs(step) <= 20.0 * std::abs(g))
                    h = h_trial + step;
            }
            h_prev = h_trial;
            g_prev = g;
        }
        xyz_old = xyz_new;
    }
    if (h_final) *h_final = h;
    const Vec3 xyz = target(h);
    Vec3 up;
    llh = ell.xyz_to_lon_lat(xyz, &up);
    if (!llh.finite()) {
        llh = Vec3::nan();
        return false;
    }
    if (xyz_out) *xyz_out = xyz;
    if (up_out) *up_out = up;
    return converged;
}

// The same, with the platform state at the pixel's azimuth time.
template <class Height>
inline bool rdr2geo_pixel(double range, double dopfact, const Vec3& pos, const Vec3& vel,
                          const Basis& tcn, const Height& dem, const Ellipsoid& ell,
                          int side, double h0, const Rdr2GeoParams& prm, Vec3& llh,
                          double* h_final = nullptr, double* dgdh = nullptr) {
    if (!(range > 0.0) || !pos.finite() || !vel.finite()) {
        llh = Vec3::nan();
        return false;
    }
    return rdr2geo_pixel(range, dopfact, Platform(pos, vel, tcn, ell), dem, ell, side, h0, prm,
                         llh, h_final, dgdh);
}

// Angles of a converged target (all in degrees), as ISCE3 Topo's layers.
struct TopoAngles {
    double inc = kNaN;        // incidence: LOS vs the ellipsoid normal at the target
    double hdg = kNaN;        // heading: atan2(N, E) of sensor->target in the target's ENU
                              //   frame, +90 right-looking / -90 left, in (-180, 180]
    double los_az = kNaN;     // ISCE2 los.rdr band 2: azimuth of the target->sensor
                              //   vector, anticlockwise from North, in (-180, 180]
    double local_inc = kNaN;  // LOS vs the DEM surface normal
    double local_psi = kNaN;  // angle between the DEM normal and the image-plane normal
};

inline double wrap180(double deg) {
    if (deg > 180.0) deg -= 360.0;
    else if (deg <= -180.0) deg += 360.0;
    return deg;
}

// Per-DEM constants of topo_angles (trigonometry of the DEM spacings).
struct TopoAngleContext {
    const DemView& dem;
    double sin_dx = 0.0;             // |sin(dx)|
    double cos_dy = 1.0, sin_dy = 0.0;
    explicit TopoAngleContext(const DemView& d) : dem(d) {
        if (d.have_raster()) {
            sin_dx = std::abs(std::sin(d.dx * kRad));
            cos_dy = std::cos(d.dy * kRad);
            sin_dy = std::sin(d.dy * kRad);
        }
    }
};

// Compute the angles at target `llh` (rad, rad, m) seen from `pos` moving
// with `vel`. Slopes come from the DEM by central differences one DEM
// spacing either side (ISCE3); without a DEM raster the surface is the
// ellipsoid-parallel plane (zero slopes). taps: the DEM query's at llh, if kept.
// Core: sin/cos of the target's longitude (so, co) and latitude (sa, ca)
// and its ECEF position are given.
inline TopoAngles topo_angles(const Vec3& llh, double so, double co, double sa, double ca,
                              const Vec3& target, const Vec3& pos, const Vec3& vel,
                              const TopoAngleContext& ctx, const Ellipsoid& ell, int side,
                              DemTaps* taps = nullptr) {
    TopoAngles out;
    const DemView& dem = ctx.dem;
    auto to_enu = [&](const Vec3& v) -> Vec3 {
        return {-so * v.x + co * v.y, -sa * co * v.x - sa * so * v.y + ca * v.z,
                ca * co * v.x + ca * so * v.y + sa * v.z};
    };
    const double nrad = ell.a / std::sqrt(1.0 - ell.e2 * sa * sa);   // prime vertical
    const Vec3 sat_to_ground = target - pos;
    const Vec3 enu = to_enu(sat_to_ground);
    const double enorm = enu.norm();

    out.inc = std::acos(std::abs(enu.z) / enorm) * kDeg;
    const double track = std::atan2(enu.y, enu.x) * kDeg;
    out.hdg = wrap180(side == kLeft ? track - 90.0 : track + 90.0);
    // target -> sensor is -enu; anticlockwise from North:
    // atan2(-N, -E) - 90 = track + 180 - 90
    out.los_az = wrap180(track + 90.0);

    double alpha = 0.0, beta = 0.0;   // east and north slopes dh/dx, dh/dy
    if (dem.have_raster()) {
        const double lon = llh.x * kDeg, lat = llh.y * kDeg;
        double dew, dns;
        dem.central_differences(lon, lat, dew, dns, taps);
        // East-west: central difference over +-dx; the ECEF distance between
        // (lon -+ dx, lat, h) is the chord 2 (N + h) cos(lat) sin(dx).
        const double dxm = 2.0 * (nrad + llh.z) * ca * ctx.sin_dx;
        alpha = std::copysign(dew / dxm, dew * dem.dx);
        // North-south over +-dy: the chord between (lat -+ dy, h) in the meridian plane,
        // 2 (M + h) sin(dy) to a relative 1e-11 (M: meridian radius of curvature; the
        // exact chord differs by O(dy^2 e2), far below the float32 output's rounding)
        const double mrad = nrad * (1.0 - ell.e2) / (1.0 - ell.e2 * sa * sa);
        const double dym = 2.0 * (mrad + llh.z) * std::abs(ctx.sin_dy);
        beta = std::copysign(dns / dym, dns * dem.dy);
    }
    // the DEM normal is -slope = (-alpha, -beta, 1) (ENU), of length slope_norm
    const double inv_slope_norm = 1.0 / std::sqrt(alpha * alpha + beta * beta + 1.0);
    const double cos_li = (alpha * enu.x + beta * enu.y - enu.z) * (inv_slope_norm / enorm);
    out.local_inc = std::acos(std::min(1.0, std::max(-1.0, cos_li))) * kDeg;

    // normal of the image plane (sensor -> target x velocity; to the left of the track
    // when left-looking), in ENU: a rotation, so its length is that of the ECEF vector
    const Vec3 n_img = sat_to_ground.cross(vel);
    const Vec3 n_img_enu = to_enu(n_img);
    const double dot = (n_img_enu.z - alpha * n_img_enu.x - beta * n_img_enu.y) *
                       (side == kLeft ? -1.0 : 1.0);
    const double cos_psi = dot * (inv_slope_norm / n_img.norm());
    out.local_psi = std::acos(std::min(1.0, std::max(-1.0, cos_psi))) * kDeg;
    return out;
}

// From llh alone.
inline TopoAngles topo_angles(const Vec3& llh, const Vec3& pos, const Vec3& vel,
                              const TopoAngleContext& ctx, const Ellipsoid& ell, int side) {
    if (!llh.finite()) return TopoAngles();
    // ENU basis at the target, computed once
    const double so = std::sin(llh.x), co = std::cos(llh.x);
    const double sa = std::sin(llh.y), ca = std::cos(llh.y);
    const double nrad = ell.a / std::sqrt(1.0 - ell.e2 * sa * sa);   // prime vertical
    const Vec3 target{(nrad + llh.z) * ca * co, (nrad + llh.z) * ca * so,
                      (nrad * (1.0 - ell.e2) + llh.z) * sa};
    return topo_angles(llh, so, co, sa, ca, target, pos, vel, ctx, ell, side);
}

// From the target's ECEF position `xyz` and its ellipsoid normal `up`
// (= (cos lat cos lon, cos lat sin lon, sin lat)), as rdr2geo_pixel gives
// them: no trigonometry.
inline TopoAngles topo_angles(const Vec3& llh, const Vec3& xyz, const Vec3& up,
                              const Vec3& pos, const Vec3& vel, const TopoAngleContext& ctx,
                              const Ellipsoid& ell, int side, DemTaps* taps = nullptr) {
    if (!llh.finite() || !xyz.finite() || !up.finite()) return TopoAngles();
    const double ca = std::sqrt(up.x * up.x + up.y * up.y);
    if (!(ca > 1e-12)) return topo_angles(llh, pos, vel, ctx, ell, side);   // at a pole
    const double inv = 1.0 / ca;
    return topo_angles(llh, up.y * inv, up.x * inv, up.z, ca, xyz, pos, vel, ctx, ell, side,
                       taps);
}

inline TopoAngles topo_angles(const Vec3& llh, const Vec3& pos, const Vec3& vel,
                              const DemView& dem, const Ellipsoid& ell, int side) {
    return topo_angles(llh, pos, vel, TopoAngleContext(dem), ell, side);
}

// ------------------------------------------------------------ batch drivers
// Output buffers of rdr2geo_grid, each [lines][width] row-major; any pointer
// may be nullptr to skip that layer. Angles in degrees, lon/lat in degrees.
struct TopoOutputs {
    double* lon = nullptr;
    double* lat = nullptr;
    double* z = nullptr;
    float* inc = nullptr;
    float* hdg = nullptr;
    float* los_az = nullptr;
    float* local_inc = nullptr;
    float* local_psi = nullptr;
    std::uint8_t* converged = nullptr;
};

// rdr2geo over a block of a radar grid: lines at azimuth times t[lines] [s],
// samples at slant ranges r[width] [m], Doppler from `doppler` at each pixel.
// Heights: `heights` [lines][width] (per-pixel constant height, e.g. the
// heights of an earlier topo run) when not nullptr, else `dem`. Initial
// trial height (ISCE3 starts every pixel from the DEM mean; the solution is
// the same, reached in fewer iterations): lines are processed in chunks of
// 16 (independent, so results do not depend on the thread count); on the
// first line of a chunk, the surface height (the pixel's own in per-pixel
// mode, the left neighbour's solution with a DEM) plus the sphere-vs-
// ellipsoid offset extrapolated from the two previous pixels (the first
// pixel starts from dem.ref_height); on the other lines, the plane through
// the left, upper and upper-left neighbours' solutions (trial height, or
// offset in per-pixel mode), with the upper neighbour's solver slope for a
// Newton first step. ~1.5 iterations per pixel on a constant height, ~3 on
// +-500 m hills (ISCE3's path: ~5-15). OpenMP over chunks (dynamic);
// threads <= 0: default. Returns the number converged.
long rdr2geo_grid(const OrbitView& orbit, const Lut2dView& doppler, const DemView& dem,
                  const double* heights, const double* t, long lines, const double* r,
                  long width, double wavelength, int side, const Ellipsoid& ell,
                  const Rdr2GeoParams& prm, const TopoOutputs& out, int threads) noexcept;

// rdr2geo of n independent points (t[k], r[k]); heights as above but per
// point (heights[k], or the DEM when nullptr). llh_out [n][3] in radians and
// metres; converged[n] (0/1). Returns the number converged.
long rdr2geo_points(const OrbitView& orbit, const Lut2dView& doppler, const DemView& dem,
                    const double* heights, const double* t, const double* r, long n,
                    double wavelength, int side, const Ellipsoid& ell,
                    const Rdr2GeoParams& prm, double* llh_out, std::uint8_t* converged,
                    int threads) noexcept;

}  // namespace isce::geometry
