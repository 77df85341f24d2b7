"""Configurable and Component: declared parameters configured from layered XML.

Where configuration comes from, lowest priority first (DESIGN.md §2):
parameter defaults; ``$ISCEDB/<family>.xml`` then ``$ISCEDB/<instance>.xml``;
``./<family>.xml`` then ``./<instance>.xml``; whatever the caller passes on top
(an application: files named on the command line, then ``a.b.c=value``).
A facility is configured from its own files first, then from its owner's
settings for it, which win.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from .errors import ConfigurationError
from .names import did_you_mean, normalize
from .parameter import Facility, Parameter
from .values import format_value
from .xmlconfig import COMMAND_LINE, ConfigNode, parse_file

DEFAULT = "default"
_RESERVED = frozenset({"family", "instance", "instance_name", "config_path", "configured",
                       "configure", "logger", "steps", "state", "run", "main", "validate",
                       "parameters", "facilities", "resolved"})


@dataclass(frozen=True)
class SearchPath:
    """Folders searched for ``<family>.xml`` and ``<instance>.xml``, lowest priority first."""

    folders: tuple[str, ...]

    @classmethod
    def from_environment(cls, cwd: str | os.PathLike | None = None) -> "SearchPath":
        folders = []
        isce_db = os.environ.get("ISCEDB")
        if isce_db:
            folders.append(str(Path(isce_db).expanduser().resolve()))
        here = str(Path(cwd or os.getcwd()).resolve())
        if here not in folders:
            folders.append(here)
        return cls(tuple(folders))


def settings_for(root: ConfigNode, family: str, instance: str, *, strict: bool) -> list[ConfigNode]:
    """The settings a file holds for a component, as layers, lowest priority first:
    root-level properties, the ``<component name=family>`` block, the
    ``<component name=instance>`` block.

    With ``strict``, a top-level component named otherwise is an error (it is
    most likely meant for another application).
    """
    keys = [normalize(family), normalize(instance)]
    for key, node in root.components.items():
        if key not in keys and strict:
            raise ConfigurationError(
                f"top-level component {node.name!r} is neither the family {family!r} nor the "
                f"instance name {instance!r} of the component this file configures",
                source=node.source, line=node.line)
    layers = []
    if root.properties:
        layers.append(ConfigNode(name=instance, source=root.source, line=root.line,
                                 properties=dict(root.properties)))
    layers.extend(root.components[key] for key in dict.fromkeys(keys) if key in root.components)
    return layers


def _where(source: str, line: int | None) -> str:
    """``file:line`` (or the file alone) for messages."""
    return f"{source}:{line}" if line else source


class Configurable:
    """A component with declared parameters and facilities, configured from XML layers.

    Subclasses set ``family`` and declare ``parameters`` (tuple of Parameter)
    and ``facilities`` (tuple of Facility); declarations are inherited and a
    subclass may redeclare an attribute to change it.
    """

    family: ClassVar[str] = "component"
    instance_name: ClassVar[str | None] = None
    parameters: ClassVar[tuple[Parameter, ...]] = ()
    facilities: ClassVar[tuple[Facility, ...]] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        params: dict[str, Parameter] = {}
        facs: dict[str, Facility] = {}
        for klass in reversed(cls.__mro__):
            for p in klass.__dict__.get("parameters", ()):
                params[p.attrname] = p
            for f in klass.__dict__.get("facilities", ()):
                facs[f.attrname] = f
        cls._parameter_list = tuple(params.values())
        cls._facility_list = tuple(facs.values())
        seen: dict[str, str] = {}
        for decl in cls._parameter_list + cls._facility_list:
            for key in decl.keys:
                if seen.setdefault(key, decl.attrname) != decl.attrname:
                    raise TypeError(f"{cls.__name__}: name {key!r} declared by both "
                                    f"{seen[key]!r} and {decl.attrname!r}")

        for decl in cls._parameter_list + cls._facility_list:
            if decl.attrname in _RESERVED:
                raise TypeError(f"{cls.__name__}: attribute {decl.attrname!r} is used by the "
                                "framework; give the Parameter another attrname (its public "
                                "name can stay)")

    _parameter_list: ClassVar[tuple[Parameter, ...]] = ()
    _facility_list: ClassVar[tuple[Facility, ...]] = ()

    def __init__(self, name: str | None = None):
        #: the instance name (ISCE's ``name``): looks up ``<instance>.xml`` and keys settings
        self.instance = name or self.instance_name or self.family
        self.config_path = self.instance
        self._sources: dict[str, str] = {}
        for p in self._parameter_list:
            setattr(self, p.attrname, p.fresh_default())
            self._sources[p.attrname] = DEFAULT
        for f in self._facility_list:
            setattr(self, f.attrname, None)
        self.configured = False

    # --- declarations -----------------------------------------------------------
    @classmethod
    def parameter(cls, key: str) -> Parameter | None:
        """The Parameter answering to a (public, attribute or alias) name."""
        key = normalize(key)
        return next((p for p in cls._parameter_list if key in p.keys), None)

    @classmethod
    def facility(cls, key: str) -> Facility | None:
        key = normalize(key)
        return next((f for f in cls._facility_list if key in f.keys), None)

    @classmethod
    def public_names(cls) -> list[str]:
        return [d.public_name for d in cls._parameter_list + cls._facility_list if not d.private]

    # --- configuration ----------------------------------------------------------
    def file_layers(self, search: SearchPath) -> list[ConfigNode]:
        """This component's own files: ``<family>.xml`` then ``<instance>.xml`` in each folder."""
        layers = []
        for folder in search.folders:
            for stem in dict.fromkeys([self.family, self.instance]):
                path = Path(folder) / f"{stem}.xml"
                if path.is_file():
                    strict = stem == self.instance
                    layers.extend(settings_for(parse_file(path), self.family, self.instance,
                                               strict=strict))
        return layers

    def configure(self, settings: ConfigNode | list[ConfigNode] | None = None, *,
                  search: SearchPath | None = None, path: str | None = None,
                  check_mandatory: bool = True) -> "Configurable":
        """Configure from this component's own files, then ``settings`` (highest priority).

        ``settings`` may be a list of layers, lowest priority first; each
        property takes its value from the last layer that sets it, however it
        is spelled there (public name, attribute name or alias). Raises
        ConfigurationError naming the file, line and property path on any mistake.
        """
        search = search or SearchPath.from_environment()
        self.config_path = path or self.instance
        layers = self.file_layers(search)
        if isinstance(settings, ConfigNode):
            layers.append(settings)
        elif settings:
            layers.extend(settings)
        self._apply(layers, search, check_mandatory)
        self.configured = True
        return self

    def _apply(self, layers: list[ConfigNode], search: SearchPath, check_mandatory: bool) -> None:
        self._check_one_name_each(layers)
        choices = self.public_names()
        for_facility: dict[str, list[ConfigNode]] = {f.attrname: [] for f in self._facility_list}
        for layer in layers:  # lowest priority first: a later layer overwrites
            for key, setting in layer.properties.items():
                self._set(key, setting, choices)
            for key, node in layer.components.items():
                fac = self.facility(key)
                if fac is None or fac.private:
                    hint = did_you_mean(node.name, choices + [
                        a for f in self._facility_list if not f.private for a in f.aliases])
                    what = "a property, not a component" if self.parameter(key) else "unknown component"
                    raise ConfigurationError(f"{what} {node.name!r}{hint}", source=node.source,
                                             line=node.line, path=f"{self.config_path}.{node.name}")
                for_facility[fac.attrname].append(node)
        if check_mandatory:
            for p in self._parameter_list:
                value = getattr(self, p.attrname)
                if p.mandatory and (self.source_of(p.attrname) == DEFAULT or value in (None, "")):
                    raise ConfigurationError(
                        f"missing mandatory parameter (set it in an XML file or as "
                        f"{self.config_path}.{p.public_name}=<value>)",
                        path=f"{self.config_path}.{p.public_name}")
            self.check_complete()
        self.validate()
        for fac in self._facility_list:
            try:
                child = fac.build(self)
            except ConfigurationError as exc:     # e.g. an unknown implementation name
                if exc.source is None:            # say which setting chose it
                    for a in fac.args:
                        p = self.parameter(a)
                        if p is not None and getattr(self, a) and self.source_of(a) != DEFAULT:
                            raise ConfigurationError(
                                exc.message, source=self.source_of(a),
                                path=exc.path or f"{self.config_path}.{p.public_name}") from None
                raise
            if child is None:
                where = f"{self.config_path}.{fac.public_name}"
                if fac.mandatory:
                    raise ConfigurationError("factory built nothing", path=where)
                nodes = for_facility[fac.attrname]
                if nodes:  # settings for a component nobody will build: say why
                    chosen = ", ".join(repr(self.parameter(a).public_name) for a in fac.args
                                       if self.parameter(a))
                    raise ConfigurationError(f"settings given for {fac.public_name!r}, but no "
                                             f"implementation is chosen (set {chosen})",
                                             source=nodes[0].source, line=nodes[0].line, path=where)
                continue
            child.configure(for_facility[fac.attrname], search=search,
                            path=f"{self.config_path}.{fac.public_name}",
                            check_mandatory=check_mandatory)
            setattr(self, fac.attrname, child)

    def _check_one_name_each(self, layers: list[ConfigNode]) -> None:
        """Refuse files that set one property or component under two of its names
        (``Master`` and ``Reference``): neither would silently win. A command-line setting
        may use any name: it is an explicit override."""
        spelt: dict[str, dict[str, tuple]] = {}
        for layer in layers:
            entries = [(self.parameter(k), s.name, s.source, s.line) for k, s in layer.properties.items()]
            entries += [(self.facility(k), n.name, n.source, n.line) for k, n in layer.components.items()]
            for decl, name, source, line in entries:
                if decl is None or source in (None, COMMAND_LINE):
                    continue
                names = spelt.setdefault(decl.attrname, {})
                names.setdefault(normalize(name), (name, source, line))
                if len(names) > 1:
                    (a, sa, la), (b, sb, lb) = list(names.values())[:2]
                    raise ConfigurationError(
                        f"{a!r} ({_where(sa, la)}) and {b!r} ({_where(sb, lb)}) both configure "
                        f"{decl.public_name!r}: they are two names of one setting; keep one",
                        source=source, line=line, path=f"{self.config_path}.{decl.public_name}")

    def _set(self, key: str, setting, choices: list[str]) -> None:
        """Type one setting by its Parameter and assign it, or raise a ConfigurationError."""
        param = self.parameter(key)
        if param is None or param.private:
            where = f"{self.config_path}.{setting.name}"
            if self.facility(key) is not None:
                raise setting.error(f"{setting.name!r} is a component: configure it with "
                                    f'<component name="{setting.name}">', where)
            raise setting.error(f"unknown property {setting.name!r}{did_you_mean(setting.name, choices)}",
                                where)
        # outputs are written relative to the working directory, wherever the setting was
        base_dir = None if param.intent == "output" else setting.base_dir
        try:
            value = param.convert(setting.text, base_dir)
        except ValueError as exc:
            raise setting.error(f"bad value {setting.text!r} for {param.type_label}: {exc}",
                                f"{self.config_path}.{param.public_name}") from None
        setattr(self, param.attrname, value)
        self._sources[param.attrname] = setting.source

    def validate(self) -> None:
        """Hook: check relations between parameters; raise ConfigurationError."""

    def check_complete(self) -> None:
        """Hook: check that the settings are enough to run (as mandatory parameters are;
        skipped where those are, e.g. for --help); raise ConfigurationError."""

    # --- introspection ----------------------------------------------------------
    def source_of(self, attrname: str) -> str:
        return self._sources.get(attrname, DEFAULT)

    def resolved(self, prefix: str | None = None):
        """Yield ``(path, parameter, value, source)`` for every public property, facilities included."""
        prefix = prefix or self.config_path
        for p in self._parameter_list:
            if not p.private:
                yield f"{prefix}.{p.public_name}", p, getattr(self, p.attrname), self.source_of(p.attrname)
        for f in self._facility_list:
            child = getattr(self, f.attrname)
            if isinstance(child, Configurable) and not f.private:
                yield from child.resolved(f"{prefix}.{f.public_name}")

    def config_values(self) -> dict[str, str]:
        """Every resolved public property as text, keyed by its path (for manifests)."""
        return {path: format_value(value) for path, _, value, _ in self.resolved()}


class Component(Configurable):
    """A Configurable with a logger named after its family and instance."""

    @property
    def logger(self) -> logging.Logger:
        return logging.getLogger(f"isce.{self.family}.{self.instance}")
