// isce/library/geometry/geocode.hpp -- geocoding of radar-grid rasters onto a
// longitude/latitude grid (ISCE3 `geocode` in interpolation mode, ISCE2
// zerodop/geozero).
//
// Two pure, header-only stages, both parallel over output lines (OpenMP) and
// meant to be called without the Python GIL:
//
// (1) geo2rdr_geogrid -- for every output pixel (row i, column k) with centre
//     lon[k], lat[i] [deg] and height hgt[i, k] [m above the ellipsoid], solve
//     geo2rdr (geometry/geo2rdr.hpp, the same Newton solver as isce.geometry)
//     with the image's orbit, Doppler LUT, wavelength and look side, and turn
//     the azimuth time t and slant range R of the Doppler-cone solution (zero
//     or native Doppler, whatever the LUT says) into fractional radar indices
//         line  = (t - t0) * prf,     pixel = (R - r0) / dr.
//     A pixel is kept only when geo2rdr converged and
//         0 <= line <= length - 1,   0 <= pixel <= width - 1
//     (the radar grid's pixel centres); otherwise line = pixel = NaN. The
//     Newton iterations of a pixel start from the linear extrapolation of the
//     times found for its two left neighbours (from `t_guess` for the first
//     pixel of a row, and again from `t_guess` if that start fails).
//
// (2) interpolate_block -- values of a radar raster at those (line, pixel).
//     The caller passes only the radar lines [row0, row0 + rows) the output
//     block needs (of an image `length` lines tall); indices are global.
//     Methods, with x = pixel, y = line, ix = floor(x), u = x - ix (same in y):
//       nearest    sample (round(y), round(x));
//       bilinear   the 2 x 2 samples around (y, x); at the last row/column the
//                  cell (n-2, n-1) is used;
//       bicubic    Keys' cubic convolution (a = -1/2) over the 4 x 4 samples
//                  ix-1 .. ix+2; samples beyond the image edge are linearly
//                  extrapolated (s[-1] = 2 s[0] - s[1]), so a linear ramp is
//                  reproduced exactly up to the edges;
//       biquintic  the order-6 spline kernel of ISCE3's BIQUINTIC: the natural
//                  cubic spline through 6 consecutive samples per axis,
//                  evaluated at x, here on the centred window ix-2 .. ix+3
//                  (ISCE3: ix-1 .. ix+4), shifted inward at the image edges
//                  (never padded); separable (along each row, then across);
//       sinc       8-tap windowed sinc over ix-3 .. ix+4 (ISCE's resampling
//                  kernel: sinc(d) (1/2 + 1/2 cos(pi d / 4)), d the distance
//                  to the sample, weights normalised to sum 1; evaluated
//                  exactly rather than from a table). As ISCE2/ISCE3 the whole
//                  8 x 8 window must lie inside the image, else `fill`.
//     NaN samples inside a window make the result NaN (float types), so a
//     void never produces a made-up value. Complex data may carry an azimuth
//     Doppler carrier exp(j 2 pi f_dc t): with carrier[p] = 2 pi f_dc / prf
//     [rad per line] at output pixel p, each window row m is demodulated by
//     exp(-j carrier (m - y)) before the weighted sum, so the interpolated
//     value keeps the carrier phase of position y (as ISCE3 ResampSlc and
//     geocodeSlc do).
//     Integer rasters are interpolated in double precision and rounded to the
//     nearest representable value (use nearest for labels/masks).
//     Returns the number of output pixels that were inside the image but whose
//     window left the block (set to `fill`): non-zero means the caller read
//     too few lines.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <type_traits>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "geometry/common.hpp"
#include "geometry/geo2rdr.hpp"
#include "geometry/lut2d.hpp"

namespace isce::geometry::geocode {

enum class Method { nearest = 0, bilinear = 1, bicubic = 2, biquintic = 3, sinc = 4 };

constexpr int kSincTaps = 8;        // taps per axis
constexpr int kSincBefore = 3;      // samples before floor(x): ix-3 .. ix+4
constexpr int kSplineTaps = 6;      // ISCE3 BIQUINTIC window
constexpr int kSplineBefore = 2;    // centred: ix-2 .. ix+3

// Lines a method may read around floor(line) (the driver adds this margin).
inline int method_margin(Method m) {
    switch (m) {
        case Method::nearest: return 1;
        case Method::bilinear: return 2;
        case Method::bicubic: return 3;
        case Method::biquintic: return kSplineTaps;
        default: return kSincTaps;
    }
}

inline int thread_count(int threads) {
#ifdef _OPENMP
    return threads > 0 ? threads : omp_get_max_threads();
#else
    (void)threads;
    return 1;
#endif
}

// ------------------------------------------------------------ radar grid
struct RadarGridView {
    double t0 = 0.0;      // azimuth time of line 0 [s, orbit epoch]
    double prf = 1.0;     // lines per second [Hz]
    double r0 = 0.0;      // slant range of sample 0 [m]
    double dr = 1.0;      // range spacing [m]
    long length = 0, width = 0;
    double wavelength = 0.0;
    int side = kRight;    // +1 left, -1 right
};

// Stage (1). lon[width_out], lat[length_out] pixel centres [deg];
// hgt[length_out * width_out] [m] (NaN: no output). Writes line/pixel
// [length_out * width_out] (NaN outside), and returns the count kept.
inline long geo2rdr_geogrid(const OrbitView& orbit, const Lut2dView& doppler,
                            const Ellipsoid& ell, const Geo2RdrParams& prm,
                            const RadarGridView& grid, const double* lon, const double* lat,
                            const double* hgt, long length_out, long width_out, double t_guess,
                            double* line, double* pixel, int threads) noexcept {
    long kept = 0;
    const int nthreads = thread_count(threads);
    const double lmax = static_cast<double>(grid.length - 1);
    const double pmax = static_cast<double>(grid.width - 1);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthreads) reduction(+ : kept)
#else
    (void)nthreads;
#endif
    for (long i = 0; i < length_out; ++i) {
        // start of the Newton iterations: the linear extrapolation of the
        // last two solutions of the row (most pixels then converge in one
        // iteration), else the last solution, else t_guess
        double t1 = kNaN, t2 = kNaN;   // last and second-to-last solutions
        const double la = lat[i] * kRad;
        for (long k = 0; k < width_out; ++k) {
            const long p = i * width_out + k;
            line[p] = pixel[p] = kNaN;
            const double h = hgt[p];
            if (!std::isfinite(h)) {
                t1 = t2 = kNaN;
                continue;
            }
            double guess = t_guess;
            if (std::isfinite(t1)) guess = std::isfinite(t2) ? 2.0 * t1 - t2 : t1;
            const Vec3 llh(lon[k] * kRad, la, h);
            double t, r;
            int st = geo2rdr_point(llh, ell, orbit, doppler, grid.wavelength, grid.side, guess,
                                   prm, t, r);
            if (st != kGeo2RdrOk && guess != t_guess)   // retry from the grid's guess
                st = geo2rdr_point(llh, ell, orbit, doppler, grid.wavelength, grid.side,
                                   t_guess, prm, t, r);
            if (st != kGeo2RdrOk) {
                t1 = t2 = kNaN;
                continue;
            }
            t2 = t1;
            t1 = t;
            const double y = (t - grid.t0) * grid.prf;
            const double x = (r - grid.r0) / grid.dr;
            if (!(y >= 0.0 && y <= lmax && x >= 0.0 && x <= pmax)) continue;
            line[p] = y;
            pixel[p] = x;
            ++kept;
        }
    }
    return kept;
}

// ------------------------------------------------------------ weights
// Keys (1981) cubic convolution, a = -1/2: weights of samples ix-1 .. ix+2.
inline void keys_weights(double u, double w[4]) {
    const double u2 = u * u, u3 = u2 * u;
    w[0] = -0.5 * u3 + u2 - 0.5 * u;
    w[1] = 1.5 * u3 - 2.5 * u2 + 1.0;
    w[2] = -1.5 * u3 + 2.0 * u2 + 0.5 * u;
    w[3] = 0.5 * u3 - 0.5 * u2;
}

// Natural cubic spline through 6 unit-spaced samples Y[0..5]: its second
// derivatives are M = C Y with M[0] = M[5] = 0; C is built once by solving
// the tridiagonal system for each unit vector.
struct Spline6 {
    double C[kSplineTaps][kSplineTaps];   // C[i][k]: dM_i / dY_k
    Spline6() {
        constexpr int n = kSplineTaps;
        for (int k = 0; k < n; ++k) {
            double y[n] = {0, 0, 0, 0, 0, 0};
            y[k] = 1.0;
            // interior rows i = 1..4: M[i-1] + 4 M[i] + M[i+1] = 6 (y[i-1] - 2 y[i] + y[i+1])
            double cp[n], dp[n], m[n];
            cp[0] = 0.0;
            dp[0] = 0.0;
            for (int i = 1; i < n - 1; ++i) {
                const double rhs = 6.0 * (y[i - 1] - 2.0 * y[i] + y[i + 1]);
                const double den = 4.0 - cp[i - 1];
                cp[i] = 1.0 / den;
                dp[i] = (rhs - dp[i - 1]) / den;
            }
            m[0] = m[n - 1] = 0.0;
            for (int i = n - 2; i >= 1; --i) m[i] = dp[i] - cp[i] * m[i + 1];
            for (int i = 0; i < n; ++i) C[i][k] = m[i];
        }
    }
};

inline const Spline6& spline6() {
    static const Spline6 s;   // thread-safe initialisation (C++11)
    return s;
}

// Weights w[0..5] of the window samples for position s in [0, 5] of the
// window (unit spacing): value = sum_k w[k] Y[k].
inline void spline6_weights_at(double s, double w[kSplineTaps]) {
    const auto& sp = spline6();
    long j = static_cast<long>(std::floor(s));
    j = std::min(std::max(j, 0L), static_cast<long>(kSplineTaps - 2));
    const double u = s - j, v = 1.0 - u;
    const double a = (v * v * v - v) / 6.0;   // coefficient of M_j
    const double b = (u * u * u - u) / 6.0;   // coefficient of M_{j+1}
    for (int k = 0; k < kSplineTaps; ++k) w[k] = a * sp.C[j][k] + b * sp.C[j + 1][k];
    w[j] += v;
    w[j + 1] += u;
}

// Windowed sinc: weights of samples ix-3 .. ix+4 for fractional part u.
inline void sinc_weights(double u, double w[kSincTaps]) {
    constexpr double half = 0.5 * kSincTaps;   // window half-length (4)
    double sum = 0.0;
    const double su = std::sin(kPi * u);
    for (int m = 0; m < kSincTaps; ++m) {
        const double d = u - (m - kSincBefore);   // distance to sample ix + m - 3
        double s;
        if (std::abs(d) < 1e-12) {
            s = 1.0;
        } else {
            // sin(pi d) = sin(pi u - pi (m-3)) = (-1)^(m-3) sin(pi u)
            const double sgn = ((m - kSincBefore) % 2 == 0) ? 1.0 : -1.0;
            s = sgn * su / (kPi * d);
        }
        const double win = std::abs(d) < half ? 0.5 + 0.5 * std::cos(kPi * d / half) : 0.0;
        w[m] = s * win;
        sum += w[m];
    }
    for (int m = 0; m < kSincTaps; ++m) w[m] /= sum;
}

// Window of one axis: first sample index, count, weights (max 8).
struct Axis {
    long first = 0;
    int count = 0;
    double w[kSincTaps];
    // Linear extrapolation at the edges (bicubic): sample index -1 or n is
    // expressed as 2 s[0] - s[1] / 2 s[n-1] - s[n-2]; folded into weights.
};

// Fill `a` for coordinate c on an axis of n samples. Returns false when the
// method cannot be evaluated there (sinc window outside the image).
inline bool make_axis(Method m, double c, long n, Axis& a) {
    switch (m) {
        case Method::nearest: {
            long i = std::lround(c);
            i = std::min(std::max(i, 0L), n - 1);
            a.first = i;
            a.count = 1;
            a.w[0] = 1.0;
            return true;
        }
        case Method::bilinear: {
            if (n < 2) return make_axis(Method::nearest, c, n, a);
            const long i = std::min(static_cast<long>(std::floor(c)), n - 2);
            const double u = c - i;
            a.first = i;
            a.count = 2;
            a.w[0] = 1.0 - u;
            a.w[1] = u;
            return true;
        }
        case Method::bicubic: {
            if (n < 4) return make_axis(Method::bilinear, c, n, a);
            const long i = std::min(static_cast<long>(std::floor(c)), n - 2);
            double k[4];
            keys_weights(c - i, k);
            // window i-1 .. i+2; fold out-of-image samples (linear extrapolation)
            double w[4] = {k[0], k[1], k[2], k[3]};
            long first = i - 1;
            if (first < 0) {            // i == 0: s[-1] = 2 s[0] - s[1]
                w[1] += 2.0 * w[0];
                w[2] -= w[0];
                w[0] = 0.0;
            }
            if (i + 2 > n - 1) {        // i == n-2: s[n] = 2 s[n-1] - s[n-2]
                w[2] += 2.0 * w[3];
                w[1] -= w[3];
                w[3] = 0.0;
            }
            int lo = first < 0 ? 1 : 0, hi = (i + 2 > n - 1) ? 3 : 4;
            a.first = first + lo;
            a.count = hi - lo;
            for (int t = lo; t < hi; ++t) a.w[t - lo] = w[t];
            return true;
        }
        case Method::biquintic: {
            if (n < kSplineTaps) return make_axis(n >= 4 ? Method::bicubic : Method::bilinear,
                                                  c, n, a);
            long first = static_cast<long>(std::floor(c)) - kSplineBefore;
            first = std::min(std::max(first, 0L), n - kSplineTaps);
            a.first = first;
            a.count = kSplineTaps;
            spline6_weights_at(c - first, a.w);
            return true;
        }
        default: {   // sinc
            const long i = static_cast<long>(std::floor(c));
            const long first = i - kSincBefore;
            if (first < 0 || first + kSincTaps > n) return false;
            a.first = first;
            a.count = kSincTaps;
            sinc_weights(c - i, a.w);
            return true;
        }
    }
}

// ------------------------------------------------------------ value types
template <class T> struct is_complex : std::false_type {};
template <class T> struct is_complex<std::complex<T>> : std::true_type {};

template <class T>
using acc_t = std::conditional_t<is_complex<T>::value, std::complex<double>, double>;

template <class T>
inline T from_acc(const acc_t<T>& v) {
    if constexpr (is_complex<T>::value) {
        using R = typename T::value_type;
        return T(static_cast<R>(v.real()), static_cast<R>(v.imag()));
    } else if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(v);
    } else {   // integers: round and saturate; NaN -> 0
        if (std::isnan(v)) return T(0);
        const double r = std::nearbyint(v);
        const double lo = static_cast<double>(std::numeric_limits<T>::lowest());
        const double hi = static_cast<double>(std::numeric_limits<T>::max());
        return static_cast<T>(std::min(std::max(r, lo), hi));
    }
}

template <class T>
inline acc_t<T> to_acc(const T& v) {
    if constexpr (is_complex<T>::value) {
        return acc_t<T>(static_cast<double>(v.real()), static_cast<double>(v.imag()));
    } else {
        return static_cast<double>(v);
    }
}

// Stage (2): see the header comment. data: [rows][width] row-major, the
// global lines row0 .. row0+rows-1 of an image `length` lines tall. line,
// pixel, out, carrier: n output pixels.
template <class T>
inline long interpolate_block(const T* data, long rows, long width, long row0, long length,
                              const double* line, const double* pixel, long n, Method method,
                              const double* carrier, T fill, T* out, int threads) noexcept {
    long starved = 0;
    const int nthreads = thread_count(threads);
    const long last = row0 + rows;   // exclusive
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1024) num_threads(nthreads) reduction(+ : starved)
#else
    (void)nthreads;
#endif
    for (long p = 0; p < n; ++p) {
        const double y = line[p], x = pixel[p];
        if (!(y >= 0.0 && y <= length - 1.0 && x >= 0.0 && x <= width - 1.0)) {
            out[p] = fill;
            continue;
        }
        Axis ay, ax;
        if (!make_axis(method, y, length, ay) || !make_axis(method, x, width, ax)) {
            out[p] = fill;
            continue;
        }
        if (ay.first < row0 || ay.first + ay.count > last) {
            out[p] = fill;
            ++starved;
            continue;
        }
        acc_t<T> sum = acc_t<T>(0.0);
        const bool demod = is_complex<T>::value && carrier != nullptr;
        for (int a = 0; a < ay.count; ++a) {
            const long row = ay.first + a;
            const T* src = data + (row - row0) * width + ax.first;
            acc_t<T> s = acc_t<T>(0.0);
            for (int b = 0; b < ax.count; ++b) s += ax.w[b] * to_acc(src[b]);
            if constexpr (is_complex<T>::value) {
                if (demod) {
                    const double ph = -carrier[p] * (static_cast<double>(row) - y);
                    s *= std::complex<double>(std::cos(ph), std::sin(ph));
                }
            }
            sum += ay.w[a] * s;
        }
        out[p] = from_acc<T>(sum);
    }
    return starved;
}

}  // namespace isce::geometry::geocode
