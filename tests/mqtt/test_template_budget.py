"""Issue 20: a device's value template (from its discovery config) renders under a small
budget: a runaway one fails alone with a TemplateError, fast, and the next renders."""

from __future__ import annotations

import pytest

from hearthmind.integrations.mqtt import TemplateError, compile_template

pytestmark = pytest.mark.timeout(60)

RUNAWAYS = [
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}{{ value }}",
    "{{ value.ljust(200000000) }}",
    "{{ value_json.a|center(200000000) }}",
    "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
]


@pytest.mark.parametrize("source", RUNAWAYS)
def test_a_runaway_value_template_fails_alone(source: str) -> None:
    with pytest.raises(TemplateError):
        compile_template(source).render('{"a": "x"}')
    assert compile_template("{{ value_json.a | upper }}!").render('{"a": "x"}') == "X!"
