// isce/library/geometry/lut2d.hpp -- read-only view of a regular 2-D look-up
// table (ISCE3 LUT2d), e.g. the Doppler centroid [Hz] over azimuth time y [s]
// (rows) x slant range x [m] (columns).
//
// eval(y, x): fractional indices (x - x0)/dx and (y - y0)/dy are clamped to
// the table (ISCE3: edge values extend outwards) and interpolated with the
// table's method. Without data the table is the constant `ref_value`
// (ISCE3's default LUT2d: zero Doppler). NaN coordinates give NaN.
// `bounds_error` only matters to callers that ask `contains` (geo2rdr
// reports an out-of-bounds lookup as a failure, as ISCE3 does).
#pragma once

#include <algorithm>
#include <cmath>

#include "geometry/common.hpp"
#include "geometry/interp2d.hpp"

namespace isce::geometry {

struct Lut2dView {
    const double* data = nullptr;   // [length][width] row-major, or nullptr: constant
    double ref_value = 0.0;
    double x0 = 0.0, dx = 1.0;      // column coordinates x0 + j dx
    double y0 = 0.0, dy = 1.0;      // row coordinates y0 + i dy
    long width = 0, length = 0;
    Interp method = Interp::bilinear;
    bool bounds_error = false;

    bool have_data() const { return data != nullptr; }

    // Inside the table (within 1e-6 of a spacing, as isce.core.lut.LUT2d).
    bool contains(double y, double x) const {
        if (!have_data()) return true;
        const double fx = (x - x0) / dx, fy = (y - y0) / dy;
        const double tol = 1e-6;
        return fx >= -tol && fx <= (width - 1) + tol && fy >= -tol && fy <= (length - 1) + tol;
    }

    double eval(double y, double x) const {
        if (!have_data()) return ref_value;
        double fx = (x - x0) / dx, fy = (y - y0) / dy;
        if (std::isnan(fx) || std::isnan(fy)) return kNaN;
        fx = std::min(std::max(fx, 0.0), width - 1.0);
        fy = std::min(std::max(fy, 0.0), length - 1.0);
        return interp2d(method, data, width, length, fx, fy);
    }
};

}  // namespace isce::geometry
