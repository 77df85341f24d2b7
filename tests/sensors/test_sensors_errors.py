"""Bad input to the HDF5 reader: hand-corrupted copies of real products, made in tmp_path.

Every failure must be an InputError naming the file and what is missing or wrong
(the HDF5 path), never a bare h5py traceback.
"""
import shutil
from pathlib import Path

import numpy as np
import pytest

import h5py
from isce.framework import ConfigurationError, InputError
from isce.sensors import create, read_nisar_slc

@pytest.fixture
def copy_of(shared_data):
    """``copy_of(tmp_path, *parts)``: a writable copy of a real test data file."""
    def copy(tmp_path, *parts) -> Path:
        src = shared_data(*parts)
        dst = tmp_path / src.name
        shutil.copyfile(src, dst)
        dst.chmod(0o644)
        return dst
    return copy


def test_missing_file(tmp_path):
    path = tmp_path / "nothing.h5"
    with pytest.raises(InputError, match="no such file") as err:
        read_nisar_slc(path)
    assert str(path) in str(err.value)


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(InputError, match="folder"):
        read_nisar_slc(tmp_path)


def test_garbage_file(tmp_path):
    path = tmp_path / "garbage.h5"
    path.write_bytes(np.random.default_rng(1).bytes(5000))
    with pytest.raises(InputError, match="cannot open as HDF5") as err:
        read_nisar_slc(path)
    assert str(path) in str(err.value)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.h5"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="0 bytes"):
        read_nisar_slc(path)


@pytest.mark.parametrize("name", ["envisat/envisat.h5", "ree_point_target/REE_RSLC_out17.h5"])
def test_truncated_file(tmp_path, name, shared_data):
    src = shared_data(*name.split("/"))
    path = tmp_path / ("truncated_" + src.name)
    data = src.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as err:
        read_nisar_slc(path)
    assert str(path) in str(err.value)
    assert "truncated" in str(err.value)


def test_non_rslc_hdf5(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("science/LSAR/RRSD/x", data=[1.0])
    with pytest.raises(InputError, match="/science/LSAR/RSLC") as err:
        read_nisar_slc(path)
    assert "/science/LSAR/RRSD" in str(err.value) and str(path) in str(err.value)


ROOT = "science/LSAR/SLC"


@pytest.mark.parametrize("hpath", [
    f"{ROOT}/swaths/frequencyA/processedCenterFrequency",
    f"{ROOT}/swaths/zeroDopplerTime",
    f"{ROOT}/swaths/frequencyA/slantRange",
    f"{ROOT}/metadata/orbit/velocity",
    f"{ROOT}/metadata/orbit",
    "science/LSAR/identification/lookDirection",
])
def test_missing_required_dataset(tmp_path, hpath, copy_of):
    path = copy_of(tmp_path, "sanandreas", "SanAnd_129.h5")
    with h5py.File(path, "a") as f:
        del f[hpath]
    with pytest.raises(InputError) as err:
        read_nisar_slc(path)
    msg = str(err.value)
    assert str(path) in msg and "/" + hpath in msg and "missing" in msg


def test_missing_units_attribute(tmp_path, copy_of):
    path = copy_of(tmp_path, "sanandreas", "SanAnd_129.h5")
    with h5py.File(path, "a") as f:
        del f[f"{ROOT}/swaths/zeroDopplerTime"].attrs["units"]
    with pytest.raises(InputError, match="units") as err:
        read_nisar_slc(path)
    assert f"/{ROOT}/swaths/zeroDopplerTime" in str(err.value)


def test_junk_epoch_is_reported(tmp_path, copy_of):
    path = copy_of(tmp_path, "sanandreas", "SanAnd_129.h5")
    with h5py.File(path, "a") as f:
        f[f"{ROOT}/swaths/zeroDopplerTime"].attrs["units"] = "seconds since 1970.1.1"
    with pytest.raises(InputError, match="1970.1.1"):
        read_nisar_slc(path)


def test_image_of_the_wrong_size(tmp_path, copy_of):
    path = copy_of(tmp_path, "sanandreas", "SanAnd_129.h5")
    with h5py.File(path, "a") as f:
        del f[f"{ROOT}/swaths/frequencyA/HH"]
        f[f"{ROOT}/swaths/frequencyA/HH"] = np.zeros((150, 199), np.complex64)
    with pytest.raises(InputError, match=r"shape \(150, 199\)"):
        read_nisar_slc(path)


def test_image_that_is_not_complex(tmp_path, copy_of):
    path = copy_of(tmp_path, "sanandreas", "SanAnd_129.h5")
    with h5py.File(path, "a") as f:
        del f[f"{ROOT}/swaths/frequencyA/HH"]
        f[f"{ROOT}/swaths/frequencyA/HH"] = np.zeros((150, 200), [("a", "<f4"), ("b", "<f4"), ("c", "<f4")])
    with pytest.raises(InputError, match="data type"):
        read_nisar_slc(path)


def test_unknown_polarization_lists_what_exists(tmp_path, shared_data):
    path = shared_data("sanandreas", "SanAnd_129.h5")     # lists HH, HV, VH, VV; only HH exists
    reader = create("UAVSAR_HDF5_SLC")
    reader.hdf5 = str(path)
    reader.polarization = "hv"
    with pytest.raises(InputError) as err:
        reader.parse()
    msg = str(err.value)
    assert str(path) in msg
    assert f"/{ROOT}/swaths/frequencyA/HV" in msg
    assert "POLARIZATION HV" in msg and "present: HH" in msg
    assert "listOfPolarizations names HH, HV, VH, VV" in msg


def test_unknown_frequency_lists_what_exists(shared_data):
    path = shared_data("sanandreas", "SanAnd_129.h5")
    with pytest.raises(InputError) as err:
        read_nisar_slc(path, frequency="C")
    assert f"/{ROOT}/swaths/frequencyC" in str(err.value)
    assert "frequencies present: A, B" in str(err.value)


def test_bad_settings_are_configuration_errors():
    reader = create("NISAR_SLC", name="reference")
    with pytest.raises(ConfigurationError, match="HDF5 is not set") as err:
        reader.parse()
    assert err.value.path == "reference.HDF5"
    reader.hdf5 = "x.h5"
    reader.polarization = "HHH"
    with pytest.raises(ConfigurationError, match="POLARIZATION"):
        reader.parse()
    reader.polarization, reader.frequency = "HH", "frequencyQQ"
    with pytest.raises(ConfigurationError, match="FREQUENCY"):
        reader.parse()
    reader.frequency = "frequencyB"
    reader.validate()
    assert reader.frequency == "B"


def test_extract_without_output_is_a_configuration_error(shared_data):
    reader = create("NISAR_SLC", name="secondary")
    reader.hdf5 = str(shared_data("ree_point_target", "REE_RSLC_out17.h5"))
    with pytest.raises(ConfigurationError, match="OUTPUT") as err:
        reader.extract()
    assert err.value.path == "secondary.OUTPUT"


def test_image_gone_after_parsing(tmp_path, copy_of):
    path = copy_of(tmp_path, "ree_point_target", "REE_RSLC_out17.h5")
    product = read_nisar_slc(path)
    path.unlink()
    with pytest.raises(InputError, match="no such file") as err:
        product.read()
    assert str(path) in str(err.value)
    path.write_bytes(b"\0" * 100)
    with pytest.raises(InputError, match="cannot open as HDF5"):
        next(product.iter_blocks())
