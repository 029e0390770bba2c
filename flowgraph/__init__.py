"""flowgraph: draw, check, compile, picture and serve Smartflo API Dialplan call flows."""

from flowgraph.checks import check
from flowgraph.diagnostics import CompileError, Diagnostic, FlowgraphError, FlowLoadError, Severity
from flowgraph.load import flow_from_data, load_flow
from flowgraph.model import Flow
from flowgraph.profile import PlatformProfile

__all__ = [
    "CompileError",
    "Diagnostic",
    "Flow",
    "FlowLoadError",
    "FlowgraphError",
    "PlatformProfile",
    "Severity",
    "check",
    "flow_from_data",
    "load_flow",
]
__version__ = "0.1.0"
