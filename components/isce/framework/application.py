"""Application: a Component run from the command line as a list of named steps.

``Application.main(argv)`` parses the command line (XML files, ``a.b.c=value``
settings, options), configures the application and its facilities, and runs
its steps, in step mode saving state after each one. It returns an exit
status; only the launcher in ``applications/`` exits.
"""
from __future__ import annotations

import logging
import os
import shlex
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from ..version import release_version
from .configurable import Component, SearchPath, settings_for
from .errors import ConfigurationError, IsceError, StepError
from .errors import WRITE_ERRNOS, output_error  # a full disk or read-only folder: exit 2
from .help import application_help, show_config, steps_help
from .names import did_you_mean, normalize
from .runfolder import RunLock, remove_temporaries
from .steps import STATE_DIR, State, StateStore, Step, StepContext
from .steps import StepMonitor, release_free_heap, step_statistics  # per-step wall/CPU time, peak RSS
from .xmlconfig import COMMAND_LINE, ConfigNode, parse_assignment, parse_file

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2

_FLAGS = {"--help": "help", "-h": "help", "--steps": "steps", "--next": "next",
          "--show-config": "show_config", "--debug": "debug", "--version": "version"}
_VALUED = {"--start": "start", "--end": "end", "--dostep": "dostep"}


@dataclass
class CommandLine:
    """What the command line asked for; settings are kept as text until configuration."""

    files: list[str] = field(default_factory=list)
    assignments: list[str] = field(default_factory=list)
    help: bool = False
    steps: bool = False
    next: bool = False
    show_config: bool = False
    debug: bool = False
    version: bool = False
    start: str | None = None
    end: str | None = None
    dostep: str | None = None

    @property
    def step_mode(self) -> bool:
        return bool(self.steps or self.next or self.start or self.end or self.dostep)

    @classmethod
    def parse(cls, args: list[str]) -> "CommandLine":
        cli = cls()
        for token in args:
            option, eq, value = token.partition("=")
            if token in _FLAGS:
                setattr(cli, _FLAGS[token], True)
            elif option in _VALUED:
                if not eq or not value.strip():
                    raise ConfigurationError(f"{option} needs a step name: {option}=<step>",
                                             source=COMMAND_LINE)
                setattr(cli, _VALUED[option], value.strip())
            elif token.startswith("-"):
                known = list(_FLAGS) + [f"{o}=" for o in _VALUED]
                raise ConfigurationError(f"unknown option {token!r}{did_you_mean(option, known)}",
                                         source=COMMAND_LINE)
            elif "=" in token:
                cli.assignments.append(token)
            elif token.lower().endswith(".xml"):
                cli.files.append(token)
            else:
                raise ConfigurationError(
                    f"cannot read {token!r}: expected an XML file, <name>=<value> or an option",
                    source=COMMAND_LINE)
        return cli


@dataclass(frozen=True)
class Option:
    """One of an application's own command-line options, as ISCE2's argparse scripts spell
    them (``options = {"-r": Option("range looks"), "--range": Option("range looks")}``).

    ``name``: public name of the parameter it sets. ``const``: a flag taking no value, which
    sets the parameter to ``const`` (``-f`` -> ``full=true``). ``nargs``: how many values
    follow (a count, or ``"+"``: one or more, up to the next option); several values become
    one list. ``prefix``: put before each value (imageMath's ``--a=x`` -> ``a=x``).
    ``append``: every use adds to one list (``--a=x --b=y``) instead of the rightmost winning.
    A key that does not start with ``-`` names a leading sub-command (``isce2gis.py vrt``) or
    file (``mdx.py x.int``); ``xml=True`` lets that file be an ``.xml`` (an image's sidecar,
    where otherwise an ``.xml`` on the command line is a configuration file)."""

    name: str
    const: str | None = None
    nargs: int | str = 1
    prefix: str = ""
    append: bool = False
    xml: bool = False

    @property
    def takes_values(self) -> bool:
        return self.const is None


def _as_option(spec) -> Option:
    """``Option`` of an ``options`` entry; a plain string is a one-value option."""
    return spec if isinstance(spec, Option) else Option(str(spec))


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _is_value(token: str) -> bool:
    """True for a token that can be an option's value: not an option (a negative number is)."""
    return not token.startswith("-") or _is_number(token)


def _list_literal(values: list[str]) -> str:
    """Values as a quoted list literal the typed parameters read (``['a', 'b']``)."""
    quoted = []
    for v in values:
        quote = '"' if "'" in v else "'"
        if quote in v:
            raise ConfigurationError(f"cannot pass {v!r}: it holds both kinds of quotes",
                                     source=COMMAND_LINE)
        quoted.append(f"{quote}{v}{quote}")
    return "[" + ", ".join(quoted) + "]"


def _split_short(token: str, options: dict):
    """``-r4`` as (``-r``, ``4``) for a one-letter option taking one value, else None."""
    head = token[:2]
    if len(token) > 2 and token[1] != "-" and token[2] != "=" and head in options:
        option = _as_option(options[head])
        if isinstance(options[head], str) and options[head].startswith("-"):
            return None
        if option.takes_values and option.nargs == 1:
            return head, token[2:]
    return None


def _option_values(args, i, key, option, inline):
    """(values, next index) of the option at ``args[i]``; ``inline``: its ``=value`` or None."""
    if inline is not None:
        if not inline.strip() and option.nargs == 1:
            raise ConfigurationError(f"{key} needs a value: {key} <value>", source=COMMAND_LINE)
        return [inline], i + 1
    values, j = [], i + 1
    wanted = option.nargs
    while j < len(args) and _is_value(args[j]) and (wanted == "+" or len(values) < wanted):
        values.append(args[j])
        j += 1
    if not values or (wanted != "+" and len(values) < wanted):
        count = "one or more values" if wanted == "+" else (
            "a value" if wanted == 1 else f"{wanted} values")
        raise ConfigurationError(f"{key} needs {count}: {key} <{option.name}>"
                                 + (" ..." if wanted != 1 else ""), source=COMMAND_LINE)
    return values, j


def expand_options(args: list[str], options: dict, instance: str) -> list[str]:
    """An application's own ``options`` on the command line as the ``<instance>.<name>=value``
    assignments they stand for (so they layer as the rightmost command-line settings).

    ``options`` maps an option (``--scheduler``, ``-r``) to the public name of the
    parameter it sets, or to an :class:`Option` (flags, several values, gathered lists); a
    value that is itself a framework flag (``"-H": "--help"``) makes the option an alias of
    it; a key without a leading ``-`` takes a leading sub-command (the first argument when
    it is a bare word). Values follow as ``--opt value``, ``--opt=value`` or ``-rVALUE``."""
    out, gathered, i = [], {}, 0
    positional = [_as_option(options[k]) for k in options if not k.startswith("-")]
    if positional and args and not args[0].startswith("-") and "=" not in args[0] \
            and (positional[0].xml or not args[0].lower().endswith(".xml")):
        out.append(f"{instance}.{positional[0].name}={args[0]}")
        i = 1
    while i < len(args):
        key, eq, inline = args[i].partition("=")
        if key not in options or not key.startswith("-"):
            split = _split_short(args[i], options)
            if split is None:
                out.append(args[i])
                i += 1
                continue
            key, eq, inline = split[0], "=", split[1]
        spec = options[key]
        if isinstance(spec, str) and spec.startswith("-"):   # an alias of a framework flag
            out.append(spec)
            i += 1
            continue
        option = _as_option(spec)
        if not option.takes_values:
            if eq:
                raise ConfigurationError(f"{key} takes no value", source=COMMAND_LINE)
            values, i = [option.const], i + 1
        else:
            values, i = _option_values(args, i, key, option, inline if eq else None)
        values = [option.prefix + v for v in values]
        if option.append:
            if option.name not in gathered:
                gathered[option.name] = []
                out.append((option.name,))         # placeholder: filled in below
            gathered[option.name].extend(values)
            continue
        text = values[0] if option.nargs == 1 or not option.takes_values else _list_literal(values)
        out.append(f"{instance}.{option.name}={text}")
    return [f"{instance}.{t[0]}={_list_literal(gathered[t[0]])}" if isinstance(t, tuple) else t
            for t in out]


def command_arguments(cmdline) -> list[str]:
    """An application's ``cmdline`` as a list of arguments: a list or tuple as given, one
    string split as a shell would (``shlex.split``), a path as one argument, None as none."""
    if cmdline is None:
        return []
    if isinstance(cmdline, os.PathLike):
        return [os.fspath(cmdline)]
    if isinstance(cmdline, str):
        try:
            return shlex.split(cmdline)
        except ValueError as exc:   # e.g. an unclosed quote
            raise ConfigurationError(f"cannot split cmdline {cmdline!r}: {exc}",
                                     source=COMMAND_LINE) from None
    if isinstance(cmdline, (list, tuple)) and all(isinstance(a, (str, os.PathLike)) for a in cmdline):
        return [os.fspath(a) for a in cmdline]
    raise ConfigurationError(f"cmdline must be a string or a list of strings, got {cmdline!r}",
                             source=COMMAND_LINE)


class Application(Component):
    """A component run from the command line as an ordered list of named steps."""

    steps: ClassVar[tuple[Step, ...]] = ()
    #: command-line options of this application ({"--scheduler": "scheduler"}): each sets
    #: the parameter of that public name, like ``<instance>.<name>=value``
    options: ClassVar[dict] = {}
    state_dir: ClassVar[str] = STATE_DIR
    #: folders of the working directory the steps write products in ("." for itself): hidden
    #: temporaries a killed run left there are removed when a run starts (under the run lock)
    product_dirs: ClassVar[tuple[str, ...]] = ()

    def __init__(self, name: str | None = None, cmdline: str | list[str] | None = None):
        """``name``: the instance name (ISCE's); ``cmdline``: the command line that
        :meth:`configure` and :meth:`run` read when given none (ISCE's
        ``Insar(name="insarApp", cmdline="insarInputs.xml")``), a list of arguments or one
        string split as a shell would."""
        super().__init__(name)
        self.cmdline = command_arguments(cmdline)

    # --- entry points -----------------------------------------------------------
    @classmethod
    def main(cls, argv: list[str] | None = None, name: str | None = None) -> int:
        """Run from ``argv`` (default ``sys.argv``); the instance name defaults to the
        command name without ``.py``. Returns the exit status."""
        argv = list(sys.argv if argv is None else argv)
        prog = Path(argv[0]).name if argv else cls.__name__
        if name is None:
            name = cls.instance_name or (prog[:-3] if prog.endswith(".py") else prog) or cls.family
        with _terminate_unwinds():
            return cls(name=name).run(argv[1:], prog=prog)

    def run(self, args: list[str] | str | None = None, prog: str | None = None) -> int:
        """Run as the command ``prog args...`` would (``args`` as ``cmdline`` is given; default:
        ``cmdline``, read again as the command reads it); returns the exit status."""
        prog = prog or f"{self.instance}.py"
        # configure() then run(): a setting changed on the object in between would be lost
        configured = self.config_values() if args is None and self.configured else None
        args = self.cmdline if args is None else command_arguments(args)
        debug = "--debug" in args
        try:
            cli = self.parse_command_line(args)
            if cli.version:
                print(f"{prog} (isce {release_version})")
                return EXIT_OK
            if cli.help:
                try:  # show the facilities the user's settings choose, if they are readable
                    self.configure(self.command_line_layers(cli), check_mandatory=False)
                except IsceError:
                    type(self).__init__(self, self.instance, self.cmdline)
                    self.configure([], check_mandatory=False, search=SearchPath(()))
                print(steps_help(self, prog) if cli.steps else application_help(self, prog))
                return EXIT_OK
            self.configure_from(cli)
            if configured is not None:
                self.check_unchanged(configured)
            if cli.show_config:
                print(show_config(self))
                return EXIT_OK
            self.check_step_options(cli)
            with RunLock(Path.cwd()), _logging_to(Path.cwd() / "isce.log"):  # one run per folder
                return self.execute(cli)
        except IsceError as exc:
            if debug:
                raise
            print(f"{prog}: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (see _terminate_unwinds)
            signum = getattr(exc, "signum", signal.SIGINT)
            saved = any(a in ("--steps", "--next") or a.startswith(("--start=", "--end=", "--dostep="))
                        for a in args)
            print(f"{prog}: interrupted by {signal.Signals(signum).name}"
                  + ("; completed steps are saved: continue with --next" if saved else ""),
                  file=sys.stderr)
            return 128 + signum
        except BrokenPipeError:  # e.g. `--show-config | head`
            sys.stdout = open(os.devnull, "w")
            return EXIT_OK
        except Exception as exc:  # an unexpected failure: one line, traceback with --debug
            if debug:
                raise
            if isinstance(exc, OSError) and exc.errno in WRITE_ERRNOS:  # full disk, read-only
                print(f"{prog}: error: {output_error(None, exc)}", file=sys.stderr)
                return EXIT_USAGE
            print(f"{prog}: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                  file=sys.stderr)
            return EXIT_FAILURE

    # --- configuration ----------------------------------------------------------
    def parse_command_line(self, args: list[str]) -> CommandLine:
        """``args`` as this application reads them (its own ``options`` expanded)."""
        return CommandLine.parse(expand_options(list(args), self.options, self.instance))

    def configure(self, settings=None, **kwargs) -> "Application":
        """As :meth:`Configurable.configure`; with no ``settings``, the XML files and
        ``a.b.c=value`` settings of ``cmdline`` on top of the application's own files, as the
        command reads them (its step options are for :meth:`run`)."""
        if settings is None:
            settings = self.command_line_layers(self.parse_command_line(self.cmdline))
        return super().configure(settings, **kwargs)

    def check_unchanged(self, before: dict[str, str]) -> None:
        """Refuse to run when a setting differs from ``before`` (the values configure() gave)
        after configuring again from ``cmdline``: set on the object, or a file edited since."""
        now = self.config_values()
        changed = [k for k in dict.fromkeys([*before, *now]) if before.get(k) != now.get(k)]
        if changed:
            k = changed[0]
            raise ConfigurationError(
                f"{before.get(k, '(unset)')!r} after configure(), but {now.get(k, '(unset)')!r} "
                "when run() reads cmdline and its files again (as the command does): set it "
                "there, not on the object", path=k)

    def command_line_layers(self, cli: CommandLine) -> list[ConfigNode]:
        """Files named on the command line, then ``a.b.c=value`` settings, left to right."""
        layers = []
        for f in cli.files:
            layers.extend(settings_for(parse_file(f), self.family, self.instance, strict=True))
        heads = {normalize(self.family), normalize(self.instance)}
        for token in cli.assignments:
            root = parse_assignment(token)
            head = next(iter(root.components.values()), None)
            if head is None or normalize(head.name) not in heads:
                names = " or ".join(dict.fromkeys([self.instance, self.family]))
                raise ConfigurationError(
                    f"setting {token!r} must start with the application's name ({names}), "
                    f"e.g. {self.instance}.{token}", source=COMMAND_LINE)
            layers.extend(settings_for(root, self.family, self.instance, strict=True))
        return layers

    def configure_from(self, cli: CommandLine, search: SearchPath | None = None) -> "Application":
        return self.configure(self.command_line_layers(cli), search=search)

    # --- steps ------------------------------------------------------------------
    def step_index(self, name: str, option: str) -> int:
        names = [s.name for s in self.steps]
        for i, n in enumerate(names):
            if normalize(n) == normalize(name):
                return i
        raise StepError(f"{option}: unknown step {name!r}{did_you_mean(name, names)}; "
                        f"steps are: {', '.join(names)}")

    def check_step_options(self, cli: CommandLine) -> None:
        if cli.dostep and (cli.start or cli.end or cli.next):
            raise StepError("--dostep cannot be combined with --start, --end or --next")
        if cli.next and cli.start:
            raise StepError("--next cannot be combined with --start")
        for option in ("start", "end", "dostep"):
            if getattr(cli, option):
                self.step_index(getattr(cli, option), f"--{option}")

    def first_step_using(self, path: str) -> int:
        """Index of the first step whose ``uses`` covers a property path (None = every setting):
        a changed setting restarts from there. A step's ``checks`` restart nothing (see
        :class:`Step`). A property no step claims is taken as used from the first step
        (the safe choice)."""
        rel = [normalize(p) for p in path.split(".")[1:]]
        for i, step in enumerate(self.steps):
            if step.uses is None:
                return i
            for use in step.uses:
                parts = [normalize(p) for p in use.split(".")]
                if rel[:len(parts)] == parts:
                    return i
        return 0

    def input_files(self) -> dict[str, str]:
        """Existing files named by input ``path`` parameters, keyed to the first step using them."""
        names = [s.name for s in self.steps]
        found = {}
        for path, param, value, _ in self.resolved():
            if param.is_input_path:
                for item in value if isinstance(value, (list, tuple)) else [value]:
                    if item and os.path.isfile(item):
                        found[str(item)] = names[self.first_step_using(path)]
        return found

    def companion_files(self, path: str) -> list[str]:
        """Files that go with a recorded file and change its meaning when edited (e.g. a
        raster's sidecars); recorded in the manifests beside it. None by default."""
        return []

    def _with_companions(self, paths: list[str]) -> list[str]:
        return [p for path in paths for p in (path, *self.companion_files(path))]

    def execute(self, cli: CommandLine) -> int:
        """Run the selected steps; in step mode save state after each one. Called under the
        run lock (see :meth:`run`), so the temporaries removed first are no live run's."""
        steps = list(self.steps)
        if not steps:
            raise StepError(f"{self.instance} declares no steps")
        remove_temporaries(Path.cwd(), self.product_dirs, self.state_dir)
        log = logging.getLogger(f"isce.{self.family}")
        last = len(steps) - 1
        store = StateStore(Path.cwd() / self.state_dir, steps)
        config = self.config_values()
        start, end = 0, last
        if cli.dostep:
            start = end = self.step_index(cli.dostep, "--dostep")
        else:
            if cli.start:
                start = self.step_index(cli.start, "--start")
            if cli.end:
                end = self.step_index(cli.end, "--end")
            if cli.next:
                start = store.last_completed() + 1
                if start > end:
                    store.load(start - 1, config, self.first_step_using)  # refuses stale state
                    log.info("all steps up to %r are already completed; nothing to do", steps[end].name)
                    return EXIT_OK
        if start > end:
            raise StepError(f"--start={steps[start].name} comes after --end={steps[end].name}")
        if cli.step_mode and start > 0:
            state, files = store.load(start - 1, config, self.first_step_using)
            for path, step_name in self.input_files().items():  # inputs a new setting brings
                files["inputs"].setdefault(path, step_name)
            log.info("resuming at %r from the state saved after %r", steps[start].name,
                     steps[start - 1].name)
        else:
            state, files = State(), {"inputs": self.input_files(), "outputs": {}}
        # state saved from here on is about to be outdated (a plain run rewrites everything)
        store.discard_from(start)
        # --- per-step statistics: those saved by earlier steps when resuming, then this run's
        step_stats = step_statistics(Path.cwd(), self.state_dir) if start > 0 else {}
        self.step_stats = step_stats
        for index in range(start, end + 1):
            step = steps[index]
            ctx = StepContext(self, state, step, Path.cwd())
            ctx.step_stats = dict(step_stats)  # not in the state: resumed state stays identical
            log.info("step %d/%d %r: %s", index + 1, len(steps), step.name, step.doc)
            with StepMonitor() as monitor:  # wall time, CPU time and peak RSS while the step runs
                step.run(ctx)
            release_free_heap()      # the next step's peak does not start from this one's heap
            step_stats[step.name] = monitor.stats
            peak = "?" if monitor.peak_rss_mib is None else f"{monitor.peak_rss_mib:.0f}"
            log.info("step %r done in %.2f s, peak RSS %s MiB, CPU %.2f s", step.name,
                     monitor.wall_s, peak, monitor.cpu_s)
            # --- end of per-step statistics
            for path in self._with_companions(ctx.inputs):
                files["inputs"].setdefault(path, step.name)
            for path in self._with_companions(ctx.outputs):
                files["outputs"][path] = step.name
            if cli.step_mode:
                # the manifest also gets the step's wall_s, cpu_s, peak_rss_mib
                store.save(index, state, config, files, stats=step_stats[step.name])
            else:
                store.serialise(step.name, state)  # plain data only, in every mode
        if cli.step_mode and end < last:
            log.info("stopped after %r; continue with --next (or --start=%s)", steps[end].name,
                     steps[end + 1].name)
        self.state = state
        return EXIT_OK


class Terminated(KeyboardInterrupt):
    """SIGTERM received while an application runs from the command line."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class _terminate_unwinds:
    """While ``main`` runs, SIGTERM raises :class:`Terminated` (a KeyboardInterrupt) in the
    main thread, so a terminated run unwinds like Ctrl-C: writers discard their temporary
    files, the state of completed steps stays usable, and the exit is one line with status
    143. A second SIGTERM kills at once. Left alone when SIGTERM is ignored or handled already."""

    def __enter__(self):
        self.previous = None
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL):
            self.previous = signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum, frame):
        signal.signal(signum, signal.SIG_DFL)
        raise Terminated(signum)

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


class _logging_to:
    """Log to ``isce.log`` in the working directory and to the console while running."""

    def __init__(self, path: Path):
        self.path = path
        self.handlers: list[logging.Handler] = []

    def __enter__(self):
        logger = logging.getLogger("isce")
        try:
            file_handler = logging.FileHandler(self.path)
        except OSError as exc:
            raise StepError(f"cannot write the log {self.path}: {exc.strerror}") from None
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        self.handlers = [file_handler, console]
        for handler in self.handlers:
            logger.addHandler(handler)
        self.level = logger.level
        logger.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc):
        logger = logging.getLogger("isce")
        for handler in self.handlers:
            logger.removeHandler(handler)
            handler.close()
        logger.setLevel(self.level)
        return False
