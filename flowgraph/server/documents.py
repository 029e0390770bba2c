"""Flow documents at the management API's edges: a request body -> :class:`Flow`
(:func:`parse_flow`), a :class:`Flow` -> its stored form (:func:`document`), and a stored draft
or version -> :class:`StoredFlow` (:func:`stored_draft`, :func:`stored_published`,
:func:`stored_version`).

This is the one place that reads stored documents for the routers (``deps.py`` wraps the
loaders as FastAPI dependencies), so every route fails the same way: an unknown or deleted flow
is :class:`FlowNotFound` (404), a missing version or an unpublished flow :class:`VersionNotFound`
(404), and a stored document that is no longer a valid flow :class:`FlowLoadError` (422, located
problems); ``errors.py`` maps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flowgraph.diagnostics import FlowLoadError
from flowgraph.load import flow_from_data
from flowgraph.model import Flow
from flowgraph.store.flows import FlowStore, VersionNotFound, VersionRecord


def document(flow: Flow) -> dict[str, Any]:
    """The stored form of a flow: canonical JSON (aliases, no nulls), the same on every save."""
    return flow.model_dump(mode="json", by_alias=True, exclude_none=True)


def parse_flow(body: Any, source: str, flow_id: str | None = None, max_nodes: int | None = None) -> Flow:
    """Validate a request body as a flow (FlowLoadError -> 422); its id must match the URL's.

    ``max_nodes`` (``FLOWGRAPH_MAX_FLOW_NODES``) is checked first, before the costly validation.
    """
    nodes = body.get("nodes") if isinstance(body, dict) else None
    if max_nodes is not None and isinstance(nodes, list) and len(nodes) > max_nodes:
        raise FlowLoadError(
            source,
            [("nodes", f"{len(nodes)} nodes, over the limit of {max_nodes} (FLOWGRAPH_MAX_FLOW_NODES)")],
        )
    flow = flow_from_data(body, source)
    if flow_id is not None and flow.id != flow_id:
        raise FlowLoadError(
            source, [("id", f"must equal the flow id in the URL ('{flow_id}'), got '{flow.id}'")]
        )
    return flow


@dataclass(frozen=True)
class StoredFlow:
    """A stored flow document (the draft or a published version), not yet validated.

    Routes that hand big documents to the worker process pass ``document`` and ``source`` on;
    :meth:`flow` validates it in this process.
    """

    id: str
    document: dict[str, Any]
    #: Where problems in it are located: ``flow 'x'`` or ``flow 'x' version 3``.
    source: str
    #: How a picture titles it: ``draft (revision 4)`` or ``v3``.
    label: str
    #: The published version it is; None for the draft.
    record: VersionRecord | None = None

    @property
    def version(self) -> int | None:
        """The version number; None for the draft."""
        return self.record.number if self.record is not None else None

    def flow(self) -> Flow:
        """The document as a :class:`Flow` (FlowLoadError naming ``source`` when it is not one)."""
        return flow_from_data(self.document, self.source)

    def kinds(self) -> dict[str, str]:
        """Node id -> node type, read from the raw document (also when it does not validate)."""
        nodes = self.document.get("nodes") if isinstance(self.document, dict) else None
        return {str(n.get("id")): str(n.get("type")) for n in nodes or [] if isinstance(n, dict)}


def stored_draft(flows: FlowStore, flow_id: str, include_deleted: bool = False) -> StoredFlow:
    """The flow's draft (FlowNotFound for an unknown flow, or a deleted one unless asked)."""
    record = flows.get(flow_id, include_deleted=include_deleted)
    return StoredFlow(flow_id, record.draft, f"flow '{flow_id}'", f"draft (revision {record.revision})")


def stored_version(flows: FlowStore, flow_id: str, number: int) -> StoredFlow:
    """Published version ``number`` (VersionNotFound when there is none, or it has no document)."""
    version = flows.get_version(flow_id, number)
    if version.flow is None:
        raise VersionNotFound(f"flow '{flow_id}' version {number} has no document")
    return StoredFlow(flow_id, version.flow, f"flow '{flow_id}' version {number}", f"v{number}", version)


def stored_published(flows: FlowStore, flow_id: str) -> StoredFlow:
    """The live version (FlowNotFound for an unknown flow, VersionNotFound when unpublished)."""
    found = published_or_none(flows, flow_id)
    if found is None:
        flows.get(flow_id)  # 404 for an unknown or deleted flow first
        raise VersionNotFound(f"flow '{flow_id}' is not published")
    return found


def published_or_none(flows: FlowStore, flow_id: str) -> StoredFlow | None:
    """The live version, or None when the flow is not published."""
    version = flows.published(flow_id)
    if version is None:
        return None
    source = f"flow '{flow_id}' version {version.number}"
    return StoredFlow(flow_id, version.flow or {}, source, f"v{version.number}", version)
