"""Small components used by the framework tests (family differs from instance name)."""
import os
import time
from pathlib import Path

from isce.framework import Application, Component, Facility, Parameter, Step


class Filter(Component):
    family = "filter"
    parameters = (
        Parameter("strength", public_name="filter strength", type=float, default=0.5, units="-",
                  doc="Goldstein exponent."),
        Parameter("window", type=int, default=32, units="pixels", doc="FFT window."),
    )


class Boxcar(Filter):
    family = "filter"
    parameters = (Parameter("window", type=int, default=5, units="pixels", doc="Box size."),)


def make_filter(kind):
    return {"goldstein": Filter, "boxcar": Boxcar}[kind](name=kind)


def first(ctx):
    """Multiply the seed."""
    ctx.state.values = [ctx.params.seed * k for k in range(3)]


def second(ctx):
    """Add the looks."""
    ctx.state.values = [v + ctx.params.looks for v in ctx.state.values]


def third(ctx):
    """Scale by the filter strength."""
    ctx.state.values = [v * ctx.params.filter.strength for v in ctx.state.values]
    ctx.state.done = True


class Radar(Application):
    """A test application: family 'radar', instance 'radarApp'."""

    family = "radar"
    instance_name = "radarApp"
    parameters = (
        Parameter("seed", type=int, default=1, doc="A number."),
        Parameter("looks", public_name="range looks", type=int, default=1, units="pixels",
                  doc="Looks in range."),
        Parameter("label", public_name="Sensor Name", type=str, default="none", doc="A label.",
                  aliases=("sensor",)),
        Parameter("flag", public_name="do unwrap", type=bool, default=False, doc="A switch."),
        Parameter("dates", type="date", container=list, default=[], doc="Dates."),
        Parameter("ratio", type=float, default=1.0, doc="A float."),
        Parameter("dem", public_name="demFilename", type="path", default=None, doc="A path."),
        Parameter("kind", public_name="filter kind", type=str, default="goldstein",
                  choices=("goldstein", "boxcar"), doc="Which filter."),
    )
    facilities = (Facility("filter", factory=make_filter, args=("kind",), doc="The filter.",
                           aliases=("smoother",)),)
    steps = (
        Step("first", first, first.__doc__, uses=("seed",)),
        Step("second", second, second.__doc__, uses=("range looks",)),
        Step("third", third, third.__doc__, uses=("filter", "filter kind")),
    )


def noop(ctx):
    """Do nothing."""
    ctx.state.ok = True


class Mandatory(Application):
    """An application with mandatory parameters."""

    family = "mand"
    parameters = (Parameter("product", type="path", mandatory=True, doc="Input product."),
                  Parameter("looks", type=int, default=1, mandatory=True, doc="Must be chosen."))
    steps = (Step("only", noop, "Nothing."),)


def hold(ctx):
    """Write ``started`` (this pid), then wait until a file ``release`` appears."""
    Path("started").write_text(f"{os.getpid()}\n")
    deadline = time.monotonic() + ctx.params.timeout
    while not Path("release").exists():
        if time.monotonic() > deadline:
            raise RuntimeError("never released")
        time.sleep(0.02)
    ctx.state.held = True


class Waiter(Application):
    """An application whose one step holds the folder until told to go on (lock tests)."""

    family = "waiter"
    parameters = (Parameter("timeout", type=float, default=60.0, units="s",
                            doc="Longest wait for the release file."),)
    steps = (Step("hold", hold, "Hold the folder until a file 'release' appears."),)
