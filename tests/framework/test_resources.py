"""Hostile configuration: bounded expansion and inclusion, no entity/XInclude processing,
FIFOs and devices refused without blocking, error lines of readable length."""
import errno
import os
import resource
import textwrap

import pytest

from isce.framework import (Application, CommandLine, ConfigurationError, InputError, Step,
                             parse_file)
from isce.framework import xmlconfig
from isce.framework.errors import MAX_MESSAGE_CHARS, one_line
from isce.sensors.alos_ceos import Alos
from isce_testapps import Radar


def write(path, text):
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def run(capsys, *args, app=Radar):
    rc = app.main([f"{app.instance_name or app.family}.py", *args])
    return rc, capsys.readouterr().err.strip()


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def laughs(levels: int, fan: int = 10) -> str:
    """A small file whose last constant is ``fan**levels`` times the first ("billion laughs")."""
    lines = ['<cfg><component name="radar">', '<constant name="c0">lol</constant>']
    for i in range(1, levels + 1):
        lines.append(f'<constant name="c{i}">' + f"$c{i - 1}$" * fan + "</constant>")
    lines.append(f'<property name="Sensor Name">$c{levels}$</property></component></cfg>')
    return "\n".join(lines)


# ------------------------------------------------------------------ bounded expansion
def test_billion_laughs_through_constants_is_refused_quickly(tmp_path):
    f = tmp_path / "laughs.xml"
    f.write_text(laughs(9))  # 3e9 characters if expanded
    assert f.stat().st_size < 800
    before = peak_rss_mib()
    with pytest.raises(ConfigurationError, match=r"longer than 64 KiB after expanding constants") as err:
        parse_file(f)
    assert err.value.line == 7  # the first constant past the limit (c5: 3e5 characters)
    assert peak_rss_mib() - before < 50


def test_expansion_below_the_limit_is_kept_whole(tmp_path):
    f = tmp_path / "ok.xml"
    f.write_text(laughs(3))  # 3000 characters
    value = parse_file(f).components["radar"].properties["sensorname"].text
    assert value == "lol" * 1000


def test_many_constants_are_refused(tmp_path):
    body = "".join(f'<constant name="k{i}">{i}</constant>' for i in range(xmlconfig.MAX_CONSTANTS + 1))
    f = write(tmp_path / "many.xml", f"<cfg>{body}</cfg>")
    with pytest.raises(ConfigurationError, match=f"more than {xmlconfig.MAX_CONSTANTS} constants"):
        parse_file(f)


def test_total_expansion_is_bounded_across_values(tmp_path):
    # every value is under the per-value limit; together they exceed the total
    big = "x" * 60_000
    props = "".join(f'<property name="p{i}">$big$</property>' for i in range(80))
    f = write(tmp_path / "wide.xml", f'<cfg><constant name="big">{big}</constant>{props}</cfg>')
    with pytest.raises(ConfigurationError, match="values total more than 4 MiB"):
        parse_file(f)


def test_catalog_fan_out_is_refused_quickly(tmp_path):
    write(tmp_path / "leaf.xml", '<x><property name="a">1</property></x>')
    for level in range(6):  # 10**6 inclusions of leaf.xml if followed
        inner = "leaf.xml" if level == 0 else f"fan{level - 1}.xml"
        write(tmp_path / f"fan{level}.xml", "<x>" + f"<catalog>{inner}</catalog>" * 10 + "</x>")
    with pytest.raises(ConfigurationError, match=f"more than {xmlconfig.MAX_CATALOGS} catalog inclusions"):
        parse_file(tmp_path / "fan5.xml")


def test_catalog_nesting_depth_is_bounded(tmp_path):
    depth = xmlconfig.MAX_DEPTH + 5
    for i in range(depth):  # a chain of distinct files, none including itself
        inner = f"<catalog>c{i + 1}.xml</catalog>" if i + 1 < depth else "<property name='a'>1</property>"
        write(tmp_path / f"c{i}.xml", f"<x>{inner}</x>")
    with pytest.raises(ConfigurationError, match=f"nested more than {xmlconfig.MAX_DEPTH} deep"):
        parse_file(tmp_path / "c0.xml")


def test_catalog_including_itself_is_refused(tmp_path):
    f = write(tmp_path / "self.xml", "<x><catalog>self.xml</catalog></x>")
    with pytest.raises(ConfigurationError, match="includes itself"):
        parse_file(f)


def test_billion_laughs_through_the_application_exits_2_in_one_line(workdir, capsys):
    (workdir / "laughs.xml").write_text(laughs(9))
    rc, err = run(capsys, "laughs.xml")
    assert rc == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert "laughs.xml:7: value longer than 64 KiB" in err


# ------------------------------------------------------------------ the XML parser itself
def test_entity_references_are_refused_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    f = write(tmp_path / "a.xml", f"""<?xml version="1.0"?>
        <!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]>
        <x><component name="i"><property name="a">&s;</property></component></x>""")
    with pytest.raises(ConfigurationError, match=r"entity reference &s; is not allowed") as err:
        parse_file(f)
    assert err.value.line == 3


def test_entity_amplification_in_a_dtd_is_refused(tmp_path):
    ents = "".join(f'<!ENTITY e{i} "' + f"&e{i - 1};" * 10 + '">' for i in range(1, 10))
    f = write(tmp_path / "dtd.xml", f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e0 "lol">{ents}]>'
                                    '<x><property name="a">&e9;</property></x>')
    with pytest.raises(ConfigurationError):
        parse_file(f)


def test_xinclude_is_not_processed(tmp_path):
    write(tmp_path / "other.xml", '<x><property name="a">included</property></x>')
    f = write(tmp_path / "a.xml", """
        <x xmlns:xi="http://www.w3.org/2001/XInclude">
          <xi:include href="other.xml"/>
        </x>""")
    with pytest.raises(ConfigurationError, match=r"unknown tag <\{http://www.w3.org/2001/XInclude\}include>"):
        parse_file(f)


# ------------------------------------------------------------------ FIFOs and devices
@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.xml"
    os.mkfifo(path)
    return path


def test_fifo_as_configuration_file_is_refused_without_blocking(workdir, fifo, capsys):
    rc, err = run(capsys, str(fifo))  # opening a FIFO for reading would block for ever
    assert rc == 2 and len(err.splitlines()) == 1
    assert f"configuration file {fifo} is a FIFO" in err


def test_fifo_as_catalog_is_refused(tmp_path, fifo):
    f = write(tmp_path / "a.xml", f"<x><catalog>{fifo.name}</catalog></x>")
    with pytest.raises(ConfigurationError, match="catalog file .*pipe.xml is a FIFO") as err:
        parse_file(f)
    assert err.value.source == str(f) and err.value.line == 1


def test_device_as_configuration_file_is_refused():
    with pytest.raises(ConfigurationError, match="/dev/zero is a character device"):
        parse_file("/dev/zero")


@pytest.mark.parametrize("device", ["fifo", "/dev/zero", "/dev/null"])
def test_special_file_as_input_path_is_refused_at_configuration(workdir, fifo, capsys, device):
    path = str(fifo) if device == "fifo" else device
    rc, err = run(capsys, f"radarApp.demFilename={path}")
    assert rc == 2 and len(err.splitlines()) == 1
    assert "radarApp.demFilename" in err and "not a regular file" in err


def test_folder_and_missing_paths_are_still_accepted(workdir):
    app = Radar()
    app.configure_from(CommandLine.parse([f"radarApp.demFilename={workdir}"]))
    assert app.dem == str(workdir)
    app.configure_from(CommandLine.parse(["radarApp.demFilename=not-yet-made.dem"]))
    assert app.dem.endswith("not-yet-made.dem")


def test_sensor_reader_refuses_a_fifo_set_in_library_use(tmp_path, fifo):
    reader = Alos()
    reader.imagefile = str(fifo)  # set directly: no configuration conversion runs
    reader.leaderfile = str(tmp_path / "LED")
    (tmp_path / "LED").write_bytes(b"\0" * 720)
    with pytest.raises(InputError, match=r"IMAGEFILE: .*pipe.xml is a FIFO"):
        reader.parse()


# ------------------------------------------------------------------ readable error lines
def test_error_quoting_a_huge_value_stays_one_short_line(workdir, capsys):
    huge = "9" * 50_000 + "x\ny"
    f = write(workdir / "in.xml", f"""
        <cfg><component name="radar"><property name="ratio">{huge}</property></component></cfg>""")
    rc, err = run(capsys, "in.xml")
    assert rc == 2 and len(err.splitlines()) == 1
    assert len(err) <= MAX_MESSAGE_CHARS + len("radarApp.py: error: ")
    assert err.startswith(f"radarApp.py: error: {f}:1: radarApp.ratio: bad value")
    assert err.endswith("x\\ny' for float: expected a number")


def test_one_line_keeps_start_and_end():
    text = "file.xml:3: " + "a" * 1000 + " b" * 400 + "\nthe reason"
    line = one_line(text)
    assert "\n" not in line and len(line) <= MAX_MESSAGE_CHARS
    assert line.startswith("file.xml:3: aaa") and line.endswith("b\\nthe reason")
    assert "..." in line
    assert one_line("short message") == "short message"


def test_input_errors_are_cut_too():
    assert len(str(InputError("x" * 10_000))) <= MAX_MESSAGE_CHARS


# ------------------------------------------------------------------ a full disk met anywhere
def fails_with(code):
    def step(ctx):
        raise OSError(code, os.strerror(code), "out/product.json")
    return step


@pytest.mark.parametrize("code, reason", [
    (errno.ENOSPC, "no space left on device"), (errno.EROFS, "read-only file system")])
def test_a_full_or_read_only_disk_in_any_step_is_exit_2_in_one_line(workdir, capsys, code, reason):
    class Writer(Application):
        family = "writer"
        steps = (Step("write", fails_with(code), "Write something."),)

    rc = Writer.main(["writer.py"])
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("isce.")]
    assert rc == 2 and len(err) == 1, err  # (the log's lines start with the logger's name)
    assert err[0].startswith(f"writer.py: error: cannot write out/product.json: {reason}")


def test_other_os_errors_stay_unexpected_failures(workdir, capsys):
    class Writer(Application):
        family = "writer"
        steps = (Step("write", fails_with(errno.EIO), "Write something."),)

    assert Writer.main(["writer.py"]) == 1
    assert "OSError" in capsys.readouterr().err
