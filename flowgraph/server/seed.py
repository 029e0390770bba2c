"""Seed an empty database with example flows, each stored and published under its id."""

from __future__ import annotations

import logging
from pathlib import Path

from flowgraph.checks import check
from flowgraph.compile.compiler import compile_flow
from flowgraph.diagnostics import CompileError, FlowgraphError
from flowgraph.load import load_flow
from flowgraph.server.deps import AppState
from flowgraph.server.documents import document as flow_document
from flowgraph.store.flows import FlowExists

log = logging.getLogger("flowgraph.server")


def seed_if_empty(state: AppState, directory: Path) -> list[str]:
    """Store and publish ``directory/*.json`` when no flow was ever stored; return the published ids.

    A file that is not a valid flow is skipped; a valid flow with errors is stored as a draft but
    not published. Each case logs a warning naming the file and the first problem.
    """
    if not state.flows.is_empty():
        return []
    if not directory.is_dir():
        log.warning("seed: %s is not a directory; nothing seeded", directory)
        return []
    published = []
    for path in sorted(directory.glob("*.json")):
        if _seed_one(state, path):
            published.append(path.stem)
    log.info("seed: published %d example flow(s) from %s", len(published), directory)
    return published


def _seed_one(state: AppState, path: Path) -> bool:
    try:
        flow = load_flow(path)
    except FlowgraphError as exc:
        log.warning("seed: skipped %s: %s", path, exc)
        return False
    if flow.id != path.stem:
        log.warning("seed: %s: id '%s' differs from the file name; stored under '%s'", path, flow.id, flow.id)
    document = flow_document(flow)
    try:
        state.flows.create(document)
    except FlowExists:  # another process seeding the same database got there first
        return False
    try:
        compiled = compile_flow(flow, check(flow))
    except CompileError as exc:
        log.warning("seed: %s stored as a draft, not published: %s", path, exc)
        return False
    state.flows.publish(
        flow.id, document, compiled.version, note=f"seeded from {path.name}", author="flowgraph"
    )
    return True
