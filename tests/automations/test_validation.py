"""Bad input never crashes the loader: any YAML-shaped value either compiles or is rejected
with a `RuleError`; templates render to native values; durations parse as HA's do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hearthmind.automations import RuleError, compile_rule
from hearthmind.automations.environment import RuleEnvironment
from hearthmind.automations.templates import native
from hearthmind.automations.validation import parse_duration
from hearthmind.core import SimulatedClock

from .conftest import START, make_hub

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "state",
            "numeric_state",
            "time",
            "time_pattern",
            "event",
            "sun",
            "sensor.a",
            "light.turn_on",
            "{{ x }}",
            "{{ 1 +",
            "00:01:00",
            "/5",
            "on",
            "sunrise",
            "single",
            "queued",
            "and",
            "not",
        ]
    ),
)
keys = st.sampled_from(
    [
        "id",
        "alias",
        "mode",
        "max",
        "trigger",
        "triggers",
        "condition",
        "conditions",
        "action",
        "actions",
        "platform",
        "entity_id",
        "to",
        "from",
        "for",
        "above",
        "below",
        "at",
        "event",
        "event_type",
        "event_data",
        "offset",
        "service",
        "data",
        "target",
        "delay",
        "hours",
        "minutes",
        "seconds",
        "value_template",
        "after",
        "before",
        "weekday",
        "state",
        "repeat",
        "count",
        "sequence",
        "choose",
        "if",
        "then",
        "variables",
        "wait_template",
        "timeout",
    ]
)
yaml_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(keys | st.text(max_size=5), children, max_size=6)
    ),
    max_leaves=15,
)
rules = st.fixed_dictionaries(
    {"trigger": yaml_values, "action": yaml_values},
    optional={"condition": yaml_values, "mode": yaml_values, "id": yaml_values, "max": yaml_values},
)

ENV = RuleEnvironment(make_hub(SimulatedClock(START), Path(".")))


@settings(max_examples=150, deadline=None)
@given(raw=st.one_of(yaml_values, rules))
def test_any_yaml_compiles_or_is_rejected_cleanly(raw: Any) -> None:
    try:
        compile_rule(raw, (0,), ENV, 0)
    except RuleError as err:
        assert err.reason
        assert all(isinstance(p, str | int) for p in err.path)


@given(
    st.one_of(
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.lists(st.integers(), max_size=4),
    )
)
def test_native_values_round_trip(value: Any) -> None:
    if "e" in str(value):  # HA keeps scientific notation as text
        assert native(str(value)) == str(value)
    else:
        assert native(str(value)) == value


@given(st.text(max_size=40))
def test_native_never_fails(text: str) -> None:
    result = native(text)
    assert result == text or not isinstance(result, str)


def test_native_keeps_codes_and_words() -> None:
    assert native("007") == "007"
    assert native("1.50") == 1.5
    assert native("1e3") == "1e3"
    assert native("'quoted'") == "'quoted'"
    assert native("on") == "on"
    assert native(" 12 ") == 12
    assert native("True") is True
    assert native("[1, 'a']") == [1, "a"]


@given(h=st.integers(0, 99), m=st.integers(0, 59), s=st.integers(0, 59))
def test_durations(h: int, m: int, s: int) -> None:
    total = h * 3600 + m * 60 + s
    assert parse_duration(f"{h:02d}:{m:02d}:{s:02d}", ()) == total
    assert parse_duration({"hours": h, "minutes": m, "seconds": s}, ()) == total
    assert parse_duration(total, ()) == total
    assert parse_duration(f"-{h:02d}:{m:02d}:{s:02d}", (), allow_negative=True) == -total
    assert parse_duration(f"{h:02d}:{m:02d}", ()) == h * 3600 + m * 60


PATHS = [
    "{{ trigger.to_state.state }}",
    "{{ trigger.to_state.attributes.brightness }}",
    "{{ trigger.to_state.attributes.missing }}",
    "{{ trigger.entity_id }}",
    "{{ trigger.nothing }}",
    "{{ trigger.to_state.state.upper }}",
    "{{ trigger.for }}",
    "{{ number }}",
    "{{ nothing_here }}",
    "{{ trigger.to_state.__class__ }}",
    "{{ trigger.to_state.context.id }}",
]


def test_attribute_path_templates_render_as_jinja_does() -> None:
    """`{{ a.b.c }}` takes a fast path; it must give what Jinja gives, errors included."""
    from hearthmind.automations.templates import TemplateError
    from hearthmind.core import Origin, State

    hub = ENV.hub
    state = State("light.x", "007", {"brightness": 12}, 0.0, 0.0, hub.context(Origin.SENSOR))
    variables = {"trigger": {"to_state": state, "entity_id": "light.x", "for": None}, "number": 1.5}
    for text in PATHS:
        try:
            template = ENV.templates.compile(text, ())
        except RuleError:
            continue  # `trigger.for`: not valid Jinja, rejected when the rule loads
        fast = ENV.templates.compile_value(text, ())
        assert fast is not None
        try:
            want: Any = native(ENV.templates.render_template(template, variables))
        except TemplateError:
            want = TemplateError
        try:
            got: Any = fast(variables)
        except TemplateError:
            got = TemplateError
        assert got == want, text
