"""Bad input to insarApp.py (issue 5, item 7): a corrupt or truncated raw/SLC file, a DEM off
the scene, a misspelt property, a pair from different tracks. Each is refused

* with a non-zero status and ONE error line on stderr naming the file (or property) and what
  is wrong, without a Python traceback;
* before any long step starts: in the configuration (nothing runs) or in ``preprocess``, from
  the metadata (raw ALOS dates are focused in ``formslc``: a bad raw file must not get there);
* leaving no product on disk that looks complete: no raster, sidecar or product JSON that a
  completed step did not record (the runs use ``--steps``, so PICKLE/ says what completed).

Every case is a real ``applications/insarApp.py`` process. The ALOS CEOS files are small
synthetic scenes written here (4800 pulses x 1024 samples, a few seconds for the whole file);
the HDF5 cases use the San Andreas UAVSAR pair of the real test data (tests/conftest.py).
"""
import re
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest
from small_alos import make_alos
from insar_runs import uavsar_xml, STEPS, run, completed_steps, announced_steps, left_products

REPO = Path(__file__).resolve().parents[2]
#: ALOS-like scenes: (name, ascending pass, look side); "ref" and "sec" are the same track
SCENES = (("ref", True, "right"), ("sec", True, "right"), ("desc", False, "right"),
          ("left", True, "left"))
LAT, LON = 34.5, -116.5           # centre of the synthetic ALOS scenes
LINES, SAMPLES = 4800, 1024      # longer than the aperture (4685 pulses), wider than the chirp


# ----------------------------------------------------------------------------- inputs
@pytest.fixture(scope="module")
def sanandreas(shared_data):
    """The San Andreas UAVSAR folder of the real test data."""
    return shared_data("sanandreas")


@pytest.fixture(scope="module")
def alos(tmp_path_factory):
    """{name: (IMG, LED)} of the synthetic scenes, plus DEMs: 'dem_far' 1 deg north of the
    scenes, 'dem_good' around them."""
    from isce.simulate.targets import synthetic_dem

    folder = tmp_path_factory.mktemp("alos")
    files = {name: make_alos(folder, name, lines=LINES, samples=SAMPLES, ascending=asc, side=side,
                                  lat=LAT, lon=LON) for name, asc, side in SCENES}
    files["dem_far"] = synthetic_dem(folder / "far.dem", (LAT + 1.0, LAT + 1.1),
                                     (LON - 0.05, LON + 0.05), posting_deg=0.001)
    files["dem_good"] = synthetic_dem(folder / "good.dem", (LAT - 0.05, LAT + 0.05),
                                      (LON - 0.05, LON + 0.05), posting_deg=0.001)
    return files


def alos_xml(path, ref, sec, extra=""):
    def date(role, files):
        img, led = files
        return (f'<component name="{role}"><property name="IMAGEFILE">{img}</property>'
                f'<property name="LEADERFILE">{led}</property></component>')
    path.write_text(f'<insarApp><component name="insar">\n'
                    f'  <property name="Sensor Name">ALOS</property>\n'
                    f'  {date("Master", ref)}\n  {date("Slave", sec)}\n  {extra}\n'
                    f'</component></insarApp>\n')
    return path


def writable_copy(src, dst):
    shutil.copyfile(src, dst)
    dst.chmod(0o644)
    return dst


# ----------------------------------------------------------------------------- checks


def assert_refused(proc, wd, *, words, failed_in):
    """Status 2, one error line holding every ``words``, no traceback; ``failed_in`` (None:
    the configuration) was the last step to start and the steps before it completed; no
    product left behind. Returns the error line."""
    err = proc.stderr
    assert proc.returncode == 2, err
    assert "Traceback" not in err, err
    errors = [line.strip() for line in re.split(r"[\r\n]+", err) if "insarApp.py:" in line]
    assert len(errors) == 1, err
    line = errors[0]
    assert line.startswith("insarApp.py: error: "), line
    for word in words:
        assert word in line, (word, line)
    if failed_in is None:
        assert announced_steps(wd) == [] and completed_steps(wd) == []
    else:
        announced = announced_steps(wd)
        assert announced[-1] == failed_in, announced
        assert completed_steps(wd) == STEPS[:STEPS.index(failed_in)]
        assert "formslc" not in announced and "topo" not in announced  # no long step started
    assert left_products(wd) == [], left_products(wd)
    assert not [p for p in wd.rglob(".*") if p.is_file()]  # no temporaries either
    return line


# ----------------------------------------------------------------------------- (a), (b) HDF5
def test_truncated_hdf5_slc(tmp_path, sanandreas):
    """(a) the secondary SLC cut to half its size: refused when preprocess opens it, with
    both sizes; nothing written (the reference is only written after both are read)."""
    data = (sanandreas / "SanAnd_138.h5").read_bytes()
    bad = tmp_path / "SanAnd_138_half.h5"
    bad.write_bytes(data[:len(data) // 2])
    xml = uavsar_xml(tmp_path / "insarApp.xml", sanandreas / "SanAnd_129.h5", bad)
    wd, proc = run(tmp_path, xml)
    assert_refused(proc, wd, failed_in="preprocess",
                   words=[str(bad), "truncated", f"{len(data) // 2} bytes", str(len(data))])


def test_hdf5_of_garbage_bytes(tmp_path, sanandreas):
    """(b) a 'product' of random bytes as the reference: not an HDF5 file."""
    bad = tmp_path / "garbage.h5"
    bad.write_bytes(np.random.default_rng(5).bytes(4096))
    xml = uavsar_xml(tmp_path / "insarApp.xml", bad, sanandreas / "SanAnd_138.h5")
    wd, proc = run(tmp_path, xml)
    assert_refused(proc, wd, failed_in="preprocess",
                   words=[str(bad), "cannot open as HDF5", "4096 bytes", "file signature not found"])


def test_hdf5_with_a_corrupt_image_chunk(tmp_path, sanandreas):
    """(b) garbage inside the compressed image of the secondary: the metadata read fine, the
    image fails to decompress while preprocess writes it, after the reference SLC is already
    whole on disk. The error names file and dataset, and the reference SLC goes too."""
    bad = writable_copy(sanandreas / "SanAnd_138.h5", tmp_path / "SanAnd_138_corrupt.h5")
    image = "/science/LSAR/SLC/swaths/frequencyA/HH"
    with h5py.File(bad, "r") as f:
        chunk = f[image].id.get_chunk_info(0)
    with open(bad, "r+b") as fh:
        fh.seek(chunk.byte_offset + chunk.size // 3)
        fh.write(np.random.default_rng(6).bytes(4096))
    xml = uavsar_xml(tmp_path / "insarApp.xml", sanandreas / "SanAnd_129.h5", bad)
    wd, proc = run(tmp_path, xml)
    assert_refused(proc, wd, failed_in="preprocess",
                   words=[str(bad), image, "corrupt", "filter returned failure"])
    assert "removed reference/reference.slc" in (wd / "isce.log").read_text()


# ----------------------------------------------------------------------------- (c) ALOS CEOS
def test_truncated_alos_image_file(alos, tmp_path):
    """(c) the secondary IMG file cut mid-record: refused in preprocess (not when formslc
    decodes it) with file, record number and byte offset."""
    img, led = alos["sec"]
    data = img.read_bytes()
    reclen = (len(data) - 720) // LINES
    cut = 720 + 100 * reclen + 300                         # 300 bytes into record 102
    bad = tmp_path / img.name
    bad.write_bytes(data[:cut])
    xml = alos_xml(tmp_path / "insarApp.xml", alos["ref"], (bad, led))
    wd, proc = run(tmp_path, xml)
    assert_refused(proc, wd, failed_in="preprocess",
                   words=[str(bad), "record 102 (signal data)", f"byte offset {720 + 100 * reclen}",
                          "truncated", f"{LINES} records", f"{len(data)} bytes"])


def test_alos_image_file_with_a_corrupt_record_header(alos, tmp_path):
    """(c) garbage over the header of one signal record of the reference IMG file."""
    img, led = alos["ref"]
    data = bytearray(img.read_bytes())
    reclen = (len(data) - 720) // LINES
    offset = 720 + 40 * reclen                             # record 42
    data[offset:offset + 12] = b"\xde\xad\xbe\xef" * 3
    bad = tmp_path / img.name
    bad.write_bytes(bytes(data))
    xml = alos_xml(tmp_path / "insarApp.xml", (bad, led), alos["sec"])
    wd, proc = run(tmp_path, xml)
    assert_refused(proc, wd, failed_in="preprocess",
                   words=[str(bad), "record 42 (signal data)", f"byte offset {offset}",
                          "sequence number"])


def test_corrupt_alos_leader_file(alos, tmp_path):
    """(c) garbage over a numeric field of the data set summary record of the LED file: the
    field, its bytes, the record and the file offset are named (binary shown escaped)."""
    img, led = alos["sec"]
    data = bytearray(led.read_bytes())
    data[720 + 116:720 + 132] = b"\xff" * 16                  # scene centre latitude, F16
    bad = tmp_path / led.name
    bad.write_bytes(bytes(data))
    xml = alos_xml(tmp_path / "insarApp.xml", alos["ref"], (img, bad))
    wd, proc = run(tmp_path, xml)
    line = assert_refused(proc, wd, failed_in="preprocess",
                          words=[str(bad), "record 2 (data set summary)", "byte offset 720",
                                 "scene_centre_latitude", "file byte offset 836", r"\xff"])
    assert "\ufffd" not in line


def test_truncated_alos_leader_file(alos, tmp_path):
    """(c) the LED file cut inside its platform position record."""
    img, led = alos["ref"]
    data = led.read_bytes()
    bad = tmp_path / led.name
    bad.write_bytes(data[:720 + 4096 + 1000])
    xml = alos_xml(tmp_path / "insarApp.xml", (img, bad), alos["sec"])
    wd, proc = run(tmp_path, xml)
    assert_refused(proc, wd, failed_in="preprocess", words=[str(bad), "record 3", "byte offset 4816"])


# ----------------------------------------------------------------------------- (d) DEM
def test_dem_off_an_slc_scene(tmp_path, sanandreas):
    """(d) focused dates: the DEM is checked on the reference footprint in preprocess, before
    either SLC is written; the message says how far off it is, or by how much it falls short."""
    from isce.simulate.targets import synthetic_dem

    # 1) a DEM 1 deg north of the scene (lon -118.43..-118.42, lat 34.148..34.165)
    far = synthetic_dem(tmp_path / "far.dem", (35.1, 35.2), (-118.45, -118.40), posting_deg=0.001)
    xml = uavsar_xml(tmp_path / "far.xml", sanandreas / "SanAnd_129.h5",
                     sanandreas / "SanAnd_138.h5", dem=far)
    wd, proc = run(tmp_path, xml)
    line = assert_refused(proc, wd, failed_in="preprocess",
                          words=[str(far), "does not overlap the reference scene", "km to the north",
                                 "the reference scene needs lon -118.43"])
    km = float(re.search(r"lies ([\d.]+) km", line).group(1))
    assert 100 < km < 110                                       # 35.1 - 34.165 deg
    # 2) a DEM that stops half-way across the scene, to the east
    part = synthetic_dem(tmp_path / "part.dem", (34.1, 34.2), (-118.50, -118.426), posting_deg=0.0005)
    xml = uavsar_xml(tmp_path / "part.xml", sanandreas / "SanAnd_129.h5",
                     sanandreas / "SanAnd_138.h5", dem=part)
    shutil.rmtree(wd)
    wd, proc = run(tmp_path, xml)
    line = assert_refused(proc, wd, failed_in="preprocess",
                          words=[str(part), "does not cover the reference scene", "short by",
                                 "km on the east"])
    assert "west" not in line and "north" not in line and "south" not in line


def test_dem_off_a_raw_scene(alos, tmp_path):
    """(d) raw dates: refused in preprocess, not after focusing, when the DEM misses the
    centre of the raw swath; the pair with a DEM around the scene passes preprocess."""
    dem = alos["dem_far"]
    xml = alos_xml(tmp_path / "insarApp.xml", alos["ref"], alos["sec"],
                   f'<property name="demFilename">{dem}</property>')
    wd, proc = run(tmp_path, xml)
    line = assert_refused(proc, wd, failed_in="preprocess",
                          words=[str(dem), "does not overlap the centre of the raw reference scene",
                                 "km to the north"])
    km = float(re.search(r"lies ([\d.]+) km", line).group(1))
    assert 105 < km < 115                                       # 1 deg of latitude
    good = tmp_path / "good"
    good.mkdir()
    xml = alos_xml(good / "insarApp.xml", alos["ref"], alos["sec"],
                   f'<property name="demFilename">{alos["dem_good"]}</property>')
    _, proc = run(good, xml, "--end=preprocess")
    assert proc.returncode == 0, proc.stderr


# ----------------------------------------------------------------------------- (e) settings
@pytest.mark.parametrize("where", ["application", "sensor", "component", "sensor name"])
def test_misspelt_property(alos, tmp_path, where):
    """(e) 'rnage looks' in the application, 'IMAGEFLIE' in a date's component: refused
    while configuring (file, line, property path, the closest valid name); nothing runs."""
    if where == "application":
        xml = alos_xml(tmp_path / "insarApp.xml", alos["ref"], alos["sec"],
                       '<property name="rnage looks">3</property>')
        words = ["insarApp.xml:", "unknown property 'rnage looks'", "did you mean 'range looks'"]
    elif where == "sensor name":
        xml = alos_xml(tmp_path / "insarApp.xml", alos["ref"], alos["sec"])
        xml.write_text(xml.read_text().replace(">ALOS<", ">ALOSS<"))
        words = ["insarApp.xml", "sensor name", "unknown sensor name 'ALOSS'", "did you mean 'ALOS'"]
    elif where == "component":
        xml = alos_xml(tmp_path / "insarApp.xml", alos["ref"], alos["sec"])
        xml.write_text(xml.read_text().replace('<component name="Slave">',
                                               '<component name="Slvae">'))
        words = ["insarApp.xml:", "unknown component 'Slvae'", "did you mean 'Slave'"]
    else:
        xml = alos_xml(tmp_path / "insarApp.xml", alos["ref"], alos["sec"])
        xml.write_text(xml.read_text().replace('<component name="Slave"><property name="IMAGEFILE">',
                                               '<component name="Slave"><property name="IMAGEFLIE">'))
        words = ["insarApp.xml:", "Secondary.IMAGEFLIE", "unknown property 'IMAGEFLIE'",
                 "did you mean 'IMAGEFILE'"]
    wd, proc = run(tmp_path, xml)
    assert_refused(proc, wd, failed_in=None, words=words)
    assert not (wd / "isce.log").exists() and not (wd / "reference").exists()


# ----------------------------------------------------------------------------- (f) tracks
@pytest.mark.parametrize("other, words", [
    ("desc", ["headings", "deg apart", "different tracks", "descending"]),
    ("left", ["the reference looks right, the secondary left", "not an interferometric pair"]),
])
def test_pair_from_different_tracks(alos, tmp_path, other, words):
    """(f) an ascending and a descending pass, or right- and left-looking dates: refused in
    preprocess from the metadata, naming both files, before any focusing."""
    xml = alos_xml(tmp_path / "insarApp.xml", alos["ref"], alos[other])
    wd, proc = run(tmp_path, xml)
    assert_refused(proc, wd, failed_in="preprocess",
                   words=[f"reference {alos['ref'][0]}", f"secondary {alos[other][0]}", *words])


def test_same_track_pair_passes_preprocess(alos, tmp_path):
    """The control: the same scenes on one track go through preprocess."""
    xml = alos_xml(tmp_path / "insarApp.xml", alos["ref"], alos["sec"])
    wd, proc = run(tmp_path, xml, "--end=preprocess")
    assert proc.returncode == 0, proc.stderr
    assert completed_steps(wd) == ["startup", "preprocess"]
    assert (wd / "reference" / "reference.raw.json").exists()
