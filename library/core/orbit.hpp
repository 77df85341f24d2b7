// isce/library/core/orbit.hpp -- orbit state-vector interpolation kernels.
//
// Pure functions over plain arrays: no globals, no setters, no allocation.
// The per-query functions are inline so the geometry kernels (rdr2geo,
// geo2rdr, ...) can call them inside their own per-pixel loops and get
// bit-identical results to the batch entry point `interpolate_orbit`.
//
// Inputs (shared by every function):
//   t   [n]      state-vector times, seconds (any epoch), STRICTLY increasing
//   pos [n][3]   ECEF positions, metres, row-major (pos[3*i + k])
//   vel [n][3]   ECEF velocities, m/s, row-major
//   tq           query time, same epoch as t
// Outputs: p[3] position (m), v[3] velocity (m/s).
//
// Window selection (both methods, as in ISCE2's interpolateWGS84Orbit and
// interpolateLegendreOrbit): let k be the index of the first node with
// t[k] >= tq (k = n when there is none), then the window of N consecutive
// nodes starts at  i0 = clamp(k - B, 0, n - N)  with
//   Hermite:  N = 4, B = 2  (two nodes before tq, two at/after it)
//   Legendre: N = 9, B = 5  (five nodes before tq, four at/after it).
// The clamp keeps every read inside [0, n) for ANY tq (before the first
// node, after the last one, or NaN): out-of-span queries are extrapolated
// from the first/last window. Refusing them is the caller's job (the Python
// layer `isce.core.orbit.Orbit` does). Precondition: n >= N; if not, the
// outputs are set to NaN and the function returns false (no read happens).
//
// (a) Hermite (ISCE2 `orbitHermite`): the unique polynomial H of degree 7
//     with H(t_i) = x_i and H'(t_i) = v_i at the 4 window nodes. With the
//     Lagrange basis of the 4 nodes
//         L_i(t)  = prod_{j!=i} (t - t_j) / (t_i - t_j)
//         c_i     = L_i'(t_i) = sum_{j!=i} 1 / (t_i - t_j)
//     and d_i = tq - t_i,
//         H(tq)  = sum_i  A_i x_i + B_i v_i,
//         A_i    = (1 - 2 c_i d_i) L_i(tq)^2,
//         B_i    = d_i L_i(tq)^2,
//     and the velocity is the derivative of the same polynomial:
//         H'(tq) = sum_i  A'_i x_i + B'_i v_i,
//         A'_i   = -2 c_i L_i^2 + 2 (1 - 2 c_i d_i) L_i L_i'(tq),
//         B'_i   = L_i^2 + 2 d_i L_i L_i'(tq),
//         L_i'(tq) = sum_{j!=i} prod_{m!=i,j} (tq - t_m) / prod_{j!=i} (t_i - t_j).
//     (L_i' is evaluated in this product form, never as L_i * sum 1/d_j, so
//     nothing divides by zero; a query exactly on a node returns that node's
//     position bit for bit and its velocity to rounding.)
//
// (b) Legendre (ISCE2 `interpolateLegendreOrbit`): Lagrange polynomial of
//     degree 8 through the 9 window nodes, applied independently to each
//     position and each velocity component:
//         x(tq) = sum_i L_i(tq) x_i,   v(tq) = sum_i L_i(tq) v_i,
//     L_i the Lagrange basis of the 9 nodes. ISCE2 writes L_i with the
//     fixed denominators {8!, -7!, 2*6!, ...} of equally spaced nodes; here
//     the denominators use the actual node times, which is identical for
//     equally spaced vectors and stays correct when the spacing jitters.
//     The numerators prod_{j!=i} (tq - t_j) are built from prefix/suffix
//     products, so a query on a node returns that node's position and
//     velocity bit for bit (ISCE2 special-cases this; here it falls out).
#pragma once

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

namespace isce::core::orbit {

enum class Method { hermite, legendre };

constexpr std::size_t hermite_nodes = 4;
constexpr std::size_t hermite_before = 2;
constexpr std::size_t legendre_nodes = 9;
constexpr std::size_t legendre_before = 5;

inline std::size_t nodes_for(Method m) noexcept {
    return m == Method::hermite ? hermite_nodes : legendre_nodes;
}

inline const char* method_name(Method m) noexcept {
    return m == Method::hermite ? "hermite" : "legendre";
}

// Parse "hermite" / "legendre" (lower case). Returns false if unknown.
inline bool parse_method(const std::string& s, Method& out) noexcept {
    if (s == "hermite") { out = Method::hermite; return true; }
    if (s == "legendre") { out = Method::legendre; return true; }
    return false;
}

// First index of the N-node window for query tq (see header comment).
// Requires n >= nodes. Binary search: O(log n).
inline std::size_t window_start(const double* t, std::size_t n, double tq,
                                std::size_t nodes, std::size_t before) noexcept {
    // k = first index with t[k] >= tq  (lower bound; NaN gives k = 0)
    std::size_t lo = 0, hi = n;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (t[mid] < tq) lo = mid + 1; else hi = mid;
    }
    const std::size_t k = lo;
    std::size_t i0 = k > before ? k - before : 0;
    if (i0 > n - nodes) i0 = n - nodes;
    return i0;
}

inline void fill_nan(double* p, double* v) noexcept {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int c = 0; c < 3; ++c) { p[c] = nan; v[c] = nan; }
}

// The query-independent factors of the Hermite basis over the N nodes tw:
// den[i] = prod_{j!=i} (t_i - t_j), c[i] = sum_{j!=i} 1/(t_i - t_j).
inline void hermite_factors(const double* tw, double* den, double* c) noexcept {
    constexpr std::size_t N = hermite_nodes;
    for (std::size_t i = 0; i < N; ++i) {
        double d = 1.0, s = 0.0;
        for (std::size_t j = 0; j < N; ++j) {
            if (j == i) continue;
            const double dt = tw[i] - tw[j];
            d *= dt;
            s += 1.0 / dt;
        }
        den[i] = d;
        c[i] = s;
    }
}

// Cubic-Hermite sum at tq over the N nodes (tw, xw, vw) with their factors.
inline void hermite_sum(const double* tw, const double* xw, const double* vw,
                        const double* den, const double* c, double tq,
                        double* p, double* v) noexcept {
    constexpr std::size_t N = hermite_nodes;
    double d[N];
    for (std::size_t i = 0; i < N; ++i) d[i] = tq - tw[i];

    double px = 0, py = 0, pz = 0, vx = 0, vy = 0, vz = 0;
    for (std::size_t i = 0; i < N; ++i) {
        double num = 1.0;     // prod_{j!=i} d_j
        double dnum = 0.0;    // sum_{j!=i} prod_{m!=i,j} d_m
        for (std::size_t j = 0; j < N; ++j) {
            if (j == i) continue;
            dnum = dnum * d[j] + num;   // derivative of the running product
            num *= d[j];
        }
        const double L = num / den[i];
        const double dL = dnum / den[i];
        const double L2 = L * L;
        const double f = 1.0 - 2.0 * c[i] * d[i];
        const double A = f * L2;
        const double B = d[i] * L2;
        const double dA = -2.0 * c[i] * L2 + 2.0 * f * L * dL;
        const double dB = L2 + 2.0 * d[i] * L * dL;
        const double* x = xw + 3 * i;
        const double* w = vw + 3 * i;
        px += A * x[0] + B * w[0];
        py += A * x[1] + B * w[1];
        pz += A * x[2] + B * w[2];
        vx += dA * x[0] + dB * w[0];
        vy += dA * x[1] + dB * w[1];
        vz += dA * x[2] + dB * w[2];
    }
    p[0] = px; p[1] = py; p[2] = pz;
    v[0] = vx; v[1] = vy; v[2] = vz;
}

// Cubic-Hermite (degree-7, 4-node) interpolation of one query time.
inline bool hermite(const double* t, const double* pos, const double* vel,
                    std::size_t n, double tq, double* p, double* v) noexcept {
    constexpr std::size_t N = hermite_nodes;
    if (n < N) { fill_nan(p, v); return false; }
    const std::size_t i0 = window_start(t, n, tq, N, hermite_before);
    double den[N], c[N];
    hermite_factors(t + i0, den, c);
    hermite_sum(t + i0, pos + 3 * i0, vel + 3 * i0, den, c, tq, p, v);
    return true;
}

// Degree-8 (9-node) Lagrange ("Legendre" in ISCE) interpolation of one query.
inline bool legendre(const double* t, const double* pos, const double* vel,
                     std::size_t n, double tq, double* p, double* v) noexcept {
    constexpr std::size_t N = legendre_nodes;
    if (n < N) { fill_nan(p, v); return false; }
    const std::size_t i0 = window_start(t, n, tq, N, legendre_before);
    const double* tw = t + i0;
    const double* xw = pos + 3 * i0;
    const double* vw = vel + 3 * i0;

    double d[N], pre[N + 1], suf[N + 1];
    for (std::size_t i = 0; i < N; ++i) d[i] = tq - tw[i];
    pre[0] = 1.0;
    for (std::size_t i = 0; i < N; ++i) pre[i + 1] = pre[i] * d[i];
    suf[N] = 1.0;
    for (std::size_t i = N; i-- > 0;) suf[i] = suf[i + 1] * d[i];

    double px = 0, py = 0, pz = 0, vx = 0, vy = 0, vz = 0;
    for (std::size_t i = 0; i < N; ++i) {
        // Denominator multiplied in the same order as the numerator
        // (ascending below i, descending above i), so that on a node the
        // two are bitwise equal and L_i is exactly 1 (the others exactly 0).
        double left = 1.0, right = 1.0;
        for (std::size_t j = 0; j < i; ++j) left *= tw[i] - tw[j];
        for (std::size_t j = N - 1; j > i; --j) right *= tw[i] - tw[j];
        const double L = pre[i] * suf[i + 1] / (left * right);
        const double* x = xw + 3 * i;
        const double* w = vw + 3 * i;
        px += L * x[0]; py += L * x[1]; pz += L * x[2];
        vx += L * w[0]; vy += L * w[1]; vz += L * w[2];
    }
    p[0] = px; p[1] = py; p[2] = pz;
    v[0] = vx; v[1] = vy; v[2] = vz;
    return true;
}

inline bool interpolate_one(Method m, const double* t, const double* pos,
                            const double* vel, std::size_t n, double tq,
                            double* p, double* v) noexcept {
    return m == Method::hermite ? hermite(t, pos, vel, n, tq, p, v)
                                : legendre(t, pos, vel, n, tq, p, v);
}

// Check the state vectors: n >= nodes, times finite and strictly
// increasing. Returns an empty string if valid, else a message.
std::string check_state_vectors(const double* t, std::size_t n, Method m);

// Batch interpolation of m query times (OpenMP parallel over queries).
// out_pos/out_vel are [m][3] row-major. threads <= 0: OpenMP default.
// Does not validate (call check_state_vectors first); with n < nodes it
// writes NaN. Safe to call without the Python GIL.
void interpolate_orbit(const double* t, const double* pos, const double* vel,
                       std::size_t n, const double* tq, std::size_t m,
                       Method method, double* out_pos, double* out_vel,
                       int threads = 0) noexcept;

}  // namespace isce::core::orbit
