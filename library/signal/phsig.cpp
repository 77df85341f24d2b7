// isce/library/signal/phsig.cpp -- see phsig.hpp.
#include "signal/phsig.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace isce::signal::phsig {

namespace {

using cd = std::complex<double>;
constexpr double TWO_PI = 6.283185307179586476925;

// normalised Gaussian weights exp(-(k^2 + n^2) / (win / 2)), k, n = -(win/2) .. ; separable:
// returns g with w[k, n] = g[k] g[n]
std::vector<double> gauss(int win)
{
    std::vector<double> e(win);
    double total = 0;
    for (int k = 0; k < win; ++k) {
        const double d = k - win / 2;
        e[k] = std::exp(-(d * d) / (win / 2.0));
    }
    for (int k = 0; k < win; ++k)
        for (int n = 0; n < win; ++n) total += e[k] * e[n];
    std::vector<double> g(win);
    for (int k = 0; k < win; ++k) g[k] = e[k] / std::sqrt(total);
    return g;
}

// sum_{k,n} g[k] g[n] a[i + k - h, j + n - h] (zero outside), columns then rows
void box(const std::vector<cd>& a, std::int64_t L, std::int64_t W, const std::vector<double>& g,
         std::vector<cd>& tmp, std::vector<cd>& out, int threads)
{
    const int win = static_cast<int>(g.size()), h = win / 2;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t i = 0; i < L; ++i)
        for (std::int64_t j = 0; j < W; ++j) {
            cd s = 0;
            for (int k = 0; k < win; ++k) {
                const std::int64_t r = i + k - h;
                if (r >= 0 && r < L) s += g[k] * a[r * W + j];
            }
            tmp[i * W + j] = s;
        }
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t i = 0; i < L; ++i)
        for (std::int64_t j = 0; j < W; ++j) {
            cd s = 0;
            for (int n = 0; n < win; ++n) {
                const std::int64_t c = j + n - h;
                if (c >= 0 && c < W) s += g[n] * tmp[i * W + c];
            }
            out[i * W + j] = s;
        }
}

// out[d] = e^(d - h), d = 0 .. size - 1, e = exp(-i arg s)
inline void powers(const cd& s, int h, std::vector<cd>& out)
{
    const double a = std::abs(s);
    const cd e = a > 0 ? std::conj(s) / a : cd(1, 0);
    const int size = static_cast<int>(out.size());
    out[h] = cd(1, 0);
    for (int d = h + 1; d < size; ++d) out[d] = out[d - 1] * e;
    const cd inv = std::conj(e);
    for (int d = h - 1; d >= 0; --d) out[d] = out[d + 1] * inv;
}

inline double wrap(double p)
{
    return p - TWO_PI * std::nearbyint(p * (1.0 / TWO_PI));
}

}  // namespace

template <typename T>
void phase_sigma(const std::complex<T>* z0, std::int64_t L, std::int64_t W, int win, int swin,
                 double nlooks, int min_samples, double* cor, double* sigma, int threads)
{
    const std::int64_t n = L * W;
    std::vector<cd> z(n), dr(n), da(n), tmp(n), sr(n), sa(n);
    std::vector<double> theta(n);
    std::vector<unsigned char> good(n);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t i = 0; i < n; ++i) {
        const double re = z0[i].real(), im = z0[i].imag();
        const bool ok = std::isfinite(re) && std::isfinite(im) && !(re == 0 && im == 0);
        good[i] = ok;
        z[i] = ok ? cd(re, im) : cd(0, 0);
        theta[i] = ok ? std::atan2(im, re) : 0.0;
    }
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t i = 0; i < L; ++i)
        for (std::int64_t j = 0; j < W; ++j) {
            const std::int64_t p = i * W + j;
            dr[p] = j > 0 ? z[p] * std::conj(z[p - 1]) : cd(0, 0);
            da[p] = i > 0 ? z[p] * std::conj(z[p - W]) : cd(0, 0);
        }
    const std::vector<double> gs = gauss(swin);
    box(dr, L, W, gs, tmp, sr, threads);
    box(da, L, W, gs, tmp, sa, threads);
    const std::vector<double> g = gauss(win);
    const int h = win / 2;
    const double nan = std::numeric_limits<double>::quiet_NaN();
#pragma omp parallel num_threads(threads)
    {
        std::vector<cd> pr(win), pa(win);
#pragma omp for schedule(static)
        for (std::int64_t i = 0; i < L; ++i)
            for (std::int64_t j = 0; j < W; ++j) {
                const std::int64_t p = i * W + j;
                const double nanv = std::isnan(z0[p].real()) || std::isnan(z0[p].imag());
                const double slope_r = std::arg(sr[p]), slope_a = std::arg(sa[p]);
                // deramping factors exp(-i d slope), d = -h .. win - 1 - h, as powers of
                // exp(-i slope) = conj(s) / |s| (1 when s = 0: its angle is 0)
                powers(sr[p], h, pr);
                powers(sa[p], h, pa);
                cd xp = 0;
                for (int k = 0; k < win; ++k) {
                    const std::int64_t r = i + k - h;
                    if (r < 0 || r >= L) continue;
                    cd row = 0;
                    for (int c = 0; c < win; ++c) {
                        const std::int64_t q = j + c - h;
                        if (q >= 0 && q < W) row += z[r * W + q] * pr[c];
                    }
                    xp += row * pa[k];
                }
                const double amp = std::abs(xp);
                double s1 = 0, s2 = 0, sw = 0;
                int count = 0;
                if (amp > 0) {
                    const double mean = std::arg(xp);
                    for (int k = 0; k < win; ++k) {
                        const std::int64_t r = i + k - h;
                        if (r < 0 || r >= L) continue;
                        for (int c = 0; c < win; ++c) {
                            const std::int64_t q = j + c - h;
                            if (q < 0 || q >= W || !good[r * W + q]) continue;
                            const double ph = wrap(theta[r * W + q] - (c - h) * slope_r -
                                                   (k - h) * slope_a - mean);
                            const double wt = g[k] * g[c];
                            s1 += wt * ph;
                            s2 += wt * ph * ph;
                            sw += wt;
                            ++count;
                        }
                    }
                }
                double sg = 0, cr = 0;
                if (good[p] && amp > 0 && count >= min_samples) {
                    const double m = s1 / sw;
                    const double var = std::max(s2 / sw - m * m, 0.0);
                    sg = std::sqrt(var);
                    cr = 1.0 / std::sqrt(2.0 * nlooks * sg * sg + 1.0);
                }
                if (nanv) sg = cr = nan;
                cor[p] = cr;
                if (sigma) sigma[p] = sg;
            }
    }
}

template void phase_sigma<float>(const std::complex<float>*, std::int64_t, std::int64_t, int,
                                 int, double, int, double*, double*, int);
template void phase_sigma<double>(const std::complex<double>*, std::int64_t, std::int64_t, int,
                                  int, double, int, double*, double*, int);

}  // namespace isce::signal::phsig
