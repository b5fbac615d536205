"""`hearthmind routines propose ROUTINE_ID`: a routine learned from a recorded history becomes a
Home Assistant automation that the automations loader takes as it is, and that then does the
routine in a real hub on a simulated clock (and only on its days, and only when not done)."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
import yaml
from typer.testing import CliRunner

from hearthmind.automations import check_config_dir, get_manager
from hearthmind.cli import app
from hearthmind.core import Context, Hub, Origin, SimulatedClock, load_config
from hearthmind.routines.observations import HomeLog, Kind, Observation
from hearthmind.routines.proposal import ProposalError, automations_for
from hearthmind.routines.readable import Routine
from hearthmind.routines.recorder_bridge import async_write_log

runner = CliRunner()
ZONE = ZoneInfo("Europe/Amsterdam")
FIRST_DAY = date(2026, 3, 2)  # a Monday
KITCHEN = "light.kitchen:on@morning"
COFFEE = "switch.coffee:on@morning"
HAND_WRITTEN = """\
- id: hand_written
  alias: Coffee is ready
  triggers:
    - trigger: state
      entity_id: switch.coffee
      to: "on"
  actions:
    - event: coffee_ready"""  # no newline at the end: the proposal still starts on its own line


def _at(day: date, hour: int, minute: int, jitter: float) -> float:
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)
    return (local + timedelta(seconds=jitter)).astimezone(UTC).timestamp()


def _history(days: int = 21, seed: int = 4) -> HomeLog:
    """On weekdays the bedroom motion sensor at 06:38 and, two minutes later, Mina turns the
    kitchen light on; every day the coffee machine at 06:55 with nothing just before it."""
    rng = random.Random(seed)
    observations: list[Observation] = []
    for n in range(days):
        day = FIRST_DAY + timedelta(days=n)
        jitter = rng.uniform(-120, 120)
        if day.weekday() < 5:
            observations.append(
                Observation(_at(day, 6, 38, jitter), "binary_sensor.bedroom_motion:on")
            )
            observations.append(
                Observation(
                    _at(day, 6, 40, jitter), "light.kitchen:on", Kind.ACTION, "mina", "physical"
                )
            )
            observations.append(
                Observation(_at(day, 6, 41, jitter), "binary_sensor.bedroom_motion:off")
            )
        observations.append(
            Observation(
                _at(day, 6, 55, jitter + 900), "switch.coffee:on", Kind.ACTION, "mina", "physical"
            )
        )
        observations.append(  # a safety class: the front door locked at night
            Observation(
                _at(day, 22, 30, jitter), "lock.front_door:locked", Kind.ACTION, "mina", "physical"
            )
        )
    observations.sort(key=lambda o: o.time)
    return HomeLog("test home", observations)


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "conf"
    config.mkdir(parents=True)
    (config / "configuration.yaml").write_text(
        "homeassistant:\n  name: Home\n  time_zone: Europe/Amsterdam\n", encoding="utf-8"
    )
    return config


async def test_a_routine_becomes_a_rule_the_loader_takes(tmp_path: Path) -> None:
    config = _config(tmp_path)
    written = await async_write_log(_history(), f"sqlite:///{config / 'hearthmind.db'}")
    assert written > 0
    cfg = ["-c", str(config)]

    listing = runner.invoke(app, ["routines", *cfg])
    assert listing.exit_code == 0, listing.output
    words = " ".join(listing.output.split())
    assert f"id {KITCHEN}," in words and f"id {COFFEE}," in words

    shown = runner.invoke(app, ["routines", "propose", KITCHEN, *cfg])
    assert shown.exit_code == 0, shown.output
    (rule,) = yaml.safe_load(shown.output)
    assert rule["id"] == "hearthmind_light_kitchen_on_morning"
    assert rule["description"].startswith(
        f"Pinned from the routine {KITCHEN} that Hearthmind learned: weekdays 06:"
    )
    assert "after the bedroom motion sensor: kitchen light on" in rule["description"]
    assert rule["triggers"] == [
        {"trigger": "state", "entity_id": "binary_sensor.bedroom_motion", "to": "on"}
    ]
    window, not_yet = rule["conditions"]
    assert window["condition"] == "time" and window["weekday"] == [
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
    ]
    assert "06:30:00" <= window["after"] < window["before"] <= "06:50:00"
    assert not_yet == {
        "condition": "not",
        "conditions": [{"condition": "state", "entity_id": "light.kitchen", "state": "on"}],
    }
    assert rule["actions"] == [
        {"action": "light.turn_on", "target": {"entity_id": "light.kitchen"}}
    ]

    automations = config / "automations.yaml"
    automations.write_text(HAND_WRITTEN, encoding="utf-8")
    for routine in (KITCHEN, COFFEE):
        result = runner.invoke(
            app, ["routines", "propose", routine, "--out", str(automations), *cfg]
        )
        assert result.exit_code == 0, result.output
        assert "appended 1 automation(s)" in result.output
        assert f"hearthmind agent level {routine} off" in " ".join(result.output.split())
    rules = yaml.safe_load(automations.read_text(encoding="utf-8"))
    assert [r["id"] for r in rules] == [
        "hand_written",
        "hearthmind_light_kitchen_on_morning",
        "hearthmind_switch_coffee_on_morning",
    ]
    coffee = rules[2]
    # nothing comes just before the coffee: the time its window opens, every day
    (trigger,) = coffee["triggers"]
    assert trigger["trigger"] == "time" and "07:00:00" <= trigger["at"] <= "07:15:00"
    assert all("weekday" not in c for c in coffee["conditions"])

    # the loader takes both as they are (the standalone automations.yaml of the folder)
    assert check_config_dir(config) == []
    again = runner.invoke(app, ["routines", "propose", KITCHEN, "--out", str(automations), *cfg])
    assert again.exit_code == 2 and "pinned already" in again.output

    await _the_rule_runs(config, window["after"])


async def _the_rule_runs(config: Path, after: str) -> None:
    """Loaded into a hub: on a weekday morning the motion turns the light on; on Saturday, or
    when the light is on already, nothing is called."""
    hour, minute, _ = (int(x) for x in after.split(":"))
    monday = datetime(2026, 4, 6, hour, minute, tzinfo=ZONE) + timedelta(minutes=1)
    hub = Hub(load_config(config, create=False), SimulatedClock(monday.astimezone(UTC)), seed=1)
    calls: list[tuple[str, str]] = []

    async def device(service: str, entity_id: str, data: Any, ctx: Context) -> None:
        calls.append((service, entity_id))
        hub.states.async_set(entity_id, "on" if service == "turn_on" else "off", {}, ctx)

    for entity_id in ("light.kitchen", "switch.coffee"):
        hub.entities.async_add(entity_id, "test", device)
        hub.states.async_set(entity_id, "off", {}, hub.context(Origin.SENSOR))
    hub.states.async_set("binary_sensor.bedroom_motion", "off", {}, hub.context(Origin.SENSOR))
    manager = get_manager(hub)
    result = await manager.async_load_config()
    assert result.ok and len(result.loaded) == 3, result
    await hub.async_start()
    try:
        motion = "binary_sensor.bedroom_motion"
        hub.states.async_set(motion, "on", {}, hub.context(Origin.SENSOR))
        await hub.async_block_till_done()
        assert calls == [("turn_on", "light.kitchen")]
        # the light already on: the rule does not do it again
        hub.states.async_set(motion, "off", {}, hub.context(Origin.SENSOR))
        hub.states.async_set(motion, "on", {}, hub.context(Origin.SENSOR))
        await hub.async_block_till_done()
        assert calls == [("turn_on", "light.kitchen")]
        # the coffee's time trigger, each morning while it is not on: once, then it is on
        clock = cast(SimulatedClock, hub.clock)
        await clock.async_advance(timedelta(days=5))
        assert calls == [("turn_on", "light.kitchen"), ("turn_on", "switch.coffee")]
        # Saturday, the same time: not one of the light's days
        calls.clear()
        hub.states.async_set("light.kitchen", "off", {}, hub.context(Origin.PHYSICAL))
        hub.states.async_set(motion, "off", {}, hub.context(Origin.SENSOR))
        hub.states.async_set(motion, "on", {}, hub.context(Origin.SENSOR))
        await hub.async_block_till_done()
        assert calls == []
    finally:
        await hub.async_stop()


def test_bad_routine_ids_are_clear_errors(tmp_path: Path) -> None:
    config = _config(tmp_path)
    asyncio.run(async_write_log(_history(days=14), f"sqlite:///{config / 'hearthmind.db'}"))
    cfg = ["-c", str(config)]
    result = runner.invoke(app, ["routines", "propose", "kitchen", *cfg])
    assert result.exit_code == 2 and "is not a routine id" in result.output
    lock = "lock.front_door:locked@late"
    result = runner.invoke(app, ["routines", "propose", lock, *cfg])
    assert result.exit_code == 2 and "lock.front_door is a lock" in result.output
    result = runner.invoke(app, ["routines", "propose", lock, "--force", *cfg])
    assert result.exit_code == 0 and "action: lock.lock" in result.output
    result = runner.invoke(app, ["routines", "propose", "light.attic:on@night", *cfg])
    assert result.exit_code == 2
    assert "no routine 'light.attic:on@night'" in result.output and KITCHEN in result.output
    bad = config / "broken.yaml"
    bad.write_text("automation: {not: a list}\n", encoding="utf-8")
    result = runner.invoke(app, ["routines", "propose", KITCHEN, "--out", str(bad), *cfg])
    assert result.exit_code == 2 and "is not a list of automations" in result.output
    # what the configuration marks sensitive, too
    with (config / "configuration.yaml").open("a", encoding="utf-8") as file:
        file.write("agent:\n  sensitive: [light.kit*]\n")
    result = runner.invoke(app, ["routines", "propose", KITCHEN, *cfg])
    assert result.exit_code == 2 and "light.kitchen is marked sensitive" in result.output
    empty = _config(tmp_path / "empty")
    result = runner.invoke(app, ["routines", "propose", KITCHEN, "-c", str(empty)])
    assert result.exit_code == 1 and "no database" in result.output


def test_every_kind_of_routine_loads_as_a_rule(tmp_path: Path) -> None:
    """Thermostat set-points, covers, locks, a habit after midnight and one across it: each
    rule is one the loader takes; what no service can do is refused clearly."""
    hour = 3600.0
    cases = [
        # a weekend evening, after someone comes home: the set-point is the choice
        Routine("climate.living:heat@20.5", "weekends", 17 * hour, 17.5 * hour, 6, 8,
                "person.anna:home", 0.8, 0.9),
        # weekday nights 00:20-00:40 belong to the day before (days turn over at 04:00)
        Routine("cover.bedroom:closed", "weekdays", 0.33 * hour, 0.66 * hour, 9, 10,
                None, 0.0, 0.9),
        # across midnight: the days it starts on and the days after
        Routine("lock.front:locked", "weekdays", 23.8 * hour, 0.2 * hour, 9, 10,
                "binary_sensor.hall_motion:on", 0.7, 0.9),
        Routine("media_player.tv:playing", "every day", 20 * hour, 20.5 * hour, 9, 10,
                None, 0.0, 0.9),
    ]  # fmt: skip
    rules = [
        rule
        for n, routine in enumerate(cases)
        for rule in automations_for([routine], f"case:{n}@x", day_start=4 * hour)
    ]
    climate, cover, lock, tv = rules
    assert climate["actions"][0] == {
        "action": "climate.set_temperature",
        "target": {"entity_id": "climate.living"},
        "data": {"hvac_mode": "heat", "temperature": 20.5},
    }
    assert climate["triggers"] == [{"trigger": "state", "entity_id": "person.anna", "to": "home"}]
    assert climate["conditions"] == [
        {"condition": "time", "after": "17:00:00", "before": "17:31:00", "weekday": ["sat", "sun"]}
    ]  # a set-point set again is harmless: no "not yet" condition
    assert cover["triggers"] == [{"trigger": "time", "at": "00:19:00"}]
    assert cover["conditions"][0]["weekday"] == ["tue", "wed", "thu", "fri", "sat"]
    assert cover["actions"][0]["action"] == "cover.close_cover"
    window = lock["conditions"][0]
    assert (window["after"], window["before"]) == ("23:48:00", "00:13:00")
    assert window["weekday"] == ["mon", "tue", "wed", "thu", "fri", "sat"]
    assert lock["actions"][0]["action"] == "lock.lock"
    assert tv["actions"][0]["action"] == "media_player.media_play"
    assert [c["condition"] for c in tv["conditions"]] == ["not"]

    config = _config(tmp_path)
    (config / "automations.yaml").write_text(yaml.safe_dump(rules, sort_keys=False))
    assert check_config_dir(config) == []

    for item, reason in [
        ("activity.sleeping:start", "not something a rule can do"),
        ("binary_sensor.door:on", "not something a rule can do"),
        ("light.kitchen:dim", "no light service sets light.kitchen to 'dim'"),
    ]:
        routine = Routine(item, "every day", 0.0, 600.0, 5, 5, None, 0.0, 1.0)
        with pytest.raises(ProposalError, match=reason):
            automations_for([routine], "x:y@z")
