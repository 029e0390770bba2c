"""Editor typing bench: ms per key typed into a node's name on a big flow vs a small one, same run.

The big flow is generated (bench/editor_bench.py's shape) and, like a flow written by hand or by a
tool, has no stored positions: the editor lays it out itself. Prints each figure (best of two)
and the ratio big/small. Needs the built editor (web/dist) and /usr/bin/chromium.
Run: .venv/bin/python bench/editor_typing_bench.py [--nodes 200 --small 12]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
from editor_bench import generated_flow  # noqa: E402
from services import CHROMIUM, CHROMIUM_ARGS, flowgraph_server  # noqa: E402

KEYS = "abcdefghijklmnopqrst"


def ms_per_key(page: Any, base: str, flow_id: str) -> float:
    page.goto(f"{base}/#/flow/{flow_id}")
    page.get_by_test_id("flow-settings").wait_for()
    page.get_by_test_id("node-m0").click()
    box = page.get_by_test_id("node-name-input")
    box.click()
    box.press("End")
    started = time.perf_counter()
    for ch in KEYS:
        page.keyboard.type(ch)
        page.wait_for_function(
            "(c) => document.querySelector('[data-testid=node-name-input]').value.endsWith(c)", arg=ch
        )
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return (time.perf_counter() - started) * 1000 / len(KEYS)


def main() -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--small", type=int, default=12)
    args = parser.parse_args()
    flows = {
        "big": generated_flow("typing_big", args.nodes),
        "small": generated_flow("typing_small", args.small),
    }
    for doc in flows.values():
        doc.pop("layout")
    with (
        tempfile.TemporaryDirectory() as tmp,
        flowgraph_server(f"sqlite:///{tmp}/t.db", workdir=Path(tmp)) as server,
    ):
        for doc in flows.values():
            httpx.post(f"{server.base_url}/api/flows", json=doc, headers=server.auth).raise_for_status()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(server.base_url + "/")
            page.get_by_label("Admin token").fill(server.token)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_test_id("flow-table").wait_for()
            best: dict[str, float] = {}
            for _ in range(2):
                for name, doc in flows.items():
                    took = ms_per_key(page, server.base_url, doc["id"])
                    best[name] = min(best.get(name, took), took)
            browser.close()
    print(f"editor typing bench: {KEYS!r} typed into a node's name, best of 2")
    print(f"  {args.small:>5} nodes: {best['small']:.1f} ms per key")
    print(f"  {args.nodes:>5} nodes: {best['big']:.1f} ms per key")
    print(f"ratio big/small: {best['big'] / best['small']:.2f} (lower is better)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
