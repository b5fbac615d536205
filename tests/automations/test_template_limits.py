"""Issue 20, finding 1: a template cannot freeze or exhaust the hub. Every render has a
budget (operations, time, size); one over it fails alone, counted and named."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest

from hearthmind.automations.templates import Templates
from hearthmind.automations.validation import RuleError
from hearthmind.core import Hub
from hearthmind.core.clock import SimulatedClock
from hearthmind.core.template_limits import (
    LOOP_LIMITS,
    WORKER_LIMITS,
    TemplateLimits,
    TemplateOverBudget,
)

from .conftest import START, make_hub


@pytest.fixture
def templates(tmp_path: Path) -> Iterator[Templates]:
    yield Templates(make_hub(SimulatedClock(START), tmp_path), UTC)


# the loop's count of operations, and no deadline to speak of: what fails here fails by
# count or size, the same on a loaded machine
COUNTED = TemplateLimits(operations=LOOP_LIMITS.operations, seconds=3600)


def render(
    templates: Templates, text: str, name: str = "t", limits: TemplateLimits = COUNTED
) -> str:
    return templates.render_template(templates.compile(text, (name,)), {}, limits)


# each would take seconds to days, or hundreds of megabytes, without a budget
RUNAWAYS = [
    "{% for i in range(100000) %}{% for j in range(100) %}{% endfor %}{% endfor %}",
    "{% for i in range(100000) %}{% for c in 'abcdefghijklmnopqrstuvwxyz' %}{% endfor %}{% endfor %}",
    "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(30) }}",
    "{{ 'x'.ljust(200000000) }}",
    "{{ 'x'.center(200000000) }}",
    "{{ 'x'|center(200000000) }}",
    "{{ 'x'|indent(200000000) }}",
    "{{ '%200000000d' % 1 }}",
    "{{ '%*d' % (200000000, 1) }}",
    "{{ '{:>200000000}'.format(1) }}",
    "{{ '{:{w}}'.format(1, w=200000000) }}",
    "{{ '%200000000d'|format(1) }}",
    "{{ ([('x' * 100000)] * 100000)|join }}",
    "{{ ','.join([('x' * 100000)] * 100000) }}",
    "{{ ('x' * 100000).replace('x', 'xxxxxxxxxxxxxxxxxxxx') }}",
    "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
    "{% set ns = namespace(s=[1]) %}{% for i in range(200) %}{% set ns.s = [ns.s, ns.s] %}{% endfor %}{{ ns.s }}",
    "{% for i in range(100000) %}{{ 'y' * 100000 }}{% endfor %}",
    "{% for i in range(100000) %}" + "z" * 1000 + "{% endfor %}",
    "{{ [1]|batch(1000000000, 0)|list|length }}",
    "{{ [1]|slice(1000000000)|list|length }}",
    "{{ (2 ** 10000) ** 10000 }}",
    "{{ range(100000)|map('center', 1000000)|join }}",
    "{{ range(100000)|map('center', 1000000)|list|length }}",
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("text", RUNAWAYS)
def test_a_runaway_template_fails_alone_counted_and_named(templates: Templates, text: str) -> None:
    with pytest.raises(TemplateOverBudget):
        render(templates, text, name="automation.greedy")
    hub: Hub = templates._hub
    assert hub.health.counts["templates_over_budget"] == 1
    # the next template renders as usual
    assert render(templates, "{{ 6 * 7 }}") == "42"


@pytest.mark.timeout(60)
def test_over_budget_is_counted_with_the_templates_name(templates: Templates) -> None:
    with pytest.raises(TemplateOverBudget, match="operations"):
        render(templates, RUNAWAYS[0], name="automation.greedy")
    hub: Hub = templates._hub
    assert hub.health.counts["templates_over_budget"] == 1
    assert "automation.greedy" in hub.health.recent[-1].message


def test_ordinary_templates_are_unchanged(templates: Templates) -> None:
    cases = {
        "{% for i in range(3) %}{{ i }}/{{ loop.length }} {% endfor %}": "0/3 1/3 2/3 ",
        "{{ 'a' ~ 1 ~ none }}": "a1None",
        "{{ '%05.1f|%s' % (3.14159, 'x') }}": "003.1|x",
        "{{ '{:>4}'.format(7) }}": "   7",
        "{{ [1, 2, 3]|join(', ') }}": "1, 2, 3",
        "{{ 'ab'|center(6) }}": "  ab  ",
        "{{ range(100000)|list|length }}": "100000",
        "{{ 2 ** 100 }}": str(2**100),
        "{% for x in [[1, [2]]] recursive %}{{ x|length if x is iterable else x }}"
        "{% if x is iterable %}{{ loop(x) }}{% endif %}{% endfor %}": "2112",
    }
    for text, expected in cases.items():
        assert render(templates, text) == expected, text


def test_a_worker_budget_allows_more_than_the_loops(templates: Templates) -> None:
    text = "{% for i in range(100000) %}{% for j in range(4) %}{% endfor %}{% endfor %}done"
    with pytest.raises(TemplateOverBudget):
        render(templates, text)
    worker = TemplateLimits(operations=WORKER_LIMITS.operations, seconds=3600)
    assert render(templates, text, limits=worker) == "done"


@pytest.mark.timeout(60)
def test_the_deadline_stops_what_the_count_allows(templates: Templates) -> None:
    endless = TemplateLimits(operations=10**15, seconds=0.05)
    with pytest.raises(TemplateOverBudget, match="took over"):
        render(templates, RUNAWAYS[0].replace("range(100)", "range(100000)"), limits=endless)


@pytest.mark.parametrize(
    "text",
    [
        "{% if 1 %}" * 5000 + "{% endif %}" * 5000,
        "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
        "{{ " + "[" * 3000 + "]" * 3000 + " }}",
        "{{ 1" + " + 1" * 20000 + " }}",
    ],
)
def test_a_template_nested_too_deeply_is_a_rule_error(templates: Templates, text: str) -> None:
    with pytest.raises(RuleError, match="invalid template"):
        templates.compile(text, ("automation", 0, "action"))
