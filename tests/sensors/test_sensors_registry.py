"""The sensor registry, the reader components' parameters, and configuring them from XML."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import isce.sensors
from isce.framework import Application, CommandLine, ConfigurationError, Facility, Parameter
from isce.sensors.base import Sensor

def test_import_is_light():
    code = ("import sys, isce.sensors; "
            "assert 'h5py' not in sys.modules, 'h5py imported'; "
            "assert 'isce.sensors.nisar_hdf5' not in sys.modules; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(Path(isce.sensors.__file__).resolve().parents[2]),
                              "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_registered_names():
    assert {"UAVSAR_HDF5_SLC", "NISAR_SLC", "NISAR_RSLC"} <= set(isce.sensors.SENSORS)


@pytest.mark.parametrize("name,cls", [("UAVSAR_HDF5_SLC", "UavsarHdf5Slc"), ("uavsar_hdf5_slc", "UavsarHdf5Slc"),
                                      (" Nisar_SLC ", "NisarSlc"), ("NISAR_RSLC", "NisarSlc"),
                                      ("nisar_rslc", "NisarSlc")])
def test_names_are_case_and_space_insensitive(name, cls):
    reader = isce.sensors.create(name, name="reference")
    assert type(reader).__name__ == cls
    assert isinstance(reader, Sensor)
    assert reader.family == "sensor" and reader.instance == "reference"


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ConfigurationError) as err:
        isce.sensors.create("UAVSAR_HDF5")
    assert "did you mean 'UAVSAR_HDF5_SLC'" in str(err.value)
    with pytest.raises(ConfigurationError, match="known sensors: UAVSAR_HDF5_SLC"):
        isce.sensors.sensor_class("XYZ")


def test_parameters_follow_isce_input_files():
    reader = isce.sensors.create("UAVSAR_HDF5_SLC")
    assert reader.parameter("hdf5").public_name == "HDF5" and reader.parameter("HDF5").mandatory
    assert reader.polarization == "HH" and reader.frequency == "A" and reader.output is None
    assert {"HDF5", "POLARIZATION", "FREQUENCY", "OUTPUT"} <= set(reader.public_names())


def test_configured_from_an_xml_file(tmp_path, monkeypatch, shared_data):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ISCEDB", raising=False)
    h5 = shared_data("sanandreas", "SanAnd_138.h5")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "stripmapApp.xml").write_text(textwrap.dedent(f"""
        <stripmapApp>
          <component name="sensorApp">
            <property name="sensor name">UAVSAR_HDF5_SLC</property>
            <component name="Reference">
              <property name="HDF5"><value>{h5}</value></property>
              <property name="polarization">hh</property>
              <property name="frequency">frequencyA</property>
              <property name="OUTPUT">ref/reference.slc</property>
            </component>
          </component>
        </stripmapApp>"""))

    class SensorApp(Application):
        """Reads one product (a test of the sensor facility)."""

        family = "sensorApp"
        instance_name = "sensorApp"
        parameters = (Parameter("sensor_name", public_name="sensor name", default="NISAR_SLC"),)
        facilities = (Facility("reference", factory="isce.sensors:create", args=("sensor_name",),
                               kwargs={"name": "reference"}, public_name="Reference"),)

    app = SensorApp()
    app.configure_from(CommandLine.parse([str(tmp_path / "in" / "stripmapApp.xml")]))
    reader = app.reference
    assert type(reader).__name__ == "UavsarHdf5Slc"
    assert (reader.hdf5, reader.polarization, reader.frequency) == (str(h5), "HH", "A")
    # inputs resolve against the XML file's folder, outputs against the working directory
    assert reader.output == "ref/reference.slc"
    product = reader.extract()
    assert product.shape == (150, 400)
    assert (tmp_path / "ref" / "reference.slc.xml").is_file()
    assert product.platform == "UAVSAR"


def test_missing_mandatory_hdf5_when_configured(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ISCEDB", raising=False)
    reader = isce.sensors.create("NISAR_RSLC", name="secondary")
    with pytest.raises(ConfigurationError, match="mandatory") as err:
        reader.configure()
    assert err.value.path == "secondary.HDF5"
