"""Time the flow, diff and traffic pictures on flows of every shape, against a tree of the same size.

Run: ``.venv/bin/python bench/render_bench.py [--sizes 100 300 1000] [--shapes tree converging ...]``

Shapes (:mod:`bench.shapes`): ``tree`` (the baseline), ``converging`` (every failure to one
operator), ``diamond`` (every menu option back to one join node), ``wide`` (10-option menus) and
``nested`` (three hops of menus). For each shape and size it prints the seconds each picture takes
and the ratio to the tree of the same size measured in the same run. Targets (issue 10): at 1,000
nodes every picture under 10 s and under 3x the tree; exit 1 when one is missed. A picture that
fell back to the simplified drawing (``dot`` past its time limit) is flagged ``SIMPLIFIED``.
Diagnostics are off: this times drawing only.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from collections.abc import Callable
from pathlib import Path
from random import Random
from typing import Any

from flowgraph.load import flow_from_data
from flowgraph.model import Flow
from flowgraph.pictures.diff import render_diff
from flowgraph.pictures.render import render_flow
from flowgraph.pictures.traffic import Traffic

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find bench.shapes
from bench.shapes import SHAPES, generate

LIMIT_SECONDS = 10.0
LIMIT_RATIO = 3.0
TARGET_SIZE = 1000


def edited(doc: dict[str, Any]) -> dict[str, Any]:
    """A later version of ``doc``: every tenth node renamed, one node added before the entry."""
    new = copy.deepcopy(doc)
    for index, node in enumerate(new["nodes"]):
        if index % 10 == 3:
            node["name"] = f"{node['name']} (renamed)"
    new["nodes"].append(
        {
            "id": "bench_welcome",
            "type": "play",
            "recording": {"data": "1"},
            "branches": {"next": new["entry"]},
        }
    )
    new["entry"] = "bench_welcome"
    return new


def calls(flow: Flow, count: int = 200, seed: int = 11) -> list[dict[str, Any]]:
    """Call-log records of ``count`` calls taking random branches from the entry to an end."""
    rng, nodes, records = Random(seed), flow.node_map(), []
    for call in range(count):
        node, trace = flow.entry, []
        while node in nodes and len(trace) < 60:
            branches = sorted(nodes[node].branches.items())
            if not branches:
                break
            branch, target = rng.choice(branches)
            trace.append({"node": node, "branch": branch})
            node = target
        trace.append({"node": node, "branch": ""})
        records.append({"time": 1_700_000_000 + call, "call_id": f"c{call}", "trace": trace, "end": node})
    return records


def timed(action: Callable[[], bytes]) -> tuple[float, bool]:
    """Seconds ``action`` took and whether its picture is the simplified fallback."""
    start = time.perf_counter()
    data = action()
    return time.perf_counter() - start, b"simplified drawing" in data


def measure(shape: str, size: int) -> dict[str, tuple[float, bool]]:
    """Seconds per picture (flow, diff, traffic) for one shape and size."""
    doc = generate(shape, size)
    flow, later = flow_from_data(doc), flow_from_data(edited(doc))
    traffic = Traffic.from_records(calls(flow))
    return {
        "flow": timed(lambda: render_flow(flow, "svg", diagnostics=[])),
        "diff": timed(lambda: render_diff(flow, later, "svg")),
        "traffic": timed(lambda: render_flow(flow, "svg", diagnostics=[], traffic=traffic)),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES))
    args = parser.parse_args(argv)
    shapes = ["tree", *(s for s in args.shapes if s != "tree")]
    failed = False
    for size in args.sizes:
        baseline: dict[str, tuple[float, bool]] = {}
        for shape in shapes:
            times = measure(shape, size)
            baseline = baseline or times
            cells = []
            for picture, (seconds, simplified) in times.items():
                ratio = seconds / baseline[picture][0]
                missed = size >= TARGET_SIZE and (seconds >= LIMIT_SECONDS or ratio >= LIMIT_RATIO)
                failed |= missed or simplified
                flag = (" SIMPLIFIED" if simplified else "") + (" MISSED" if missed else "")
                cells.append(f"{picture} {seconds:6.2f} s {ratio:5.2f}x{flag}")
            nodes = len(generate(shape, size)["nodes"])
            print(f"{shape:>10} {nodes:5d} nodes | " + " | ".join(cells), flush=True)
    print(
        f"targets at {TARGET_SIZE} nodes: each picture < {LIMIT_SECONDS:g} s and < {LIMIT_RATIO:g}x the tree"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
