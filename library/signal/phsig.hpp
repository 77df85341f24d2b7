// isce/library/signal/phsig.hpp -- phase-sigma coherence of a block (isce.signal.phsig).
#pragma once

#include <complex>
#include <cstdint>

namespace isce::signal::phsig {

// ICU ph_slope + ph_sigma on a block [rows, width] (zero outside it), as
// isce.signal.phsig._phase_sigma_block: Gaussian-weighted slopes over swin x swin, then the
// weighted spread of the deramped phases about their mean phasor over win x win; samples
// that are 0 or not finite are left out. cor (and sigma, if not null) [rows, width]:
// 1 / sqrt(2 nlooks sigma^2 + 1); 0 where unusable, NaN for a NaN sample. OpenMP over rows.
template <typename T>
void phase_sigma(const std::complex<T>* z, std::int64_t rows, std::int64_t width, int win,
                 int swin, double nlooks, int min_samples, double* cor, double* sigma,
                 int threads);

}  // namespace isce::signal::phsig
