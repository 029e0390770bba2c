"""Property: a random flow either has error diagnostics, or every simulated call through its
compiled steps and emitted JSON gives the same journey as the reference interpreter."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from flowgraph.checks import check
from flowgraph.diagnostics import CompileError
from flowgraph.simulate.interpret import Failover, Hangup, Prompt, Transfer, walk
from flowgraph.simulate.simulator import compile_for, simulate
from tests.strategies import flows, scripts

EXAMPLES = 300


def test_compiled_journeys_equal_the_interpreter() -> None:
    seen: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def one_flow(data: st.DataObject) -> None:
        flow = data.draw(flows(), label="flow")
        errors = [d for d in check(flow) if d.is_error]
        for mode in ("per_step", "single"):
            try:
                compiled = compile_for(flow, mode)
            except CompileError as exc:
                assert errors, "compile_flow refused a flow check() passed"
                assert any(d.is_error for d in exc.diagnostics)
                event("flow has errors")
                seen["invalid"] += 1
                return
            assert not errors
            seen["valid"] += 1
            event("valid flow")
            for _ in range(3):
                script = data.draw(scripts(flow), label="script")
                expected = walk(flow, script)
                got = simulate(compiled, script)
                assert got == expected, (
                    f"{mode}: simulate != walk\nwalk: {expected.to_json()}\nsim:  {got.to_json()}"
                )
                seen["calls"] += 1
                for ev in expected.events:
                    seen[type(ev).__name__] += 1

    one_flow()
    print(dict(seen))  # visible with -s: how much the property exercised
    # The property must not pass vacuously: enough valid flows, and journeys of every kind.
    assert seen["valid"] >= EXAMPLES // 5, seen
    assert seen["calls"] >= 2 * seen["valid"], seen
    for kind in (Prompt, Transfer, Hangup, Failover):
        assert seen[kind.__name__] > 0, (kind.__name__, seen)
