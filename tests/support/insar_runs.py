"""Running insarApp in step mode in a test folder, and reading what a run left behind."""
import json
import re
import textwrap
from pathlib import Path

from isce_commands import run_command

from isce.apps.insar import Insar

#: insarApp's steps, in order
STEPS = [step.name for step in Insar.steps]


def run(tmp_path, xml, *args):
    """insarApp.py <xml> --steps in a fresh ``run/`` folder (inputs live elsewhere)."""
    wd = tmp_path / "run"
    wd.mkdir()
    return wd, run_command("insarApp.py", xml, "--steps", *args, cwd=wd)


def completed_steps(wd):
    """Steps whose state and manifest are both in ``wd/PICKLE``, in step order."""
    done = set()
    for path in (wd / "PICKLE").glob("*.json"):
        step = json.loads(path.read_text())["step"]
        if (wd / "PICKLE" / step).is_file():
            done.add(step)
    return [s for s in STEPS if s in done]


def announced_steps(wd):
    """Steps the log says were started."""
    log = wd / "isce.log"
    return re.findall(r"step \d+/\d+ '(\w+)'", log.read_text()) if log.exists() else []


def recorded_outputs(wd):
    """Absolute paths of the outputs the saved manifests record."""
    outputs = set()
    for path in (wd / "PICKLE").glob("*.json"):
        outputs |= {str((wd / p).resolve()) for p in json.loads(path.read_text()).get("outputs", {})}
    return outputs


def left_products(wd):
    """Files in the run folder that no completed step recorded (with their sidecars/JSON),
    besides the log, the lock and the saved state: what a failed step would have left behind."""
    recorded = recorded_outputs(wd)
    left = []
    for path in wd.rglob("*"):
        rel = path.relative_to(wd)
        if not path.is_file() or rel.parts[0] == "PICKLE" or str(rel) in ("isce.log", ".isce.lock"):
            continue
        stem = re.sub(r"(\.xml|\.vrt|\.hdr|\.aux\.xml|\.json)$", "", str(path.resolve()))
        if stem not in recorded:
            left.append(str(rel))
    return sorted(left)


def uavsar_xml(path, ref, sec, *, dem=None, reference="WGS84", extra=""):
    """An insarApp.xml at ``path`` for two UAVSAR/NISAR HDF5 SLCs (the DEM defaults to the
    San Andreas one beside ``ref``); ``extra``: more XML inside the insar component."""
    dem = dem or Path(ref).parent / "SanAnd_dem.tif"
    path.write_text(textwrap.dedent(f"""\
        <insarApp>
          <component name="insar">
            <property name="Sensor Name">UAVSAR_HDF5_SLC</property>
            <component name="Master"><property name="HDF5">{ref}</property></component>
            <component name="Slave"><property name="HDF5">{sec}</property></component>
            <property name="demFilename">{dem}</property>
            <property name="dem reference">{reference}</property>
            {extra}
          </component>
        </insarApp>
        """))
    return path
