"""Heavy management work (checking, compiling and drawing big flows) in a worker *process*.

Measured with bench/reliability.py (``publish`` figures, docs/architecture.md "Limits"): in a
thread of the server process, publishing a 5,000-node flow held the interpreter lock long
enough that another flow's platform answers took up to ~200 ms (p99 188 ms); pydantic
validation, ``model_dump`` and collector passes run as single long C calls that a thread
cannot interleave with the event loop. A separate process shares no lock with the loop.

Only documents (dicts) and plain results cross the process boundary. Errors the user can cause
(:class:`FlowLoadError`, :class:`CompileError`) come back as data and are raised again here,
so the routers keep mapping them to 422/409 as before.

The server process still compiles the live runtime of a published flow (compiled flows hold
closures and are not picklable); that reload runs with the collector paused
(:func:`gc_paused`), which measured as the difference between a ~190 ms and a ~30 ms stall.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from flowgraph.diagnostics import CompileError, Diagnostic, FlowgraphError, FlowLoadError, PictureError
from flowgraph.runtime.deadline import DEFAULT_DEADLINE_MS
from flowgraph.simulate.flowtests import FlowTestsFailed, report, require_passing

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


@contextmanager
def gc_paused(freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic collector: its passes over a big new flow are long stop-the-world pauses.

    ``freeze``: move what was made meanwhile (a live flow, kept until the next publish) out of
    the collector's reach before resuming; otherwise the first collection after the pause walks
    all of it at once. The price: reference cycles left as garbage meanwhile are never collected.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()


def pool() -> ProcessPoolExecutor:
    """The process's one worker (spawned, so it inherits no threads or locks), made on first use.

    It lives as long as the process (apps created and closed in one process, as in tests, share
    it); the executor stops it at interpreter exit."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_ignore_interrupts
            )
        return _pool


def _ignore_interrupts() -> None:
    # Ctrl+C in a terminal interrupts the whole process group: the server, which then stops
    # the worker itself (:func:`shutdown`), and this worker, which must not die mid-queue (a
    # traceback, and semaphores the resource tracker reports as leaked).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def start() -> Future[tuple[str, Any]]:
    """Start the worker now and import the pipeline in it (``flowgraph serve`` does this at start,
    from the main thread, so the first publish does not pay for a process start while calls are
    answered); the future is done once it is ready.

    SIGINT is ignored while the process is spawned: it inherits that (a signal set to be ignored
    stays ignored across exec, and Python then installs no handler of its own), so a Ctrl+C while
    it is still starting cannot interrupt it either. Main thread only (``signal.signal``)."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return pool().submit(_call, _noop)
    finally:
        signal.signal(signal.SIGINT, previous)


def _noop() -> None:
    import flowgraph.checks
    import flowgraph.compile.compiler  # noqa: F401


def shutdown(wait: bool = False) -> None:
    """Stop the worker; queued jobs are cancelled. ``wait``: until the worker process has
    ended and its queues are closed (``flowgraph serve`` on exit, so nothing is left for the
    resource tracker to clean up); a running job finishes first."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=wait, cancel_futures=True)
            _pool = None


def run(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in the worker process, from a thread (the routers are plain ``def``).

    ``fn`` must be a module-level function. A crashed worker is replaced and the job tried once more.
    """
    for attempt in (1, 2):
        try:
            outcome = pool().submit(_call, fn, *args).result()
            break
        except Exception as exc:  # BrokenProcessPool: the worker died (e.g. out of memory)
            if attempt == 2 or type(exc).__name__ != "BrokenProcessPool":
                raise
            shutdown()
    return _unwrap(outcome)


def _unwrap(outcome: tuple[str, Any]) -> Any:
    kind, value = outcome
    if kind == "ok":
        return value
    if kind == "load":
        raise FlowLoadError(*value)
    if kind == "compile":
        raise CompileError(value)
    if kind == "render":
        raise PictureError(value)
    if kind == "tests":
        raise FlowTestsFailed(value)
    raise FlowgraphError(value)


async def run_async(fn: Callable[..., Any], *args: Any) -> Any:
    """:func:`run` for ``async`` code."""
    return await asyncio.to_thread(run, fn, *args)


def _call(fn: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    # In the worker: exceptions with custom constructors do not pickle, so send them as data.
    try:
        return "ok", fn(*args)
    except FlowLoadError as exc:
        return "load", (exc.source, exc.problems)
    except CompileError as exc:
        diagnostics: list[Diagnostic] = exc.diagnostics
        return "compile", diagnostics
    except FlowTestsFailed as exc:
        return "tests", exc.results
    except PictureError as exc:
        return "render", str(exc)
    except FlowgraphError as exc:
        return "error", str(exc)


# --- the jobs (module level, so the worker can import them) ----------------------------------


def publish_plan(
    draft: dict[str, Any],
    source: str,
    max_answer: int,
    deadline_ms: float = DEFAULT_DEADLINE_MS,
    server_tables: dict[str, dict[str, Any]] | None = None,
) -> tuple[str, list[Diagnostic]]:
    """Check and compile a draft: its version hash and warnings, or CompileError/FlowLoadError
    (also when a step's answer could exceed ``max_answer`` bytes), or FlowTestsFailed when one of
    the flow's tests fails (lookup timeouts measured against the server's ``deadline_ms``).
    ``server_tables``: the server's tables (``TableStore.catalogue()``) for the FG54x checks."""
    from flowgraph.checks import CheckOptions, check
    from flowgraph.compile.compiler import compile_flow
    from flowgraph.limits import check_answer_size
    from flowgraph.load import flow_from_data

    flow = flow_from_data(draft, source)
    compiled = compile_flow(flow, check(flow, CheckOptions(server_tables=server_tables)))
    check_answer_size(compiled, max_answer, source)
    require_passing(flow, compiled, deadline_ms)  # a failing flow test blocks publishing like an error
    return compiled.version, compiled.warnings


def test_report(
    draft: dict[str, Any], source: str, deadline_ms: float = DEFAULT_DEADLINE_MS
) -> dict[str, Any]:
    """The draft's flow-test results and branch coverage (CompileError for a flow with errors)."""
    from flowgraph.load import flow_from_data

    return report(flow_from_data(draft, source), deadline_ms)


def check_report(
    doc: dict[str, Any], source: str, flow_id: str | None, with_steps: bool, max_nodes: int | None
) -> dict[str, Any]:
    """Diagnostics of a document and, with ``with_steps``, its partition (``steps``: (id, depth,
    nodes) each), nesting limit and version hash: what ``/check`` answers."""
    from flowgraph.checks import check
    from flowgraph.compile.compiler import flow_version
    from flowgraph.compile.partition import partition
    from flowgraph.server.documents import parse_flow

    flow = parse_flow(doc, source, flow_id, max_nodes)
    out: dict[str, Any] = {"diagnostics": check(flow)}
    if with_steps:
        parts = partition(flow)
        out["steps"] = [(s, parts.steps[s].depth, list(parts.steps[s].nodes)) for s in parts.order]
        out["nesting_limit"] = flow.settings.profile.nesting_limit
        out["version"] = flow_version(flow)
    return out


def render_document(doc: dict[str, Any], source: str, fmt: str, options: dict[str, Any]) -> bytes:
    """The picture of a flow document (see :func:`flowgraph.pictures.render.render_flow`)."""
    from flowgraph.load import flow_from_data
    from flowgraph.pictures.render import render_flow

    data: bytes = render_flow(flow_from_data(doc, source), fmt, **options)
    return data


def render_diff_documents(
    old: tuple[dict[str, Any], str, str], new: tuple[dict[str, Any], str, str], traffic: Any = None
) -> bytes:
    """The diff picture of two flow documents, each given as (document, source, label); with
    ``traffic`` (the old version's call counts) the changed branches are shaded by calls."""
    from flowgraph.load import flow_from_data
    from flowgraph.pictures.diff import render_diff

    data: bytes = render_diff(
        flow_from_data(old[0], old[1]),
        flow_from_data(new[0], new[1]),
        "svg",
        old_label=old[2],
        new_label=new[2],
        traffic=traffic,
    )
    return data
