"""Every trigger platform, on a real hub and a simulated clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from astral import Observer
from astral.sun import sunrise, sunset

from hearthmind.automations import AutomationManager
from hearthmind.core import Hub, Origin, SimulatedClock

from .conftest import START, Devices, sensor

AMS = ZoneInfo("Europe/Amsterdam")


def rule(trigger: dict[str, Any] | list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A rule that fires a `fired` event with its trigger's id and turns light.hall on. Mode
    parallel, so that triggers in the same instant each get a run (modes are tested apart)."""
    return {
        "id": extra.pop("id", "r"),
        "mode": "parallel",
        "triggers": trigger,
        "actions": [
            {"event": "fired", "event_data": {"id": "{{ trigger.id }}"}},
            {"action": "light.turn_on", "target": {"entity_id": "light.hall"}},
        ],
        **extra,
    }


def fired_log(hub: Hub) -> list[tuple[float, str]]:
    log: list[tuple[float, str]] = []
    hub.bus.async_listen("fired", lambda e: log.append((e.time_fired, str(e.data["id"]))))
    return log


async def test_state_trigger_from_to(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [rule({"trigger": "state", "entity_id": "binary_sensor.door", "from": "off", "to": "on"})]
    )
    log = fired_log(hub)
    sensor(hub, "binary_sensor.door", "on")  # from nothing: no match on `from: off`
    sensor(hub, "binary_sensor.door", "off")
    sensor(hub, "binary_sensor.door", "on")  # off -> on: fires
    sensor(hub, "binary_sensor.door", "on", battery=90)  # attribute only: no
    await clock.async_advance(timedelta(seconds=1))
    assert len(log) == 1
    assert [c.service for c in devices.calls("light.hall")] == ["turn_on"]


async def test_state_trigger_yaml_booleans_lists_and_not_to(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            rule({"platform": "state", "entity_id": ["switch.a", "switch.b"], "to": True}, id="on"),
            rule(
                {"platform": "state", "entity_id": "sensor.mode", "not_to": ["away", "night"]},
                id="mode",
            ),
        ]
    )
    log = fired_log(hub)
    sensor(hub, "switch.a", "off")
    sensor(hub, "switch.b", "on")  # unquoted YAML `on` (True) still means "on"
    sensor(hub, "sensor.mode", "home")
    sensor(hub, "sensor.mode", "away")
    sensor(hub, "sensor.mode", "work")
    await clock.async_advance(timedelta(seconds=1))
    assert len(log) == 3  # switch.b on, mode -> home, mode -> work


async def test_state_trigger_match_all_sees_attribute_changes(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules([rule({"platform": "state", "entity_id": "sensor.t"})])
    log = fired_log(hub)
    sensor(hub, "sensor.t", "20")
    sensor(hub, "sensor.t", "20", unit="C")
    await clock.async_advance(timedelta(seconds=1))
    assert len(log) == 2


async def test_state_trigger_attribute(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            rule(
                {
                    "platform": "state",
                    "entity_id": "climate.x",
                    "attribute": "hvac_action",
                    "to": "heating",
                }
            )
        ]
    )
    log = fired_log(hub)
    sensor(hub, "climate.x", "heat", hvac_action="idle")
    sensor(hub, "climate.x", "heat", hvac_action="heating")
    sensor(hub, "climate.x", "heat", hvac_action="heating", temperature=20)
    await clock.async_advance(timedelta(seconds=1))
    assert len(log) == 1


async def test_state_trigger_for_fires_after_duration_and_cancels(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            rule(
                {
                    "platform": "state",
                    "entity_id": "binary_sensor.m",
                    "to": "off",
                    "for": "00:05:00",
                }
            )
        ]
    )
    log = fired_log(hub)
    sensor(hub, "binary_sensor.m", "on")
    sensor(hub, "binary_sensor.m", "off")
    await clock.async_advance(timedelta(minutes=3))
    sensor(hub, "binary_sensor.m", "off", battery=50)  # attribute change: keeps waiting
    sensor(hub, "binary_sensor.m", "on")  # back on after 3 min: cancelled
    await clock.async_advance(timedelta(minutes=10))
    assert log == []
    sensor(hub, "binary_sensor.m", "off")
    t0 = clock.timestamp()
    await clock.async_advance(timedelta(minutes=10))
    assert [t for t, _ in log] == [t0 + 300]


async def test_numeric_state_trigger_fires_on_crossing_only(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    sensor(hub, "sensor.temp", "25")  # already above when attached: must not fire until it leaves
    await manager.async_add_rules(
        [rule({"platform": "numeric_state", "entity_id": "sensor.temp", "above": 22, "below": 30})]
    )
    log = fired_log(hub)
    for value in ("26", "21", "23", "24", "35", "29", "unavailable", "25"):
        sensor(hub, "sensor.temp", value)
    await clock.async_advance(timedelta(seconds=1))
    assert len(log) == 3  # 21->23, 35->29, unavailable->25


async def test_numeric_state_attribute_template_and_for(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            rule(
                {
                    "platform": "numeric_state",
                    "entity_id": "sensor.h",
                    "attribute": "humidity",
                    "above": 70,
                    "for": 60,
                    "id": "attr",
                },
                id="attr",
            ),
            rule(
                {
                    "platform": "numeric_state",
                    "entity_id": "sensor.p",
                    "value_template": "{{ state.state | float(0) * 2 }}",
                    "below": 10,
                    "id": "tpl",
                },
                id="tpl",
            ),
        ]
    )
    log = fired_log(hub)
    sensor(hub, "sensor.h", "x", humidity=50)
    sensor(hub, "sensor.h", "x", humidity=80)
    await clock.async_advance(timedelta(seconds=30))
    sensor(hub, "sensor.h", "x", humidity=60)  # left the range: the wait is cancelled
    sensor(hub, "sensor.h", "x", humidity=75)
    t0 = clock.timestamp()
    sensor(hub, "sensor.p", "20")
    sensor(hub, "sensor.p", "4")  # 8 < 10
    await clock.async_advance(timedelta(seconds=120))
    assert (t0, "tpl") in log  # the template trigger fired at once
    assert (t0 + 60, "attr") in log
    assert len(log) == 2


async def test_time_trigger_in_home_time_zone(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules([rule({"platform": "time", "at": ["07:30", "22:00:15"]})])
    log = fired_log(hub)
    await clock.async_run_until(START + timedelta(days=2))
    fired = [datetime.fromtimestamp(t, UTC).astimezone(AMS) for t, _ in log]
    assert [(f.day, f.hour, f.minute, f.second) for f in fired] == [
        (3, 22, 0, 15),
        (4, 7, 30, 0),
        (4, 22, 0, 15),
        (5, 7, 30, 0),
    ]


async def test_time_pattern_trigger(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            rule({"platform": "time_pattern", "minutes": "/15"}, id="quarter"),
            rule({"platform": "time_pattern", "hours": 3}, id="three"),
        ]
    )
    log: list[tuple[float, str]] = []
    hub.bus.async_listen(
        "automation_triggered", lambda e: log.append((e.time_fired, str(e.data["entity_id"])))
    )
    await clock.async_run_until(START + timedelta(hours=24))
    quarters = [t for t, e in log if e == "automation.quarter"]
    assert len(quarters) == 96
    assert all(datetime.fromtimestamp(t, UTC).minute % 15 == 0 for t in quarters)
    threes = [
        datetime.fromtimestamp(t, UTC).astimezone(AMS) for t, e in log if e == "automation.three"
    ]
    assert [(d.hour, d.minute, d.second) for d in threes] == [(3, 0, 0)]


async def test_event_trigger_with_data_and_user(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            rule(
                {
                    "platform": "event",
                    "event_type": "button_pressed",
                    "event_data": {"button": "b1", "meta": {"kind": "double"}},
                    "context": {"user_id": "anna"},
                }
            )
        ]
    )
    log = fired_log(hub)
    data = {"button": "b1", "meta": {"kind": "double", "extra": 1}, "more": 2}
    hub.bus.async_fire("button_pressed", data, hub.context(Origin.PHYSICAL, user_id="ben"))
    hub.bus.async_fire(
        "button_pressed", {"button": "b2"}, hub.context(Origin.PHYSICAL, user_id="anna")
    )
    hub.bus.async_fire("button_pressed", data, hub.context(Origin.PHYSICAL, user_id="anna"))
    await clock.async_advance(timedelta(seconds=1))
    assert len(log) == 1


async def test_sun_trigger_matches_astral_with_offset(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            rule({"platform": "sun", "event": "sunset", "offset": "-00:45:00"}, id="dusk"),
            rule({"platform": "sun", "event": "sunrise"}, id="dawn"),
        ]
    )
    log: list[tuple[float, str]] = []
    hub.bus.async_listen(
        "automation_triggered", lambda e: log.append((e.time_fired, str(e.data["entity_id"])))
    )
    await clock.async_run_until(START + timedelta(days=2))
    obs = Observer(52.37, 4.89)
    day = START.date()
    want_dusk = [
        (sunset(obs, day + timedelta(days=d), tzinfo=AMS) - timedelta(minutes=45)).timestamp()
        for d in (0, 1)
    ]
    want_dawn = [sunrise(obs, day + timedelta(days=d), tzinfo=AMS).timestamp() for d in (1, 2)]
    assert [t for t, e in log if e == "automation.dusk"] == want_dusk
    assert [t for t, e in log if e == "automation.dawn"] == want_dawn


async def test_homeassistant_start_trigger(clock: SimulatedClock, tmp_path: Any) -> None:
    from hearthmind.automations import get_manager

    from .conftest import make_hub

    hub = make_hub(clock, tmp_path)
    devices = Devices(hub)
    devices.add("light.hall")
    await get_manager(hub).async_add_rules([rule({"platform": "homeassistant", "event": "start"})])
    await hub.async_start()
    await clock.async_advance(timedelta(seconds=1))
    assert [c.service for c in devices.calls()] == ["turn_on"]
    await hub.async_stop()


async def test_trigger_id_and_disabled_trigger(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            rule(
                [
                    {"platform": "state", "entity_id": "sensor.a", "id": "alpha"},
                    {"platform": "state", "entity_id": "sensor.b", "enabled": False},
                ]
            )
        ]
    )
    log = fired_log(hub)
    sensor(hub, "sensor.a", "1")
    sensor(hub, "sensor.b", "1")
    await clock.async_advance(timedelta(seconds=1))
    assert [i for _, i in log] == ["alpha"]


async def test_numeric_state_template_error_is_counted(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            rule(
                {
                    "platform": "numeric_state",
                    "entity_id": "sensor.p",
                    "value_template": "{{ state.state | float / 0 }}",
                    "above": 1,
                }
            )
        ]
    )
    sensor(hub, "sensor.p", "5")
    await clock.async_advance(timedelta(seconds=1))
    assert hub.health["automation_template_errors"] == 1
    assert "numeric state of sensor.p" in hub.health.recent[-1].message
    assert devices.calls() == []


async def test_template_trigger_fires_on_rise_and_follows_what_it_reads(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    sensor(hub, "sensor.mode", "a")
    sensor(hub, "sensor.a", "1")
    sensor(hub, "sensor.b", "50")
    template = (
        "{% if is_state('sensor.mode', 'a') %}{{ states('sensor.a') | int > 10 }}"
        "{% else %}{{ states('sensor.b') | int > 10 }}{% endif %}"
    )
    await manager.async_add_rules([rule({"platform": "template", "value_template": template})])
    log = fired_log(hub)
    listeners = hub.bus.listener_count().get("state_changed", 0)
    sensor(hub, "sensor.b", "60")  # not read while mode is a
    sensor(hub, "sensor.a", "20")  # rises: fires
    sensor(hub, "sensor.a", "30")  # still true: no
    sensor(hub, "sensor.mode", "b")  # now reads sensor.b (60): still true, no rise
    sensor(hub, "sensor.b", "5")
    sensor(hub, "sensor.b", "15")  # rises again: fires
    await clock.async_advance(timedelta(seconds=1))
    assert len(log) == 2
    assert hub.bus.listener_count().get("state_changed", 0) == listeners  # no catch-all


async def test_template_trigger_with_for_time_and_iteration(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            rule(
                {"platform": "template", "value_template": "{{ now().hour == 22 }}", "id": "late"},
                id="late",
            ),
            rule(
                {
                    "platform": "template",
                    "value_template": "{{ states.light | selectattr('state', 'eq', 'on') | list | count >= 2 }}",
                    "for": {"minutes": 1},
                    "id": "lights",
                },
                id="lights",
            ),
        ]
    )
    log = fired_log(hub)
    t0 = clock.timestamp()
    sensor(hub, "light.hall", "on")
    sensor(hub, "light.kitchen", "on")
    await clock.async_advance(timedelta(seconds=30))
    sensor(hub, "light.hall", "off")  # fell before the minute: nothing
    sensor(hub, "light.hall", "on")
    await clock.async_run_until(START + timedelta(hours=11))  # 21:00 local
    assert log == [(t0 + 90, "lights")]
    await clock.async_run_until(START + timedelta(hours=13))
    assert [i for _, i in log] == ["lights", "late"]
    late = datetime.fromtimestamp(log[1][0], UTC).astimezone(AMS)
    assert (late.hour, late.minute) == (22, 0)


async def test_template_trigger_recovers_after_a_failing_render(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    sensor(hub, "sensor.x", "zero")
    await manager.async_add_rules(
        [
            rule(
                {
                    "platform": "template",
                    "value_template": "{{ 10 / (states('sensor.x') | int) > 1 }}",
                }
            )
        ]
    )
    assert hub.health["automation_template_errors"] == 1  # int('zero') has no default
    log = fired_log(hub)
    sensor(hub, "sensor.x", "2")
    await clock.async_advance(timedelta(seconds=1))
    assert len(log) == 1
