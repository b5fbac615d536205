"""Issue 20: fuzzing the template engine. Templates assembled from the pieces runaways are made
of (loops, ranges, widths, joins, macros, `~`, `*`, `**`, formatting) either render or fail
with a TemplateError; nothing else escapes, and nothing runs away (pytest-timeout bounds the
test; `FUZZ_EXAMPLES=N` runs longer, e.g. 100000 for the issue's ten minutes)."""

from __future__ import annotations

import os
from datetime import UTC
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearthmind.automations.templates import TemplateError, Templates
from hearthmind.automations.validation import RuleError
from hearthmind.core.clock import SimulatedClock
from hearthmind.core.template_limits import TemplateLimits

from .conftest import START, make_hub

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))

EXPRESSIONS = [
    "range(100000)", "range(1000)", "'x' * 100000", "'ab'", "[1, 2, 3]", "10 ** 4000",
    "(2 ** 5000)", "ns.s", "x", "'%s'", "'{:>9}'", "states", "now()", "1e308", "-1", "0",
    "[ns.s, ns.s]", "('y' * 50000)", "namespace(s='q')", "none", "{'a': [1]}",
]  # fmt: skip
FILTERS = [
    "|join", "|join(',')", "|center(1000000)", "|center(5)", "|list", "|string", "|length",
    "|indent(3)", "|batch(3)|list", "|sum", "|replace('x', 'xx')", "|format(1)", "|tojson",
    "|int", "|float(0)", "|sort", "|unique|list", "|reverse|list", "|first", "|wordwrap(5)",
]  # fmt: skip
OPERATORS = [" * ", " ~ ", " + ", " ** ", " % ", " // ", " and ", " if x else "]


@st.composite
def expressions(draw: st.DrawFn, depth: int = 2) -> str:
    text = draw(st.sampled_from(EXPRESSIONS))
    for _ in range(draw(st.integers(0, depth))):
        if draw(st.booleans()):
            text = f"({text}){draw(st.sampled_from(FILTERS))}"
        else:
            right = draw(st.sampled_from(EXPRESSIONS))
            text = f"({text}){draw(st.sampled_from(OPERATORS))}({right})"
    return text


@st.composite
def templates(draw: st.DrawFn) -> str:
    body = "{{ " + draw(expressions()) + " }}"
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["for", "set", "if", "macro", "text"]))
        if kind == "for":
            body = "{% for x in " + draw(expressions(1)) + " %}" + body + "{% endfor %}"
        elif kind == "set":
            body = "{% set ns.s = " + draw(expressions(1)) + " %}" + body
        elif kind == "if":
            body = "{% if " + draw(expressions(1)) + " %}" + body + "{% endif %}"
        elif kind == "macro":
            body = "{% macro m(n) %}" + body + "{{ m(n) }}{% endmacro %}{{ m(1) }}"
        else:
            body += draw(st.text(max_size=20))
    return "{% set ns = namespace(s='x') %}" + body


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    hub = make_hub(SimulatedClock(START), Path(tmp_path_factory.mktemp("fuzz")))
    return Templates(hub, UTC)


# counted, not timed: the same verdict on a loaded machine; the sizes are the real ones
LIMITS = TemplateLimits(operations=200_000, seconds=3600)


@pytest.mark.timeout(600)
@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(text=templates())
def test_a_template_renders_or_fails_cleanly(engine: Templates, text: str) -> None:
    try:
        compiled = engine.compile(text, ("fuzz",))
    except RuleError:
        return
    try:
        result = engine.render_template(compiled, {"x": 1}, LIMITS)
    except TemplateError:
        return
    assert len(result) <= 1_000_000
