// isce/library/signal/resample.cpp -- see resample.hpp for the definitions.
#include "signal/resample.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

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

// Built for AVX2 and for the baseline x86-64 by GCC on Linux (the loader picks one by the
// CPU); the arithmetic, in the same order in both, gives the same bits.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define ISCE_RESAMPLE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ISCE_RESAMPLE_CLONES
#endif

// One output line: pixels j = 0..out_width-1 of global output line `line`.
// The 8 x 8 support is summed in complex64: the 8 input lines first (weights w_a, with the
// carrier c_m when there is one), lane by lane over the 16 floats of 8 complex samples,
// then the 8 columns (weights w_r) as a balanced tree. Returns the starved pixels.
ISCE_RESAMPLE_CLONES
std::int64_t resample_line(const InputBlock& in, const double* az, const double* rg,
                           const double* carrier, std::ptrdiff_t out_width, double line,
                           cfloat fill, const float* W, cfloat* out)
{
    const std::ptrdiff_t width = in.width;
    const std::ptrdiff_t length = in.image_length;
    const std::ptrdiff_t first = in.row0;
    const std::ptrdiff_t last = in.row0 + in.rows;  // exclusive
    const double limit = 1e15;                     // keeps floor() inside ptrdiff_t
    std::int64_t starved = 0;
    for (std::ptrdiff_t j = 0; j < out_width; ++j) {
        const double y = line + az[j];
        const double x = static_cast<double>(j) + rg[j];
        if (!(std::fabs(y) < limit && std::fabs(x) < limit)) {  // NaN, inf, absurd
            out[j] = fill;
            continue;
        }
        const double fy0 = std::floor(y), fx0 = std::floor(x);
        const std::ptrdiff_t iy = static_cast<std::ptrdiff_t>(fy0);
        const std::ptrdiff_t ix = static_cast<std::ptrdiff_t>(fx0);
        if (iy < SINC_HALF || iy >= length - SINC_HALF || ix < SINC_HALF ||
            ix >= width - SINC_HALF) {
            out[j] = fill;
            continue;
        }
        if (iy - 3 < first || iy + 4 >= last) {
            out[j] = fill;
            ++starved;
            continue;
        }
        const double fy = y - fy0, fx = x - fx0;
        const float* wr = W + static_cast<std::ptrdiff_t>(sub_bin(fx)) * SINC_LEN;
        const float* wa = W + static_cast<std::ptrdiff_t>(sub_bin(fy)) * SINC_LEN;
        // interleaved re, im of the 8 x 8 support, row m at base + 2 m width
        const float* base =
                reinterpret_cast<const float*>(in.data + (iy - 3 - first) * width + (ix - 3));
        const std::ptrdiff_t stride = 2 * width;
        float v[2 * SINC_LEN];
        if (!carrier) {
            for (int k = 0; k < 2 * SINC_LEN; ++k) v[k] = wa[0] * base[k];
            for (int m = 1; m < SINC_LEN; ++m) {
                const float* row = base + m * stride;
                const float w = wa[m];
                for (int k = 0; k < 2 * SINC_LEN; ++k) v[k] += w * row[k];
            }
        } else {
            // c_m = w_a[m] exp(-j c (d_m - fy)), d_m = m - 3, rotated in double
            const double c = carrier[j];
            std::complex<double> rot = std::polar(1.0, -c * (-3.0 - fy));
            const std::complex<double> step = std::polar(1.0, -c);
            float cr[SINC_LEN], ci[SINC_LEN];
            for (int m = 0; m < SINC_LEN; ++m) {
                const std::complex<double> cw = static_cast<double>(wa[m]) * rot;
                cr[m] = static_cast<float>(cw.real());
                ci[m] = static_cast<float>(cw.imag());
                rot *= step;
            }
            for (int n = 0; n < SINC_LEN; ++n) {
                v[2 * n] = cr[0] * base[2 * n] - ci[0] * base[2 * n + 1];
                v[2 * n + 1] = cr[0] * base[2 * n + 1] + ci[0] * base[2 * n];
            }
            for (int m = 1; m < SINC_LEN; ++m) {
                const float* row = base + m * stride;
                for (int n = 0; n < SINC_LEN; ++n) {
                    v[2 * n] += cr[m] * row[2 * n] - ci[m] * row[2 * n + 1];
                    v[2 * n + 1] += cr[m] * row[2 * n + 1] + ci[m] * row[2 * n];
                }
            }
        }
        float p[2 * SINC_LEN];
        for (int n = 0; n < SINC_LEN; ++n) {
            p[2 * n] = wr[n] * v[2 * n];
            p[2 * n + 1] = wr[n] * v[2 * n + 1];
        }
        const float re = ((p[0] + p[2]) + (p[4] + p[6])) + ((p[8] + p[10]) + (p[12] + p[14]));
        const float im = ((p[1] + p[3]) + (p[5] + p[7])) + ((p[9] + p[11]) + (p[13] + p[15]));
        out[j] = cfloat(re, im);
    }
    return starved;
}

// Output lines in parallel; float offsets are widened to double one line at a time.
template <typename T>
std::int64_t resample_lines(const InputBlock& in, const T* az, const T* rg,
                            const double* carrier, std::ptrdiff_t out_rows,
                            std::ptrdiff_t out_width, std::ptrdiff_t out_row0, cfloat fill,
                            const double* table, cfloat* out, int threads)
{
    // float copy of the weights (the data are complex64)
    std::vector<float> wf(table, table + SINC_SUB * SINC_LEN);
    const float* W = wf.data();
    std::int64_t starved = 0;
#ifdef _OPENMP
    const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel num_threads(nthreads) reduction(+ : starved)
#else
    (void)threads;
#endif
    {
        std::vector<double> wide_az, wide_rg;
        if (!std::is_same<T, double>::value) {
            wide_az.resize(static_cast<std::size_t>(out_width));
            wide_rg.resize(static_cast<std::size_t>(out_width));
        }
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 4)
#endif
        for (std::ptrdiff_t i = 0; i < out_rows; ++i) {
            const std::ptrdiff_t p = i * out_width;
            const double* pa;
            const double* pr;
            if constexpr (std::is_same<T, double>::value) {
                pa = az + p;
                pr = rg + p;
            } else {
                for (std::ptrdiff_t j = 0; j < out_width; ++j) {
                    wide_az[static_cast<std::size_t>(j)] = az[p + j];
                    wide_rg[static_cast<std::size_t>(j)] = rg[p + j];
                }
                pa = wide_az.data();
                pr = wide_rg.data();
            }
            starved += resample_line(in, pa, pr, carrier ? carrier + p : nullptr, out_width,
                                     static_cast<double>(out_row0 + i), fill, W, out + p);
        }
    }
    return starved;
}

}  // namespace

std::int64_t resample_slc(const InputBlock& in, const double* az, const double* rg,
                          const double* carrier, std::ptrdiff_t out_rows,
                          std::ptrdiff_t out_width, std::ptrdiff_t out_row0, cfloat fill,
                          const double* table, cfloat* out, int threads)
{
    return resample_lines(in, az, rg, carrier, out_rows, out_width, out_row0, fill, table, out,
                          threads);
}

std::int64_t resample_slc(const InputBlock& in, const float* az, const float* rg,
                          const double* carrier, std::ptrdiff_t out_rows,
                          std::ptrdiff_t out_width, std::ptrdiff_t out_row0, cfloat fill,
                          const double* table, cfloat* out, int threads)
{
    return resample_lines(in, az, rg, carrier, out_rows, out_width, out_row0, fill, table, out,
                          threads);
}

}}}  // namespace isce::signal::resample
