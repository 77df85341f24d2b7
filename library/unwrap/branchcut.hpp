// isce/library/unwrap/branchcut.hpp -- branch-cut unwrapping kernels (ISCE2 mroipac/icu's
// method): Goldstein-Zebker-Werner residue trees -> cut pixels (rt.F), and the seeded flood
// fill ("grass", grass.F) that unwraps around them.
//
// Pure functions over caller-owned row-major arrays; sequential by nature (trees and the
// flood fill are order dependent). The NumPy/Python reference the tests compare against is
// tests/support/unwrap_reference.py.
#pragma once

#include <cstdint>

namespace isce::unwrap {

// Cut pixels of GZW trees grown from the residues.
//   charge : int8 [L x W] residue of the 2 x 2 loop whose upper-left pixel is (i, j)
//            (-1, 0, +1; the last row and column are 0)
//   max_branch_length : largest search box half-width (ISCE2's MBL, 64)
//   tree_sets : realisations, each in a pseudo-random residue order; cuts accumulate
//   seed : seed of the residue order (64-bit LCG, see next_random)
//   cut : uint8 [L x W] out (zeroed by the caller), 1 = on a branch cut
void gzw_cuts(const std::int8_t* charge, std::int64_t L, std::int64_t W,
              int max_branch_length, int tree_sets, std::uint64_t seed, std::uint8_t* cut);

// Seeded flood fill (4-neighbours) of the wrapped `phase` [L x W] over pixels not
// `blocked` (masked or below the correlation threshold). Cut pixels are unwrapped but do
// not spread. Seeds (rows, cols; n of them) are tried in order; a seed already unwrapped,
// blocked or on a cut starts nothing. Region k (1-based, in seed order) is written to
// `region` (int32, 0 = not reached) with its pixel count in sizes[k-1]; `unw` gets the
// unwrapped phase (radians; untouched where region == 0). Returns the number of regions.
std::int64_t grow_regions(const double* phase, const std::uint8_t* blocked,
                          const std::uint8_t* cut, std::int64_t L, std::int64_t W,
                          const std::int64_t* seed_rows, const std::int64_t* seed_cols,
                          std::int64_t n, double* unw, std::int32_t* region,
                          std::int64_t* sizes);

// The residue order's generator: Knuth's MMIX LCG; returns the next state. A draw in
// [0, n) is (state >> 33) % n.
inline std::uint64_t next_random(std::uint64_t state) {
    return state * 6364136223846793005ULL + 1442695040888963407ULL;
}

}  // namespace isce::unwrap
