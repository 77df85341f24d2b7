// isce/library/offsets/ampcor.hpp -- sub-pixel peak of a normalized
// cross-correlation surface, the per-window loop of isce.offsets.ampcor.
//
// Pure functions over plain arrays: no globals, no setters. The caller owns
// every buffer; `refine_peaks` is parallel over windows (OpenMP).
//
// Model (per window b). The correlation numerator is the real inverse DFT of
// its half spectrum S[b] (ny rows x nxh = nx/2+1 columns, numpy's rfft2
// layout) on an ny x nx grid:
//     num(y, x) = sum_{i,j} w_j Re( S[i,j] exp(2 pi i (fy_i y + fx_j x)) ) / (ny nx)
// with fy_i = fftfreq(ny)[i], fx_j = j / nx, w_j = 1 for j = 0 (and j = nx/2
// when nx is even), 2 otherwise: the band-limited interpolant of the sampled
// correlation, with exact first and second derivatives. The denominator is
// den(y, x) = L(y - ky) V L(x - kx)^T, the biquadratic (Lagrange weights L at
// -1, 0, 1) through the search chip's local energy V (3 x 3, around the
// integer peak (ky, kx)); the normalized correlation is num / sqrt(den rr).
//
// Newton's method on g = log(num) - log(den) / 2 from (y0, x0): each step
// -H^-1 grad g is clipped to +-0.5 sample, skipped where num <= 0, den <= 0 or
// H is not negative definite, and the position is kept within +-1 sample of
// (ky, kx). Outputs: position (y, x) in samples of the lag grid and the
// normalized correlation `peak` at the last evaluated point (before the final
// step). Identical arithmetic to isce.offsets._ncc.newton_refine (NumPy).
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace isce { namespace offsets {

struct PeakInputs {
    std::int64_t count;      // windows B
    std::int64_t ny, nx;     // DFT grid; the half spectrum has nx / 2 + 1 columns
    const double* var3;      // B x 3 x 3 local energy around (ky, kx)
    const double* rr;        // B: sum of the squared zero-mean reference chip
    const std::int64_t* ky;  // B
    const std::int64_t* kx;  // B
    const double* y0;        // B: start position (samples)
    const double* x0;        // B
};

struct PeakOutputs {
    double* y;     // B
    double* x;     // B
    double* peak;  // B
};

namespace detail {

inline void quad_weights(double t, double w[3], double d1[3], double d2[3])
{
    w[0] = 0.5 * t * (t - 1.0); w[1] = 1.0 - t * t; w[2] = 0.5 * t * (t + 1.0);
    d1[0] = t - 0.5;            d1[1] = -2.0 * t;   d1[2] = t + 0.5;
    d2[0] = 1.0;                d2[1] = -2.0;       d2[2] = 1.0;
}

inline double bilin(const double a[3], const double* v, const double c[3])
{
    double s = 0.0;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) s += a[i] * v[3 * i + j] * c[j];
    return s;
}

// -H^-1 g clipped to +-limit; zero where H is not negative definite
inline void newton_step(double gy, double gx, double hyy, double hxx, double hxy, double limit,
                        double& sy, double& sx)
{
    const double det = hyy * hxx - hxy * hxy;
    if (hyy < 0 && hxx < 0 && det > 0) {
        sy = -(hxx * gy - hxy * gx) / det;
        sx = -(hyy * gx - hxy * gy) / det;
        sy = std::clamp(sy, -limit, limit);
        sx = std::clamp(sx, -limit, limit);
    } else {
        sy = sx = 0.0;
    }
}

}  // namespace detail

// Refine the peaks of B windows. `spec` holds B half spectra (row-major
// ny x (nx/2+1), complex<T>). threads: OpenMP threads (0 = default).
template <typename T>
void refine_peaks(const std::complex<T>* spec, const PeakInputs& in, int iterations,
                  const PeakOutputs& out, int threads)
{
    const std::int64_t ny = in.ny, nx = in.nx, nxh = nx / 2 + 1;
    const double two_pi = 2.0 * M_PI;
    const double norm = 1.0 / (double(ny) * double(nx));
    std::vector<double> fy(ny), fx(nxh), wx(nxh);
    for (std::int64_t i = 0; i < ny; ++i)
        fy[i] = double(i <= (ny - 1) / 2 ? i : i - ny) / double(ny);
    for (std::int64_t j = 0; j < nxh; ++j) {
        fx[j] = double(j) / double(nx);
        wx[j] = (j == 0 || (nx % 2 == 0 && j == nx / 2)) ? norm : 2.0 * norm;
    }
    if (iterations < 1) iterations = 1;
#ifdef _OPENMP
    const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel num_threads(nthreads)
#else
    (void)threads;
#endif
    {
        // per-thread scratch: ex_q (q = 0, 1, 2 derivative order) as re/im
        std::vector<double> exr(3 * nxh), exi(3 * nxh);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 4)
#endif
        for (std::int64_t b = 0; b < in.count; ++b) {
            const std::complex<T>* s = spec + b * ny * nxh;
            const double* vv = in.var3 + 9 * b;
            const double kyf = double(in.ky[b]), kxf = double(in.kx[b]);
            double y = in.y0[b], x = in.x0[b];
            double num = 1.0, den = 1.0;
            for (int it = 0; it < iterations; ++it) {
                for (std::int64_t j = 0; j < nxh; ++j) {
                    const double ph = two_pi * fx[j] * x;
                    const double c = std::cos(ph) * wx[j], sn = std::sin(ph) * wx[j];
                    const double f = two_pi * fx[j];
                    // e, (i f) e, (i f)^2 e = -f^2 e
                    exr[j] = c;              exi[j] = sn;
                    exr[nxh + j] = -f * sn;  exi[nxh + j] = f * c;
                    exr[2 * nxh + j] = -f * f * c;  exi[2 * nxh + j] = -f * f * sn;
                }
                double m[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
                for (std::int64_t i = 0; i < ny; ++i) {
                    const std::complex<T>* row = s + i * nxh;
                    double tr[3] = {0, 0, 0}, ti[3] = {0, 0, 0};
                    for (std::int64_t j = 0; j < nxh; ++j) {
                        const double ar = double(row[j].real()), ai = double(row[j].imag());
                        for (int q = 0; q < 3; ++q) {
                            const double br = exr[q * nxh + j], bi = exi[q * nxh + j];
                            tr[q] += ar * br - ai * bi;
                            ti[q] += ar * bi + ai * br;
                        }
                    }
                    const double ph = two_pi * fy[i] * y;
                    const double c = std::cos(ph), sn = std::sin(ph), f = two_pi * fy[i];
                    // real parts of e_p * t_q with e_0 = (c, sn), e_1 = i f e_0, e_2 = -f^2 e_0
                    for (int q = 0; q < 3; ++q) {
                        const double re0 = c * tr[q] - sn * ti[q];
                        const double im0 = c * ti[q] + sn * tr[q];
                        m[0][q] += re0;
                        m[1][q] += -f * im0;
                        m[2][q] += -f * f * re0;
                    }
                }
                num = m[0][0];
                double wy0[3], wy1[3], wy2[3], wx0[3], wx1[3], wx2[3];
                detail::quad_weights(y - kyf, wy0, wy1, wy2);
                detail::quad_weights(x - kxf, wx0, wx1, wx2);
                den = detail::bilin(wy0, vv, wx0);
                if (!(num > 0 && den > 0)) continue;
                const double d_y = detail::bilin(wy1, vv, wx0), d_x = detail::bilin(wy0, vv, wx1);
                const double d_yy = detail::bilin(wy2, vv, wx0), d_xx = detail::bilin(wy0, vv, wx2);
                const double d_xy = detail::bilin(wy1, vv, wx1);
                const double n_y = m[1][0], n_x = m[0][1], n_yy = m[2][0], n_xx = m[0][2],
                             n_xy = m[1][1];
                const double gy = n_y / num - 0.5 * d_y / den;
                const double gx = n_x / num - 0.5 * d_x / den;
                const double hyy = n_yy / num - (n_y / num) * (n_y / num)
                                   - 0.5 * (d_yy / den - (d_y / den) * (d_y / den));
                const double hxx = n_xx / num - (n_x / num) * (n_x / num)
                                   - 0.5 * (d_xx / den - (d_x / den) * (d_x / den));
                const double hxy = n_xy / num - n_y * n_x / (num * num)
                                   - 0.5 * (d_xy / den - d_y * d_x / (den * den));
                double sy, sx;
                detail::newton_step(gy, gx, hyy, hxx, hxy, 0.5, sy, sx);
                y = std::clamp(y + sy, kyf - 1.0, kyf + 1.0);
                x = std::clamp(x + sx, kxf - 1.0, kxf + 1.0);
            }
            out.y[b] = y;
            out.x[b] = x;
            out.peak[b] = num / std::sqrt(std::max(den, 1e-300) * in.rr[b]);
        }
    }
}

// Local variance of every h x w box of B chips (H x W, row-major):
//     var[b, i, j] = sum_box s^2 - (sum_box s)^2 / (h w)
// for the (H - h + 1) x (W - w + 1) boxes whose top-left sample is (i, j).
// Sums are taken of s - mean(chip) (so the difference does not cancel) in
// double-precision summed-area tables. threads: OpenMP threads (0 = default).
template <typename T>
void box_variance(const T* chips, std::int64_t count, std::int64_t rows, std::int64_t cols,
                  std::int64_t h, std::int64_t w, double* var, int threads)
{
    const std::int64_t oy = rows - h + 1, ox = cols - w + 1;
    const double n = double(h) * double(w);
#ifdef _OPENMP
    const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel num_threads(nthreads)
#else
    (void)threads;
#endif
    {
        std::vector<double> s1((rows + 1) * (cols + 1)), s2((rows + 1) * (cols + 1));
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 4)
#endif
        for (std::int64_t b = 0; b < count; ++b) {
            const T* c = chips + b * rows * cols;
            double mean = 0.0;
            for (std::int64_t k = 0; k < rows * cols; ++k) mean += double(c[k]);
            mean /= double(rows * cols);
            const std::int64_t st = cols + 1;
            std::fill(s1.begin(), s1.begin() + st, 0.0);
            std::fill(s2.begin(), s2.begin() + st, 0.0);
            for (std::int64_t i = 0; i < rows; ++i) {
                double r1 = 0.0, r2 = 0.0;
                s1[(i + 1) * st] = 0.0;
                s2[(i + 1) * st] = 0.0;
                for (std::int64_t j = 0; j < cols; ++j) {
                    const double v = double(c[i * cols + j]) - mean;
                    r1 += v;
                    r2 += v * v;
                    s1[(i + 1) * st + j + 1] = s1[i * st + j + 1] + r1;
                    s2[(i + 1) * st + j + 1] = s2[i * st + j + 1] + r2;
                }
            }
            double* o = var + b * oy * ox;
            for (std::int64_t i = 0; i < oy; ++i)
                for (std::int64_t j = 0; j < ox; ++j) {
                    const double a1 = s1[(i + h) * st + j + w] - s1[i * st + j + w]
                                      - s1[(i + h) * st + j] + s1[i * st + j];
                    const double a2 = s2[(i + h) * st + j + w] - s2[i * st + j + w]
                                      - s2[(i + h) * st + j] + s2[i * st + j];
                    o[i * ox + j] = a2 - a1 * a1 / n;
                }
        }
    }
}

}}  // namespace isce::offsets
