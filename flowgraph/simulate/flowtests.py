"""Flow tests: scripted calls kept in the flow document (``tests``), run like ``simulate``.

:func:`run_tests` plays each test's call through the compiled steps, the emitted JSON and the
platform emulator (:func:`flowgraph.simulate.simulator.simulate`), and compares how the call ended (and,
when the test says, the path and the recordings heard) with the expectation. :func:`coverage`
lists the branches no test reaches; :func:`junit_xml` writes the results for CI systems;
:func:`starter_suite` proposes one test per distinct path, expecting what the flow does today.

Tests are data (:class:`flowgraph.model.FlowTest`) and, like ``layout``, not part of the flow's
logic: adding a test is not a new flow version.

A lookup the test says times out ends as the live server would: the live answer deadline
(:mod:`flowgraph.runtime.deadline`, ``deadline_ms``) runs from the request's arrival. A lookup
whose ``timeout_ms`` ends before it (less the margin kept for sending) takes its ``error``
branch; otherwise the deadline passes first and the call gets the flow's failover, reason
``deadline``. Several timeouts in one request add up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from flowgraph.compile.compiler import CompiledFlow, compile_flow
from flowgraph.diagnostics import FlowgraphError
from flowgraph.model import Flow, FlowTest, FlowTestExpect, declared_branches, is_date
from flowgraph.runtime.deadline import DEFAULT_DEADLINE_MS
from flowgraph.runtime.split import arm_index, bounds
from flowgraph.runtime.tables import bind_server_tables
from flowgraph.simulate.platform import (
    CallScript,
    Failover,
    Handoff,
    Journey,
    LookupOutcome,
    Play,
    Prompt,
    ScriptError,
    Transfer,
)
from flowgraph.simulate.simulator import simulate

#: The pseudo-branch "the call ended in the flow's failover": listed when a test ends there (a
#: valid flow reaches its failover only through bad call data, so it is not required).
FAILOVER_BRANCH = ("(flow)", "failover")


class FlowTestError(FlowgraphError):
    """The tests' data cannot be run: every problem found, each naming its test and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more: {'; '.join(problems[1:])})" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Raised in the server's worker process too: rebuild from the list, not the message.
        return (FlowTestError, (self.problems,))


class FlowTestsFailed(FlowgraphError):
    """Some of the flow's tests fail: publishing is refused (409), like an error diagnostic."""

    def __init__(self, results: list[dict[str, Any]]):
        failed = [r for r in results if not r["passed"]]
        first = failed[0] if failed else {"name": "", "differences": [""]}
        super().__init__(
            f"{len(failed)} of {len(results)} flow tests fail; first: '{first['name']}': {first['differences'][0]}"
        )
        self.results = results


def require_passing(flow: Flow, compiled: CompiledFlow, deadline_ms: float = DEFAULT_DEADLINE_MS) -> None:
    """Raise :class:`FlowTestsFailed` when any of the flow's tests fails (publish runs this)."""
    results = run_tests(flow, compiled, deadline_ms)
    if not all(r.passed for r in results):
        raise FlowTestsFailed([r.to_json() for r in results])


def report(flow: Flow, deadline_ms: float = DEFAULT_DEADLINE_MS) -> dict[str, Any]:
    """Every test's result and the branch coverage, as JSON (``POST /api/flows/{id}/test``)."""
    results = run_tests(flow, deadline_ms=deadline_ms)
    cov = coverage(flow, [r.journey for r in results if r.journey is not None])
    return {
        "passed": sum(r.passed for r in results),
        "failed": sum(not r.passed for r in results),
        "results": [r.to_json() for r in results],
        "coverage": {
            "percent": round(cov.percent, 1),
            "covered": len(cov.covered),
            "branches": len(cov.branches),
            "missed": [{"node": n, "branch": b} for n, b in cov.missed],
        },
    }


@dataclass
class TestResult:
    """One test's verdict; ``differences`` says what was expected and what happened."""

    name: str
    passed: bool
    differences: list[str] = field(default_factory=list)
    journey: Journey | None = None

    def to_json(self) -> dict[str, Any]:
        got = outcome_of(self.journey) if self.journey is not None else None
        notes = list(self.journey.notes) if self.journey is not None else []
        return {
            "name": self.name,
            "passed": self.passed,
            "differences": self.differences,
            "got": got,
            "notes": notes,
        }


def script_for(test: FlowTest, index: int) -> CallScript:
    """The call script of ``test`` (a lookup ``timeout`` is measured against the answer
    deadline by the simulator: see the module docstring). ``call.at`` is checked when the flow
    loads (:class:`flowgraph.model.FlowTestCall`)."""
    lookups: dict[str, LookupOutcome] = dict(test.lookups)
    return CallScript(
        caller=test.call.caller,
        dialled=test.call.dialled,
        start=datetime.strptime(test.call.at, "%Y-%m-%d %H:%M"),
        presses=list(test.presses),
        answers=list(test.answers),
        lookups=lookups,
        call_id=f"flowtest.{index}",
    )


def data_problems(flow: Flow) -> list[str]:
    """What makes the tests' data unusable before any is run, each problem named by its test:
    a name another test has too (results are reported and matched by name), and a lookup answer
    for a node that is not one of the flow's HTTP lookups (it would be ignored)."""
    problems = []
    first: dict[str, int] = {}
    http = {n.id for n in flow.nodes if n.type == "lookup" and n.source.kind != "table"}
    for i, test in enumerate(flow.tests):
        if test.name in first:
            problems.append(f"test '{test.name}' tests[{i}].name: also the name of tests[{first[test.name]}]")
        first.setdefault(test.name, i)
        for node_id in sorted(set(test.lookups) - http):
            problems.append(
                f"test '{test.name}' tests[{i}].lookups.{node_id}: not an HTTP lookup node of the flow"
                + (f" (its HTTP lookups: {', '.join(sorted(http))})" if http else " (it has none)")
            )
    return problems


def _unused(test: FlowTest, journey: Journey) -> list[str]:
    """Presses (one per prompt attempt) and answers (one per transfer) the call never used: the
    test would pass while saying something the call does not do."""
    diffs = []
    prompts = sum(isinstance(e, Prompt) for e in journey.events)
    if len(test.presses) > prompts:
        left = ", ".join("nothing" if p is None else repr(p) for p in test.presses[prompts:])
        diffs.append(
            f"presses: {len(test.presses)} given, but the call reached {prompts} prompt(s); never used: {left}"
        )
    rings = sum(isinstance(e, Transfer) for e in journey.events)
    if len(test.answers) > rings:
        left = ", ".join(str(a).lower() for a in test.answers[rings:])
        diffs.append(
            f"answers: {len(test.answers)} given, but the call rang {rings} transfer(s); never used: {left}"
        )
    return diffs


def outcome_of(journey: Journey) -> dict[str, Any]:
    """How a call ended, in the shape of :class:`flowgraph.model.FlowTestExpect`."""
    last = journey.events[-1] if journey.events else None
    out: dict[str, Any]
    if isinstance(last, Transfer):
        out = {"outcome": "transfer", "transfer": last.type, "targets": list(last.targets)}
    elif isinstance(last, Handoff):
        out = {"outcome": "handoff", "dialplan": last.dialplan_id}
    elif isinstance(last, Failover):
        # The server's own failovers say why in their detail's code (``deadline: ...``).
        reason = last.detail.split(":", 1)[0] if last.reason == "server" and last.detail else last.reason
        out = {"outcome": "failover", "reason": reason}
    else:
        out = {"outcome": "hangup"}
    out["path"] = list(journey.path)
    out["recordings"] = [e.data for e in journey.events if isinstance(e, Play | Prompt)]
    if journey.decisions:
        out["decided"] = [f"{d.node}: {d.reason()}" for d in journey.decisions]
    return out


def _differences(test: FlowTest, got: dict[str, Any]) -> list[str]:
    want = test.expect
    diffs: list[str] = []
    checks: list[tuple[str, Any, Any]] = [("outcome", want.outcome, got["outcome"])]
    for name in ("transfer", "targets", "dialplan", "path", "recordings", "decided"):
        expected = getattr(want, name)
        if expected is not None:
            checks.append((name, expected, got.get(name)))
    for name, expected, actual in checks:
        if expected != actual:
            extra = f" ({got['reason']})" if name == "outcome" and "reason" in got else ""
            diffs.append(f"{name}: expected {_show(expected)}, got {_show(actual)}{extra}")
    return diffs


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "nothing" if value is None else str(value)


def run_tests(
    flow: Flow, compiled: CompiledFlow | None = None, deadline_ms: float = DEFAULT_DEADLINE_MS
) -> list[TestResult]:
    """Run every test in ``flow.tests`` (compiles the flow once; raises ``CompileError`` for a
    flow with errors and :class:`FlowTestError` for test data that cannot run). ``deadline_ms``:
    the live answer deadline that lookup timeouts are measured against. Every test-data problem
    is found before :class:`FlowTestError` is raised, so one run names them all.

    Server tables read as empty, on the server too (a test's verdict must not change with the
    live data, or an upload could block the next publish); each result's journey notes which
    server tables it read so."""
    compiled = bind_server_tables(compiled or compile_flow(flow), flow)
    problems = data_problems(flow)
    results = []
    for i, test in enumerate(flow.tests):
        try:
            journey = simulate(compiled, script_for(test, i), deadline_ms=deadline_ms)
        except ScriptError as exc:
            problems.append(f"test '{test.name}' tests[{i}].lookups: {exc}")
            continue
        diffs = _differences(test, outcome_of(journey)) + _unused(test, journey)
        results.append(TestResult(test.name, not diffs, diffs, journey))
    if problems:
        raise FlowTestError(problems)
    return results


@dataclass
class Coverage:
    """Branches of the flow's reachable nodes, and which ones the tests reached."""

    branches: list[tuple[str, str]]
    covered: set[tuple[str, str]]

    @property
    def missed(self) -> list[tuple[str, str]]:
        return [b for b in self.branches if b not in self.covered]

    @property
    def percent(self) -> float:
        return 100.0 if not self.branches else 100.0 * len(self.covered) / len(self.branches)


def coverage(flow: Flow, journeys: list[Journey]) -> Coverage:
    """Which wired branches (menu options, no_input, invalid, switch cases, lookup outcomes, a
    transfer's no_answer, and the flow's failover) the journeys took."""
    nodes = flow.node_map()
    branches = [(node.id, b) for node in flow.nodes for b in declared_branches(node) if b in node.branches]
    if any(j.events and isinstance(j.events[-1], Failover) for j in journeys):
        branches.append(FAILOVER_BRANCH)
    covered: set[tuple[str, str]] = set()
    for journey in journeys:
        on_path = set(journey.path)
        for node_id, branch in journey.trace:
            node = nodes.get(node_id)
            target = node.branches.get(branch) if node is not None and branch else None
            if target is not None and node_id in on_path and target in on_path:
                covered.add((node_id, branch))
        if journey.events and isinstance(journey.events[-1], Failover):
            covered.add(FAILOVER_BRANCH)
    return Coverage(branches, covered & set(branches))


def junit_xml(suites: dict[str, list[TestResult]]) -> str:
    """JUnit XML (one ``testsuite`` per flow file) for CI systems."""
    root = ET.Element("testsuites")
    for suite_name, results in suites.items():
        failed = sum(1 for r in results if not r.passed)
        suite = ET.SubElement(
            root, "testsuite", name=suite_name, tests=str(len(results)), failures=str(failed), errors="0"
        )
        for r in results:
            case = ET.SubElement(suite, "testcase", classname=suite_name, name=r.name)
            if not r.passed:
                failure = ET.SubElement(case, "failure", message=r.differences[0])
                failure.text = "\n".join(r.differences)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


# --- a starter suite ----------------------------------------------------------------------

#: Call times a starter suite tries: a weekday morning and a Sunday night (time switches).
_STARTER_TIMES = ("2026-01-05 10:00", "2026-01-04 22:00")
_UNKNOWN_CALLER = "+919000012345"


def _starter_times(flow: Flow) -> list[str]:
    """:data:`_STARTER_TIMES`, and 10:00 on the first date of each time condition's ``except`` /
    ``only`` dates (listed, or in its calendar) so a holiday is tried too."""
    days: list[str] = []
    for node in flow.nodes:
        for case in getattr(node, "cases", ()) if node.type == "switch" else ():
            for _kind, rule in case.when.date_rules() if case.when.on == "time" else ():
                table = flow.tables.get(rule.calendar) if rule.calendar else None
                dates = sorted([*rule.dates, *(table.rows if table is not None else ())])
                days += [f"{d} 10:00" for d in dates[:1] if is_date(d)]
    return [*_STARTER_TIMES, *dict.fromkeys(days)]


def _starter_callers(flow: Flow) -> list[str]:
    """A caller for each table (its first numeric key; a prefix key is padded to 10 digits) and
    one nobody knows."""
    callers = []
    for table in flow.tables.values():
        keys = [k.strip() for k in sorted(table.rows) if k.strip().lstrip("+").isdigit()]
        if keys:
            callers.append(keys[0] if len(keys[0]) >= 10 else keys[0].ljust(10, "0"))
    return [*dict.fromkeys([*callers, *_split_callers(flow)]), _UNKNOWN_CALLER]


def _split_callers(flow: Flow, tries: int = 20_000) -> list[str]:
    """For each arm (with a share) of each split, a caller number the split sends down it."""
    callers = []
    for node in flow.nodes:
        if node.type != "split":
            continue
        upper = bounds([arm.share for arm in node.arms])
        wanted = {i for i, arm in enumerate(node.arms) if arm.share > 0}
        for n in range(tries):
            if not wanted:
                break
            number = str(9_000_000_000 + n)
            arm = arm_index(number, node.id, upper)
            if arm in wanted:
                wanted.discard(arm)
                callers.append(number)
    return callers


def _alternatives(flow: Flow, journey: Journey, test: FlowTest) -> list[FlowTest]:
    """Scripts that differ from ``test`` at its first unscripted choice (a prompt or a transfer)."""
    prompts = [e for e in journey.events if isinstance(e, Prompt)]
    if len(prompts) > len(test.presses):
        data = prompts[len(test.presses)].data
        menus = [n for n in flow.nodes if n.type == "menu" and str(n.recording.data) == data]
        options = sorted({o for m in menus for o in m.options})
        wrong = next((d for d in "9876543210*" if all(not o.startswith(d) for o in options)), None)
        keys: list[str | None] = [*options, None, *([wrong] if wrong else [])]
        return [test.model_copy(update={"presses": [*test.presses, k]}) for k in keys]
    transfers = [e for e in journey.events if isinstance(e, Transfer)]
    if len(transfers) > len(test.answers) and transfers[len(test.answers)].answered is not False:
        return [test.model_copy(update={"answers": [*test.answers, a]}) for a in (True, False)]
    return []


def starter_suite(flow: Flow, compiled: CompiledFlow | None = None, limit: int = 40) -> list[FlowTest]:
    """One test per distinct way through the flow found by trying each table's caller, an unknown
    caller, two call times, every menu key (plus no input and a wrong key), unanswered transfers
    and each HTTP lookup's not_found and error; each expects what the flow does today."""
    compiled = compiled or compile_flow(flow)
    http = [n.id for n in flow.nodes if n.type == "lookup" and n.source.kind != "table"]
    outcomes: list[dict[str, LookupOutcome]] = [{}]
    for node in http:
        outcomes = [{**o, node: answer} for o in outcomes for answer in ("not_found", "error")]
    queue = [
        FlowTest.model_validate(
            {"name": "-", "call": {"caller": c, "at": at}, "lookups": lk, "expect": {"outcome": "hangup"}}
        )
        for c in _starter_callers(flow)
        for at in _starter_times(flow)
        for lk in outcomes
    ]
    found: dict[tuple[Any, ...], FlowTest] = {}
    runs = 0
    while queue and len(found) < limit and runs < limit * 8:
        test = queue.pop(0)
        runs += 1
        journey = simulate(compiled, script_for(test, runs))
        more = _alternatives(flow, journey, test)
        if more:
            queue.extend(more)
            continue
        got = outcome_of(journey)
        taken = tuple(sorted(coverage(flow, [journey]).covered))
        key = (taken, got["outcome"], tuple(got.get("targets") or ()), tuple(got.get("decided") or ()))
        if key not in found:
            expect = FlowTestExpect.model_validate({k: v for k, v in got.items() if k != "reason"})
            found[key] = test.model_copy(update={"name": _name(test, got), "expect": expect})
    return [FlowTest.model_validate(t.model_dump(exclude_none=True)) for t in found.values()]


def _name(test: FlowTest, got: dict[str, Any]) -> str:
    keys = ",".join("-" if k is None else k for k in test.presses) or "nothing"
    end = got["outcome"]
    if end == "transfer":
        end = f"transfer to {got['transfer']} {' '.join(got['targets'])}"
    elif end == "handoff":
        end = f"hand-off to {got['dialplan']}"
    return f"{test.call.caller} at {test.call.at}, presses {keys} -> {end}"[:200]
