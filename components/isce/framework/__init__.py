"""The component framework: declared parameters, layered XML configuration, steps.

``Parameter``/``Facility`` declare what a component can be configured with;
``Configurable``/``Component`` resolve ISCE's configuration layers;
``Application`` adds the command line and resumable named ``Step``s.
"""
from .application import Application, CommandLine
from .configurable import Component, Configurable, SearchPath
from .errors import ConfigurationError, InputError, IsceError, StepError
from .names import normalize
from .parameter import Facility, Parameter
from .steps import State, Step, StepContext
from .xmlconfig import ConfigNode, parse_file

__all__ = ["Application", "CommandLine", "Component", "Configurable", "ConfigNode",
           "ConfigurationError", "Facility", "InputError", "IsceError", "Parameter",
           "SearchPath", "State", "Step", "StepContext", "StepError", "normalize", "parse_file"]
