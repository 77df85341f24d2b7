// isce/library/geometry/common.hpp -- small value types shared by the
// geometry kernels: a 3-vector, the reference ellipsoid, the geocentric TCN
// basis and a read-only view of orbit state vectors.
//
// Conventions (as isce.core and ISCE3):
//   * geodetic coordinates llh = (lon, lat, h): radians, radians, metres;
//   * ECEF xyz in metres;
//   * look side: left = +1, right = -1;
//   * every function is pure and inline (called per pixel inside OpenMP loops).
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>

#include "core/orbit.hpp"

namespace isce::geometry {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = 180.0 / kPi;   // radians -> degrees
constexpr double kRad = kPi / 180.0;   // degrees -> radians

constexpr int kLeft = 1;
constexpr int kRight = -1;

// ------------------------------------------------------------------ Vec3
struct Vec3 {
    double x = 0.0, y = 0.0, z = 0.0;

    constexpr Vec3() = default;
    constexpr Vec3(double a, double b, double c) : x(a), y(b), z(c) {}

    static constexpr Vec3 nan() { return {kNaN, kNaN, kNaN}; }
    static Vec3 load(const double* p) { return {p[0], p[1], p[2]}; }
    void store(double* p) const { p[0] = x; p[1] = y; p[2] = z; }

    double operator[](int i) const { return i == 0 ? x : (i == 1 ? y : z); }
    Vec3 operator+(const Vec3& o) const { return {x + o.x, y + o.y, z + o.z}; }
    Vec3 operator-(const Vec3& o) const { return {x - o.x, y - o.y, z - o.z}; }
    Vec3 operator-() const { return {-x, -y, -z}; }
    Vec3 operator*(double s) const { return {x * s, y * s, z * s}; }
    friend Vec3 operator*(double s, const Vec3& v) { return v * s; }

    double dot(const Vec3& o) const { return x * o.x + y * o.y + z * o.z; }
    Vec3 cross(const Vec3& o) const {
        return {y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x};
    }
    double norm() const { return std::sqrt(dot(*this)); }
    Vec3 normalized() const { return *this * (1.0 / norm()); }
    bool finite() const { return std::isfinite(x) && std::isfinite(y) && std::isfinite(z); }
};

// ------------------------------------------------------------- Ellipsoid
struct Ellipsoid {
    double a = 6378137.0;          // semi-major axis [m]
    double e2 = 0.0066943799901;   // first eccentricity squared [-]

    double b() const { return a * std::sqrt(1.0 - e2); }

    // Geodetic (lon, lat [rad], h [m]) -> ECEF [m].
    Vec3 lon_lat_to_xyz(const Vec3& llh) const {
        const double slat = std::sin(llh.y), clat = std::cos(llh.y);
        const double n = a / std::sqrt(1.0 - e2 * slat * slat);   // prime-vertical radius
        return {(n + llh.z) * clat * std::cos(llh.x),
                (n + llh.z) * clat * std::sin(llh.x),
                (n * (1.0 - e2) + llh.z) * slat};
    }

    // ECEF [m] -> geodetic (lon, lat [rad], h [m]). Exact closed form of
    // Vermeille (2002) for the latitude (as ISCE3 and isce.core.ellipsoid),
    // then the well-conditioned height h = p cos(lat) + z sin(lat)
    // - a sqrt(1 - e2 sin^2 lat). NaN in -> NaN out. If `normal` is given it
    // receives the outward ellipsoid normal at (lon, lat), so that the point
    // at another height h' on the same vertical is xyz + (h' - h) normal
    // (exact: lon_lat_to_xyz is linear in h along the normal).
    Vec3 xyz_to_lon_lat(const Vec3& xyz, Vec3* normal = nullptr) const {
        return geodetic(xyz, true, normal);
    }

    // The same; with angles == false longitude and latitude are not
    // evaluated (NaN; saves the two atan2) -- height and normal still are.
    Vec3 geodetic(const Vec3& xyz, bool angles, Vec3* normal) const {
        const double e4 = e2 * e2;
        const double rho2 = xyz.x * xyz.x + xyz.y * xyz.y;
        const double rho = std::sqrt(rho2);
        const double p = rho2 / (a * a);
        const double q = (1.0 - e2) * (xyz.z / a) * (xyz.z / a);
        const double r = (p + q - e4) / 6.0;
        const double s = e4 * p * q / (4.0 * r * r * r);
        const double t = std::cbrt(1.0 + s + std::sqrt(s * (2.0 + s)));
        const double u = r * (1.0 + t + 1.0 / t);
        const double v = std::sqrt(u * u + e4 * q);
        const double w = e2 * (u + v - q) / (2.0 * v);
        const double k = std::sqrt(u + v + w * w) - w;
        const double d = k * rho / (k + e2);
        // sin/cos of the latitude from the triangle (z, d) that atan2 uses
        const double hyp = std::sqrt(xyz.z * xyz.z + d * d);
        const double sl = xyz.z / hyp, cl = d / hyp;
        const double h = rho * cl + xyz.z * sl - a * std::sqrt(1.0 - e2 * sl * sl);
        if (normal) {
            const double co = rho > 0.0 ? xyz.x / rho : 1.0;
            const double so = rho > 0.0 ? xyz.y / rho : 0.0;
            *normal = {cl * co, cl * so, sl};
        }
        if (!angles) return {kNaN, kNaN, h};
        return {std::atan2(xyz.y, xyz.x), std::atan2(xyz.z, d), h};
    }
};

// Express an ECEF vector in the East-North-Up frame at (lon, lat) [rad].
inline Vec3 ecef_to_enu(const Vec3& v, double lon, double lat) {
    const double so = std::sin(lon), co = std::cos(lon);
    const double sa = std::sin(lat), ca = std::cos(lat);
    return {-so * v.x + co * v.y,
            -sa * co * v.x - sa * so * v.y + ca * v.z,
            ca * co * v.x + ca * so * v.y + sa * v.z};
}

// ------------------------------------------------------------- TCN basis
// Geocentric Track-Cross-Normal basis of a platform at `pos` moving with
// `vel` (ISCE's TCN): n = -pos/|pos| (towards the centre), c = unit(n x v),
// t = unit(c x n).
struct Basis {
    Vec3 t, c, n;
    Basis() = default;
    Basis(const Vec3& pos, const Vec3& vel) {
        n = -pos.normalized();
        c = n.cross(vel).normalized();
        t = c.cross(n).normalized();
    }
};

// ------------------------------------------------------------ OrbitView
// Read-only view of state vectors (see core/orbit.hpp). Unlike the batch
// interpolator, queries outside [t[0], t[n-1]] return NaN and false (ISCE3's
// FillNaN border mode): geometry never silently extrapolates an orbit.
struct OrbitView {
    const double* t = nullptr;     // [n] s, same epoch as the radar times
    const double* pos = nullptr;   // [n][3] m
    const double* vel = nullptr;   // [n][3] m/s
    std::size_t n = 0;
    isce::core::orbit::Method method = isce::core::orbit::Method::hermite;

    double start() const { return t[0]; }
    double end() const { return t[n - 1]; }
    double mid() const { return 0.5 * (t[0] + t[n - 1]); }

    bool interpolate(double tq, Vec3& p, Vec3& v) const {
        if (!(tq >= t[0] && tq <= t[n - 1])) {   // also catches NaN
            p = Vec3::nan();
            v = Vec3::nan();
            return false;
        }
        double pp[3], vv[3];
        const bool ok = isce::core::orbit::interpolate_one(method, t, pos, vel, n, tq, pp, vv);
        p = Vec3::load(pp);
        v = Vec3::load(vv);
        return ok;
    }
};

}  // namespace isce::geometry
