"""isce.simulate: a SAR simulator with ground truth.

* :mod:`~isce.simulate.orbit` -- circular orbits in ECEF (:func:`circular_orbit`,
  :func:`orbit_over`);
* :mod:`~isce.simulate.radar` -- :class:`RadarParameters` and presets
  (:func:`alos_palsar_fbs`, :func:`sentinel1_sm_s3`, :func:`terrasarx_sm`,
  :func:`cosmo_skymed_himage`, :func:`radarsat2_fine`, :func:`ree_out17`);
* :mod:`~isce.simulate.formats` -- the sensor formats the simulator writes (ISCE2 sensor
  name -> level, writer, radar preset);
* :mod:`~isce.simulate.targets` -- point targets and their radar-coordinate truth,
  a synthetic DEM, a Mogi deformation source;
* :mod:`~isce.simulate.echoes` -- raw echoes of point targets computed exactly from
  the orbit geometry (:func:`simulate_point_targets`, :func:`two_way_delay`);
* :mod:`~isce.simulate.scenes` -- ready-made scenes (:func:`ree_out17_scene`,
  :func:`alos_scene`).

Example::

    from isce.simulate import alos_scene, simulate_point_targets
    scene = alos_scene([(34.5, -116.5, 0.0)], pulses=8192)
    raw = simulate_point_targets(**scene.simulation(), output="ref.raw")   # + ref.raw.json
    truth = scene.truth(grid=raw)        # zero-Doppler time, range, line, pixel

Names are loaded on first use.
"""
from importlib import import_module as _import_module

_LAZY = {
    "CircularOrbitModel": "orbit", "circular_orbit": "orbit", "orbit_over": "orbit",
    "earth_rotation_angle": "orbit", "look_angle": "orbit", "orbit_with_baseline": "orbit",
    "baseline_vectors": "orbit", "ree_orbit_model": "orbit",
    "RadarParameters": "radar", "alos_palsar_fbs": "radar", "ree_out17": "radar",
    "read_rdf": "radar", "preset": "radar", "sentinel1_sm_s3": "radar", "terrasarx_sm": "radar",
    "cosmo_skymed_himage": "radar", "radarsat2_fine": "radar",
    "envisat_asar_is2": "radar",
    "FORMATS": "formats", "writer_format": "formats", "load_writer": "formats",
    "Target": "targets", "as_targets": "targets", "target_truth": "targets",
    "read_targets_csv": "targets", "synthetic_dem": "targets", "MogiSource": "targets",
    "simulate_point_targets": "echoes", "two_way_delay": "echoes",
    "antenna_pattern": "echoes", "release_memory": "echoes", "echo_delays": "echoes",
    "Scene": "scenes", "ree_out17_scene": "scenes", "alos_scene": "scenes",
    "slant_range_at_look_angle": "scenes",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        value = getattr(_import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
