// isce/library/signal/goldstein.cpp -- see goldstein.hpp.
#include "signal/goldstein.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace isce::signal::goldstein {

namespace {

// (|Z| / peak)^alpha, the common strengths without pow
inline float strength(float ratio, double alpha)
{
    if (alpha == 0.5) return std::sqrt(ratio);
    if (alpha == 1.0) return ratio;
    return static_cast<float>(std::pow(static_cast<double>(ratio), alpha));
}

// mean over the psd x psd bins at offsets -(psd / 2) .. psd - 1 - psd / 2 (scipy's
// uniform_filter, mode "wrap"), separable
void smooth(std::vector<float>& mag, std::vector<float>& tmp, int n, int psd)
{
    const int lo = -(psd / 2);
    for (int u = 0; u < n; ++u)
        for (int v = 0; v < n; ++v) {
            double s = 0;
            for (int b = 0; b < psd; ++b) s += mag[u * n + ((v + lo + b) % n + n) % n];
            tmp[u * n + v] = static_cast<float>(s / psd);
        }
    for (int u = 0; u < n; ++u)
        for (int v = 0; v < n; ++v) {
            double s = 0;
            for (int a = 0; a < psd; ++a) s += tmp[(((u + lo + a) % n + n) % n) * n + v];
            mag[u * n + v] = static_cast<float>(s / psd);
        }
}

inline double taper(int i, int n)
{
    return 1.0 - std::fabs(2.0 * (i - (n - 1) / 2.0) / (n + 1));
}

}  // namespace

void weight(std::complex<float>* spec, std::int64_t tiles, int window, double alpha,
            int psd_smooth, int threads)
{
    const int n2 = window * window;
#pragma omp parallel num_threads(threads)
    {
        std::vector<float> mag(n2), tmp(psd_smooth > 1 ? n2 : 0);
#pragma omp for schedule(static)
        for (std::int64_t t = 0; t < tiles; ++t) {
            std::complex<float>* z = spec + t * n2;
            float peak = 0;
            for (int i = 0; i < n2; ++i) {
                const float re = z[i].real(), im = z[i].imag();
                mag[i] = std::sqrt(re * re + im * im);
            }
            if (psd_smooth > 1) smooth(mag, tmp, window, psd_smooth);
            for (int i = 0; i < n2; ++i) peak = std::max(peak, mag[i]);
            if (!(peak > 0)) {
                std::fill(z, z + n2, std::complex<float>(0, 0));
                continue;
            }
            const float inv = 1.0f / peak;
            for (int i = 0; i < n2; ++i) z[i] *= strength(mag[i] * inv, alpha);
        }
    }
}

void overlap(const std::complex<float>* tiles, std::int64_t ny, std::int64_t nx, int window,
             int step, std::int64_t row0, std::int64_t rows, std::int64_t pad,
             std::int64_t width, const std::complex<float>* z, bool rescale,
             std::complex<float>* out, int threads)
{
    const int N = window;
    std::vector<double> t(N);
    for (int i = 0; i < N; ++i) t[i] = taper(i, N);
    const std::int64_t n2 = std::int64_t(N) * N;
    const float nan = std::numeric_limits<float>::quiet_NaN();
#pragma omp parallel for schedule(static) num_threads(threads)
    for (std::int64_t y = 0; y < rows; ++y) {
        const std::int64_t Y = row0 + y;
        const std::int64_t ky0 = std::max<std::int64_t>(0, (Y - N + step) / step);
        const std::int64_t ky1 = std::min<std::int64_t>(ny - 1, Y / step);
        for (std::int64_t x = 0; x < width; ++x) {
            const std::int64_t X = pad + x;
            const std::int64_t kx0 = std::max<std::int64_t>(0, (X - N + step) / step);
            const std::int64_t kx1 = std::min<std::int64_t>(nx - 1, X / step);
            double are = 0, aim = 0, ws = 0;
            for (std::int64_t ky = ky0; ky <= ky1; ++ky) {
                const std::int64_t dy = Y - ky * step;
                if (dy < 0 || dy >= N) continue;
                for (std::int64_t kx = kx0; kx <= kx1; ++kx) {
                    const std::int64_t dx = X - kx * step;
                    if (dx < 0 || dx >= N) continue;
                    const double w = t[dy] * t[dx];
                    const std::complex<float> v = tiles[(ky * nx + kx) * n2 + dy * N + dx];
                    are += w * v.real();
                    aim += w * v.imag();
                    ws += w;
                }
            }
            const std::complex<float> zin = z[y * width + x];
            std::complex<float>& o = out[y * width + x];
            if (std::isnan(zin.real()) || std::isnan(zin.imag())) {
                o = std::complex<float>(nan, nan);
                continue;
            }
            const bool good = std::isfinite(zin.real()) && std::isfinite(zin.imag()) &&
                              !(zin.real() == 0 && zin.imag() == 0);
            if (!good || !(ws > 0)) {
                o = std::complex<float>(0, 0);
                continue;
            }
            double fre = are / ws, fim = aim / ws;
            if (rescale) {
                // sqrt of the sum of squares, not hypot (no overflow risk from float32
                // samples in double; libm's hypot was ~5% of the filter step)
                const double am = std::sqrt(fre * fre + fim * fim);
                const double zr = zin.real(), zi = zin.imag();
                const double mag = std::sqrt(zr * zr + zi * zi);
                if (am > 0) {
                    fre *= mag / am;
                    fim *= mag / am;
                } else {
                    fre = fim = 0;
                }
            }
            o = std::complex<float>(static_cast<float>(fre), static_cast<float>(fim));
        }
    }
}

}  // namespace isce::signal::goldstein
