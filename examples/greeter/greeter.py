#!/usr/bin/env python3
"""The framework tutorial: a greeter application with three steps.

Run ``python greeter.py --help`` for its parameters, ``--steps --help`` for its
steps and ``--show-config`` to see where every value comes from.
"""
from pathlib import Path

from isce.framework import Application, ConfigurationError, Facility, Parameter, Step

import greetings


def startup(ctx):
    """Check the name and remember whom we greet."""
    name = ctx.params.who.strip()
    if not name:
        raise ConfigurationError("the name to greet is empty", path="greeter.name to use in greeting")
    ctx.state.name = name
    ctx.log.info("greeting %r in %s", name, ctx.params.language)


def compose(ctx):
    """Compose the greeting with the chosen language's component."""
    ctx.state.message = ctx.params.greeting.compose(ctx.state.name)
    ctx.log.info("composed %r", ctx.state.message)


def deliver(ctx):
    """Print the greeting (and write it to the output file, if one is set)."""
    print(ctx.state.message, flush=True)
    if ctx.params.output:
        out = Path(ctx.params.output)
        tmp = out.with_name(f".{out.name}.tmp")
        try:
            tmp.write_text(ctx.state.message + "\n", encoding="utf-8")
            tmp.replace(out)  # atomic: a killed run leaves no half-written greeting
        finally:
            tmp.unlink(missing_ok=True)
        ctx.add_output(out)
        ctx.log.info("wrote %s", out)


class Greeter(Application):
    """Says hello to someone, in a language of your choice.

    A tutorial of isce's component framework: a parameter with a public name
    containing spaces, a facility whose implementation a parameter chooses,
    and three resumable steps.
    """

    family = "greeter"
    instance_name = "greeter"
    parameters = (
        Parameter("who", public_name="name to use in greeting", type=str, default="World",
                  doc="Whom to greet."),
        Parameter("language", type=str, default="english", choices=tuple(greetings.LANGUAGES),
                  doc="Language of the greeting; chooses the 'greeting' component."),
        Parameter("output", type="path", default=None, intent="output",
                  doc="Also write the greeting to this file."),
    )
    facilities = (
        Facility("greeting", factory=greetings.language, args=("language",),
                 doc="Composes the greeting sentence."),
    )
    steps = (
        Step("startup", startup, startup.__doc__, uses=("name to use in greeting", "language")),
        Step("compose", compose, compose.__doc__, uses=("greeting", "language")),
        Step("deliver", deliver, deliver.__doc__, uses=("output",)),
    )

    def validate(self):
        """Refuse an output that cannot be written, before any step runs."""
        if self.output and Path(self.output).is_dir():
            raise ConfigurationError(f"{self.output} is a folder, not a file",
                                     source=self.source_of("output"),
                                     path=f"{self.config_path}.output")


if __name__ == "__main__":
    raise SystemExit(Greeter.main())
