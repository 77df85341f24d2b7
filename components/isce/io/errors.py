"""The one error type of :mod:`isce.io`."""
from isce.framework.errors import InputError


class RasterError(InputError):
    """A raster or one of its sidecars is missing, malformed or inconsistent: bad input, so an
    application reports it in one line with exit status 2 (an InputError, and a ValueError).

    The message always starts with the file concerned, then says what is wrong,
    e.g. ``x.rdr: file holds 1000 bytes, header says 250x250 FLOAT (250000 bytes)``.
    """

    def __init__(self, path, problem):
        self.path = str(path)
        self.problem = str(problem)
        super().__init__(f"{self.path}: {self.problem}")
