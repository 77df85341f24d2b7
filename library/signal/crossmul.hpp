// isce/library/signal/crossmul.hpp -- interferogram looks in one pass (isce.signal.crossmul).
//
// The range oversampling of crossmul interpolates each line at k + m / f (m = 0 .. f-1):
// m = 0 is the line itself, m > 0 comes from an FFT done by the caller (numpy/scipy).
// This kernel fuses everything after the FFTs: the product u1 u2*, the flattening
// phase exp(-i phi) (phi interpolated linearly between pixels), and the window sums
// over az_looks lines x rg_looks pixels x f, then the looked outputs.
#pragma once

#include <complex>
#include <cstdint>

namespace isce::signal::crossmul {

// The geometric phase 4 pi (R2 - R1) / lambda [rad] of a pixel j with range offset o
// [secondary pixels]: R2 - R1 = (r02 - r01) + j (dr2 - dr1) + o dr2 (as Flattening.phase).
struct Flattening {
    bool on = false;
    double r01 = 0, dr1 = 0, r02 = 0, dr2 = 0;   // starting range, spacing [m] of both images
    double scale = 0;                            // 4 pi / wavelength [rad / m]
};

// One block of lines.
//   s1, s2  [rows, n]          the lines (no NaN: 0 marks no data)
//   h1, h2  [f-1, rows, hstride] the lines interpolated at k + m/f, m = 1 .. f-1
//   off     [rows, n] or null  range offsets for the flattening (NaN counts as 0)
// Outputs on the looked grid [rows / az, n / rg]: ifg = window mean of the (flattened)
// product (complex), coh = |sum| / sqrt(sum |u1|^2 sum |u2|^2) clipped to 1 (0 without
// power), amp1/amp2 = rms amplitudes (null: not wanted). A window holding a 0 sample of
// s1 or s2 is no-data: ifg 0, coh 0. Sums run in double. OpenMP over looked lines.
template <typename T, typename O>
void looked_block(const std::complex<T>* s1, const std::complex<T>* s2,
                  const std::complex<T>* h1, const std::complex<T>* h2, std::int64_t hstride,
                  const O* off, const Flattening& flat, std::int64_t rows, std::int64_t n,
                  int az, int rg, int f, std::complex<float>* ifg, float* coh, float* amp1,
                  float* amp2, int threads);

// x[r, k] = in[r, k] * ramp[k] for a block [rows, n] (in may equal x); OpenMP over lines.
template <typename T>
void multiply_rows(const std::complex<T>* in, const std::complex<T>* ramp, std::int64_t rows,
                   std::int64_t n, std::complex<T>* out, int threads);

// NaN samples (real or imaginary part) set to 0 in place; returns how many.
template <typename T>
std::int64_t zero_nan(std::complex<T>* x, std::int64_t count, int threads);

}  // namespace isce::signal::crossmul
