"""insarApp.py's manifests record every file its steps write or read (misregistration JSON,
refined offsets, sidecars...), so editing or deleting one between steps is refused on
--next naming the file and the step to restart from; temporaries of a killed run are swept."""
import json
import textwrap

import pytest
from isce_commands import run_command


@pytest.fixture(scope="module")
def sanandreas(shared_data):
    """The San Andreas UAVSAR folder of the real test data."""
    return shared_data("sanandreas")


def insar_xml(folder, d):
    (folder / "insarApp.xml").write_text(textwrap.dedent(f"""\
        <insarApp>
          <component name="insar">
            <property name="Sensor Name">UAVSAR_HDF5_SLC</property>
            <component name="Master"><property name="HDF5">{d / "SanAnd_129.h5"}</property></component>
            <component name="Slave"><property name="HDF5">{d / "SanAnd_138.h5"}</property></component>
            <property name="demFilename">{d / "SanAnd_dem.tif"}</property>
            <property name="dem reference">WGS84</property>
            <property name="range looks">4</property>
            <property name="azimuth looks">4</property>
            <property name="unwrapper name">mcf</property>
          </component>
        </insarApp>
        """))


def insar(folder, *args):
    return run_command("insarApp.py", "insarApp.xml", *args, cwd=folder)


@pytest.fixture
def after_refined_resample(tmp_path, sanandreas):
    """A run folder whose saved state ends after refined_resample."""
    insar_xml(tmp_path, sanandreas)
    proc = insar(tmp_path, "--end=refined_resample")
    assert proc.returncode == 0, proc.stderr
    return tmp_path


def refused(folder, path, restart):
    """--next exits 2 with one line naming ``path`` and ``--start=<restart>``."""
    proc = insar(folder, "--next")
    errors = [line for line in proc.stderr.splitlines() if line.startswith("insarApp.py:")]
    assert proc.returncode == 2, proc.stderr
    assert len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert path in errors[0] and f"start from '{restart}' (--start={restart})" in errors[0]
    assert not (folder / "interferogram" / "topophase.flat").exists()   # nothing ran


def test_edited_misregistration_fit_is_refused(after_refined_resample):
    wd = after_refined_resample
    path = wd / "offsets" / "misreg_az.json"
    fit = json.loads(path.read_text())
    fit["coeffs"][0][0] += 0.5         # half a pixel more azimuth offset: still a valid fit
    path.write_text(json.dumps(fit, indent=2) + "\n")
    refused(wd, "offsets/misreg_az.json", "misregistration")


def test_deleted_refined_coregistered_slc_is_refused(after_refined_resample):
    wd = after_refined_resample
    (wd / "coregisteredSlc" / "refined_coreg.slc").unlink()
    refused(wd, "coregisteredSlc/refined_coreg.slc", "refined_resample")


def test_edited_isce_xml_sidecar_is_refused(after_refined_resample):
    """The ISCE XML says what the bytes are: an edit (here a harmless comment) is noticed."""
    wd = after_refined_resample
    xml = wd / "coregisteredSlc" / "refined_coreg.slc.xml"
    xml.write_text(xml.read_text() + "<!-- edited -->\n")
    refused(wd, "coregisteredSlc/refined_coreg.slc.xml", "refined_resample")


def test_untouched_folder_resumes_and_temporaries_are_swept(after_refined_resample):
    """--next from an intact folder runs to the end; the hidden temporaries a killed run left
    (an isce.io one no later step rewrites, and a state-store one) are removed and logged."""
    wd = after_refined_resample
    left = [wd / "coregisteredSlc" / ".coarse_coreg.slc.999999.0badc0de.partial",
            wd / "PICKLE" / ".interferogram.k2j_x9q1.tmp"]
    for path in left:
        path.write_bytes(b"half written")
    proc = insar(wd, "--next")
    assert proc.returncode == 0, proc.stderr
    assert [p for p in left if p.exists()] == []
    for path in left:
        assert f"removed {path}, a temporary file left by an interrupted run" in proc.stderr
    manifest = json.loads((wd / "PICKLE" / "endup.json").read_text())
    recorded = set(manifest["outputs"]) | set(manifest["inputs"])
    for name in ("offsets/misreg_az.json", "offsets/misreg_rg.json",
                 "coregisteredSlc/refined_coreg.slc", "coregisteredSlc/refined_coreg.slc.xml",
                 "reference/reference.slc",
                 "reference/reference.slc.xml", "report.json"):
        assert name in recorded
