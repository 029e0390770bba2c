"""flowgraph: draw, check, compile, picture and serve Smartflo API Dialplan call flows."""

from flowgraph.checks import check
from flowgraph.compile.compiler import CompiledFlow, compile_flow
from flowgraph.diagnostics import CompileError, Diagnostic, FlowgraphError, FlowLoadError, Severity
from flowgraph.load import flow_from_data, load_flow
from flowgraph.model import Flow
from flowgraph.profile import PlatformProfile
from flowgraph.runtime.callvars import CallData, parse_call_vars
from flowgraph.runtime.engine import Answer, Runtime

__all__ = [
    "Answer",
    "CallData",
    "CompileError",
    "CompiledFlow",
    "Diagnostic",
    "Flow",
    "FlowLoadError",
    "FlowgraphError",
    "PlatformProfile",
    "Runtime",
    "Severity",
    "check",
    "compile_flow",
    "flow_from_data",
    "load_flow",
    "parse_call_vars",
]
__version__ = "0.1.0"
