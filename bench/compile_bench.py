"""Compile-time benchmark: load + check + compile generated flows of 100, 1,000 and 10,000 nodes.

Run: ``.venv/bin/python bench/compile_bench.py`` (``--sizes 100,1000`` / ``--repeat N``).

Flows are generated deterministically (seeded) with a realistic mix — menus (options, no_input,
invalid), switches (caller prefix, time window), table lookups whose columns feed a transfer,
plays and transfers — acyclic, every branch wired, menus nested at most three deep (the
platform's nesting limit). Each phase is timed (best of ``--repeat``); the script prints time per
node, the growth ratio t(10,000)/t(1,000)/10 (1.0 = linear) and a networkx baseline measured in
the same run on a graph of the same size: build + ``find_cycle`` + ``descendants`` +
``dag_longest_path``, printed as ours/baseline. Target: 10,000 nodes in under 1 s on this machine.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import networkx as nx

from flowgraph.checks import check
from flowgraph.compile.compiler import compile_flow
from flowgraph.load import flow_from_data


class FlowGen:
    """Builds one acyclic flow of about ``size`` nodes as a plain dict."""

    def __init__(self, size: int, seed: int = 7):
        self.rng = random.Random(seed)
        self.size = size
        self.nodes: list[dict[str, Any]] = []

    def _add(self, kind: str, **fields: Any) -> str:
        node_id = f"{kind}_{len(self.nodes)}"
        self.nodes.append({"id": node_id, "type": kind, **fields})
        return node_id

    def _transfer(self) -> str:
        if self.rng.random() < 0.5:
            return self._add("transfer", transfer="ivr", targets=[str(self.rng.randint(20000, 29999))])
        numbers = [f"98{self.rng.randint(10_000_000, 99_999_999)}" for _ in range(2)]
        return self._add("transfer", transfer="number", targets=numbers, ring_type="order_by")

    def _split(self, budget: int, parts: int) -> list[int]:
        base = budget // parts
        return [base + (1 if i < budget % parts else 0) for i in range(parts)]

    def build(self, budget: int, menus: int) -> str:
        """The id of a sub-flow of about ``budget`` nodes reached after ``menus`` menus."""
        if budget <= 1:
            return self._transfer()
        roll = self.rng.random()
        if roll < 0.25 and menus < 3 and budget >= 6:
            return self._menu(budget, menus)
        if roll < 0.45 and budget >= 4:
            return self._switch(budget, menus)
        if roll < 0.60 and budget >= 3:
            return self._lookup(budget, menus)
        node = self._add("play", recording={"type": "system", "data": str(self.rng.randint(100000, 199999))})
        index = len(self.nodes) - 1
        self.nodes[index]["branches"] = {"next": self.build(budget - 1, menus)}
        return node

    def _menu(self, budget: int, menus: int) -> str:
        node = self._add(
            "menu",
            recording={"type": "system", "data": str(self.rng.randint(100000, 199999))},
            options=["1", "2", "3"],
            timeout_ms=5000,
            max_length=1,
            retry=1,
        )
        index = len(self.nodes) - 1
        fallback = self._transfer()
        children = [self.build(b, menus + 1) for b in self._split(budget - 2, 3)]
        self.nodes[index]["branches"] = {
            **{str(i + 1): child for i, child in enumerate(children)},
            "no_input": fallback,
            "invalid": fallback,
        }
        return node

    def _switch(self, budget: int, menus: int) -> str:
        cases = [
            {"branch": "north", "when": {"on": "caller", "prefixes": ["981", "982"]}},
            {
                "branch": "open",
                "when": {"on": "time", "days": ["mon", "tue", "wed"], "from": "09:00", "to": "18:00"},
            },
        ]
        node = self._add("switch", cases=cases)
        index = len(self.nodes) - 1
        north, open_, default = (self.build(b, menus) for b in self._split(budget - 1, 3))
        self.nodes[index]["branches"] = {"north": north, "open": open_, "default": default}
        return node

    def _lookup(self, budget: int, menus: int) -> str:
        node = self._add("lookup", source={"kind": "table", "table": "agents", "match": "prefix"})
        index = len(self.nodes) - 1
        found = self._add("transfer", transfer="number", targets=[f"{{{{{node}.agent}}}}"])
        self.nodes[index]["branches"] = {"found": found, "not_found": self.build(budget - 2, menus)}
        return node

    def flow(self) -> dict[str, Any]:
        entry = self.build(self.size, 0)
        rows = {f"98{i}": {"agent": f"98{i}{'0' * (8 - len(str(i)))}"} for i in range(1, 10)}
        return {
            "id": f"bench_{self.size}",
            "entry": entry,
            "nodes": self.nodes,
            "settings": {"failover": {"type": "ivr", "data": ["22590"]}},
            "tables": {"agents": {"columns": ["agent"], "rows": rows}},
        }


def best(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Fastest of ``repeat`` runs (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def networkx_baseline(data: dict[str, Any]) -> float:
    """Build a DiGraph of the flow's size and run cycle, reachability and longest-path checks."""

    def run() -> None:
        graph = nx.DiGraph()
        for node in data["nodes"]:
            graph.add_node(node["id"])
            for target in node.get("branches", {}).values():
                graph.add_edge(node["id"], target)
        with contextlib.suppress(nx.NetworkXNoCycle):  # acyclic by construction: the usual outcome
            nx.find_cycle(graph, data["entry"])
        nx.descendants(graph, data["entry"])
        nx.dag_longest_path(graph)

    return best(3, run)[0]


def measure(size: int, repeat: int) -> dict[str, float]:
    data = FlowGen(size).flow()
    t_load, flow = best(repeat, lambda: flow_from_data(data))
    t_check, diagnostics = best(repeat, lambda: check(flow))
    errors = [d for d in diagnostics if d.is_error]
    if errors:
        raise SystemExit(f"generated flow of {size} nodes has errors: {errors[0].code} {errors[0].message}")
    t_compile, compiled = best(repeat, lambda: compile_flow(flow, diagnostics))
    nodes = len(data["nodes"])
    return {
        "nodes": nodes,
        "steps": len(compiled.steps),
        "load": t_load,
        "check": t_check,
        "compile": t_compile,
        "total": t_load + t_check + t_compile,
        "baseline": networkx_baseline(data),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"{'nodes':>7} {'steps':>6} {'load ms':>8} {'check ms':>9} {'compile ms':>11} {'total ms':>9} "
        f"{'us/node':>8} {'nx ms':>7} {'ours/nx':>8}"
    )
    results = {}
    for size in sizes:
        r = measure(size, args.repeat)
        results[size] = r
        print(
            f"{r['nodes']:>7} {r['steps']:>6} {r['load'] * 1e3:>8.1f} {r['check'] * 1e3:>9.1f} "
            f"{r['compile'] * 1e3:>11.1f} {r['total'] * 1e3:>9.1f} {r['total'] / r['nodes'] * 1e6:>8.1f} "
            f"{r['baseline'] * 1e3:>7.1f} {r['total'] / r['baseline']:>8.2f}"
        )
    if 1000 in results and 10000 in results:
        small, big = results[1000], results[10000]
        growth = (big["total"] / big["nodes"]) / (small["total"] / small["nodes"])
        print(f"growth t(10k)/t(1k), per node: {growth:.2f} (1.00 = linear)")
        verdict = "meets" if big["total"] < 1.0 else "MISSES"
        print(f"10,000 nodes load+check+compile: {big['total'] * 1e3:.0f} ms ({verdict} the < 1 s target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
