"""Simulated pairs of each mission preset, CI-sized, for the per-sensor insarApp tests."""
import time

from isce_commands import run_command

from isce.simulate.formats import FORMATS

#: per radar preset: pulses, samples (receive window), perpendicular baseline [m] (typical
#: of the mission's orbital tube), corner-reflector offset [deg] from the centre, Mogi
#: volume change [m3] at 1 km depth (a few cm of LOS displacement: a few fringes in X-band)
SCENES = {
    "ALOS": dict(pulses=6144, samples=1536, baseline=300, offset=0.012, volume=5e6, depth=2000),
    "SENTINEL1": dict(pulses=2048, samples=4096, baseline=100, offset=0.005, volume=3e5),
    "TERRASARX": dict(pulses=2800, samples=4608, baseline=150, offset=0.004, volume=2.5e5),
    "COSMO_SKYMED": dict(pulses=2560, samples=4608, baseline=200, offset=0.004, volume=2.5e5),
    "RADARSAT2": dict(pulses=1536, samples=2048, baseline=150, offset=0.005, volume=3e5),
    "ALOS2": dict(pulses=6144, samples=1792, baseline=200, offset=0.012, volume=5e6, depth=2000),
    "RADARSAT1": dict(pulses=1536, samples=2048, baseline=150, offset=0.005, volume=3e5),
    "ENVISAT": dict(pulses=2048, samples=1536, baseline=50, offset=0.006, volume=3e5),
    "ERS_ENVISAT": dict(pulses=2560, samples=5608, baseline=40, offset=0.006, volume=1.2e6,
                        depth=2000),
    "ERS": dict(pulses=3072, samples=1280, baseline=60, offset=0.006, volume=3e5, depth=1500),
}
CENTRE = (34.5, -116.5)


def _targets(offset):
    lat, lon = CENTRE
    return (f"{lat},{lon},0,100; {lat + offset},{lon + offset},0,100; "
            f"{lat - offset},{lon - offset},0,70")


def simulate(folder, sensor, radar):
    """simulateApp.py with ``sensor`` (its files) and preset ``radar``'s scene, in ``folder``;
    returns the simulation folder."""
    s = SCENES[radar]
    extra = [] if FORMATS[sensor].preset else [f"simulateApp.radar={radar}"]
    sim = run_command("simulateApp.py", f"simulateApp.sensor={sensor}", *extra,
                      "simulateApp.scene=speckle", "simulateApp.dem=true",
                      f"simulateApp.pulses={s['pulses']}", f"simulateApp.samples={s['samples']}",
                      f"simulateApp.baseline={s['baseline']}",
                      f"simulateApp.targets={_targets(s['offset'])}",
                      f"simulateApp.deformation={CENTRE[0]},{CENTRE[1]},{s.get('depth', 1000)},"
                      f"{s['volume']}", cwd=folder, timeout=900)
    assert sim.returncode == 0, sim.stderr[-3000:]
    return folder / "simulation"


def simulate_and_run(folder, sensor, radar):
    """simulateApp (sensor, preset's scene) then insarApp; the work folder and wall times."""
    t0 = time.monotonic()
    work = simulate(folder, sensor, radar)
    t1 = time.monotonic()
    app = run_command("insarApp.py", "insarApp.xml", "insar.unwrapper name=mcf", "--steps",
                      cwd=work, timeout=900)
    assert app.returncode == 0, app.stderr[-3000:]
    return work, {"simulate_s": t1 - t0, "insarapp_s": time.monotonic() - t1}
