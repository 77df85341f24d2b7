// isce/library/signal/phsig.cpp -- see phsig.hpp.
#include "signal/phsig.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
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
void box(const cd* a, std::int64_t L, std::int64_t W, const std::vector<double>& g, cd* tmp,
         cd* out, int threads)
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

// atan2(y, x) to ~1e-16 relative (Cephes atan's rational approximation after reduction
// to |t| <= tan(pi/8)), much faster than libm's; atan2(0, 0) = 0
inline double fast_atan2(double y, double x)
{
    const double ax = std::fabs(x), ay = std::fabs(y);
    const double mx = std::max(ax, ay), mn = std::min(ax, ay);
    double a = mx > 0 ? mn / mx : 0.0;                        // in [0, 1]
    const bool big = a > 0.41421356237309504880;              // tan(pi/8)
    const double t = big ? (a - 1.0) / (a + 1.0) : a;
    const double zz = t * t;
    const double P = (((-8.750608600031904122785E-1 * zz - 1.615753718733365076637E1) * zz
                       - 7.500855792314704667340E1) * zz - 1.228866684490136173410E2) * zz
                     - 6.485021904942025371773E1;
    const double Q = ((((zz + 2.485846490142306297962E1) * zz + 1.650270098316988542046E2) * zz
                       + 4.328810604912902668951E2) * zz + 4.853903996359136964868E2) * zz
                     + 1.945506571482613964425E2;
    double r = t + t * zz * P / Q + (big ? 0.78539816339744830962 : 0.0);
    if (ay > ax) r = 1.57079632679489661923 - r;
    if (x < 0) r = 3.14159265358979323846 - r;
    return y < 0 ? -r : r;
}

// a b without std::complex's NaN/inf recovery (__muldc3), which is slow and not needed
// for finite data
inline cd mul(const cd& a, const cd& b)
{
    return cd(a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real());
}

// out[d] = e^(d - h), d = 0 .. size - 1, e = exp(-i arg s)
inline void powers(const cd& s, int h, std::vector<cd>& out)
{
    const double a = std::sqrt(s.real() * s.real() + s.imag() * s.imag());  // not hypot (slow)
    const cd e = a > 0 ? std::conj(s) / a : cd(1, 0);
    const int size = static_cast<int>(out.size());
    out[h] = cd(1, 0);
    for (int d = h + 1; d < size; ++d) out[d] = mul(out[d - 1], e);
    const cd inv = std::conj(e);
    for (int d = h - 1; d >= 0; --d) out[d] = mul(out[d + 1], inv);
}

// p - 2 pi rint(p / 2 pi): in [-pi, pi] (rint by the 1.5 * 2^52 trick, inlined)
inline double wrap(double p)
{
    constexpr double R = 6755399441055744.0;
    return p - TWO_PI * ((p * (1.0 / TWO_PI) + R) - R);
}

// per-thread scratch of phase_sigma, grown as needed and kept (a block's worth)
struct Work {
    std::vector<cd> dr, da, tmp, zp;
    std::vector<double> thp, gp;
};

Work& work()
{
    thread_local Work w;
    return w;
}

template <typename V>
void grow(V& v, std::int64_t n)
{
    if (static_cast<std::int64_t>(v.size()) < n) {
        v.clear();
        v.shrink_to_fit();
        v.resize(n);
    }
}

}  // namespace

template <typename T>
void phase_sigma(const std::complex<T>* z0, std::int64_t L, std::int64_t W, int win, int swin,
                 double nlooks, int min_samples, double* cor, double* sigma, int threads)
{
    const std::int64_t n = L * W;
    const int h = win / 2;
    // the block zero-padded by the phase-sigma window: no bounds checks in the sums
    const std::int64_t PW = W + win, PL = L + win;
    // the calling thread's buffers, kept between calls (each element is written before it is
    // read, the padding below): a block's ~80 bytes/pixel of fresh pages cost ~15% of the
    // kernel's time in page faults when allocated per call
    Work& wk = work();
    grow(wk.dr, n);
    grow(wk.da, n);
    grow(wk.tmp, n);
    grow(wk.zp, PL * PW);
    grow(wk.thp, PL * PW);
    grow(wk.gp, PL * PW);
    cd* const dr = wk.dr.data();
    cd* const da = wk.da.data();
    cd* const zp = wk.zp.data();
    double* const thp = wk.thp.data();
    double* const gp = wk.gp.data();
    // the padding rows (h above, win - h below) are zero
    for (std::int64_t q : {std::int64_t(0), (L + h) * PW}) {
        const std::int64_t end = q == 0 ? h * PW : PL * PW;
        std::fill(zp + q, zp + end, cd(0, 0));
        std::fill(thp + q, thp + end, 0.0);
        std::fill(gp + q, gp + end, 0.0);
    }
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t i = 0; i < L; ++i) {
        // the padding columns of this row are zero
        const std::int64_t row = (i + h) * PW;
        for (std::int64_t q : {row, row + W + h}) {
            const std::int64_t end = q == row ? row + h : row + PW;
            std::fill(zp + q, zp + end, cd(0, 0));
            std::fill(thp + q, thp + end, 0.0);
            std::fill(gp + q, gp + end, 0.0);
        }
        for (std::int64_t j = 0; j < W; ++j) {
            const std::int64_t p = i * W + j, q = (i + h) * PW + (j + h);
            const double re = z0[p].real(), im = z0[p].imag();
            const bool ok = std::isfinite(re) && std::isfinite(im) && !(re == 0 && im == 0);
            zp[q] = ok ? cd(re, im) : cd(0, 0);
            gp[q] = ok ? 1.0 : 0.0;
            thp[q] = ok ? fast_atan2(im, re) : 0.0;
        }
    }
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t i = 0; i < L; ++i)
        for (std::int64_t j = 0; j < W; ++j) {
            const std::int64_t p = i * W + j, q = (i + h) * PW + (j + h);
            dr[p] = j > 0 ? mul(zp[q], std::conj(zp[q - 1])) : cd(0, 0);
            da[p] = i > 0 ? mul(zp[q], std::conj(zp[q - PW])) : cd(0, 0);
        }
    const std::vector<double> gs = gauss(swin);
    // the slopes' sums in place of the differences (the box reads its input in its first pass)
    box(dr, L, W, gs, wk.tmp.data(), dr, threads);
    box(da, L, W, gs, wk.tmp.data(), da, threads);
    const cd* sr = dr;
    const cd* sa = da;
    const std::vector<double> g = gauss(win);
    const double nan = std::numeric_limits<double>::quiet_NaN();
#pragma omp parallel num_threads(threads)
    {
        // per line: slopes, deramping powers [d][j], mean phasor, sums
        std::vector<double> slr(W), sla(W), mean(W), amp(W), s1(W), s2(W), sw(W), cnt(W);
        std::vector<double> prr(win * W), pri(win * W), par(win * W), pai(win * W);
        std::vector<double> xr(W), xi(W), rs(W), is(W);
        std::vector<cd> pw(win);
#pragma omp for schedule(static)
        for (std::int64_t i = 0; i < L; ++i) {
            for (std::int64_t j = 0; j < W; ++j) {
                const cd a = sr[i * W + j], b = sa[i * W + j];
                slr[j] = fast_atan2(a.imag(), a.real());
                sla[j] = fast_atan2(b.imag(), b.real());
                // exp(-i d slope), d = -h .. win - 1 - h, as powers of exp(-i slope) =
                // conj(s) / |s| (1 when s = 0: its angle is 0)
                powers(a, h, pw);
                for (int d = 0; d < win; ++d) {
                    prr[d * W + j] = pw[d].real();
                    pri[d * W + j] = pw[d].imag();
                }
                powers(b, h, pw);
                for (int d = 0; d < win; ++d) {
                    par[d * W + j] = pw[d].real();
                    pai[d * W + j] = pw[d].imag();
                }
            }
            // the window's deramped sum: xp = sum_k pa[k] sum_c z(i + k - h, j + c - h) pr[c]
            std::fill(xr.begin(), xr.end(), 0.0);
            std::fill(xi.begin(), xi.end(), 0.0);
            // (the same sums in the same order as per pixel, with j innermost: vectorised)
            for (int k = 0; k < win; ++k) {
                const double* zr = reinterpret_cast<const double*>(zp + (i + k) * PW);
                std::fill(rs.begin(), rs.end(), 0.0);
                std::fill(is.begin(), is.end(), 0.0);
                for (int c = 0; c < win; ++c) {
                    const double* wrp = prr.data() + c * W;
                    const double* wip = pri.data() + c * W;
                    const double* v = zr + 2 * c;
                    for (std::int64_t j = 0; j < W; ++j) {
                        const double vr = v[2 * j], vi = v[2 * j + 1], wr = wrp[j], wi = wip[j];
                        rs[j] += vr * wr - vi * wi;
                        is[j] += vr * wi + vi * wr;
                    }
                }
                for (std::int64_t j = 0; j < W; ++j) {
                    const double ar = par[k * W + j], ai = pai[k * W + j];
                    xr[j] += rs[j] * ar - is[j] * ai;
                    xi[j] += rs[j] * ai + is[j] * ar;
                }
            }
            for (std::int64_t j = 0; j < W; ++j) {
                amp[j] = xr[j] != 0 || xi[j] != 0;            // |sum| > 0 (no hypot needed)
                mean[j] = fast_atan2(xi[j], xr[j]);
            }
            // weighted moments of the wrapped deramped phases about the mean (missing: weight 0)
            std::fill(s1.begin(), s1.end(), 0.0);
            std::fill(s2.begin(), s2.end(), 0.0);
            std::fill(sw.begin(), sw.end(), 0.0);
            std::fill(cnt.begin(), cnt.end(), 0.0);
            for (int k = 0; k < win; ++k)
                for (int c = 0; c < win; ++c) {
                    const double* th = thp + (i + k) * PW + c;
                    const double* gg = gp + (i + k) * PW + c;
                    const double wt = g[k] * g[c], dc = c - h, dk = k - h;
                    for (std::int64_t j = 0; j < W; ++j) {
                        const double ph = wrap(th[j] - dc * slr[j] - dk * sla[j] - mean[j]);
                        const double wg = wt * gg[j];
                        s1[j] += wg * ph;
                        s2[j] += wg * ph * ph;
                        sw[j] += wg;
                        cnt[j] += gg[j];
                    }
                }
            for (std::int64_t j = 0; j < W; ++j) {
                const std::int64_t p = i * W + j;
                double sg = 0, cr = 0;
                if (gp[(i + h) * PW + j + h] > 0 && amp[j] > 0 && cnt[j] >= min_samples) {
                    const double m = s1[j] / sw[j];
                    const double var = std::max(s2[j] / sw[j] - m * m, 0.0);
                    sg = std::sqrt(var);
                    cr = 1.0 / std::sqrt(2.0 * nlooks * sg * sg + 1.0);
                }
                if (std::isnan(z0[p].real()) || std::isnan(z0[p].imag())) sg = cr = nan;
                cor[p] = cr;
                if (sigma) sigma[p] = sg;
            }
        }
    }
}

template void phase_sigma<float>(const std::complex<float>*, std::int64_t, std::int64_t, int,
                                 int, double, int, double*, double*, int);
template void phase_sigma<double>(const std::complex<double>*, std::int64_t, std::int64_t, int,
                                  int, double, int, double*, double*, int);

}  // namespace isce::signal::phsig
