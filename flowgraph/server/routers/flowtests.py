"""``POST /api/flows/{id}/test``: run the draft's flow tests (``tests`` in the document).

The same runner as ``flowgraph test`` (:mod:`flowgraph.simulate.flowtests`), in the worker process like
publishing (a big flow's compile must not stall live answers). Publishing runs the tests too: a
failing test refuses the publish with 409 and the results (``tests``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from flowgraph.server import worker
from flowgraph.server.deps import AppState, DraftDep, get_state, require_admin
from flowgraph.server.schemas import COMMON_ERRORS, ErrorOut, FlowTestRunOut

router = APIRouter(
    prefix="/api", tags=["tools"], dependencies=[Depends(require_admin)], responses=COMMON_ERRORS
)


@router.post(
    "/flows/{flow_id}/test",
    summary="Run the draft's flow tests",
    response_model=FlowTestRunOut,
    responses={409: {"model": ErrorOut, "description": "The flow has errors (see diagnostics)"}},
)
def run_flow_tests(draft: DraftDep, state: AppState = Depends(get_state)) -> FlowTestRunOut:
    """Each test's verdict (expected vs got) and the branches no test reaches. A lookup a test
    says times out is measured against this server's answer deadline."""
    deadline = state.settings.answer_deadline_ms
    return FlowTestRunOut.model_validate(
        worker.run(worker.test_report, draft.document, draft.source, deadline)
    )
