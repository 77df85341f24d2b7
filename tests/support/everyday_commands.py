"""Run ISCE's everyday commands (looks.py, imageMath.py, ...) in the test's process, as the
launcher does, and check their one-line errors."""
import rasterio


def run_app(app_class, prog, *args, capsys):
    """``(exit status, stdout, stderr)`` of ``<prog> args...`` run in-process."""
    capsys.readouterr()
    rc = app_class.main([prog, *map(str, args)])
    out, err = capsys.readouterr()
    return rc, out, err


def one_line_error(err: str, prog: str) -> str:
    """The single ``<prog>: error: ...`` line of ``err`` (log lines aside); no traceback."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith(f"{prog}:")]
    assert len(lines) == 1 and lines[0].startswith(f"{prog}: error: "), err
    return lines[0]


def gdal_read(path):
    """All bands of a raster as GDAL reads it (through rasterio), (bands, lines, pixels)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # radar-grid rasters have no geotransform
        with rasterio.open(str(path)) as ds:
            return ds.read()
