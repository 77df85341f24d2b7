// isce/library/geometry/interp2d.hpp -- 2-D interpolation of a row-major
// table at fractional (row, column) indices: nearest, bilinear and ISCE3's
// "BIQUINTIC" kernel (Spline2dInterpolator of order 6).
//
// The "biquintic" kernel of ISCE3 (and ISCE2's topozero) is not a quintic
// polynomial: along each axis it takes a window of 6 samples and evaluates
// the *natural cubic spline* through them (second derivative 0 at both ends
// of the window, unit node spacing) between the second and the third sample.
// With i = trunc(y) and u = y - i the window rows are
//     r_k = clamp(i - 2 + k, 0, length - 2) + 1,   k = 0..5,
// i.e. rows i-1 .. i+4 (one before, four after: ISCE3's window, which is not
// centred), clamped so that row 0 is never read (a quirk of ISCE3's port of
// 1-based Fortran, kept so results match ISCE3). The same along columns.
// Because the spline is linear in the samples, the value is
//     sum_k sum_l wy_k(u) wx_l(v) z[r_k, c_l]
// with weights computed once per query (spline6_weights below), instead of
// solving 7 tridiagonal systems per query as ISCE3 does: same result up to
// rounding, ~10x fewer operations.
//
// Every sample of the window enters the sum, so a NaN anywhere in the window
// gives NaN (NaN-safe: a void in a DEM never yields a made-up height).
// Queries must satisfy 0 <= x <= width-1, 0 <= y <= length-1 (callers clamp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace isce::geometry {

enum class Interp { nearest = 0, bilinear = 1, biquintic = 2 };

namespace detail {

// Second derivatives R[1], R[2] of the natural cubic spline through 6 unit-
// spaced samples, as linear combinations c1[k] Y[k], c2[k] Y[k]. Obtained by
// running ISCE3's tridiagonal recurrence (initSpline) on the unit vectors.
struct Spline6Coeffs {
    double c1[6] = {}, c2[6] = {};
    constexpr Spline6Coeffs() {
        for (int k = 0; k < 6; ++k) {
            double y[6] = {0, 0, 0, 0, 0, 0};
            y[k] = 1.0;
            double q[6] = {}, r[6] = {};
            for (int i = 1; i < 5; ++i) {
                const double p = 1.0 / (0.5 * q[i - 1] + 2.0);
                q[i] = -0.5 * p;
                r[i] = (3.0 * (y[i + 1] - 2.0 * y[i] + y[i - 1]) - 0.5 * r[i - 1]) * p;
            }
            r[5] = 0.0;
            for (int i = 4; i > 0; --i) r[i] = q[i] * r[i + 1] + r[i];
            c1[k] = r[1];
            c2[k] = r[2];
        }
    }
};

// computed at compile time (the same recurrence, the same IEEE operations): no guard
// of a function-local static on every query
inline constexpr Spline6Coeffs kSpline6Coeffs{};

inline const Spline6Coeffs& spline6_coeffs() { return kSpline6Coeffs; }

}  // namespace detail

// Weights of the 6 window samples for fractional offset u in [0, 1) between
// samples 1 and 2. ISCE3's spline evaluation
//   Y1 + u (Y2 - Y1 - R1/3 - R2/6 + u (R1/2 + u (R2 - R1)/6))
// rearranged as  (1-u) Y1 + u Y2 + a(u) R1 + b(u) R2.
inline void spline6_weights(double u, double w[6]) {
    const auto& c = detail::spline6_coeffs();
    const double a = u * (-1.0 / 3.0 + u * (0.5 - u / 6.0));
    const double b = u * (u * u - 1.0) / 6.0;
    for (int k = 0; k < 6; ++k) w[k] = a * c.c1[k] + b * c.c2[k];
    w[1] += 1.0 - u;
    w[2] += u;
}

// Window indices r_k = clamp(i - 2 + k, 0, n - 2) + 1 (ISCE3's rule, see top).
inline void spline6_window(long i, long n, long idx[6]) {
    for (int k = 0; k < 6; ++k) idx[k] = std::min(std::max(i - 2 + k, 0L), n - 2) + 1;
}

// ISCE3 BIQUINTIC (order-6 spline) at fractional column x, row y.
template <class T>
inline double interp_biquintic(const T* z, long width, long length, double x, double y) {
    const long ix = static_cast<long>(x);   // trunc, x >= 0
    const long iy = static_cast<long>(y);
    double wx[6], wy[6];
    long cx[6], ry[6];
    spline6_weights(x - ix, wx);
    spline6_weights(y - iy, wy);
    spline6_window(ix, width, cx);
    spline6_window(iy, length, ry);
    double sum = 0.0;
    for (int k = 0; k < 6; ++k) {
        const T* row = z + ry[k] * width;
        double s = 0.0;
        for (int l = 0; l < 6; ++l) s += wx[l] * static_cast<double>(row[cx[l]]);
        sum += wy[k] * s;
    }
    return sum;
}

template <class T>
inline double interp_bilinear(const T* z, long width, long length, double x, double y) {
    const long x1 = std::min(static_cast<long>(std::floor(x)), width - 2);
    const long y1 = std::min(static_cast<long>(std::floor(y)), length - 2);
    const double fx = x - x1, fy = y - y1;
    const T* r0 = z + y1 * width;
    const T* r1 = r0 + width;
    const double top = (1.0 - fx) * r0[x1] + fx * r0[x1 + 1];
    const double bot = (1.0 - fx) * r1[x1] + fx * r1[x1 + 1];
    return (1.0 - fy) * top + fy * bot;
}

template <class T>
inline double interp_nearest(const T* z, long width, long length, double x, double y) {
    const long ix = std::min(std::max(std::lround(x), 0L), width - 1);
    const long iy = std::min(std::max(std::lround(y), 0L), length - 1);
    return static_cast<double>(z[iy * width + ix]);
}

template <class T>
inline double interp2d(Interp method, const T* z, long width, long length, double x, double y) {
    switch (method) {
        case Interp::nearest: return interp_nearest(z, width, length, x, y);
        case Interp::bilinear: return interp_bilinear(z, width, length, x, y);
        default: return interp_biquintic(z, width, length, x, y);
    }
}

// Minimum table size per axis for a method (bilinear/biquintic need 2).
inline long interp_min_size(Interp method) { return method == Interp::nearest ? 1 : 2; }

}  // namespace isce::geometry
