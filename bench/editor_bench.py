"""Editor bench: a 300-node flow in headless Chromium against a 9-node baseline in the same run.

Measures (1) open until usable (navigation start -> entry node drawn and the first view settled)
and (2) pan smoothness (frame intervals while the pane is dragged 40 steps with the mouse); then
opens a 1,000-node flow once.
Prints each number and the ratio large/baseline. Needs the built editor (web/dist) and Debian's
/usr/bin/chromium.  Run: .venv/bin/python bench/editor_bench.py [--nodes 300 --baseline 9 --huge 1000]
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

# Resolves once the editor is usable: the entry node drawn and the first view settled (the canvas
# says so with data-view-settled), then two frames so it is painted. Big flows draw only what is in
# view, so "every node painted" is no longer the measure.
USABLE_JS = """() => new Promise((resolve) => {
  const tick = () => {
    if (document.querySelector('[data-view-settled="true"]') && document.querySelector('.react-flow__node[data-id="m0"]'))
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


def measure(browser: Any, base: str, token: str, flow_id: str) -> dict[str, float]:
    """Open a flow (navigation start -> usable) and pan it 40 steps with the mouse on the pane."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_init_script(f"sessionStorage.setItem('flowgraph.token', {token!r})")
    page = context.new_page()
    page.goto(f"{base}/#/flow/{flow_id}")
    # performance.now() counts from navigation start, so this is load + first usable paint.
    load_ms = page.evaluate(USABLE_JS)
    canvas = page.get_by_test_id("canvas").bounding_box()
    assert canvas
    before = page.locator(".react-flow__viewport").evaluate("e => e.style.transform")
    x, y = canvas["x"] + canvas["width"] - 60, canvas["y"] + 30  # empty pane, top right
    page.mouse.move(x, y)
    page.mouse.down()
    page.evaluate(FRAMES_START_JS)
    for step in range(1, 41):
        page.mouse.move(x - step * 12, y + step * 6)
    page.mouse.up()
    frames = page.evaluate("() => { window.__recording = false; return window.__frames.slice(1); }")
    after = page.locator(".react-flow__viewport").evaluate("e => e.style.transform")
    assert after != before, "the pan did not move the view"
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
    parser.add_argument("--baseline", type=int, default=9)
    parser.add_argument("--huge", type=int, default=1000, help="also open a flow this big (once)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not (ROOT / "web" / "dist" / "index.html").exists():
        print("web/dist is missing: run `make web` first", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    db = Path(tempfile.mkdtemp(prefix="editor-bench-")) / "bench.db"
    with flowgraph_server(f"sqlite:///{db}") as srv, sync_playwright() as p:
        for size in (args.baseline, args.nodes, args.huge):
            r = httpx.post(
                f"{srv.base_url}/api/flows", json=generated_flow(f"g{size}", size), headers=srv.auth
            )
            r.raise_for_status()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        results: dict[int, list[dict[str, float]]] = {args.baseline: [], args.nodes: []}
        for _ in range(args.runs):
            for size in (args.baseline, args.nodes):
                results[size].append(measure(browser, srv.base_url, srv.token, f"g{size}"))
        huge = measure(browser, srv.base_url, srv.token, f"g{args.huge}")
        browser.close()
    med = {s: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for s, rs in results.items()}
    base, big = med[args.baseline], med[args.nodes]
    for size in (args.baseline, args.nodes):
        m = med[size]
        print(
            f"{size:4d} nodes: open until usable {m['load_ms']:7.0f} ms   pan frame p50 "
            f"{m['frame_p50_ms']:5.1f} ms  p95 {m['frame_p95_ms']:5.1f} ms  ({m['frames']:.0f} frames)"
        )
    print(
        f"ratio {args.nodes}/{args.baseline}: load {big['load_ms'] / base['load_ms']:.2f}x   "
        f"pan p95 {big['frame_p95_ms'] / max(base['frame_p95_ms'], 0.1):.2f}x   (median of {args.runs} runs)"
    )
    print(
        f"{args.huge:4d} nodes: opens, usable after {huge['load_ms']:.0f} ms, pan p95 {huge['frame_p95_ms']:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
