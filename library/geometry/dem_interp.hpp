// isce/library/geometry/dem_interp.hpp -- height lookup for rdr2geo: a
// constant reference height, or a DEM on a regular longitude/latitude grid
// (EPSG:4326, degrees) interpolated as ISCE3's DEMInterpolator does.
//
// Grid: sample (row i, column j) is the pixel *centre* at
//     lon = x0 + j dx,  lat = y0 + i dy     [deg]   (dy < 0 for north-up)
// heights in metres above the ellipsoid, float32, row-major.
//
// interpolate_xy(lon_deg, lat_deg), as ISCE3:
//   * longitudes are wrapped by 360 deg to the DEM's side of the dateline;
//   * col = (lon - x0)/dx, row = (lat - y0)/dy; if floor(row) < 2 or
//     floor(row) >= length - 1 (same for columns) the point is too close to
//     (or beyond) the edge for the 6-sample kernel and the reference height
//     is returned (ISCE3 returns its reference height, the DEM mean, there);
//   * otherwise the DEM is interpolated with `method` (ISCE3's Topo uses
//     BIQUINTIC; bilinear is too rough for local incidence angles);
//   * NaN coordinates, and NaN (void) samples in the kernel window, give NaN.
#pragma once

#include <cmath>

#include "geometry/common.hpp"
#include "geometry/interp2d.hpp"

namespace isce::geometry {

// The spline weights and window of one biquintic query at (x, y) [deg], kept so that the
// slopes at the same point (central_differences, for topo_angles at a converged rdr2geo
// point: the last query of its iteration) reuse them: weights not recomputed, and the 6
// weighted row sums of the value (s[1..6] below) shared by the north-south difference.
// Set only for queries whose difference windows are unclamped (see central_differences).
struct DemTaps {
    const float* origin = nullptr;     // sample (iy - 1, ix - 1); nullptr: no taps
    double x = 0.0, y = 0.0;           // the query, before any longitude wrap [deg]
    double wx[6] = {}, wy[6] = {};
    double s[8] = {};                  // s[k + 1] = sum_l wx[l] z[iy - 1 + k][ix - 1 + l]
    bool edges = false;                // s[0], s[7] (rows iy - 2, iy + 5) computed
};

struct DemView {
    const float* data = nullptr;   // [length][width] or nullptr: constant ref_height
    double ref_height = 0.0;       // [m] outside the DEM, and everywhere without data
    double x0 = 0.0, y0 = 0.0;     // centre of sample (0, 0) [deg]
    double dx = 1.0, dy = -1.0;    // spacings [deg]
    long width = 0, length = 0;
    Interp method = Interp::biquintic;

    bool have_raster() const { return data != nullptr; }

    // Longitude wrapped to the DEM's convention (ISCE3 DEMInterpolator);
    // false if it falls west of the DEM whatever the wrap.
    bool wrap_lon(double& x) const {
        if (x > 360.0 || x < -360.0) x = std::fmod(x, 360.0);
        if (x < -180.0) x += 360.0;
        if (x - 360.0 >= x0) x -= 360.0;
        else if (x < x0 && x + 360.0 >= x0) x += 360.0;
        else if (x < x0) return false;
        return true;
    }

    // taps (optional): receives the weights and row sums of an interior biquintic query
    double interpolate_xy(double x, double y, DemTaps* taps = nullptr) const {
        if (taps) taps->origin = nullptr;
        if (!have_raster()) return ref_height;
        if (std::isnan(x) || std::isnan(y)) return kNaN;
        const double x_in = x;
        if (!wrap_lon(x)) return ref_height;
        const double row = (y - y0) / dy;
        const double col = (x - x0) / dx;
        // floor(row) < 2 or >= length - 1 (an integer): the same tests on row itself
        // (std::floor is a rounding sequence without SSE4.1; this runs twice a pixel)
        if (!(row >= 2.0) || !(row < length - 1.0)) return ref_height;
        if (!(col >= 2.0) || !(col < width - 1.0)) return ref_height;
        if (taps && method == Interp::biquintic && row >= 3.0 && row < length - 5.0 &&
            col >= 3.0 && col < width - 5.0)
            return biquintic_taps(x_in, y, row, col, *taps);
        return interp2d(method, data, width, length, col, row);
    }

    // interp_biquintic's value (the same operations in the same order) away from the edges,
    // where its window rows/columns are iy-1 .. iy+4, ix-1 .. ix+4 (no clamping); records
    // the taps (the row sums of rows iy-2 and iy+5 are left to central_differences)
    static double row_sum(const float* r, const double wx[6]) {
        double sk = 0.0;
        for (int l = 0; l < 6; ++l) sk += wx[l] * static_cast<double>(r[l]);
        return sk;
    }

    double biquintic_taps(double x, double y, double row, double col, DemTaps& taps) const {
        const long ix = static_cast<long>(col), iy = static_cast<long>(row);
        spline6_weights(col - static_cast<double>(ix), taps.wx);
        spline6_weights(row - static_cast<double>(iy), taps.wy);
        const float* origin = data + (iy - 1) * width + (ix - 1);
        for (int k = 0; k < 6; ++k) taps.s[k + 1] = row_sum(origin + k * width, taps.wx);
        taps.edges = false;
        double sum = 0.0;
        for (int k = 0; k < 6; ++k) sum += taps.wy[k] * taps.s[k + 1];
        taps.origin = origin;
        taps.x = x;
        taps.y = y;
        return sum;
    }

    // Central differences one DEM spacing either side of (x, y) [deg]:
    //   dew = f(x + dx, y) - f(x - dx, y),  dns = f(x, y + dy) - f(x, y - dy)
    // with f = interpolate_xy. Away from the edges (biquintic kernel) the four
    // queries share the fractional offsets, so one set of spline weights
    // serves all four (the differences are summed sample by sample: same
    // values up to rounding); elsewhere, four interpolate_xy calls.
    // taps (optional): those of an earlier interpolate_xy at the same (x, y), reused.
    // The differences as sums of weighted row sums: dns = sum_k wy[k] (s[k+1] - s[k-1]),
    // dew = sum_k wy[k] sum_l wx[l] (z[k][l+1] - z[k][l-1]) (the same sums regrouped).
    void central_differences(double x, double y, double& dew, double& dns,
                             DemTaps* taps = nullptr) const {
        DemTaps local;
        DemTaps* tp = nullptr;
        if (taps && taps->origin && taps->x == x && taps->y == y) {
            tp = taps;
        } else if (method == Interp::biquintic && have_raster() && !std::isnan(x) &&
                   !std::isnan(y)) {
            double xw = x;
            if (wrap_lon(xw)) {
                const double row = (y - y0) / dy;
                const double col = (xw - x0) / dx;
                // the windows of rows/columns i-1 .. i+1 are all unclamped: floor(row) in
                // 3 .. length - 6, i.e. row in [3, length - 5) (then floor = truncation)
                if (row >= 3.0 && row < length - 5.0 && col >= 3.0 && col < width - 5.0) {
                    biquintic_taps(x, y, row, col, local);
                    tp = &local;
                }
            }
        }
        if (tp) {
            if (!tp->edges) {
                tp->s[0] = row_sum(tp->origin - width, tp->wx);
                tp->s[7] = row_sum(tp->origin + 6 * width, tp->wx);
                tp->edges = true;
            }
            double ew = 0.0, ns = 0.0;
            for (int k = 0; k < 6; ++k) {
                const float* r0 = tp->origin + k * width;
                double se = 0.0;
                for (int l = 0; l < 6; ++l)
                    se += tp->wx[l] * (static_cast<double>(r0[l + 1]) - r0[l - 1]);
                ew += tp->wy[k] * se;
                ns += tp->wy[k] * (tp->s[k + 2] - tp->s[k]);
            }
            dew = ew;
            dns = ns;
            return;
        }
        dew = interpolate_xy(x + dx, y) - interpolate_xy(x - dx, y);
        dns = interpolate_xy(x, y + dy) - interpolate_xy(x, y - dy);
    }

    // lon, lat in radians (what rdr2geo iterates on).
    double interpolate_lon_lat(double lon, double lat, DemTaps* taps = nullptr) const {
        if (!have_raster()) {
            if (taps) taps->origin = nullptr;
            return ref_height;
        }
        return interpolate_xy(lon * kDeg, lat * kDeg, taps);
    }
};

// A constant height: the DEM of one pixel in the per-pixel-height mode.
struct ConstantHeight {
    double h;
    double interpolate_lon_lat(double, double, DemTaps* taps = nullptr) const {
        if (taps) taps->origin = nullptr;
        return h;
    }
};

// Whether a height source looks at the position (else rdr2geo skips the
// longitude/latitude of its trial points).
inline bool needs_lon_lat(const DemView& dem) { return dem.have_raster(); }
inline bool needs_lon_lat(const ConstantHeight&) { return false; }

}  // namespace isce::geometry
