"""Conditions and actions, each exercised through a real rule on a real hub."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthmind.automations import AutomationManager
from hearthmind.automations.conditions import time_in_window
from hearthmind.core import Hub, Origin, SimulatedClock

from .conftest import Devices, sensor


def on_event(conditions: Any = None, actions: Any = None, **extra: Any) -> dict[str, Any]:
    """A rule fired by the `go` event (its data becomes trigger.event.data)."""
    return {
        "id": extra.pop("id", "r"),
        "mode": extra.pop("mode", "parallel"),
        "trigger": {"platform": "event", "event_type": "go"},
        **({"condition": conditions} if conditions is not None else {}),
        "action": actions
        if actions is not None
        else [{"service": "light.turn_on", "target": {"entity_id": "light.hall"}}],
        **extra,
    }


async def go(hub: Hub, clock: SimulatedClock, seconds: float = 1, **data: Any) -> None:
    hub.bus.async_fire("go", data, hub.context(Origin.APP, user_id="anna"))
    await clock.async_advance(timedelta(seconds=seconds))


# -- conditions -------------------------------------------------------------------------------


async def test_state_condition_with_for_and_attribute(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    sensor(hub, "person.anna", "home", source="gps")
    await manager.async_add_rules(
        [
            on_event(
                [
                    {
                        "condition": "state",
                        "entity_id": "person.anna",
                        "state": ["home", "work"],
                        "for": {"minutes": 10},
                    },
                    {
                        "condition": "state",
                        "entity_id": "person.anna",
                        "attribute": "source",
                        "state": "gps",
                    },
                ]
            )
        ]
    )
    await go(hub, clock)  # home for only 1 s... (0 s at trigger time)
    assert devices.calls() == []
    await clock.async_advance(timedelta(minutes=10))
    await go(hub, clock)
    assert len(devices.calls()) == 1


async def test_numeric_state_condition_with_entity_limit(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    sensor(hub, "sensor.lux", "40")
    sensor(hub, "input_number.threshold", "50")
    await manager.async_add_rules(
        [
            on_event(
                {
                    "condition": "numeric_state",
                    "entity_id": "sensor.lux",
                    "below": "input_number.threshold",
                }
            )
        ]
    )
    await go(hub, clock)
    sensor(hub, "sensor.lux", "60")
    await go(hub, clock)
    sensor(hub, "sensor.lux", "dark")  # not a number: the condition fails, no error
    await go(hub, clock)
    assert len(devices.calls()) == 1
    assert hub.health["errors"] == 0


async def test_time_condition_weekday_and_midnight(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    # START is Monday 10:00 in Amsterdam
    await manager.async_add_rules(
        [
            on_event({"condition": "time", "after": "22:00", "before": "06:00"}, id="night"),
            on_event(
                {"condition": "time", "after": "09:00", "weekday": ["mon", "tue"]}, id="weekday"
            ),
            on_event({"condition": "time", "weekday": "sun"}, id="sunday"),
        ]
    )
    triggered: list[str] = []
    hub.bus.async_listen("automation_triggered", lambda e: triggered.append(e.data["entity_id"]))
    await go(hub, clock)
    assert triggered == ["automation.weekday"]
    await clock.async_run_until(datetime(2024, 6, 3, 21, 30, tzinfo=UTC))  # 23:30 local
    triggered.clear()
    await go(hub, clock)
    assert sorted(triggered) == ["automation.night", "automation.weekday"]


@given(
    now=st.times(),
    after=st.none() | st.times(),
    before=st.none() | st.times(),
)
def test_time_window_matches_definition(now: time, after: time | None, before: time | None) -> None:
    got = time_in_window(now, after, before)
    if after is not None and before is not None and after > before:
        assert got == (now >= after or now < before)
    else:
        assert got == ((after is None or now >= after) and (before is None or now < before))


async def test_and_or_not_template_and_shorthand(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    sensor(hub, "sensor.a", "1")
    sensor(hub, "sensor.b", "2")
    await manager.async_add_rules(
        [
            on_event(
                [
                    {
                        "condition": "or",
                        "conditions": [
                            {"condition": "state", "entity_id": "sensor.a", "state": "9"},
                            {
                                "and": [
                                    {"condition": "state", "entity_id": "sensor.b", "state": "2"},
                                    "{{ trigger.event.data.n > 3 }}",
                                ]
                            },
                        ],
                    },
                    {
                        "not": [
                            {
                                "condition": "template",
                                "value_template": "{{ is_state('sensor.a', '5') }}",
                            }
                        ]
                    },
                ]
            )
        ]
    )
    await go(hub, clock, n=1)
    assert devices.calls() == []
    await go(hub, clock, n=5)
    assert len(devices.calls()) == 1
    sensor(hub, "sensor.a", "5")
    await go(hub, clock, n=5)
    assert len(devices.calls()) == 1


async def test_trigger_condition(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            {
                "id": "two",
                "triggers": [
                    {"trigger": "state", "entity_id": "sensor.x", "id": "x"},
                    {"trigger": "state", "entity_id": "sensor.y", "id": "y"},
                ],
                "conditions": [{"condition": "trigger", "id": "y"}],
                "actions": [{"action": "light.turn_on", "target": {"entity_id": "light.hall"}}],
            }
        ]
    )
    sensor(hub, "sensor.x", "1")
    await clock.async_advance(timedelta(seconds=1))
    assert devices.calls() == []
    sensor(hub, "sensor.y", "1")
    await clock.async_advance(timedelta(seconds=1))
    assert len(devices.calls()) == 1


# -- actions ----------------------------------------------------------------------------------


async def test_service_call_with_templates_from_trigger(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            {
                "id": "dim",
                "trigger": {"platform": "state", "entity_id": "sensor.dial"},
                "action": [
                    {
                        "service": "light.turn_on",
                        "data_template": {
                            "entity_id": "light.{{ trigger.to_state.attributes.room }}",
                            "brightness": "{{ (trigger.to_state.state | int) * 2 }}",
                        },
                    },
                    {"action": "switch.turn_on", "entity_id": "switch.fan"},
                    {
                        "event": "seen",
                        "event_data": {
                            "by_call": "{{ states('sensor.dial') }}",
                            "by_path": "{{ states.sensor.dial.state }}",
                            "missing": "{{ states('sensor.none') }}",
                            "attr": "{{ state_attr('sensor.dial', 'room') }}",
                            "this": "{{ this.entity_id }}",
                        },
                    },
                    {
                        "action": "{{ 'light.turn_' ~ ('off' if trigger.to_state.state == '0' else 'on') }}",
                        "target": {"entity_id": ["light.kitchen"]},
                    },
                ],
            }
        ]
    )
    seen: list[dict[str, Any]] = []
    hub.bus.async_listen("seen", lambda e: seen.append(dict(e.data)))
    sensor(hub, "sensor.dial", "60", room="kitchen")
    await clock.async_advance(timedelta(seconds=1))
    assert seen == [
        {
            "by_call": 60,
            "by_path": 60,
            "missing": "unknown",
            "attr": "kitchen",
            "this": "automation.dim",
        }
    ]
    assert [(c.service, c.entity_id, c.data) for c in devices.calls()] == [
        ("turn_on", "light.kitchen", {"brightness": 120}),
        ("turn_on", "switch.fan", {}),
        ("turn_on", "light.kitchen", {}),
    ]
    assert hub.states.require("light.kitchen").attributes["brightness"] == 120


async def test_delay_forms_use_the_hub_clock(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            on_event(
                actions=[
                    {"service": "light.turn_on", "entity_id": "light.hall"},
                    {"delay": "00:01:30"},
                    {"service": "light.turn_off", "entity_id": "light.hall"},
                    {"delay": 10},
                    {"service": "light.turn_on", "entity_id": "light.hall"},
                    {"delay": {"minutes": 2, "seconds": 5}},
                    {"service": "light.turn_off", "entity_id": "light.hall"},
                    {"delay": "{{ trigger.event.data.wait }}"},
                    {"service": "light.turn_on", "entity_id": "light.hall"},
                ]
            )
        ]
    )
    t0 = clock.timestamp()
    await go(hub, clock, seconds=3600, wait=7)
    assert [c.at - t0 for c in devices.calls()] == [0, 90, 100, 225, 232]


async def test_inline_condition_stops_the_run(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    sensor(hub, "sensor.mode", "away")
    await manager.async_add_rules(
        [
            on_event(
                actions=[
                    {"service": "light.turn_on", "entity_id": "light.hall"},
                    {"condition": "state", "entity_id": "sensor.mode", "state": "home"},
                    {"service": "light.turn_on", "entity_id": "light.kitchen"},
                ]
            )
        ]
    )
    await go(hub, clock)
    assert [c.entity_id for c in devices.calls()] == ["light.hall"]
    assert hub.health["errors"] == 0


async def test_event_variables_if_choose_repeat(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    seen: list[dict[str, Any]] = []
    hub.bus.async_listen("note", lambda e: seen.append(dict(e.data)))
    await manager.async_add_rules(
        [
            on_event(
                variables={"base": 3},
                actions=[
                    {"variables": {"double": "{{ base * 2 }}"}},
                    {"event": "note", "event_data": {"v": "{{ double }}", "fixed": "x"}},
                    {
                        "if": [{"condition": "template", "value_template": "{{ double > 5 }}"}],
                        "then": [{"event": "note", "event_data": {"branch": "then"}}],
                        "else": [{"event": "note", "event_data": {"branch": "else"}}],
                    },
                    {
                        "choose": [
                            {
                                "conditions": "{{ trigger.event.data.k == 'a' }}",
                                "sequence": [{"event": "note", "event_data": {"chose": "a"}}],
                            },
                        ],
                        "default": [{"event": "note", "event_data": {"chose": "default"}}],
                    },
                    {
                        "repeat": {
                            "count": 3,
                            "sequence": [
                                {"event": "note", "event_data": {"i": "{{ repeat.index }}"}}
                            ],
                        }
                    },
                    {
                        "repeat": {
                            "until": "{{ repeat.index >= 2 }}",
                            "sequence": [
                                {"event": "note", "event_data": {"u": "{{ repeat.index }}"}}
                            ],
                        }
                    },
                    {"stop": "done"},
                    {"event": "note", "event_data": {"never": True}},
                ],
            )
        ]
    )
    await go(hub, clock, k="b")
    assert seen == [
        {"v": 6, "fixed": "x"},
        {"branch": "then"},
        {"chose": "default"},
        {"i": 1},
        {"i": 2},
        {"i": 3},
        {"u": 1},
        {"u": 2},
    ]


async def test_wait_template_and_timeout(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            on_event(
                actions=[
                    {
                        "wait_template": "{{ is_state('binary_sensor.door', 'off') }}",
                        "timeout": 60,
                        "continue_on_timeout": False,
                    },
                    {"service": "light.turn_on", "entity_id": "light.hall"},
                ]
            )
        ]
    )
    sensor(hub, "binary_sensor.door", "on")
    await go(hub, clock, seconds=120)  # times out: stops
    assert devices.calls() == []
    await go(hub, clock, seconds=5)
    t_close = clock.timestamp()
    sensor(hub, "binary_sensor.door", "off")
    await clock.async_advance(timedelta(seconds=1))
    assert [c.at for c in devices.calls()] == [t_close]


async def test_failed_service_call_aborts_run_and_is_counted(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            on_event(
                actions=[
                    {
                        "service": "light.turn_on",
                        "entity_id": "light.nowhere",
                        "continue_on_error": True,
                    },
                    {
                        "service": "light.turn_on",
                        "entity_id": "light.hall",
                        "data": {"brightness": 999},
                    },
                    {"service": "light.turn_on", "entity_id": "light.kitchen"},
                ]
            )
        ]
    )
    await go(hub, clock)
    assert devices.calls() == []
    assert hub.health["automation_errors"] == 1
    assert "brightness" in hub.health.recent[-1].message
    assert hub.states.require("automation.r").attributes["current"] == 0


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("{{ trigger.event.data.missing.deeper }}", "Undefined"),
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ("{{ ''.__class__.__mro__ }}", "unsafe"),
        ("{{ 'abc' | float }}", "float"),
        ("{{ 'x' * 10 ** 10 }}", "max"),
        ("{{ 9 ** 99999999 }}", "exponent"),
        ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "recursion"),
    ],
)
async def test_bad_template_at_run_time_is_counted_and_hub_goes_on(
    hub: Hub,
    clock: SimulatedClock,
    devices: Devices,
    manager: AutomationManager,
    template: str,
    fragment: str,
) -> None:
    await manager.async_add_rules(
        [
            on_event(
                actions=[
                    {
                        "service": "light.turn_on",
                        "entity_id": "light.hall",
                        "data": {"brightness": template},
                    }
                ]
            ),
            on_event(id="ok", actions=[{"service": "light.turn_on", "entity_id": "light.kitchen"}]),
        ]
    )
    await go(hub, clock)
    assert hub.health["automation_template_errors"] == 1
    message = hub.health.recent[-1].message
    assert "automation.r" in message and fragment.lower() in message.lower()
    assert [c.entity_id for c in devices.calls()] == ["light.kitchen"]
    await go(hub, clock)  # the rule still runs (and fails again); the hub is fine
    assert hub.health["automation_template_errors"] == 2
    assert len(devices.calls()) == 2


async def test_sun_condition(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            on_event(
                {"condition": "sun", "after": "sunset", "after_offset": "-01:00:00"}, id="evening"
            ),
            on_event({"condition": "sun", "after": "sunrise", "before": "sunset"}, id="daytime"),
        ]
    )
    triggered: list[str] = []
    hub.bus.async_listen("automation_triggered", lambda e: triggered.append(e.data["entity_id"]))
    await go(hub, clock)  # 10:00 in Amsterdam
    assert triggered == ["automation.daytime"]
    # sunset in Amsterdam on 3 June 2024 is about 21:52 local (19:52 UTC)
    await clock.async_run_until(datetime(2024, 6, 3, 19, 0, tzinfo=UTC))
    triggered.clear()
    await go(hub, clock)
    assert sorted(triggered) == ["automation.daytime", "automation.evening"]
    await clock.async_run_until(datetime(2024, 6, 3, 20, 30, tzinfo=UTC))
    triggered.clear()
    await go(hub, clock)
    assert triggered == ["automation.evening"]


async def test_wait_for_trigger_parallel_and_for_each(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    notes: list[tuple[float, dict[str, Any]]] = []
    t0 = clock.timestamp()
    hub.bus.async_listen("note", lambda e: notes.append((e.time_fired - t0, dict(e.data))))
    await manager.async_add_rules(
        [
            on_event(
                actions=[
                    {
                        "wait_for_trigger": {
                            "platform": "state",
                            "entity_id": "binary_sensor.door",
                            "to": "off",
                        },
                        "timeout": 30,
                    },
                    {"event": "note", "event_data": {"waited_for": "{{ wait.trigger.entity_id }}"}},
                    {
                        "parallel": [
                            {
                                "sequence": [
                                    {"delay": 5},
                                    {"event": "note", "event_data": {"branch": "slow"}},
                                ]
                            },
                            {"event": "note", "event_data": {"branch": "fast"}},
                        ]
                    },
                    {
                        "repeat": {
                            "for_each": ["hall", "kitchen"],
                            "sequence": [
                                {"service": "light.turn_on", "entity_id": "light.{{ repeat.item }}"}
                            ],
                        }
                    },
                ]
            )
        ]
    )
    sensor(hub, "binary_sensor.door", "on")
    await go(hub, clock, seconds=10)
    sensor(hub, "binary_sensor.door", "off")
    await clock.async_advance(timedelta(seconds=10))
    assert notes == [
        (10, {"waited_for": "binary_sensor.door"}),
        (10, {"branch": "fast"}),
        (15, {"branch": "slow"}),
    ]
    assert [(c.entity_id, c.at - t0) for c in devices.calls()] == [
        ("light.hall", 15),
        ("light.kitchen", 15),
    ]
