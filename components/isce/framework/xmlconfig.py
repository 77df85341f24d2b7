"""ISCE-style XML configuration files and ``a.b.c=value`` command-line settings.

A file is parsed into a tree of ``ConfigNode`` (components) holding
``Setting`` (properties, still as text, with the file and line they came
from). Grammar: the root tag is free; ``<component name=…>`` nests;
``<property>`` takes its value as text, as a ``value=`` attribute or as a
``<value>`` child (its name as ``name=`` or a ``<name>`` child);
``<catalog>file.xml</catalog>`` inlines the children of another file's root,
resolved relative to the including file; ``<constant name="d">…</constant>``
defines ``$d$`` for its component and everything inside it.

A configuration file is input: what it may cost is bounded (expanded value length,
constants, catalog inclusions and depth, bytes read), so a small hostile file cannot
take gigabytes ("billion laughs" through constants or catalogs). DTD entities are
not expanded, nothing is fetched from the network, XInclude is not processed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigurationError
from .files import read_regular
from .names import normalize

COMMAND_LINE = "command line"
_CONSTANT_REF = re.compile(r"\$([^$]+)\$")
# ISCE tags that carry no setting for us; accepted and ignored.
_IGNORED_TAGS = {"doc", "units", "description", "factorymodule", "factoryname",
                 "parserfactory", "filetype", "name"}

# --- what one configuration file (with its catalogs) may cost
MAX_VALUE_CHARS = 64 * 1024           # one value after $constant$ expansion
MAX_EXPANDED_CHARS = 4 * 1024 * 1024  # all values of a file and its catalogs together
MAX_CONSTANTS = 1000                  # <constant> definitions, catalogs included
MAX_CATALOGS = 256                    # <catalog> inclusions, repeated ones counted each time
MAX_DEPTH = 64                        # nesting of components and catalogs
MAX_FILE_BYTES = 8 * 1024 * 1024      # one XML file
MAX_TOTAL_BYTES = 32 * 1024 * 1024    # all XML files read for one parse


class _Budget:
    """Counts what a parse has used so far and refuses to go past the limits above."""

    def __init__(self, root: Path):
        self.root = root
        self.constants = self.catalogs = self.chars = self.bytes = 0

    @staticmethod
    def _over(what: str, source, line):
        raise ConfigurationError(f"{what}: refused (a configuration file this large is taken "
                                 "for a runaway inclusion or expansion)", source=source, line=line)

    def constant(self, source, line):
        self.constants += 1
        if self.constants > MAX_CONSTANTS:
            self._over(f"more than {MAX_CONSTANTS} constants", source, line)

    def catalog(self, source, line):
        self.catalogs += 1
        if self.catalogs > MAX_CATALOGS:
            self._over(f"more than {MAX_CATALOGS} catalog inclusions from {self.root}", source, line)

    def depth(self, depth: int, source, line):
        if depth > MAX_DEPTH:
            self._over(f"components and catalogs nested more than {MAX_DEPTH} deep", source, line)

    def value(self, size: int, source, line):
        self.chars += size
        if self.chars > MAX_EXPANDED_CHARS:
            self._over(f"values total more than {MAX_EXPANDED_CHARS // 2**20} MiB", source, line)

    def read(self, size: int, source):
        self.bytes += size
        if self.bytes > MAX_TOTAL_BYTES:
            self._over(f"more than {MAX_TOTAL_BYTES // 2**20} MiB of XML read", source, None)


@dataclass
class Setting:
    """One property value as written, with where it came from."""

    name: str
    text: str
    source: str
    line: int | None = None
    base_dir: str | None = None

    def error(self, message: str, path: str | None = None) -> ConfigurationError:
        return ConfigurationError(message, source=self.source, line=self.line, path=path)


@dataclass
class ConfigNode:
    """The settings of one component: properties and nested components (normalised keys)."""

    name: str = ""
    source: str | None = None
    line: int | None = None
    properties: dict[str, Setting] = field(default_factory=dict)
    components: dict[str, "ConfigNode"] = field(default_factory=dict)

    def child(self, name: str, source: str | None = None, line: int | None = None) -> "ConfigNode":
        key = normalize(name)
        node = self.components.get(key)
        if node is None:
            node = self.components[key] = ConfigNode(name=name, source=source, line=line)
        return node



def _substitute(text: str, constants: dict[str, str], source: str, line: int | None,
                budget: _Budget) -> str:
    """``text`` with each ``$name$`` replaced by its constant; refused past MAX_VALUE_CHARS
    (checked while expanding, so a runaway value is never built)."""
    pieces, size, pos = [], 0, 0
    for match in _CONSTANT_REF.finditer(text):
        key = normalize(match.group(1))
        if key not in constants:
            raise ConfigurationError(f"undefined constant ${match.group(1)}$", source=source, line=line)
        value = constants[key]
        pieces += [text[pos:match.start()], value]
        size += match.start() - pos + len(value)
        pos = match.end()
        if size > MAX_VALUE_CHARS:
            break
    pieces.append(text[pos:])
    size += len(text) - pos
    if size > MAX_VALUE_CHARS:
        raise ConfigurationError(f"value longer than {MAX_VALUE_CHARS // 1024} KiB"
                                 f"{' after expanding constants' if pieces[1:] else ''}",
                                 source=source, line=line)
    budget.value(size, source, line)
    return "".join(pieces)


def _children(element):
    return [c for c in element if isinstance(c.tag, str)]


def _tag(element) -> str:
    return element.tag.split("}")[-1].lower()


def _named_text(element, what: str, source: str) -> tuple[str, str]:
    """Name and text of a ``<property>`` or ``<constant>`` in any of ISCE's forms."""
    line = element.sourceline
    children = {_tag(c): c for c in _children(element)}
    name = element.get("name")
    if name is None and "name" in children:
        name = (children["name"].text or "").strip()
    if not name:
        raise ConfigurationError(f"<{what}> without a name", source=source, line=line)
    forms = []
    if element.get("value") is not None:
        forms.append(element.get("value"))
    if "value" in children:
        forms.append(children["value"].text or "")
    if (element.text or "").strip():
        forms.append(element.text)
    if len(forms) > 1:
        raise ConfigurationError(f"<{what} name={name!r}> gives its value more than once",
                                 source=source, line=line)
    if len([c for c in _children(element) if _tag(c) == "value"]) > 1:
        raise ConfigurationError(f"<{what} name={name!r}> has more than one <value>",
                                 source=source, line=line)
    return name.strip(), (forms[0] if forms else "").strip()  # an empty element is an empty value


def _parse_body(element, node: ConfigNode, constants: dict[str, str], path: Path,
                chain: tuple[Path, ...], budget: _Budget, depth: int = 0) -> None:
    source = str(path)
    budget.depth(depth, source, element.sourceline)
    scope = constants  # copied before the first constant defined here: visible here and below only
    for child in _children(element):
        tag, line = _tag(child), child.sourceline
        if tag == "constant":
            name, text = _named_text(child, "constant", source)
            budget.constant(source, line)
            if scope is constants:
                scope = dict(constants)
            scope[normalize(name)] = _substitute(text, scope, source, line, budget)
        elif tag == "property":
            name, text = _named_text(child, "property", source)
            node.properties[normalize(name)] = Setting(
                name, _substitute(text, scope, source, line, budget), source, line, str(path.parent))
        elif tag == "component":
            name = child.get("name")
            if not name:
                raise ConfigurationError("<component> without a name attribute", source=source, line=line)
            _parse_body(child, node.child(name.strip(), source, line), scope, path, chain, budget,
                        depth + 1)
        elif tag == "catalog":
            text = _substitute((child.text or "").strip(), scope, source, line, budget)
            if not text:
                raise ConfigurationError("<catalog> names no file", source=source, line=line)
            budget.catalog(source, line)
            target = Path(text).expanduser()
            if not target.is_absolute():
                target = path.parent / target
            root = _load(target, source, line, chain, budget)
            _parse_body(root, node, scope, target.resolve(), chain + (target.resolve(),), budget,
                        depth + 1)
        elif tag not in _IGNORED_TAGS:
            raise ConfigurationError(
                f"unknown tag <{child.tag}> (expected component, property, catalog or constant)",
                source=source, line=line)


def _load(path: Path, included_from: str | None = None, line: int | None = None,
          chain: tuple[Path, ...] = (), budget: _Budget | None = None):
    """Parse an XML file into its root element, with errors naming file and line.

    The file is read only if it is a regular file (a FIFO or device would hang or never
    end); the parser expands no entities, loads no DTD and fetches nothing."""
    from lxml import etree  # lazy: lxml only when an XML file is read: the framework stays cheap to import

    resolved = path.resolve()
    if resolved in chain:
        raise ConfigurationError(f"catalog {path} includes itself", source=included_from, line=line)
    what = "catalog file" if included_from else "configuration file"
    if not path.exists():
        raise ConfigurationError(f"{what} {path} not found", source=included_from, line=line)
    try:
        data = read_regular(path, MAX_FILE_BYTES)
    except ValueError as exc:
        raise ConfigurationError(f"{what} {path} {exc}", source=included_from, line=line) from None
    except OSError as exc:
        raise ConfigurationError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None
    if budget is not None:
        budget.read(len(data), str(path))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        message = exc.msg or str(exc)
        message = re.sub(r",? line \d+, column \d+$", "", message)
        raise ConfigurationError(f"malformed XML: {message}", source=str(path),
                                 line=exc.lineno) from None
    for entity in root.iter(etree.Entity):
        raise ConfigurationError(f"entity reference {entity.text} is not allowed: configuration "
                                 "files use <constant> instead", source=str(path),
                                 line=entity.sourceline)
    return root


def parse_file(path) -> ConfigNode:
    """Parse a configuration file; the root element's children form the returned node."""
    path = Path(path)
    budget = _Budget(path)
    root = _load(path, budget=budget)
    node = ConfigNode(name=_tag(root), source=str(path), line=root.sourceline)
    resolved = path.resolve()
    _parse_body(root, node, {}, resolved, (resolved,), budget)
    return node


def parse_assignment(token: str) -> ConfigNode:
    """``a.b.c=value`` → a tree rooted above ``a`` holding one command-line Setting."""
    name, sep, value = token.partition("=")
    parts = [p.strip() for p in name.split(".")]
    if not sep or len(parts) < 2 or not all(parts):
        raise ConfigurationError(
            f"cannot read {token!r}: expected <application>.<property>=<value> "
            "or <application>.<component>.<property>=<value>", source=COMMAND_LINE)
    root = ConfigNode(source=COMMAND_LINE)
    node = root
    for part in parts[:-1]:
        node = node.child(part, COMMAND_LINE)
    node.properties[normalize(parts[-1])] = Setting(parts[-1], value.strip(), COMMAND_LINE, None, None)
    return root
