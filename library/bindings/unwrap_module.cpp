// isce/library/bindings/unwrap_module.cpp -- pybind11 module `isce.ext._unwrap`.
//
// Thin bindings over library/unwrap/: check shapes, allocate the outputs, release the GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "bindings/common.hpp"
#include "unwrap/branchcut.hpp"

namespace py = pybind11;
namespace uw = isce::unwrap;

namespace {

using isce::bindings::farray;
using isce::bindings::shape_str;
using i8array = py::array_t<std::int8_t, py::array::c_style | py::array::forcecast>;
using u8array = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>;
using i64array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

void require_2d(const py::array& a, const std::string& name) {
    if (a.ndim() != 2)
        throw py::value_error(name + " must be 2-D, got shape " + shape_str(a));
}

void require_same(const py::array& a, const py::array& b, const std::string& name) {
    if (a.ndim() != 2 || a.shape(0) != b.shape(0) || a.shape(1) != b.shape(1))
        throw py::value_error(name + " must have shape " + shape_str(b) + ", got " +
                              shape_str(a));
}

py::array_t<std::uint8_t> gzw_cuts(const i8array& charge, int max_branch_length,
                                   int tree_sets, std::uint64_t seed) {
    require_2d(charge, "charge");
    if (max_branch_length < 1) throw py::value_error("max_branch_length must be >= 1");
    if (tree_sets < 1) throw py::value_error("tree_sets must be >= 1");
    const std::int64_t L = charge.shape(0), W = charge.shape(1);
    py::array_t<std::uint8_t> cut({L, W});
    std::uint8_t* out = cut.mutable_data();
    std::fill(out, out + L * W, 0);
    {
        py::gil_scoped_release release;
        uw::gzw_cuts(charge.data(), L, W, max_branch_length, tree_sets, seed, out);
    }
    return cut;
}

py::tuple grow_regions(const farray& phase, const u8array& blocked, const u8array& cut,
                       const i64array& seeds) {
    require_2d(phase, "phase");
    require_same(blocked, phase, "blocked");
    require_same(cut, phase, "cut");
    if (seeds.ndim() != 2 || seeds.shape(1) != 2)
        throw py::value_error("seeds must have shape (n, 2), got " + shape_str(seeds));
    const std::int64_t L = phase.shape(0), W = phase.shape(1), n = seeds.shape(0);
    py::array_t<double> unw({L, W});
    py::array_t<std::int32_t> region({L, W});
    py::array_t<std::int64_t> sizes(n);
    std::fill(unw.mutable_data(), unw.mutable_data() + L * W, 0.0);
    std::fill(region.mutable_data(), region.mutable_data() + L * W, 0);
    std::vector<std::int64_t> rows(n), cols(n);
    for (std::int64_t s = 0; s < n; ++s) {
        rows[s] = seeds.at(s, 0);
        cols[s] = seeds.at(s, 1);
    }
    std::int64_t count;
    {
        py::gil_scoped_release release;
        count = uw::grow_regions(phase.data(), blocked.data(), cut.data(), L, W, rows.data(),
                                 cols.data(), n, unw.mutable_data(), region.mutable_data(),
                                 sizes.mutable_data());
    }
    return py::make_tuple(unw, region, sizes[py::slice(0, count, 1)]);
}

}  // namespace

PYBIND11_MODULE(_unwrap, mod) {
    mod.doc() = "isce's branch-cut unwrapping kernels (library/unwrap/).";
    mod.def("gzw_cuts", &gzw_cuts, py::arg("charge"), py::arg("max_branch_length") = 64,
            py::arg("tree_sets") = 1, py::arg("seed") = 1,
            R"doc(Branch cuts of Goldstein-Zebker-Werner residue trees (ISCE2 icu's rt.F).

charge            : int8 [L, W]  residue of the loop whose upper-left pixel is (i, j)
max_branch_length : largest search box half-width (pixels)
tree_sets         : tree realisations in pseudo-random residue orders (cuts accumulate)
seed              : seed of the residue order
Returns uint8 [L, W]: 1 on a cut. GIL released. Matches
tests/support/unwrap_reference.py:gzw_cuts.)doc");
    mod.def("grow_regions", &grow_regions, py::arg("phase"), py::arg("blocked"), py::arg("cut"),
            py::arg("seeds"),
            R"doc(Seeded 4-neighbour flood fill around cuts (ISCE2 icu's grass.F).

phase   : float64 [L, W] wrapped phase (radians)
blocked : uint8 [L, W]   1 = never unwrapped (masked or low correlation)
cut     : uint8 [L, W]   1 = unwrapped but does not spread
seeds   : int64 [n, 2]   (row, col) tried in order
Returns (unw float64 [L, W], region int32 [L, W] 1.. in seed order / 0, sizes int64 [k]).
GIL released. Matches tests/support/unwrap_reference.py:grow_regions.)doc");
}
