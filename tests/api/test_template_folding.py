"""Found by bench/fuzz.py (the template engine's harness): Jinja folds constants at compile
time, and `'a'.l ~ 'b'` (an undefined attribute of a literal, joined) raised UndefinedError
out of compiling, which no caller expected: `POST /api/template` answered 500, a rule with
it failed to load with a traceback, an MQTT value template with it escaped discovery. Now the
fold is left to the render, where it is the template's own error."""

from __future__ import annotations

import httpx
import jinja2
import pytest

from hearthmind.core.template_limits import LOOP_LIMITS, BudgetedEnvironment
from hearthmind.integrations.mqtt.templates import TemplateError as MqttTemplateError
from hearthmind.integrations.mqtt.templates import compile_template

from .conftest import ApiEnv

pytestmark = pytest.mark.timeout(120)

FOLDS_BADLY = ["{{ 'a'.l ~ 'b' }}", "{{ at(21) }}{{ 'a'.l~just(9) }}", "{{ (1).x ~ 2 }}"]


@pytest.mark.parametrize("text", FOLDS_BADLY)
def test_compiles_and_fails_when_rendered(text: str) -> None:
    env = BudgetedEnvironment(undefined=jinja2.StrictUndefined)
    template = env.from_string(text)  # raised UndefinedError before
    with pytest.raises(jinja2.UndefinedError):
        env.run(LOOP_LIMITS, lambda: template.render({"at": lambda n: n}))


def test_an_mqtt_value_template_fails_per_message() -> None:
    template = compile_template("{{ value ~ 'a'.l ~ 'b' }}")
    assert template.compile_error is None
    with pytest.raises(MqttTemplateError, match="has no attribute 'l'"):
        template.render("21")


async def test_the_api_answers_400(api: ApiEnv) -> None:
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers, timeout=60) as http:
        for text in FOLDS_BADLY:
            r = await http.post("/api/template", json={"template": text})
            assert r.status_code == 400, (text, r.status_code, r.text)
            assert "UndefinedError" in r.json()["message"]
    assert "api_errors" not in api.hub.health.counts
