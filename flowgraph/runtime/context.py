"""The per-call context: what the server remembers about a call between two of its requests.

A menu spans two requests, and so does every step after it. What the next request needs is kept
in one :class:`CallContext` per call, in both deployment modes:

- the step the call's next request runs (single-dialplan mode: the request itself does not say);
- the flow version that chose it (a call finishes in the version it started in, while this
  process still holds that version);
- the variables set so far (lookup columns, each menu's digits): they live for the whole call;
- a request counter.

Contexts are keyed by the call's identity (:func:`flowgraph.profile.call_identity`: ``call_id``
and ``uuid`` together when both are present) and by flow. :func:`answer_in_context` is the one
place that reads and writes them; the server and the simulator both call it, with different
stores (:mod:`flowgraph.store.contexts` has the server's: in memory with write-behind, the SQL
database, or Redis).

A context expires ``ttl_s`` after it was last written (a call that hangs up mid-menu never sends
the request that would clear it). An expired context is remembered as expired for a while
longer, so the call's late request gets the failover (reason ``context_expired``) instead of
starting the flow again. Per-step mode keeps a context only where a later step reads it
(:attr:`CompiledFlow.carry_into`); a step that needs one and finds none fails over with
``context_missing``.
"""

from __future__ import annotations

import hashlib
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import orjson

from flowgraph.compile.partition import ENTRY_STEP
from flowgraph.runtime.callvars import CallData
from flowgraph.runtime.engine import Answer, Runtime
from flowgraph.runtime.lookups import HttpLookups

#: How long a context lives without being renewed (seconds). Calls rarely stay 2 hours in an IVR.
DEFAULT_TTL_S = 2 * 60 * 60
#: How long an expired context is still recognised as expired (never less than this).
MIN_EXPIRED_MEMORY_S = 10 * 60


#: The step of a single-mode call whose last answer ended it (kept only to recognise a retry).
ENDED = ""


@dataclass(frozen=True, slots=True)
class LastAnswer:
    """What the call's previous request was and got (single-dialplan mode), to answer a retry."""

    signature: str
    at: float
    body: bytes
    step: str
    end: str | None = None

    def to_json(self) -> list[Any]:
        return [self.signature, self.at, self.body.decode(), self.step, self.end]

    @classmethod
    def from_json(cls, data: list[Any]) -> LastAnswer:
        return cls(str(data[0]), float(data[1]), str(data[2]).encode(), str(data[3]), data[4])


@dataclass(frozen=True, slots=True)
class CallContext:
    """Where one call is and what it has told us so far."""

    step: str
    version: str
    variables: dict[str, Any] = field(default_factory=dict)
    requests: int = 1
    #: Epoch seconds after which the context is expired (set by the store on write).
    expires_at: float = 0.0
    #: Single-dialplan mode: the previous request and its answer (a retry gets the same answer).
    last: LastAnswer | None = None

    def to_bytes(self) -> bytes:
        """Compact JSON for the SQL and Redis stores."""
        data = {
            "s": self.step,
            "v": self.version,
            "x": self.variables,
            "n": self.requests,
            "e": self.expires_at,
        }
        if self.last is not None:
            data["l"] = self.last.to_json()
        return orjson.dumps(data)

    @classmethod
    def from_bytes(cls, raw: bytes | str) -> CallContext:
        """The context :meth:`to_bytes` wrote."""
        data = orjson.loads(raw)
        last = LastAnswer.from_json(data["l"]) if data.get("l") else None
        return cls(str(data["s"]), str(data["v"]), dict(data["x"]), int(data["n"]), float(data["e"]), last)


class ContextStore(ABC):
    """Contexts by (flow id, call key). Every method is safe to call concurrently."""

    ttl_s: float = DEFAULT_TTL_S

    @property
    def remember_s(self) -> float:
        """How long a context is kept in all, expired or not."""
        return self.ttl_s + max(self.ttl_s, MIN_EXPIRED_MEMORY_S)

    @abstractmethod
    async def get(self, flow_id: str, key: str) -> CallContext | None:
        """The call's context (possibly expired: check ``expires_at``), or None."""

    @abstractmethod
    async def put(self, flow_id: str, key: str, context: CallContext) -> None:
        """Create or replace the call's context; the store sets ``expires_at``."""

    @abstractmethod
    async def delete(self, flow_id: str, key: str) -> None:
        """Forget the call (it ended, or fell to its failover)."""

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Connect or load what is needed before the first request."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Write what is pending and release connections."""

    def problem(self) -> str | None:
        """Why this store cannot serve calls right now (readiness), or None when it can."""
        return None

    def stamped(self, context: CallContext) -> CallContext:
        """``context`` with its expiry set from now."""
        return replace(context, expires_at=time.time() + self.ttl_s)


class MemoryContexts(ContextStore):
    """Contexts in this process's memory: the simulator's store, and the server's hot path."""

    def __init__(self, ttl_s: float = DEFAULT_TTL_S):
        self.ttl_s = ttl_s
        self.items: dict[tuple[str, str], CallContext] = {}
        self._writes = 0

    async def get(self, flow_id: str, key: str) -> CallContext | None:
        return self.items.get((flow_id, key))

    async def put(self, flow_id: str, key: str, context: CallContext) -> None:
        self.set_now(flow_id, key, self.stamped(context))

    async def delete(self, flow_id: str, key: str) -> None:
        self.set_now(flow_id, key, None)

    def set_now(self, flow_id: str, key: str, context: CallContext | None) -> None:
        """Write without awaiting (the in-memory map is the truth in this process)."""
        if context is None:
            self.items.pop((flow_id, key), None)
        else:
            self.items[(flow_id, key)] = context
        self._writes += 1
        if self._writes % 1000 == 0:
            self.sweep()

    def sweep(self, now: float | None = None) -> int:
        """Drop contexts past their remembered time; how many were dropped."""
        cutoff = (time.time() if now is None else now) - (self.remember_s - self.ttl_s)
        gone = [k for k, c in self.items.items() if c.expires_at < cutoff]
        for k in gone:
            del self.items[k]
        return len(gone)


class ServedFlow(Protocol):
    """What :func:`answer_in_context` needs of a live flow."""

    @property
    def flow_id(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def runtime(self) -> Runtime: ...

    @property
    def single(self) -> bool: ...

    @property
    def older(self) -> Mapping[str, Runtime]:
        """Runtimes of earlier versions still held, by version (calls finish where they started)."""
        ...


async def answer_in_context(
    flow: ServedFlow,
    step: str | None,
    call: CallData,
    store: ContextStore,
    lookups: HttpLookups | None,
    *,
    retries: bool = True,
) -> Answer:
    """Answer one request of a call: find its context, run the step, keep what comes next.

    ``step``: the step the request names (per-step mode) or None (single-dialplan mode, where the
    context says). Never raises for a missing or expired context: that is a failover answer.
    In single mode a request identical to the call's previous one, within the profile's
    ``retry_window_ms`` of it, is the platform retrying: it gets the previous answer again
    (``retries=False``: the simulator, whose platform never retries and whose clock stands still).
    """
    runtime = flow.runtime
    key = call.call_key
    wants = flow.single or step in runtime.compiled.carry_into
    context = await store.get(flow.flow_id, key) if wants and key else None
    now = time.time()
    signature = ""
    retries = retries and flow.single and runtime.compiled.profile.retry_window_ms > 0
    if retries and context is not None:
        signature = request_signature(call)
        if is_retry(context, signature, now, runtime.compiled.profile.retry_window_ms):
            return replayed(context)
    if context is not None and context.step == ENDED:  # the call ended: these ids start a new one
        context = None
    if context is not None and context.expires_at < now:
        # Kept (the store forgets it later), so each late request of the call is told the same.
        return runtime.failover("context_expired: the call's context is older than its TTL", step or "")
    if context is not None and context.version != flow.version:
        runtime = flow.older.get(context.version, runtime)
    if step is None:  # single-dialplan mode: the context says where the call is
        step = context.step if context is not None else ENTRY_STEP
    if context is None and step in runtime.compiled.reads_context:
        why = "no call_id or uuid" if not key else "none found (expired, or kept by another process)"
        return runtime.failover(f"context_missing: step '{step}' needs the call's context: {why}", step)
    carried = context.variables if context is not None else None
    answer = await runtime.answer(step, call, lookups, carried)
    answer.version = runtime.compiled.version
    if retries and not signature:
        signature = request_signature(call)
    return await _keep(flow, runtime, key, store, context, answer, signature, now)


async def _keep(
    flow: ServedFlow,
    runtime: Runtime,
    key: str,
    store: ContextStore,
    context: CallContext | None,
    answer: Answer,
    signature: str,
    now: float,
) -> Answer:
    """Keep what the call's next request needs; the answer to send (a failover without a call key)."""
    requests = context.requests + 1 if context is not None else 1
    nxt = answer.next_step
    if (
        answer.failover_reason is None
        and nxt is not None
        and (flow.single or nxt in runtime.compiled.carry_into)
    ):
        if not key:
            return runtime.failover(
                "no_call_key: the call continues, but has no call_id or uuid", answer.step
            )
        last = _last(answer, signature, now)
        await store.put(
            flow.flow_id,
            key,
            CallContext(nxt, runtime.compiled.version, answer.carried or {}, requests, last=last),
        )
    elif context is not None and flow.single:
        # Single mode: the call ended. Its ids start a new call from now on, except that a retry
        # of this very request (NOTES.md: retries are unknown) is answered the same again. (A
        # call that ended on its first request needs nothing kept: its retry runs the entry again.)
        if runtime.compiled.profile.retry_window_ms > 0 and signature:
            last = _last(answer, signature, now)
            ended = CallContext(ENDED, runtime.compiled.version, {}, requests, last=last)
            await store.put(flow.flow_id, key, ended)
        else:
            await store.delete(flow.flow_id, key)
    # Per-step mode keeps a context until its TTL: the platform may retry the last request.
    return answer


def _last(answer: Answer, signature: str, now: float) -> LastAnswer | None:
    # Kept only while retries are recognised (single mode, a retry window): the answer's bytes
    # would otherwise make every context larger for nothing.
    return LastAnswer(signature, now, answer.body, answer.step, answer.end) if signature else None


def request_signature(call: CallData) -> str:
    """A digest of everything the request carried (digits included): equal for a retry."""
    try:
        raw = orjson.dumps(call.raw, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return ""  # unreadable as a whole: never taken for a retry
    return hashlib.blake2b(raw + b"\0" + (call.last_dtmf or "").encode(), digest_size=16).hexdigest()


def is_retry(context: CallContext, signature: str, now: float, window_ms: int) -> bool:
    """Whether this request repeats the call's previous one within the retry window."""
    last = context.last
    return (
        last is not None
        and bool(signature)
        and last.signature == signature
        and 0 <= now - last.at <= window_ms / 1000
    )


def replayed(context: CallContext) -> Answer:
    """The previous answer again, marked as a retry (the context does not move on)."""
    assert context.last is not None
    last = context.last
    return Answer(last.body, last.step, end=last.end, version=context.version, retry=True)
