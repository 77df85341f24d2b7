"""Text for ``--help``, ``--steps --help`` and ``--show-config``, generated from declarations."""
from __future__ import annotations

import shutil
import textwrap

from .configurable import Configurable
from .values import format_value


def _width() -> int:
    return max(60, min(120, shutil.get_terminal_size((100, 24)).columns))


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...], indent: str = "  ") -> list[str]:
    """Rows with every column but the last sized to fit; the last one wrapped."""
    cols = len(header)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(cols - 1)]
    widths = [min(w, 34) for w in widths]
    lead = len(indent) + sum(w + 2 for w in widths)
    last = max(20, _width() - lead)
    out = []
    for row in [header, *rows]:
        cells = [c.ljust(w) if len(c) <= w else c for c, w in zip(row[:-1], widths)]
        first = indent + "  ".join(cells) + "  "
        wrapped = textwrap.wrap(row[-1], last) or [""]
        if len(first) > lead:  # an over-long cell: put the doc on the next line
            out.append(first.rstrip())
            out.extend(" " * lead + w for w in wrapped)
        else:
            out.append(first + wrapped[0])
            out.extend(" " * lead + w for w in wrapped[1:])
    return out


def parameter_lines(component: Configurable, indent: str = "  ") -> list[str]:
    """Table of a component's public parameters, then its facilities (recursively)."""
    lines = []
    rows = []
    for p in component._parameter_list:
        if p.private:
            continue
        doc = p.doc
        if p.choices:
            doc += f" One of: {', '.join(map(str, p.choices))}."
        if p.aliases:
            doc += f" Also accepted as: {', '.join(p.aliases)}."
        if p.mandatory:
            doc = "(mandatory) " + doc
        default = "-" if p.default is None else format_value(p.default)
        rows.append((p.public_name, p.type_label, default, p.units or "-", doc.strip()))
    if rows:
        lines += _table(rows, ("name", "type", "default", "units", "doc"), indent)
    for f in component._facility_list:
        if f.private:
            continue
        child = getattr(component, f.attrname)
        chosen = ""
        if f.args:
            chosen = f" (implementation chosen by {', '.join(repr(component.parameter(a).public_name) for a in f.args if component.parameter(a))})"
        kind = f"{type(child).__name__}, family {child.family!r}" if child is not None else "not built"
        lines.append("")
        lines.append(f"{indent}component {f.public_name!r}: {f.doc}{chosen}")
        lines.append(f"{indent}  now: {kind}; configure it with <component name=\"{f.public_name}\">")
        if isinstance(child, Configurable):
            lines += parameter_lines(child, indent + "    ")
    return lines


def application_help(app, prog: str) -> str:
    doc = (type(app).__doc__ or "").strip()
    summary, _, details = doc.partition("\n")
    lines = [f"{prog} — {summary.strip()}" if summary else prog]
    if details.strip():
        lines += ["", textwrap.dedent(details).strip()]
    lines += ["", usage(app, prog), "",
              f"Parameters of {app.instance!r} (family {app.family!r}); set them as "
              f"{app.instance}.<name>=<value> or in XML:"]
    lines += parameter_lines(app)
    lines += ["", "Configuration, lowest priority first: defaults; $ISCEDB/"
              f"{app.family}.xml, $ISCEDB/{app.instance}.xml; ./{app.family}.xml, ./{app.instance}.xml; "
              "XML files on the command line (left to right); name=value settings (left to right).",
              f"Names ignore case and spaces. `{prog} --steps --help` lists the steps; "
              f"`{prog} ... --show-config` shows every resolved value and where it came from."]
    return "\n".join(lines)


def _option_usage(opt: str, spec) -> str:
    """`` [-r <range looks>]``, `` [-f]`` (a flag), `` <format>`` (a sub-command)."""
    if isinstance(spec, str):
        return f" [{opt}]" if spec.startswith("-") else (
            f" [{opt} <{spec}>]" if opt.startswith("-") else f" <{spec}>")
    if not opt.startswith("-"):
        return f" <{spec.name}>"
    if spec.const is not None:
        return f" [{opt}]"
    more = " ..." if spec.nargs != 1 else ""
    return f" [{opt} <{spec.name}>{more}]"


def usage(app, prog: str) -> str:
    spellings: dict = {}      # one entry per option, its spellings joined: [-r|--range <...>]
    for opt, spec in getattr(app, "options", {}).items():
        key = spec if isinstance(spec, str) else (spec.name, spec.const)
        spellings.setdefault(key, ([], spec))[0].append(opt)
    own = "".join(_option_usage("|".join(opts) if len(opts) <= 3 else f"{opts[0]}..{opts[-1]}", spec)
                  for opts, spec in spellings.values())
    return (f"usage: {prog} [config.xml ...] [{app.instance}.<property>=<value> ...]{own}\n"
            f"       [--steps] [--start=STEP] [--end=STEP] [--dostep=STEP] [--next]\n"
            f"       [--show-config] [--debug] [--help]")


def steps_help(app, prog: str) -> str:
    steps = list(app.steps)
    width = max(len(s.name) for s in steps) if steps else 0
    lines = [f"Steps of {prog}, in order:"]
    lines += [f"  {i + 1:2d}. {s.name.ljust(width)}  {s.doc}" for i, s in enumerate(steps)]
    lines += ["",
              "Step mode (state saved after each step in PICKLE/<step> with a manifest PICKLE/<step>.json):",
              "  --steps         run every step, saving state after each",
              "  --start=STEP    resume at STEP from the state saved after the step before it",
              "  --end=STEP      stop after STEP",
              "  --dostep=STEP   run STEP only",
              "  --next          resume after the last completed step (until --end, or the last step)",
              "Resuming refuses state that is missing or stale (configuration or input files changed)",
              "and says which step to start from."]
    return "\n".join(lines)


def show_config(app) -> str:
    """``<path> = <value>  # <source>`` for every resolved property."""
    return "\n".join(f"{path} = {format_value(value)}  # {source}"
                     for path, _, value, source in app.resolved())
