// isce/library/signal/resample.cpp -- see resample.hpp for the definitions.
#include "signal/resample.hpp"

#include <algorithm>
#include <cmath>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace isce { namespace signal { namespace resample {

std::vector<double> sinc_table()
{
    const int L = SINC_LEN * SINC_SUB;
    const double soff = (L - 1.0) / 2.0;
    std::vector<double> h(static_cast<std::size_t>(L));
    for (int n = 0; n < L; ++n) {
        const double wgt = 0.5 + 0.5 * std::cos(M_PI * (n - soff) / soff);
        const double s = std::floor(n - soff) / SINC_SUB;
        const double fct = (s != 0.0) ? std::sin(M_PI * s) / (M_PI * s) : 1.0;
        h[static_cast<std::size_t>(n)] = fct * wgt;
    }
    std::vector<double> w(static_cast<std::size_t>(L));
    for (int k = 0; k < SINC_SUB; ++k) {
        double sum = 0.0;
        for (int t = 0; t < SINC_LEN; ++t) sum += h[static_cast<std::size_t>(k + SINC_SUB * t)];
        for (int t = 0; t < SINC_LEN; ++t)
            w[static_cast<std::size_t>(k * SINC_LEN + (SINC_LEN - 1 - t))] =
                    h[static_cast<std::size_t>(k + SINC_SUB * t)] / sum;
    }
    return w;
}

namespace {

inline int sub_bin(double frac)
{
    const int k = static_cast<int>(frac * SINC_SUB);
    return std::min(std::max(0, k), SINC_SUB - 1);
}

}  // namespace

std::int64_t resample_slc(const InputBlock& in, const double* az, const double* rg,
                          const double* carrier, std::ptrdiff_t out_rows,
                          std::ptrdiff_t out_width, std::ptrdiff_t out_row0, cfloat fill,
                          const double* table, cfloat* out, int threads)
{
    // float copy of the weights for the range pass (the data are complex64)
    std::vector<float> wf(table, table + SINC_SUB * SINC_LEN);
    const float* W = wf.data();
    const std::ptrdiff_t width = in.width;
    const std::ptrdiff_t length = in.image_length;
    const std::ptrdiff_t first = in.row0;
    const std::ptrdiff_t last = in.row0 + in.rows;  // exclusive
    const double limit = 1e15;                     // keeps floor() inside ptrdiff_t
    std::int64_t starved = 0;

#ifdef _OPENMP
    const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 4) num_threads(nthreads) reduction(+ : starved)
#else
    (void)threads;
#endif
    for (std::ptrdiff_t i = 0; i < out_rows; ++i) {
        const double line = static_cast<double>(out_row0 + i);
        for (std::ptrdiff_t j = 0; j < out_width; ++j) {
            const std::ptrdiff_t p = i * out_width + j;
            const double y = line + az[p];
            const double x = static_cast<double>(j) + rg[p];
            if (!(std::fabs(y) < limit && std::fabs(x) < limit)) {  // NaN, inf, absurd
                out[p] = fill;
                continue;
            }
            const double fy0 = std::floor(y), fx0 = std::floor(x);
            const std::ptrdiff_t iy = static_cast<std::ptrdiff_t>(fy0);
            const std::ptrdiff_t ix = static_cast<std::ptrdiff_t>(fx0);
            if (iy < SINC_HALF || iy >= length - SINC_HALF || ix < SINC_HALF ||
                ix >= width - SINC_HALF) {
                out[p] = fill;
                continue;
            }
            if (iy - 3 < first || iy + 4 >= last) {
                out[p] = fill;
                ++starved;
                continue;
            }
            const double fy = y - fy0, fx = x - fx0;
            const float* wr = W + static_cast<std::ptrdiff_t>(sub_bin(fx)) * SINC_LEN;
            const float* wa = W + static_cast<std::ptrdiff_t>(sub_bin(fy)) * SINC_LEN;
            // carrier rotation for line iy + d, d = -3..4: exp(-j c (d - fy))
            std::complex<double> rot(1.0, 0.0), step(1.0, 0.0);
            if (carrier) {
                const double c = carrier[p];
                rot = std::polar(1.0, -c * (-3.0 - fy));
                step = std::polar(1.0, -c);
            }
            const cfloat* base = in.data + (iy - 3 - first) * width + (ix - 3);
            std::complex<double> acc(0.0, 0.0);
            for (int m = 0; m < SINC_LEN; ++m) {
                const cfloat* row = base + m * width;
                float re = 0.0f, im = 0.0f;
                for (int n = 0; n < SINC_LEN; ++n) {
                    re += row[n].real() * wr[n];
                    im += row[n].imag() * wr[n];
                }
                acc += std::complex<double>(re, im) * (static_cast<double>(wa[m]) * rot);
                rot *= step;
            }
            out[p] = cfloat(static_cast<float>(acc.real()), static_cast<float>(acc.imag()));
        }
    }
    return starved;
}

}}}  // namespace isce::signal::resample
