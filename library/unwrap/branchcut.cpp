// isce/library/unwrap/branchcut.cpp -- see branchcut.hpp.
#include "unwrap/branchcut.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace isce::unwrap {

namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

// Offsets of the square search rings 1..mbl, ring by ring (rows then columns ascending).
struct Ring {
    int d, di, dj;
};

std::vector<Ring> search_table(int mbl) {
    std::vector<Ring> t;
    for (int d = 1; d <= mbl; ++d)
        for (int di = -d; di <= d; ++di)
            for (int dj = -d; dj <= d; ++dj)
                if (std::max(std::abs(di), std::abs(dj)) == d) t.push_back({d, di, dj});
    return t;
}

// Marks the pixels of the 8-connected line (i1, j1) -> (i2, j2) as cut (rt.F's stepping).
void cut_line(std::uint8_t* cut, std::int64_t W, std::int64_t i1, std::int64_t j1,
              std::int64_t i2, std::int64_t j2) {
    const std::int64_t kk = std::max(std::llabs(i2 - i1), std::llabs(j2 - j1));
    if (kk == 0) {
        cut[i1 * W + j1] = 1;
        return;
    }
    for (std::int64_t m = 0; m <= kk; ++m) {
        const std::int64_t i = i1 + (i2 - i1) * m / kk;   // C++ truncates toward zero, as Fortran
        const std::int64_t j = j1 + (j2 - j1) * m / kk;
        cut[i * W + j] = 1;
    }
}

}  // namespace

void gzw_cuts(const std::int8_t* charge, std::int64_t L, std::int64_t W,
              int max_branch_length, int tree_sets, std::uint64_t seed, std::uint8_t* cut) {
    const std::vector<Ring> table = search_table(max_branch_length);
    std::vector<std::int64_t> res;                      // flat indices of the residues
    for (std::int64_t k = 0; k < L * W; ++k)
        if (charge[k] != 0) res.push_back(k);
    std::vector<std::uint8_t> visited(L * W), twig(L * W);
    std::vector<std::int64_t> tree;
    std::uint64_t state = seed;
    for (int set = 0; set < tree_sets; ++set) {
        std::fill(visited.begin(), visited.end(), 0);
        for (std::int64_t left = static_cast<std::int64_t>(res.size()); left > 0; --left) {
            state = next_random(state);
            const std::int64_t pick = static_cast<std::int64_t>((state >> 33) % left);
            const std::int64_t root = res[pick];
            res[pick] = res[left - 1];
            res[left - 1] = root;
            if (visited[root]) continue;
            visited[root] = twig[root] = 1;
            tree.assign(1, root);
            int q = charge[root];
            for (int bx = 1; bx <= max_branch_length && q != 0; ++bx) {
                for (std::size_t ip = 0; ip < tree.size() && q != 0; ++ip) {
                    const std::int64_t i1 = tree[ip] / W, j1 = tree[ip] % W;
                    for (std::size_t n = 0; n < table.size() && table[n].d <= bx; ++n) {
                        const std::int64_t i2 = i1 + table[n].di, j2 = j1 + table[n].dj;
                        if (i2 < 0 || i2 >= L) {                    // cut to the top/bottom
                            if (j2 != j1) continue;
                            cut_line(cut, W, i1, j1, i2 < 0 ? 0 : L - 1, j1);
                            q = 0;
                            break;
                        }
                        if (j2 < 0 || j2 >= W) {                    // cut to the left/right
                            if (i2 != i1) continue;
                            cut_line(cut, W, i1, j1, i1, j2 < 0 ? 0 : W - 1);
                            q = 0;
                            break;
                        }
                        const std::int64_t k2 = i2 * W + j2;
                        if (twig[k2] || charge[k2] == 0) continue;
                        if (!visited[k2]) {
                            q += charge[k2];
                            visited[k2] = 1;
                        }
                        twig[k2] = 1;
                        tree.push_back(k2);
                        cut_line(cut, W, i1, j1, i2, j2);
                        if (q == 0) break;
                    }
                }
            }
            for (std::int64_t k : tree) twig[k] = 0;
        }
    }
}

std::int64_t grow_regions(const double* phase, const std::uint8_t* blocked,
                          const std::uint8_t* cut, std::int64_t L, std::int64_t W,
                          const std::int64_t* seed_rows, const std::int64_t* seed_cols,
                          std::int64_t n, double* unw, std::int32_t* region,
                          std::int64_t* sizes) {
    static const int di[4] = {1, 0, -1, 0}, dj[4] = {0, 1, 0, -1};
    std::vector<std::int64_t> queue;
    std::int32_t count = 0;
    for (std::int64_t s = 0; s < n; ++s) {
        const std::int64_t r = seed_rows[s], c = seed_cols[s];
        if (r < 0 || r >= L || c < 0 || c >= W) continue;
        const std::int64_t k0 = r * W + c;
        if (region[k0] != 0 || blocked[k0] || cut[k0]) continue;
        const std::int32_t label = ++count;
        region[k0] = label;
        unw[k0] = phase[k0];
        std::int64_t size = 1;
        queue.assign(1, k0);
        for (std::size_t h = 0; h < queue.size(); ++h) {     // breadth first, FIFO
            const std::int64_t k = queue[h], i = k / W, j = k % W;
            for (int m = 0; m < 4; ++m) {
                const std::int64_t i2 = i + di[m], j2 = j + dj[m];
                if (i2 < 0 || i2 >= L || j2 < 0 || j2 >= W) continue;
                const std::int64_t k2 = i2 * W + j2;
                if (region[k2] != 0 || blocked[k2]) continue;
                unw[k2] = phase[k2] + kTwoPi * std::nearbyint((unw[k] - phase[k2]) / kTwoPi);
                region[k2] = label;
                ++size;
                if (!cut[k2]) queue.push_back(k2);
            }
        }
        sizes[label - 1] = size;
    }
    return count;
}

}  // namespace isce::unwrap
