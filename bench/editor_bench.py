"""Editor bench: a 300-node flow in headless Chromium against a 30-node baseline in the same run.

Measures (1) load + first paint of every node (navigation start -> all nodes rendered and painted)
and (2) drag smoothness (frame intervals while a node is dragged programmatically with the mouse).
Prints each number and the ratio large/baseline. Needs the built editor (web/dist) and Debian's
/usr/bin/chromium.  Run: .venv/bin/python bench/editor_bench.py [--nodes 300 --baseline 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from services import CHROMIUM, CHROMIUM_ARGS, flowgraph_server  # noqa: E402

# Resolves once every node is in the DOM, then waits two frames so they are painted.
ALL_PAINTED_JS = """(n) => new Promise((resolve) => {
  const tick = () => {
    if (document.querySelectorAll('.react-flow__node[data-id]:not([style*="visibility: hidden"])').length >= n)
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
    else requestAnimationFrame(tick);
  };
  tick();
})"""

FRAMES_START_JS = """() => { window.__frames = []; let last = performance.now();
  const loop = (t) => { window.__frames.push(t - last); last = t; if (window.__recording) requestAnimationFrame(loop); };
  window.__recording = true; requestAnimationFrame(loop); }"""


def generated_flow(flow_id: str, size: int) -> dict[str, Any]:
    """A call-flow-shaped graph: chains of menus, each option to a play or transfer, laid out."""
    nodes: list[dict[str, Any]] = []
    positions: dict[str, dict[str, float]] = {}
    i = 0
    while len(nodes) < size:
        menu, play, sales, support = f"m{i}", f"p{i}", f"s{i}", f"t{i}"
        nxt = f"m{i + 1}" if len(nodes) + 4 < size else support
        nodes += [
            {
                "id": menu,
                "type": "menu",
                "recording": {"data": "500110"},
                "options": ["1", "2"],
                "branches": {"1": play, "2": sales, "no_input": support, "invalid": support},
            },
            {"id": play, "type": "play", "recording": {"data": "500101"}, "branches": {"next": nxt}},
            {"id": sales, "type": "transfer", "transfer": "number", "targets": ["9876543210"]},
            {"id": support, "type": "transfer", "transfer": "department", "targets": ["5001"]},
        ]
        for j, nid in enumerate((menu, play, sales, support)):
            positions[nid] = {"x": i * 300.0, "y": j * 160.0}
        i += 1
    nodes = nodes[:size]
    keep = {n["id"] for n in nodes}
    for n in nodes:
        n["branches"] = {b: t for b, t in n.get("branches", {}).items() if t in keep}
    return {
        "id": flow_id,
        "name": f"generated {size}",
        "entry": "m0",
        "nodes": nodes,
        "settings": {"failover": {"type": "department", "data": ["5001"]}},
        "layout": {"positions": {k: v for k, v in positions.items() if k in keep}},
    }


def measure(browser: Any, base: str, token: str, flow_id: str, size: int) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_init_script(f"sessionStorage.setItem('flowgraph.token', {token!r})")
    page = context.new_page()
    page.goto(f"{base}/#/flow/{flow_id}")
    # performance.now() counts from navigation start, so this is load + first paint of all nodes.
    load_ms = page.evaluate(ALL_PAINTED_JS, size)
    # Jump to the first node at zoom 1 (search), as a user does before dragging on a big flow.
    page.get_by_test_id("node-search").fill("m0")
    page.get_by_test_id("node-search").press("Enter")
    page.wait_for_timeout(600)
    box = page.locator('.react-flow__node[data-id="m0"]').bounding_box()
    assert box, "node m0 not on screen"
    x, y = box["x"] + 40, box["y"] + 12
    page.mouse.move(x, y)
    page.mouse.down()
    page.evaluate(FRAMES_START_JS)
    for step in range(1, 121):
        page.mouse.move(x + step * 2, y + step)
    page.mouse.up()
    frames = page.evaluate("() => { window.__recording = false; return window.__frames.slice(1); }")
    moved = page.locator('.react-flow__node[data-id="m0"]').bounding_box()
    assert moved and moved["x"] > box["x"] + 100, "the drag did not move the node"
    context.close()
    frames = sorted(frames) or [0.0]
    return {
        "load_ms": load_ms,
        "frame_p50_ms": statistics.median(frames),
        "frame_p95_ms": frames[int(0.95 * (len(frames) - 1))],
        "frames": float(len(frames)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=300)
    parser.add_argument("--baseline", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not (ROOT / "web" / "dist" / "index.html").exists():
        print("web/dist is missing: run `make web` first", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    db = Path(tempfile.mkdtemp(prefix="editor-bench-")) / "bench.db"
    with flowgraph_server(f"sqlite:///{db}") as srv, sync_playwright() as p:
        for size in (args.baseline, args.nodes):
            r = httpx.post(
                f"{srv.base_url}/api/flows", json=generated_flow(f"g{size}", size), headers=srv.auth
            )
            r.raise_for_status()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        results: dict[int, list[dict[str, float]]] = {args.baseline: [], args.nodes: []}
        for _ in range(args.runs):
            for size in (args.baseline, args.nodes):
                results[size].append(measure(browser, srv.base_url, srv.token, f"g{size}", size))
        browser.close()
    med = {s: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for s, rs in results.items()}
    base, big = med[args.baseline], med[args.nodes]
    for size in (args.baseline, args.nodes):
        m = med[size]
        print(
            f"{size:4d} nodes: load+first paint {m['load_ms']:7.0f} ms   drag frame p50 "
            f"{m['frame_p50_ms']:5.1f} ms  p95 {m['frame_p95_ms']:5.1f} ms  ({m['frames']:.0f} frames)"
        )
    print(
        f"ratio {args.nodes}/{args.baseline}: load {big['load_ms'] / base['load_ms']:.2f}x   "
        f"drag p95 {big['frame_p95_ms'] / max(base['frame_p95_ms'], 0.1):.2f}x   (median of {args.runs} runs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
