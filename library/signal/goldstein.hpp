// isce/library/signal/goldstein.hpp -- Goldstein-Werner filter passes (isce.signal.filter).
//
// The window FFTs are the caller's (scipy.fft); these kernels do the rest in one pass
// each: the spectral weighting (|Z| / max |Z|)^alpha of every window, and the
// tapered overlap-add of the filtered windows with the magnitude of the input restored.
#pragma once

#include <complex>
#include <cstdint>

namespace isce::signal::goldstein {

// spec [tiles, window, window]: each window's spectrum times (|Z_s| / max |Z_s|)^alpha in
// place, Z_s = |Z| box-averaged over psd_smooth^2 bins (wrapping; 1 = none); a window
// without power becomes 0. OpenMP over windows.
void weight(std::complex<float>* spec, std::int64_t tiles, int window, double alpha,
            int psd_smooth, int threads);

// The filtered rows from the inverse-transformed windows `tiles` [ny, nx, window, window]:
// window (ky, kx) covers buffer rows ky step .. + window and columns kx step .. + window
// (column c of the buffer is image column c - pad). Output row y (y < rows) is buffer row
// row0 + y; each output pixel is sum(taper * window) / sum(taper) over the windows covering
// it (taper t(i) t(j), t(i) = 1 - |2 (i - (N-1)/2) / (N + 1)|), then, with `rescale`, given
// the magnitude of z [rows, width]; a z sample that is 0 or not finite gives 0, NaN gives NaN.
void overlap(const std::complex<float>* tiles, std::int64_t ny, std::int64_t nx, int window,
             int step, std::int64_t row0, std::int64_t rows, std::int64_t pad,
             std::int64_t width, const std::complex<float>* z, bool rescale,
             std::complex<float>* out, int threads);

}  // namespace isce::signal::goldstein
