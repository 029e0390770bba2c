"""Byte identity across interpreters: the same flow compiles, emits and renders to the same bytes
whatever ``PYTHONHASHSEED`` the process runs with.

Within one process, two compiles share one hash seed, so set and dict-of-set iteration orders are
the same both times (tests/test_compiler.py, tests/test_render.py). Here each seed gets its own
interpreter, which prints a digest of every artefact of every example; the digests must agree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ("0", "1", "4242")

#: Run in a fresh interpreter: the digests of each example's plan (both deployment modes), its
#: emitted step answers and failover, its check diagnostics and its picture.
PROBE = r"""
import hashlib, json, sys
from pathlib import Path
from flowgraph.checks import check
from flowgraph.load import load_flow
from flowgraph.pictures.render import render_flow
from flowgraph.simulate.simulator import compile_for

def digest(data):
    return hashlib.sha256(data).hexdigest()

out = {}
for path in sorted(Path("examples").glob("*.json")):
    flow = load_flow(path)
    row = {}
    for mode in ("per_step", "single"):
        compiled = compile_for(flow, mode)
        row[mode + ".plan"] = digest(compiled.plan_json())
        row[mode + ".failover"] = digest(compiled.failover_body)
    row["check"] = digest(json.dumps([d.to_json() for d in check(flow)]).encode())
    row["svg"] = digest(render_flow(flow))
    out[path.stem] = row
# Witness that the seed took effect: the iteration order of a set of strings.
out["_set_order"] = list({"menu", "play", "switch", "lookup", "transfer", "hangup", "dialplan"})
json.dump(out, sys.stdout, sort_keys=True)
"""


def _digests(seed: str) -> dict[str, dict[str, str]]:
    """The child's digests per example (and, under ``_set_order``, its set iteration order)."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_compile_emit_and_render_are_byte_identical_across_hash_seeds() -> None:
    runs = {seed: _digests(seed) for seed in SEEDS}
    orders = {tuple(run.pop("_set_order")) for run in runs.values()}
    assert len(orders) > 1, "the seeds did not change set iteration order: the test would prove nothing"
    first = runs[SEEDS[0]]
    assert len(first) >= 3 and all(len(row) == 6 for row in first.values()), first
    for seed, digests in runs.items():
        for example, row in first.items():
            assert digests[example] == row, (seed, example)
