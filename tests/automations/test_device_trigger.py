"""`platform: device` triggers (issue 26): they match the hub's `device_trigger` event on
domain, device and type (and subtype when given), carry the event's data as HA's `trigger.*`,
and a rule missing what a device trigger needs is refused with a clear error."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from hearthmind.automations import AutomationManager, RuleError, compile_rule
from hearthmind.automations.environment import RuleEnvironment
from hearthmind.core import Hub, Origin, SimulatedClock

from .conftest import Devices


def rule(trigger: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "d",
        "mode": "parallel",
        "triggers": [trigger],
        "actions": [
            {
                "event": "fired",
                "event_data": {"sub": "{{ trigger.subtype }}", "p": "{{ trigger.payload }}"},
            }
        ],
    }


def press(hub: Hub, device_id: str, type_: str, subtype: str, payload: str = "x") -> None:
    hub.bus.async_fire(
        "device_trigger",
        {
            "domain": "mqtt",
            "device_id": device_id,
            "type": type_,
            "subtype": subtype,
            "payload": payload,
        },
        hub.context(Origin.PHYSICAL),
    )


async def test_device_trigger_matches_device_type_and_subtype(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    base = {"platform": "device", "domain": "mqtt", "device_id": "remote", "type": "action"}
    await manager.async_add_rules([rule({**base, "subtype": "on"})])
    log: list[dict[str, Any]] = []
    hub.bus.async_listen("fired", lambda e: log.append(dict(e.data)))
    press(hub, "remote", "action", "off")
    press(hub, "other", "action", "on")
    press(hub, "remote", "click", "on")
    press(hub, "remote", "action", "on", payload="on")
    await clock.async_advance(timedelta(seconds=1))
    assert log == [{"sub": "on", "p": "on"}]


async def test_device_trigger_without_subtype_matches_any(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    trigger = {"platform": "device", "domain": "mqtt", "device_id": "remote", "type": "action"}
    await manager.async_add_rules([rule(trigger)])
    log: list[dict[str, Any]] = []
    hub.bus.async_listen("fired", lambda e: log.append(dict(e.data)))
    press(hub, "remote", "action", "on")
    press(hub, "remote", "action", "off")
    await clock.async_advance(timedelta(seconds=1))
    assert [e["sub"] for e in log] == ["on", "off"]


@pytest.mark.parametrize(
    ("trigger", "words"),
    [
        ({"platform": "device", "domain": "mqtt", "type": "action"}, "device_id"),
        ({"platform": "device", "device_id": "r", "type": "action"}, "domain"),
        (
            {"platform": "device", "domain": "mqtt", "device_id": "r", "type": "a", "typo": 1},
            "typo",
        ),
    ],
)
def test_device_trigger_needs_its_keys(hub: Hub, trigger: dict[str, Any], words: str) -> None:
    with pytest.raises(RuleError) as err:
        compile_rule(rule(trigger), (0,), RuleEnvironment(hub), 0)
    assert words in str(err.value)
