// isce/library/geometry/geometry.cpp -- batch entry points of the geometry
// kernels (OpenMP loops around the inline per-pixel solvers).
#include <cmath>
#include <algorithm>
#include <cstdint>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "geometry/geo2rdr.hpp"
#include "geometry/rdr2geo.hpp"

namespace isce::geometry {

namespace {

// Lines per independent chunk of rdr2geo_grid (seeds cross lines inside one).
constexpr long kRdr2GeoChunk = 16;

int thread_count(int threads) {
#ifdef _OPENMP
    return threads > 0 ? threads : omp_get_max_threads();
#else
    (void)threads;
    return 1;
#endif
}

inline bool want_angles(const TopoOutputs& out) {
    return out.inc || out.hdg || out.los_az || out.local_inc || out.local_psi;
}

inline void store(const TopoOutputs& out, long idx, const Vec3& llh, const TopoAngles& ang,
                  bool converged) {
    if (out.lon) out.lon[idx] = llh.x * kDeg;
    if (out.lat) out.lat[idx] = llh.y * kDeg;
    if (out.z) out.z[idx] = llh.z;
    if (out.inc) out.inc[idx] = static_cast<float>(ang.inc);
    if (out.hdg) out.hdg[idx] = static_cast<float>(ang.hdg);
    if (out.los_az) out.los_az[idx] = static_cast<float>(ang.los_az);
    if (out.local_inc) out.local_inc[idx] = static_cast<float>(ang.local_inc);
    if (out.local_psi) out.local_psi[idx] = static_cast<float>(ang.local_psi);
    if (out.converged) out.converged[idx] = converged ? 1 : 0;
}

}  // namespace

long rdr2geo_grid(const OrbitView& orbit, const Lut2dView& doppler, const DemView& dem,
                  const double* heights, const double* t, long lines, const double* r,
                  long width, double wavelength, int side, const Ellipsoid& ell,
                  const Rdr2GeoParams& prm, const TopoOutputs& out, int threads) noexcept {
    const bool angles = want_angles(out);
    const TopoAngleContext actx(dem);
    const int nthreads = thread_count(threads);
    const long nchunks = (lines + kRdr2GeoChunk - 1) / kRdr2GeoChunk;
    long nconv = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(nthreads) reduction(+ : nconv)
#endif
    {
    // Per column, for the line above (a) and the current line (b): the last
    // trial height (DEM mode) or the sphere-vs-ellipsoid offset (per-pixel
    // heights), and the slope dg/dh of the solver (see rdr2geo_pixel).
    std::vector<double> seed_a(width), seed_b(width), slope_a(width), slope_b(width);
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 1)
#endif
    for (long chunk = 0; chunk < nchunks; ++chunk) {
    const long i_first = chunk * kRdr2GeoChunk;
    const long i_stop = std::min(lines, i_first + kRdr2GeoChunk);
    GeoHint hint;     // geodetic conversions from the previous pixel's (one chain per chunk)
    DemTaps taps;     // the last DEM query's spline taps (the slopes at a converged point)
    for (long i = i_first; i < i_stop; ++i) {
        const bool above = i > i_first;       // seeds from the line above (same chunk)
        if (above) {
            seed_a.swap(seed_b);
            slope_a.swap(slope_b);
        }
        Vec3 pos, vel;
        const bool have_orbit = orbit.interpolate(t[i], pos, vel);
        const Basis tcn = have_orbit ? Basis(pos, vel) : Basis();
        const Platform plat = have_orbit ? Platform(pos, vel, tcn, ell) : Platform();
        const double vmag = vel.norm();
        // First guess of each pixel (ISCE3 starts every pixel from the DEM
        // mean). First line of a chunk: the trial height is the surface
        // height plus an offset (local sphere vs ellipsoid) that varies
        // smoothly along the line; extrapolate that offset linearly from the
        // two previous pixels, and take the surface height of the pixel
        // (per-pixel mode) or of its left neighbour (DEM mode). Other lines:
        // the plane through the solutions of the left, upper and upper-left
        // neighbours (of the trial height with a DEM, of the offset with
        // per-pixel heights), and the upper neighbour's solver slope for a
        // Newton first step. Chunks of lines are independent, so results do
        // not depend on the number of threads.
        double off1 = kNaN, off2 = kNaN, z_prev = kNaN;
        for (long j = 0; j < width; ++j) {
            const long idx = i * width + j;
            Vec3 llh = Vec3::nan(), xyz = Vec3::nan(), up = Vec3::nan();
            bool conv = false;
            double seed_out = kNaN, slope = kNaN;
            if (have_orbit) {
                const double rng = r[j];
                const double dopfact = (0.5 * wavelength * (doppler.eval(t[i], rng) / vmag)) * rng;
                const double off = std::isfinite(off2) ? 2.0 * off1 - off2 : off1;
                double plane = kNaN;
                if (above && std::isfinite(seed_a[j])) {
                    plane = seed_a[j];
                    if (j > 0 && std::isfinite(seed_b[j - 1]) && std::isfinite(seed_a[j - 1]))
                        plane += seed_b[j - 1] - seed_a[j - 1];
                    slope = slope_a[j];
                } else if (j > 0) {
                    slope = slope_b[j - 1];
                }
                double h_end = kNaN;
                if (heights) {
                    const double h = heights[idx];
                    if (!std::isnan(h)) {
                        const double o = std::isfinite(plane) ? plane : off;
                        const double h0 = std::isfinite(o) ? h + o : h;
                        conv = rdr2geo_pixel(rng, dopfact, plat, ConstantHeight{h}, ell, side,
                                             h0, prm, llh, &h_end, &slope, &xyz, &up);
                    }
                } else {
                    const double h0 = std::isfinite(plane) ? plane
                                      : std::isfinite(off) && std::isfinite(z_prev)
                                          ? z_prev + off : dem.ref_height;
                    conv = rdr2geo_pixel(rng, dopfact, plat, dem, ell, side, h0, prm, llh,
                                         &h_end, &slope, &xyz, &up, &hint, &taps);
                }
                if (llh.finite() && std::isfinite(h_end)) {
                    off2 = off1;
                    off1 = h_end - llh.z;
                    z_prev = llh.z;
                    seed_out = heights ? off1 : h_end;
                } else {
                    off1 = off2 = z_prev = kNaN;
                    slope = kNaN;
                }
            }
            seed_b[j] = seed_out;
            slope_b[j] = slope;
            const TopoAngles ang = (angles && llh.finite())
                                       ? topo_angles(llh, xyz, up, pos, vel, actx, ell, side,
                                                     heights ? nullptr : &taps)
                                       : TopoAngles();
            store(out, idx, llh, ang, conv);
            nconv += conv ? 1 : 0;
        }
    }
    }
    }
    return nconv;
}

long rdr2geo_points(const OrbitView& orbit, const Lut2dView& doppler, const DemView& dem,
                    const double* heights, const double* t, const double* r, long n,
                    double wavelength, int side, const Ellipsoid& ell,
                    const Rdr2GeoParams& prm, double* llh_out, std::uint8_t* converged,
                    int threads) noexcept {
    // a few points (e.g. radar_grid_bbox's ~90 per topo block) on one thread: waking the
    // team and its spinning at the barrier cost ~6 ms of CPU a call, 10x the work
    const int nthreads = n < 1024 ? 1 : thread_count(threads);
    long nconv = 0;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 64) num_threads(nthreads) reduction(+ : nconv)
#endif
    for (long k = 0; k < n; ++k) {
        Vec3 pos, vel, llh = Vec3::nan();
        bool conv = false;
        if (orbit.interpolate(t[k], pos, vel)) {
            const Basis tcn(pos, vel);
            const double dopfact =
                (0.5 * wavelength * (doppler.eval(t[k], r[k]) / vel.norm())) * r[k];
            if (heights) {
                if (!std::isnan(heights[k]))
                    conv = rdr2geo_pixel(r[k], dopfact, pos, vel, tcn, ConstantHeight{heights[k]},
                                         ell, side, heights[k], prm, llh);
            } else {
                conv = rdr2geo_pixel(r[k], dopfact, pos, vel, tcn, dem, ell, side,
                                     dem.ref_height, prm, llh);
            }
        }
        llh.store(llh_out + 3 * k);
        if (converged) converged[k] = conv ? 1 : 0;
        nconv += conv ? 1 : 0;
    }
    return nconv;
}

long geo2rdr_points(const OrbitView& orbit, const Lut2dView& doppler, const double* llh,
                    const double* t0, long n, double wavelength, int side,
                    const Ellipsoid& ell, const Geo2RdrParams& prm, double* t_out,
                    double* r_out, std::int8_t* status, int threads) noexcept {
    const int nthreads = thread_count(threads);
    long nconv = 0;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 256) num_threads(nthreads) reduction(+ : nconv)
#endif
    for (long k = 0; k < n; ++k) {
        double tt, rr;
        const int st = geo2rdr_point(Vec3::load(llh + 3 * k), ell, orbit, doppler, wavelength,
                                     side, t0 ? t0[k] : kNaN, prm, tt, rr);
        t_out[k] = tt;
        r_out[k] = rr;
        status[k] = static_cast<std::int8_t>(st);
        nconv += st == kGeo2RdrOk ? 1 : 0;
    }
    return nconv;
}

long geo2rdr_grid(const OrbitView& orbit, const Lut2dView& doppler, const double* lon,
                  const double* lat, const double* hgt, long lines, long width,
                  long first_line, const double* t_line, const RadarGridView& grid,
                  double wavelength, int side, const Ellipsoid& ell, const Geo2RdrParams& prm,
                  bool mask_outside, double* rg_off, double* az_off, std::int8_t* status,
                  int threads) noexcept {
    const int nthreads = thread_count(threads);
    long nconv = 0;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthreads) reduction(+ : nconv)
#endif
    for (long i = 0; i < lines; ++i) {
        const CachedOrbit cached(orbit);
        const double line = static_cast<double>(first_line + i);
        double guess = t_line ? t_line[i] : kNaN;
        double root1 = kNaN, root2 = kNaN;   // roots of the last two pixels (NaN: failed)
        for (long j = 0; j < width; ++j) {
            const long idx = i * width + j;
            const Vec3 llh{lon[idx] * kRad, lat[idx] * kRad, hgt[idx]};
            double tt, rr, dt = 0.0;
            const double seed = (std::isnan(root1) || std::isnan(root2)) ? guess
                                                                          : 2.0 * root1 - root2;
            const int st = geo2rdr_point(llh, ell, cached, doppler, wavelength, side, seed, prm,
                                         tt, rr, &dt);
            double az = kNaN, rg = kNaN;
            root2 = root1;
            root1 = kNaN;
            if (st == kGeo2RdrOk) {
                guess = tt;
                root1 = tt - dt;
                az = (tt - grid.t0) * grid.prf;
                rg = (rr - grid.r0) / grid.dr;
                if (mask_outside && !(az >= 0.0 && az <= grid.length - 1.0 && rg >= 0.0 &&
                                      rg <= grid.width - 1.0)) {
                    az = rg = kNaN;
                }
                ++nconv;
            }
            az_off[idx] = az - line;
            rg_off[idx] = rg - static_cast<double>(j);
            status[idx] = static_cast<std::int8_t>(st);
        }
    }
    return nconv;
}

}  // namespace isce::geometry
