"""Impact benchmark: replay 10,000 recorded calls against a draft, beside plain ``simulate``.

Builds call-log records the way the server writes them (each call of ``personal_agent``: the
entry request and the menu's continuation, with the answers the live version gave), then times
:func:`flowgraph.simulate.impact.impact` on a draft that changes one branch, and :func:`simulate` of the
same calls as the baseline. Prints the time, the ratio to simulate, and the calls counted as
changed. Target: 10,000 calls replayed in under 2 s.

Run: ``.venv/bin/python bench/impact_bench.py [--calls 10000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import sys
import time
from pathlib import Path
from typing import Any

from flowgraph.compile.compiler import compile_flow
from flowgraph.load import flow_from_data, load_flow
from flowgraph.runtime.callvars import parse_call_vars
from flowgraph.runtime.engine import Runtime
from flowgraph.simulate.impact import impact
from flowgraph.simulate.platform import CallScript
from flowgraph.simulate.simulator import simulate

ROOT = Path(__file__).resolve().parents[1]
CALLERS = ("+919876543210", "+919812345678", "+919000012345")


def recorded_calls(calls: int) -> tuple[list[dict[str, Any]], list[CallScript]]:
    """Call-log records of ``calls`` calls (answers from the live runtime) and their scripts."""
    live = Runtime(compile_flow(load_flow(ROOT / "examples" / "personal_agent.json")))
    records: list[dict[str, Any]] = []
    scripts: list[CallScript] = []
    for i in range(calls):
        caller, key = CALLERS[i % 3], "12"[i % 2]
        base = {"call_id": f"1775719461.{i:06d}", "uuid": f"u{i:x}", "caller_id_number": caller}
        first = live.answer_sync("entry", base)
        records.append(
            {**base, "time": i, "step": "entry", "variables": base, "response": first.body.decode()}
        )
        if first.next_step is not None:
            call = parse_call_vars({**base, "last_dtmf": key})
            second = asyncio.run(live.answer(first.next_step, call, None, first.carried))
            records.append(
                {
                    **base,
                    "time": i + 0.5,
                    "step": first.next_step,
                    "variables": {**base, "last_dtmf": key},
                    "response": second.body.decode(),
                    "failover_reason": second.failover_reason,
                }
            )
        scripts.append(CallScript(caller=caller, presses=[key], call_id=base["call_id"], uuid=base["uuid"]))
    return records, scripts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args(argv)
    records, scripts = recorded_calls(args.calls)
    doc = load_flow(ROOT / "examples" / "personal_agent.json").model_dump(mode="json", exclude_none=True)
    draft_doc = copy.deepcopy(doc)
    next(n for n in draft_doc["nodes"] if n["id"] == "menu")["branches"]["2"] = "main_ivr"
    draft = flow_from_data(draft_doc)
    started = time.perf_counter()
    # As the server does: the draft and the live version, both replayed on the recorded calls.
    report = impact(draft, records, live=flow_from_data(doc))
    replay_s = time.perf_counter() - started
    compiled = compile_flow(draft)
    started = time.perf_counter()
    for script in scripts:
        simulate(compiled, script)
    simulate_s = time.perf_counter() - started
    print(f"impact bench: {args.calls} recorded calls ({len(records)} requests), draft vs live version")
    print(f"replay: {replay_s:.2f} s ({args.calls / replay_s:,.0f} calls/s); simulate: {simulate_s:.2f} s")
    print(f"ratio replay/simulate: {replay_s / simulate_s:.2f} (lower is faster)")
    print(f"changed: {report.changed} of {report.replayed} replayed; not replayed: {report.not_replayed}")
    verdict = "OK" if replay_s < 2 else "MISSED"
    print(f"target: {args.calls} calls in under 2 s: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
