// isce/library/bindings/interferogram_module.cpp -- pybind11 module `isce.ext._interferogram`.
//
// Thin bindings of the interferogram kernels of library/signal/ (crossmul looks,
// Goldstein filter, phase sigma): check shapes and dtypes, allocate the outputs, release
// the GIL, call the kernel. Every ValueError names the argument and the shape received.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <complex>
#include <cstdint>
#include <sstream>
#include <string>

#include "bindings/common.hpp"
#include "signal/crossmul.hpp"
#include "signal/goldstein.hpp"
#include "signal/phsig.hpp"

namespace py = pybind11;
namespace cm = isce::signal::crossmul;

namespace {

using isce::bindings::kernel_threads;
using isce::bindings::shape_str;

template <typename T>
using cplx = py::array_t<std::complex<T>, py::array::c_style>;

void require(bool ok, const std::string& what)
{
    if (!ok) throw py::value_error(what);
}

// dtype by kind and size (dtype identity differs between equal descriptors)
bool is_c64(const py::array& a) { return a.dtype().kind() == 'c' && a.itemsize() == 8; }
bool is_c128(const py::array& a) { return a.dtype().kind() == 'c' && a.itemsize() == 16; }
bool is_f32(const py::array& a) { return a.dtype().kind() == 'f' && a.itemsize() == 4; }
bool is_f64(const py::array& a) { return a.dtype().kind() == 'f' && a.itemsize() == 8; }
bool same_dtype(const py::array& a, const py::array& b)
{
    return a.dtype().kind() == b.dtype().kind() && a.itemsize() == b.itemsize();
}

bool is_c_contiguous(const py::array& a)
{
    return (a.flags() & py::array::c_style) != 0;
}

template <typename T, typename O>
void run_looked(const py::array& s1, const py::array& s2, const py::array& h1,
                const py::array& h2, const py::array* off, const cm::Flattening& flat, int az,
                int rg, int f, std::complex<float>* ifg, float* coh, float* a1, float* a2,
                int threads)
{
    const auto* p1 = static_cast<const std::complex<T>*>(s1.data());
    const auto* p2 = static_cast<const std::complex<T>*>(s2.data());
    const auto* q1 = f > 1 ? static_cast<const std::complex<T>*>(h1.data()) : nullptr;
    const auto* q2 = f > 1 ? static_cast<const std::complex<T>*>(h2.data()) : nullptr;
    const O* po = off ? static_cast<const O*>(off->data()) : nullptr;
    const std::int64_t rows = s1.shape(0), n = s1.shape(1);
    const std::int64_t hstride = h1.ndim() == 3 ? h1.shape(2) : n;
    py::gil_scoped_release release;
    cm::looked_block<T, O>(p1, p2, q1, q2, hstride, po, flat, rows, n, az, rg, f, ifg, coh, a1,
                           a2, threads);
}

py::tuple looked_block(const py::array& s1, const py::array& s2, const py::array& h1,
                       const py::array& h2, py::object offsets, py::object flattening, int az,
                       int rg, int f, bool amplitude, int threads)
{
    threads = kernel_threads(threads);
    require(az >= 1 && rg >= 1 && f >= 1, "looks and oversampling must be >= 1");
    require(s1.ndim() == 2, "s1 must be 2-D (lines, pixels), got shape " + shape_str(s1));
    require(s2.ndim() == 2 && s2.shape(0) == s1.shape(0) && s2.shape(1) == s1.shape(1),
            "s2 must have the shape of s1 " + shape_str(s1) + ", got " + shape_str(s2));
    const bool single = is_c64(s1);
    require(single || is_c128(s1), "s1 must be complex64 or complex128");
    require(same_dtype(s2, s1) && is_c_contiguous(s1) && is_c_contiguous(s2),
            "s1 and s2 must be C-contiguous arrays of the same complex dtype");
    const py::ssize_t rows = s1.shape(0), n = s1.shape(1);
    for (const py::array* h : {&h1, &h2}) {
        if (f == 1) continue;
        require(h->ndim() == 3 && h->shape(0) == f - 1 && h->shape(1) == rows &&
                    h->shape(2) >= n && same_dtype(*h, s1) && is_c_contiguous(*h),
                "h1/h2 must be C-contiguous (f - 1, lines, >= pixels) arrays of the dtype of "
                "s1, got " + shape_str(*h));
    }
    require(f == 1 || h1.shape(2) == h2.shape(2), "h1 and h2 must have the same row length");
    cm::Flattening flat;
    py::array off;
    bool off_single = true;
    if (!flattening.is_none()) {
        auto t = flattening.cast<py::tuple>();
        require(t.size() == 5, "flattening must be (r01, dr1, r02, dr2, 4 pi / wavelength)");
        flat = {true, t[0].cast<double>(), t[1].cast<double>(), t[2].cast<double>(),
                t[3].cast<double>(), t[4].cast<double>()};
        off = py::array::ensure(offsets);
        require(off && off.ndim() == 2 && off.shape(0) == rows && off.shape(1) == n &&
                    is_c_contiguous(off),
                "offsets must be a C-contiguous array of the shape of s1");
        off_single = is_f32(off);
        require(off_single || is_f64(off),
                "offsets must be float32 or float64");
    }
    const py::ssize_t L = rows / az, W = n / rg;
    py::array_t<std::complex<float>> ifg({L, W});
    py::array_t<float> coh({L, W});
    py::object amp = py::none();
    float *a1 = nullptr, *a2 = nullptr;
    if (amplitude) {
        py::array_t<float> a({py::ssize_t(2), L, W});
        a1 = a.mutable_data();
        a2 = a1 + L * W;
        amp = a;
    }
    const py::array* po = flat.on ? &off : nullptr;
    auto* pi = ifg.mutable_data();
    auto* pc = coh.mutable_data();
    if (single && off_single)
        run_looked<float, float>(s1, s2, h1, h2, po, flat, az, rg, f, pi, pc, a1, a2, threads);
    else if (single)
        run_looked<float, double>(s1, s2, h1, h2, po, flat, az, rg, f, pi, pc, a1, a2, threads);
    else if (off_single)
        run_looked<double, float>(s1, s2, h1, h2, po, flat, az, rg, f, pi, pc, a1, a2, threads);
    else
        run_looked<double, double>(s1, s2, h1, h2, po, flat, az, rg, f, pi, pc, a1, a2, threads);
    return py::make_tuple(ifg, coh, amp);
}

template <typename T>
void run_multiply(const py::array& x, const py::array& ramp, py::array& out, int threads)
{
    const std::int64_t rows = x.ndim() == 2 ? x.shape(0) : 1, n = x.shape(x.ndim() - 1);
    const auto* px = static_cast<const std::complex<T>*>(x.data());
    const auto* pr = static_cast<const std::complex<T>*>(ramp.data());
    auto* po = static_cast<std::complex<T>*>(out.mutable_data());
    py::gil_scoped_release release;
    cm::multiply_rows<T>(px, pr, rows, n, po, threads);
}

void multiply_rows(const py::array& x, const py::array& ramp, py::array out, int threads)
{
    threads = kernel_threads(threads);
    require(x.ndim() == 2 && is_c_contiguous(x) && (is_c64(x) || is_c128(x)),
            "x must be a C-contiguous complex (lines, pixels) array, got " + shape_str(x));
    require(ramp.ndim() == 1 && ramp.shape(0) == x.shape(1) && same_dtype(ramp, x) &&
                is_c_contiguous(ramp),
            "ramp must be a contiguous 1-D array of x's dtype and row length, got " +
                shape_str(ramp));
    require(out.ndim() == 2 && out.shape(0) == x.shape(0) && out.shape(1) == x.shape(1) &&
                same_dtype(out, x) && is_c_contiguous(out) && out.writeable(),
            "out must be a writeable C-contiguous array like x, got " + shape_str(out));
    if (is_c64(x))
        run_multiply<float>(x, ramp, out, threads);
    else
        run_multiply<double>(x, ramp, out, threads);
}

std::int64_t zero_nan(py::array x, int threads)
{
    threads = kernel_threads(threads);
    require(is_c_contiguous(x) && x.writeable() && (is_c64(x) || is_c128(x)),
            "x must be a writeable C-contiguous complex array");
    const std::int64_t count = x.size();
    void* p = x.mutable_data();
    py::gil_scoped_release release;
    if (is_c64(x)) return cm::zero_nan(static_cast<std::complex<float>*>(p), count, threads);
    return cm::zero_nan(static_cast<std::complex<double>*>(p), count, threads);
}

void goldstein_weight(py::array spec, double alpha, int psd_smooth, int threads)
{
    threads = kernel_threads(threads);
    require(is_c64(spec) && is_c_contiguous(spec) && spec.writeable() && spec.ndim() >= 2 &&
                spec.shape(spec.ndim() - 1) == spec.shape(spec.ndim() - 2),
            "spec must be a writeable C-contiguous complex64 array of square windows, got " +
                shape_str(spec));
    require(psd_smooth >= 1, "psd_smooth must be >= 1");
    const int window = static_cast<int>(spec.shape(spec.ndim() - 1));
    const std::int64_t tiles = window ? spec.size() / (std::int64_t(window) * window) : 0;
    auto* p = static_cast<std::complex<float>*>(spec.mutable_data());
    py::gil_scoped_release release;
    isce::signal::goldstein::weight(p, tiles, window, alpha, psd_smooth, threads);
}

py::array_t<std::complex<float>> goldstein_overlap(const py::array& tiles, int step,
                                                   std::int64_t row0, std::int64_t pad,
                                                   const py::array& z, bool rescale, int threads)
{
    threads = kernel_threads(threads);
    require(is_c64(tiles) && is_c_contiguous(tiles) && tiles.ndim() == 4 &&
                tiles.shape(2) == tiles.shape(3),
            "tiles must be a C-contiguous complex64 (ny, nx, window, window) array, got " +
                shape_str(tiles));
    require(is_c64(z) && is_c_contiguous(z) && z.ndim() == 2,
            "z must be a C-contiguous complex64 (rows, width) array, got " + shape_str(z));
    require(step >= 1 && row0 >= 0 && pad >= 0, "step >= 1, row0 >= 0 and pad >= 0 needed");
    const std::int64_t rows = z.shape(0), width = z.shape(1);
    py::array_t<std::complex<float>> out({rows, width});
    const auto* pt = static_cast<const std::complex<float>*>(tiles.data());
    const auto* pz = static_cast<const std::complex<float>*>(z.data());
    auto* po = out.mutable_data();
    const std::int64_t ny = tiles.shape(0), nx = tiles.shape(1);
    const int window = static_cast<int>(tiles.shape(2));
    {
        py::gil_scoped_release release;
        isce::signal::goldstein::overlap(pt, ny, nx, window, step, row0, rows, pad, width, pz,
                                         rescale, po, threads);
    }
    return out;
}

py::tuple phase_sigma(const py::array& z, int win, int swin, double nlooks, int min_samples,
                      bool with_sigma, int threads)
{
    threads = kernel_threads(threads);
    require(z.ndim() == 2 && is_c_contiguous(z) && (is_c64(z) || is_c128(z)),
            "z must be a C-contiguous complex (rows, width) array, got " + shape_str(z));
    require(win >= 1 && swin >= 1, "windows must be >= 1");
    const std::int64_t rows = z.shape(0), width = z.shape(1);
    py::array_t<double> cor({rows, width});
    py::object sig = py::none();
    double* ps = nullptr;
    if (with_sigma) {
        py::array_t<double> s({rows, width});
        ps = s.mutable_data();
        sig = s;
    }
    double* pc = cor.mutable_data();
    const bool single = is_c64(z);
    const void* pz = z.data();
    {
        py::gil_scoped_release release;
        if (single)
            isce::signal::phsig::phase_sigma(static_cast<const std::complex<float>*>(pz), rows,
                                             width, win, swin, nlooks, min_samples, pc, ps,
                                             threads);
        else
            isce::signal::phsig::phase_sigma(static_cast<const std::complex<double>*>(pz), rows,
                                             width, win, swin, nlooks, min_samples, pc, ps,
                                             threads);
    }
    return py::make_tuple(cor, sig);
}

}  // namespace

PYBIND11_MODULE(_interferogram, mod)
{
    mod.doc() = "isce compiled interferogram kernels (crossmul looks, Goldstein filter, phase "
                "sigma). Built from library/ by SCons; see isce.signal.crossmul, .filter, .phsig.";

    mod.def("looked_block", &looked_block, py::arg("s1"), py::arg("s2"), py::arg("h1"),
            py::arg("h2"), py::arg("offsets") = py::none(), py::arg("flattening") = py::none(),
            py::arg("az_looks") = 1, py::arg("rg_looks") = 1, py::arg("oversample") = 1,
            py::arg("amplitude") = false, py::arg("threads") = 0,
            R"doc(Looked interferogram of one block of lines (isce.signal.crossmul).

s1, s2     : complex64|complex128 [rows, n], no NaN (0 = no data)
h1, h2     : same dtype [oversample - 1, rows, >= n]: the lines interpolated at k + m /
             oversample, m = 1 .. oversample - 1 (ignored when oversample = 1)
offsets    : float32|float64 [rows, n] range offsets [secondary pixels] (NaN = 0)
flattening : None or (r01, dr1, r02, dr2, 4 pi / wavelength): the product is multiplied
             by exp(-i phi), phi = scale ((r02 - r01) + j (dr2 - dr1) + offset dr2),
             interpolated linearly to the oversampled samples
Returns (ifg complex64 [rows/az, n/rg], coh float32, amp float32 [2, ...] or None).
A window with a 0 sample of s1 or s2 has ifg 0 and coh 0. GIL released.)doc");
    mod.def("multiply_rows", &multiply_rows, py::arg("x"), py::arg("ramp"), py::arg("out"),
            py::arg("threads") = 0,
            "out[r, k] = x[r, k] * ramp[k] (complex, same dtype; out may be x). GIL released.");
    mod.def("zero_nan", &zero_nan, py::arg("x"), py::arg("threads") = 0,
            "Set NaN samples of a complex array to 0 in place; returns how many. GIL released.");
    mod.def("goldstein_weight", &goldstein_weight, py::arg("spec"), py::arg("alpha"),
            py::arg("psd_smooth") = 1, py::arg("threads") = 0,
            R"doc(Goldstein weighting in place: every window spectrum spec[..., N, N]
(complex64) times (|Z_s| / max |Z_s|)^alpha, Z_s = |Z| box-averaged over psd_smooth^2 bins
(wrapping; 1 = none); a window without power becomes 0. GIL released.)doc");
    mod.def("goldstein_overlap", &goldstein_overlap, py::arg("tiles"), py::arg("step"),
            py::arg("row0"), py::arg("pad"), py::arg("z"), py::arg("rescale") = true,
            py::arg("threads") = 0,
            R"doc(Tapered overlap-add of filtered windows tiles[ny, nx, N, N] (complex64; window
(ky, kx) at buffer row ky step, column kx step; buffer column c = image column c - pad),
divided by the summed tapers, for output rows row0 .. row0 + rows of the buffer;
z[rows, width] the input there: with rescale its magnitude is restored; 0 or non-finite
samples give 0, NaN gives NaN. Returns complex64 [rows, width]. GIL released.)doc");
    mod.def("phase_sigma", &phase_sigma, py::arg("z"), py::arg("window") = 5,
            py::arg("slope_window") = 5, py::arg("nlooks") = 3.0, py::arg("min_samples") = 3,
            py::arg("sigma") = false, py::arg("threads") = 0,
            R"doc(Phase-sigma coherence of a block z[rows, width] (complex64|complex128; zero
outside): (cor float64, sigma float64 or None), as isce.signal.phsig. GIL released.)doc");
}
