// isce/library/signal/resample.hpp -- SLC resampling by offset rasters with an
// 8-tap windowed-sinc interpolator (ISCE3 ResampSlc / Sinc2dInterpolator).
//
// Pure functions over plain arrays: no globals, no setters. The caller owns
// every buffer; `resample_slc` is parallel over output lines (OpenMP).
//
// Geometry. Output pixel (i, j) -- i the global output line, j the column --
// takes the input value at the fractional position
//     (y, x) = (i + az[i, j], j + rg[i, j])        [input lines, input pixels]
// Let iy = floor(y), fy = y - iy (same for x). The interpolator uses the 8
// input lines iy-3 .. iy+4 and the 8 input columns ix-3 .. ix+4:
//     out = sum_{m,n} w_a[m] w_r[n] c_m in(iy-3+m, ix-3+n)
// summed in complex64 (the 8 lines first, then the 8 columns as a balanced tree; the
// NumPy reference in float64 agrees to ~1e-7 of the peak),
// with w = W[k] the row of the tabulated kernel for the sub-pixel bin
// k = min(floor(f * SINC_SUB), SINC_SUB-1) (nearest-lower bin, no blending,
// exactly as ISCE3) and c_m the azimuth-carrier factor below.
//
// Validity (as ISCE3): the pixel is written only when its offsets are finite,
// 4 <= iy < image_length - 4 and 4 <= ix < width - 4; otherwise it gets `fill`.
//
// Azimuth carrier (Doppler). SLCs focused at a non-zero Doppler centroid carry
// a linear azimuth phase ramp exp(j 2 pi f_dc t): interpolating it with a
// low-pass kernel is wrong. With carrier[i, j] = 2 pi f_dc(i, j) / PRF (radians
// per input line; f_dc evaluated at the output pixel), each input line is
// demodulated relative to line iy before interpolation and the carrier of the
// interpolated position restored afterwards:
//     c_m = exp(-j carrier (d_m - fy)),  d_m = m - 3  (line iy + d_m).
//
// The kernel table (ISCE3 `_sinc_coef(beta=1, pedestal=0, weight=1)`): a
// filter of L = SINC_LEN * SINC_SUB samples, n = 0..L-1, soff = (L-1)/2,
//     h[n] = sinc(floor(n - soff) / SINC_SUB) * (0.5 + 0.5 cos(pi (n - soff) / soff)),
// reshaped as K[k][t] = h[k + SINC_SUB t] and normalised so each row sums to 1.
// ISCE3 applies tap t to sample offset 4 - t; here the rows are stored in
// ascending sample order: W[k][m] = K[k][7 - m] for offset m - 3.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace isce { namespace signal { namespace resample {

constexpr int SINC_LEN = 8;      // taps per axis
constexpr int SINC_HALF = 4;     // validity margin (ISCE3's chip half-size)
constexpr int SINC_SUB = 8192;   // tabulated sub-pixel bins

using cfloat = std::complex<float>;

// W as SINC_SUB rows of SINC_LEN weights (row-major), ascending sample order.
std::vector<double> sinc_table();

// Input: a block of whole input lines [row0, row0 + rows) of an image of
// `image_length` lines and `width` columns, row-major complex64.
struct InputBlock {
    const cfloat* data;
    std::ptrdiff_t rows;
    std::ptrdiff_t width;
    std::ptrdiff_t row0;
    std::ptrdiff_t image_length;
};

// Resample `out_rows` x `out_width` output pixels whose first line is the
// global output line `out_row0`. az, rg: offsets (pixels), row-major
// out_rows x out_width. carrier: radians per input line at each output pixel,
// or nullptr for none. table: sinc_table() (SINC_SUB * SINC_LEN).
// threads: OpenMP threads (0 = default).
// Returns the number of pixels that are valid in the image but whose 8 input
// lines are not all inside the block (they are set to `fill`): a non-zero
// count means the caller read too few lines.
std::int64_t resample_slc(const InputBlock& in, const double* az, const double* rg,
                          const double* carrier, std::ptrdiff_t out_rows,
                          std::ptrdiff_t out_width, std::ptrdiff_t out_row0, cfloat fill,
                          const double* table, cfloat* out, int threads);

// The same with float32 offsets (as offset rasters hold them; widened exactly to double
// line by line, so the result is that of the double offsets).
std::int64_t resample_slc(const InputBlock& in, const float* az, const float* rg,
                          const double* carrier, std::ptrdiff_t out_rows,
                          std::ptrdiff_t out_width, std::ptrdiff_t out_row0, cfloat fill,
                          const double* table, cfloat* out, int threads);

}}}  // namespace isce::signal::resample
