// isce/library/signal/crossmul.cpp -- see crossmul.hpp.
#include "signal/crossmul.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <vector>

namespace isce::signal::crossmul {

namespace {

// pi/2 in two parts: the first has 33 significant bits, so q * PIO2_HI is exact for |q| < 2^20
constexpr double PIO2_HI = 1.57079632673412561417e+00;
constexpr double PIO2_LO = 6.07710050650619224932e-11;
constexpr double TWO_OVER_PI = 6.36619772367581382433e-01;
constexpr double ROUNDER = 6755399441055744.0;    // 1.5 * 2^52: v + ROUNDER - ROUNDER = rint(v)

// sin and cos of r in [-pi/4, pi/4] (Cephes sin.c/cos.c in double, sinf.c/cosf.c in float)
inline void poly(double r, double& s, double& c)
{
    const double z = r * r;
    s = r + r * z * ((((((1.58962301576546568060E-10 * z - 2.50507477628578072866E-8) * z
        + 2.75573136213857245213E-6) * z - 1.98412698295895385996E-4) * z
        + 8.33333333332211858878E-3) * z - 1.66666666666666307295E-1));
    c = 1.0 - 0.5 * z + z * z * ((((((-1.13585365213876817300E-11 * z
        + 2.08757008419747316778E-9) * z - 2.75573141792967388112E-7) * z
        + 2.48015872888517045348E-5) * z - 1.38888888888730564116E-3) * z
        + 4.16666666666665929218E-2));
}

inline void poly(float r, float& s, float& c)
{
    const float z = r * r;
    s = r + r * z * ((-1.9515295891E-4f * z + 8.3321608736E-3f) * z - 1.6666654611E-1f);
    c = 1.0f - 0.5f * z + z * z * ((2.443315711809948E-5f * z - 1.388731625493765E-3f) * z
                                   + 4.166664568298827E-2f);
}

template <typename T> struct Bits;                // the unsigned integer of T's width
template <> struct Bits<float> { using type = std::uint32_t; };
template <> struct Bits<double> { using type = std::uint64_t; };

template <typename U, typename T>
inline U bit_cast(T v)
{
    static_assert(sizeof(U) == sizeof(T), "same width");
    U u;
    std::memcpy(&u, &v, sizeof u);
    return u;
}

// cos(x[i]) and -sin(x[i]) (the factor exp(-i x)) in T: the reduction by pi/2 in double
// (exact for |x| < 1e6), the polynomial in T, the quadrant's swap and signs with bit masks
// (no branches, so the loop vectorises)
template <typename T>
void expm_array(const double* x, std::int64_t count, T* er, T* ei)
{
    using U = typename Bits<T>::type;
    constexpr int sign = 8 * sizeof(T) - 1;
    for (std::int64_t i = 0; i < count; ++i) {
        const double q = (x[i] * TWO_OVER_PI + ROUNDER) - ROUNDER;
        const T r = static_cast<T>((x[i] - q * PIO2_HI) - q * PIO2_LO);
        const U iq = static_cast<U>(static_cast<std::int32_t>(q));   // two's complement: q mod 4
        T sr, cr;
        poly(r, sr, cr);
        const U swap = U(0) - (iq & U(1));                    // all ones when q is odd
        const U bs = bit_cast<U>(sr), bc = bit_cast<U>(cr);
        const U ss = (bc & swap) | (bs & ~swap);
        const U cc = (bs & swap) | (bc & ~swap);
        ei[i] = bit_cast<T>(ss ^ ((~iq & U(2)) << (sign - 1)));        // -sin: sin < 0 for q = 2, 3
        er[i] = bit_cast<T>(cc ^ (((iq + U(1)) & U(2)) << (sign - 1)));  // cos < 0 for q = 1, 2
    }
}

inline bool is_zero(const std::complex<float>& v) { return v.real() == 0 && v.imag() == 0; }
inline bool is_zero(const std::complex<double>& v) { return v.real() == 0 && v.imag() == 0; }

// exp(-i phi) of every oversampled sample k + m / f of a line (layout [m][k], k < count),
// phi = the flattening phase of the pixels (Flattening.phase: NaN offsets as 0, +-inf as
// +-largest) interpolated linearly between pixels k and k + 1 (pixels n - 2, n - 1 at the
// end), as crossmul's NumPy reference
template <typename T, typename O>
void line_factors(const O* off, const Flattening& flat, std::int64_t n, int f, std::int64_t count,
                  double* pix, double* ph, T* er, T* ei)
{
    const double d0 = flat.r02 - flat.r01, dd = flat.dr2 - flat.dr1;
    for (std::int64_t j = 0; j < n; ++j) {
        double o = static_cast<double>(off[j]);
        o = o == o ? o : 0.0;
        o = o > DBL_MAX ? DBL_MAX : (o < -DBL_MAX ? -DBL_MAX : o);
        pix[j] = flat.scale * ((d0 + static_cast<double>(j) * dd) + o * flat.dr2);
    }
    for (int m = 0; m < f; ++m) {
        double* p = ph + m * count;
        if (m == 0) {
            std::copy(pix, pix + count, p);
        } else {
            const double w = static_cast<double>(m) / f;
            const std::int64_t inner = std::min(count, n - 1);
            for (std::int64_t k = 0; k < inner; ++k) p[k] = pix[k] * (1 - w) + pix[k + 1] * w;
            for (std::int64_t k = std::max<std::int64_t>(inner, 0); k < count; ++k) {
                const std::int64_t i0 = std::max<std::int64_t>(std::min(k, n - 2), 0);
                const std::int64_t i1 = std::min(i0 + 1, n - 1);
                const double x = k + w;
                const double wk = x - static_cast<double>(i0);
                p[k] = pix[i0] * (1 - wk) + pix[i1] * wk;
            }
        }
    }
    expm_array(ph, count * f, er, ei);
}

// products of one line and one interpolation m: the (flattened) u conj(v) and the powers,
// in T as numpy computes them
template <typename T>
void line_products(const std::complex<T>* u, const std::complex<T>* v, const T* er, const T* ei,
                   std::int64_t count, T* pr, T* pi, T* q1, T* q2)
{
    const T* uu = reinterpret_cast<const T*>(u);      // (re, im) pairs: std::complex layout
    const T* vv = reinterpret_cast<const T*>(v);
    for (std::int64_t k = 0; k < count; ++k) {
        const T ur = uu[2 * k], ui = uu[2 * k + 1], vr = vv[2 * k], vi = vv[2 * k + 1];
        pr[k] = ur * vr + ui * vi;
        pi[k] = ui * vr - ur * vi;
        q1[k] = ur * ur + ui * ui;
        q2[k] = vr * vr + vi * vi;
    }
    if (er == nullptr) return;
    for (std::int64_t k = 0; k < count; ++k) {
        const T a = pr[k], b = pi[k];
        pr[k] = a * er[k] - b * ei[k];
        pi[k] = a * ei[k] + b * er[k];
    }
}

}  // namespace

template <typename T, typename O>
void looked_block(const std::complex<T>* s1, const std::complex<T>* s2,
                  const std::complex<T>* h1, const std::complex<T>* h2, std::int64_t hstride,
                  const O* off, const Flattening& flat, std::int64_t rows, std::int64_t n,
                  int az, int rg, int f, std::complex<float>* ifg, float* coh, float* amp1,
                  float* amp2, int threads)
{
    const std::int64_t L = rows / az, W = n / rg, K = W * rg;
    const std::int64_t plane = rows * hstride;            // one interpolated copy of the block
    const double count = static_cast<double>(az) * rg * f;
    const bool flatten = flat.on && off != nullptr;
#pragma omp parallel num_threads(threads)
    {
        std::vector<double> pix(flatten ? n : 0), ph(flatten ? K * f : 0);
        std::vector<T> er(ph.size()), ei(ph.size()), pr(K), pi(K), q1(K), q2(K);
        std::vector<double> cre(W), cim(W), p1(W), p2(W);
        std::vector<unsigned char> bad(W);
#pragma omp for schedule(static)
        for (std::int64_t i = 0; i < L; ++i) {
            std::fill(cre.begin(), cre.end(), 0.0);
            std::fill(cim.begin(), cim.end(), 0.0);
            std::fill(p1.begin(), p1.end(), 0.0);
            std::fill(p2.begin(), p2.end(), 0.0);
            std::fill(bad.begin(), bad.end(), 0);
            for (int a = 0; a < az; ++a) {
                const std::int64_t r = i * az + a;
                const std::complex<T>* a0 = s1 + r * n;
                const std::complex<T>* b0 = s2 + r * n;
                if (flatten)
                    line_factors(off + r * n, flat, n, f, K, pix.data(), ph.data(), er.data(),
                                 ei.data());
                for (int m = 0; m < f; ++m) {
                    const std::complex<T>* u = m == 0 ? a0 : h1 + (m - 1) * plane + r * hstride;
                    const std::complex<T>* v = m == 0 ? b0 : h2 + (m - 1) * plane + r * hstride;
                    line_products(u, v, flatten ? er.data() + m * K : nullptr,
                                  flatten ? ei.data() + m * K : nullptr, K, pr.data(),
                                  pi.data(), q1.data(), q2.data());
                    for (std::int64_t j = 0; j < W; ++j) {
                        double sre = 0, sim = 0, s1p = 0, s2p = 0;
                        for (std::int64_t k = j * rg; k < (j + 1) * rg; ++k) {
                            sre += pr[k];
                            sim += pi[k];
                            s1p += q1[k];
                            s2p += q2[k];
                        }
                        cre[j] += sre;
                        cim[j] += sim;
                        p1[j] += s1p;
                        p2[j] += s2p;
                    }
                }
                for (std::int64_t k = 0; k < K; ++k)
                    bad[k / rg] |= static_cast<unsigned char>(is_zero(a0[k]) | is_zero(b0[k]));
            }
            for (std::int64_t j = 0; j < W; ++j) {
                const std::int64_t o = i * W + j;
                const double denom = std::sqrt(p1[j] * p2[j]);
                double g = denom > 0 ? std::hypot(cre[j], cim[j]) / denom : 0.0;
                g = std::min(g, 1.0);
                if (bad[j]) {
                    ifg[o] = std::complex<float>(0.0f, 0.0f);
                    coh[o] = 0.0f;
                } else {
                    ifg[o] = std::complex<float>(static_cast<float>(cre[j] / count),
                                                 static_cast<float>(cim[j] / count));
                    coh[o] = static_cast<float>(g);
                }
                if (amp1) amp1[o] = static_cast<float>(std::sqrt(p1[j] / count));
                if (amp2) amp2[o] = static_cast<float>(std::sqrt(p2[j] / count));
            }
        }
    }
}

template <typename T>
void multiply_rows(const std::complex<T>* in, const std::complex<T>* ramp, std::int64_t rows,
                   std::int64_t n, std::complex<T>* out, int threads)
{
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t r = 0; r < rows; ++r) {
        const std::complex<T>* x = in + r * n;
        std::complex<T>* y = out + r * n;
        for (std::int64_t k = 0; k < n; ++k) {
            const T xr = x[k].real(), xi = x[k].imag(), wr = ramp[k].real(), wi = ramp[k].imag();
            y[k] = std::complex<T>(xr * wr - xi * wi, xr * wi + xi * wr);
        }
    }
}

template <typename T>
std::int64_t zero_nan(std::complex<T>* x, std::int64_t count, int threads)
{
    std::int64_t found = 0;
#pragma omp parallel for schedule(static) reduction(+ : found) num_threads(threads)
    for (std::int64_t i = 0; i < count; ++i) {
        if (std::isnan(x[i].real()) || std::isnan(x[i].imag())) {
            x[i] = std::complex<T>(0, 0);
            ++found;
        }
    }
    return found;
}

#define ISCE_LOOKED(T, O)                                                                      \
    template void looked_block<T, O>(const std::complex<T>*, const std::complex<T>*,           \
                                     const std::complex<T>*, const std::complex<T>*,           \
                                     std::int64_t, const O*, const Flattening&, std::int64_t,  \
                                     std::int64_t, int, int, int, std::complex<float>*,        \
                                     float*, float*, float*, int);
ISCE_LOOKED(float, float)
ISCE_LOOKED(float, double)
ISCE_LOOKED(double, float)
ISCE_LOOKED(double, double)
#undef ISCE_LOOKED

template void multiply_rows<float>(const std::complex<float>*, const std::complex<float>*,
                                   std::int64_t, std::int64_t, std::complex<float>*, int);
template void multiply_rows<double>(const std::complex<double>*, const std::complex<double>*,
                                    std::int64_t, std::int64_t, std::complex<double>*, int);
template std::int64_t zero_nan<float>(std::complex<float>*, std::int64_t, int);
template std::int64_t zero_nan<double>(std::complex<double>*, std::int64_t, int);

}  // namespace isce::signal::crossmul
