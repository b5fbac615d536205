"""Home Assistant's template extensions in the MQTT sandbox (issue 26): each renders as HA
renders it, conversions without a default fail as HA's do, and a template that does not
compile fails when it is rendered (per message), naming itself."""

from __future__ import annotations

import pytest

from hearthmind.integrations.mqtt.templates import TemplateError, ValueTemplate


@pytest.mark.parametrize(
    ("source", "payload", "expected"),
    [
        ("{{ value_json.t | float(0) }}", '{"t": "x"}', "0"),
        ("{{ value_json.t | float }}", '{"t": "21.5"}', "21.5"),
        ("{{ value | int(base=16) }}", "ff", "255"),
        ("{{ value | int(7) }}", "n/a", "7"),
        ("{{ value | int }}", "21.9", "21"),
        ("{{ value_json.on | bool }}", '{"on": "yes"}', "True"),
        ("{{ value_json.x | is_defined }}", '{"x": 3}', "3"),
        ("{{ iif(value_json.c, 'OFF', 'ON') }}", '{"c": false}', "ON"),
        ("{{ value_json.c | iif('open', 'closed', 'unknown') }}", '{"c": null}', "unknown"),
        ("{{ value | round(1, 'floor') }}", "2.19", "2.1"),
        ("{{ value | round(0, 'ceil') }}", "2.01", "3"),
        ("{{ value | round(precision=0, method='half') }}", "2.3", "2.5"),
        ("{{ value | round }}", "2.6", "3"),
        ("{{ value | as_timestamp }}", "2021-11-18T20:25:00+00:00", "1637267100.0"),
        ("{{ (value | as_datetime).year }}", "1637267100", "2021"),
        ("{{ value | timestamp_custom('%H:%M') }}", "1637267100", "20:25"),
        ("{{ value | int | bitwise_and(15) }}", "255", "15"),
        ("{{ bitwise_or(value | int, 16) }}", "1", "17"),
        ("{{ (value | from_json).a }}", '{"a": 2}', "2"),
        ("{{ value_json | to_json }}", '{"a": "é"}', '{"a": "é"}'),
        ("{{ value | regex_replace('[^0-9]', '') }}", "T=21C", "21"),
        ("{{ value is match('ON|OFF') }}", "ONLINE", "True"),
        ("{{ value | regex_search('line') }}", "ONLINE", "False"),
        ("{{ value | regex_search('line', ignorecase=True) }}", "ONLINE", "True"),
        ("{{ value | regex_findall_index('[0-9]+', 1) }}", "a1b22", "22"),
        ("{{ min(value_json.a) }}-{{ max(3, 9) }}", '{"a": [4, 2]}', "2-9"),
        ("{{ value_json.a | average }}", '{"a": [1, 2]}', "1.5"),
        ("{{ value | multiply(0.1) | round(1) }}", "215", "21.5"),
        ("{{ value | is_number }}", "nan", "False"),
        ("{{ 'x' if value is is_number else 'y' }}", "3", "x"),
    ],
)
def test_ha_extensions(source: str, payload: str, expected: str) -> None:
    assert ValueTemplate(source).render(payload) == expected


@pytest.mark.parametrize(
    ("source", "payload", "words"),
    [
        ("{{ value_json.t | float }}", '{"t": "n/a"}', "float got invalid input 'n/a'"),
        ("{{ value | int }}", "abc", "int got invalid input"),
        ("{{ value_json.missing | is_defined }}", '{"x": 1}', "missing"),
        ("{{ value | as_datetime }}", "not a date", "as_datetime got invalid input"),
        ("{{ value | regex_match('" + "a" * 600 + "') }}", "a", "refused"),
        ("{{ value_json.some_var * 1 }}", '{"some_var": null}', "TypeError: unsupported operand"),
    ],
)
def test_conversions_without_default_fail_naming_the_template(
    source: str, payload: str, words: str
) -> None:
    with pytest.raises(TemplateError) as err:
        ValueTemplate(source).render(payload)
    assert words in str(err.value)
    assert "rendering template" in str(err.value) or "refused" in str(err.value)


def test_a_template_that_does_not_compile_fails_per_render() -> None:
    template = ValueTemplate("{{ value_json.humidity | ")
    assert template.compile_error is not None
    for payload in ('{"humidity": 40}', '{"humidity": 41}'):
        with pytest.raises(TemplateError, match="does not compile"):
            template.render(payload)


def test_extensions_stay_in_the_sandbox() -> None:
    """The new filters do not open a way out: attribute access is still guarded."""
    with pytest.raises(TemplateError):
        ValueTemplate("{{ (value | from_json).__class__.__mro__ }}").render('{"a": 1}')
