"""Properties: two independent readings agree.

- A random flow either has error diagnostics, or every simulated call through its compiled steps,
  emitted JSON and the platform emulator gives the same journey as the reference interpreter
  (which reads call data, key presses and numbers with its own code, flowgraph.simulate.reading).
- The reference reading and the runtime's agree on call data in every form NOTES.md lists, on
  numbers in valid and invalid shapes and on key presses with ``#``.

Hypothesis draws a share of its integers and strings from constants it finds in every *loaded*
local module, so the examples a derandomized run draws depend on which test modules pytest
collected. A check that some kind of outcome was seen must therefore not hang on a rare draw:
the strategies make every kind common, and the checks ask for a share of the calls.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from flowgraph.checks import check
from flowgraph.compile.emit import format_number
from flowgraph.diagnostics import CompileError
from flowgraph.profile import PlatformProfile, national_number, sendable_number
from flowgraph.runtime.callvars import menu_keys, national10, parse_call_vars, zone
from flowgraph.runtime.lookups import table_key
from flowgraph.simulate import reading
from flowgraph.simulate.interpret import Failover, Hangup, Prompt, Transfer, walk
from flowgraph.simulate.simulator import compile_for, simulate
from tests.strategies import call_data, dtmf_values, flows, numbers, scripts

EXAMPLES = 300
PROFILE = PlatformProfile()
READINGS = settings(max_examples=400, deadline=None, derandomize=True, database=None)


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
                seen["raw call data"] += script.call_data is not None
                kinds = {flow.node_map()[n].type for n in expected.path}
                seen["through a split"] += "split" in kinds
                for ev in expected.events:
                    seen[type(ev).__name__] += 1

    one_flow()
    print(dict(seen))  # visible with -s: how much the property exercised
    # The property must not pass vacuously: enough valid flows, calls with raw call data, and
    # journeys of every kind, each in a share of the calls (not one lucky draw).
    assert seen["valid"] >= EXAMPLES // 5, seen
    assert seen["calls"] >= 2 * seen["valid"], seen
    assert seen["raw call data"] >= seen["calls"] // 4, seen
    assert seen["through a split"] >= seen["calls"] // 50, seen
    for kind in (Prompt, Transfer, Hangup, Failover):
        assert seen[kind.__name__] >= seen["calls"] // 50, (kind.__name__, seen)


@READINGS
@given(call_data(with_stamp=False, dtmf=True))
def test_call_data_readings_agree(request: dict[str, Any]) -> None:
    ours = reading.read_call(request, reading.time_zone(PROFILE.timezone))
    theirs = parse_call_vars(request, PROFILE)
    assert theirs.uuid == ours.uuid
    assert theirs.call_id == ours.call_id
    assert (theirs.caller_id_number, theirs.call_to_number) == (ours.caller_id_number, ours.call_to_number)
    assert (theirs.caller, theirs.dialled) == (ours.caller, ours.dialled)
    assert theirs.last_dtmf == ours.last_dtmf
    assert theirs.variables(zone(PROFILE.timezone)) == ours.variables()


@READINGS
@given(numbers())
def test_number_rules_agree(value: Any) -> None:
    assert national10(value) == reading.national(reading.text_value(value))
    if isinstance(value, str):
        assert national_number(value) == reading.national(value)
        assert sendable_number(value) == reading.sendable(value)
        assert table_key(value) == reading.table_key(value)
        for number_format in ("national10", "e164"):
            profile = PlatformProfile(number_format=number_format)
            assert format_number(value, profile) == reading.formatted(value, number_format)


@READINGS
@given(dtmf_values())
def test_key_press_readings_agree(value: Any) -> None:
    ours = reading.read_dtmf(value)
    assert parse_call_vars({"last_dtmf": value}, PROFILE).last_dtmf == ours
    assert menu_keys(ours) == reading.menu_keys(ours)


def test_the_strategies_draw_every_shape() -> None:
    """The reading properties are not vacuous: valid and refused numbers, no input and keys with
    a final ``#`` are all drawn."""
    seen: Counter[str] = Counter()

    @READINGS
    @given(numbers(), dtmf_values())
    def draw(number: Any, dtmf: Any) -> None:
        text = reading.text_value(number)
        seen["sendable" if reading.sendable(text) else "refused"] += 1
        seen["json number"] += isinstance(number, int | float)
        keys = reading.read_dtmf(dtmf)
        seen["no input" if keys is None else "terminated" if keys.endswith("#") else "keys"] += 1

    draw()
    for shape in ("sendable", "refused", "json number", "no input", "terminated", "keys"):
        assert seen[shape] >= 20, (shape, seen)
