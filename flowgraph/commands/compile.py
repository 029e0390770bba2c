"""``flowgraph compile FLOW [-o OUT] [--json] [--sheet --base-url URL --mode per_step|single]``.

Prints the compiled plan: each step, what it decides, and the exact response it sends wherever
that response does not depend on the call. A continuation step depends on the digits only, so
its response is shown per menu branch (``when last_dtmf = 1``): for the platform document's
three-step example this reproduces the document's three responses. ``--json`` (or ``-o OUT``)
gives ``{"plan": ..., "responses": ...}``; ``--sheet`` prints the deployment sheet instead.
Exit 0 compiled, 1 the flow has errors (diagnostics on stderr), 2 usage or I/O.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from flowgraph.commands.check import format_line, print_errors
from flowgraph.compile.compiler import CompiledFlow, MenuOp, compile_flow
from flowgraph.compile.deploy import MODES, deployment_sheet, sheet_text
from flowgraph.diagnostics import CompileError
from flowgraph.load import load_flow
from flowgraph.runtime.callvars import CallData
from flowgraph.runtime.engine import Runtime

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def register(sub: Any) -> None:
    """Add the ``compile`` subcommand."""
    p: argparse.ArgumentParser = sub.add_parser(
        "compile",
        help="compile a flow into API Dialplan steps and show their responses",
        description="Compile a call flow; exit 0 on success, 1 when the flow has errors, 2 on I/O errors.",
    )
    p.add_argument("flow", metavar="FLOW", help="flow file (.json, .yaml)")
    p.add_argument("-o", "--output", metavar="OUT", help="write the JSON result to OUT")
    p.add_argument("--json", action="store_true", help="print the JSON result")
    p.add_argument("--sheet", action="store_true", help="print the deployment sheet instead")
    p.add_argument(
        "--base-url",
        default=os.environ.get("FLOWGRAPH_PUBLIC_URL") or DEFAULT_BASE_URL,
        help="base URL the platform reaches (default: $FLOWGRAPH_PUBLIC_URL or %(default)s)",
    )
    p.add_argument("--mode", choices=MODES, help="deployment mode for --sheet (default: the flow's)")
    p.set_defaults(func=run)


def _sample_digits(menu: MenuOp, branch: str) -> str | None:
    if branch == "no_input":
        return None
    if branch != "invalid":
        return branch
    # Any text that is not an option takes 'invalid'; show a plausible one.
    return next(c for c in ("9", "0", "*", "#", "99", "999", "9999") if c not in menu.options)


def sample_responses(compiled: CompiledFlow) -> dict[str, list[dict[str, Any]]]:
    """For each step, the responses that do not depend on call data (per menu branch for continuations)."""
    runtime = Runtime(compiled)
    out: dict[str, list[dict[str, Any]]] = {}
    for sid in compiled.partition.order:
        step = compiled.steps[sid]
        menu = compiled.ops.get(step.menu or "")
        if not isinstance(menu, MenuOp):
            if not runtime.depends_on_call(step.start):
                answer = runtime.answer_sync(sid, CallData())
                out[sid] = [{"when": {}, "body": json.loads(answer.body)}]
            continue
        samples = []
        for branch, target in menu.targets.items():
            if runtime.depends_on_call(target):
                continue
            digits = _sample_digits(menu, branch)
            answer = runtime.answer_sync(sid, CallData(last_dtmf=digits))
            samples.append({"when": {"branch": branch, "last_dtmf": digits}, "body": json.loads(answer.body)})
        if samples:
            out[sid] = samples
    return out


def _text(compiled: CompiledFlow, responses: dict[str, list[dict[str, Any]]]) -> str:
    lines = [
        f"flow {compiled.flow_id}  version {compiled.version}  mode {compiled.mode}  "
        f"steps {len(compiled.steps)}  nodes {len(compiled.ops)}"
    ]
    for sid in compiled.partition.order:
        step = compiled.steps[sid]
        lines.append("")
        lines.append(
            f"step {sid} (depth {step.depth}, dialplan id {compiled.dialplan_ids[sid]}): {' '.join(step.nodes)}"
        )
        menu = compiled.ops.get(step.menu or "")
        if isinstance(menu, MenuOp):
            decide = ", ".join(f"{b} -> {t}" for b, t in menu.targets.items())
            lines.append(f"  decides menu {step.menu} on last_dtmf: {decide}")
        samples = responses.get(sid, [])
        for sample in samples:
            when = sample["when"]
            label = f"when last_dtmf = {when['last_dtmf']!r} ({when['branch']})" if when else "response"
            body = json.dumps(sample["body"], separators=(",", ":"), ensure_ascii=False)
            lines.append(f"  {label}: {body}")
        if not samples or (isinstance(menu, MenuOp) and len(samples) < len(menu.targets)):
            lines.append("  (other responses depend on the call: caller, time, lookups or variables)")
    for d in compiled.warnings:
        lines.append(format_line(compiled.flow_id, d))
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    """Compile one flow; print the plan, the JSON result or the deployment sheet."""
    flow = load_flow(args.flow)
    try:
        compiled = compile_flow(flow)
    except CompileError as exc:
        print_errors(args.flow, exc)
        print(f"flowgraph: {args.flow}: not compiled: {exc}", file=sys.stderr)
        return 1
    if args.sheet:
        sheet = deployment_sheet(compiled, args.base_url, args.mode)
        print(
            json.dumps(sheet, indent=2, sort_keys=True) if args.json else sheet_text(sheet),
            end="\n" if args.json else "",
        )
        return 0
    responses = sample_responses(compiled)
    result = {"plan": compiled.plan(), "responses": responses}
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                json.dump(result, fh, indent=2, sort_keys=True)
                fh.write("\n")
        except OSError as exc:
            print(f"flowgraph: {args.output}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
    elif not args.output:
        print(_text(compiled, responses), end="")
    return 0
