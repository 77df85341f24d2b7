// isce/library/core/orbit.cpp -- batch entry points of the orbit kernels.
#include "core/orbit.hpp"

#include <cmath>
#include <cstdint>
#include <sstream>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace isce::core::orbit {

std::string check_state_vectors(const double* t, std::size_t n, Method m) {
    const std::size_t need = nodes_for(m);
    std::ostringstream msg;
    msg.precision(17);
    if (n < need) {
        msg << method_name(m) << " interpolation needs at least " << need
            << " state vectors, got " << n;
        return msg.str();
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(t[i])) {
            msg << "state-vector time " << i << " is not finite (" << t[i] << ")";
            return msg.str();
        }
        if (i > 0 && !(t[i] > t[i - 1])) {
            msg << "state-vector times must be strictly increasing: t[" << i - 1
                << "] = " << t[i - 1] << " >= t[" << i << "] = " << t[i];
            return msg.str();
        }
    }
    return std::string();
}

void interpolate_orbit(const double* t, const double* pos, const double* vel,
                       std::size_t n, const double* tq, std::size_t m,
                       Method method, double* out_pos, double* out_vel,
                       int threads) noexcept {
    const std::int64_t count = static_cast<std::int64_t>(m);
#ifdef _OPENMP
    const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#else
    (void)threads;
#endif
    if (method == Method::hermite) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nthreads)
#endif
        for (std::int64_t q = 0; q < count; ++q)
            hermite(t, pos, vel, n, tq[q], out_pos + 3 * q, out_vel + 3 * q);
    } else {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nthreads)
#endif
        for (std::int64_t q = 0; q < count; ++q)
            legendre(t, pos, vel, n, tq[q], out_pos + 3 * q, out_vel + 3 * q);
    }
}

}  // namespace isce::core::orbit
