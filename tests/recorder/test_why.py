"""`hearthmind why` and the Context-chain query behind it, on databases a real hub wrote (on a
simulated clock): a time-triggered automation, a rule on a rule, a person, the agent, and
the query on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from hearthmind.agent.events import EVENT_AGENT_ACTION
from hearthmind.automations import get_manager
from hearthmind.cli import app
from hearthmind.cli.why import at_time
from hearthmind.core import Context, Hub, Origin, Person, SimulatedClock, load_config
from hearthmind.recorder import Recorder, change_causes, open_engine

runner = CliRunner()
# Monday 2 March 2026, 05:50 UTC: 06:50 in Amsterdam
START = datetime(2026, 3, 2, 5, 50, tzinfo=UTC)
RULES = [
    {
        "id": "morning",
        "alias": "Morning kitchen",
        "triggers": [{"trigger": "time", "at": "07:00:00"}],
        "actions": [{"action": "switch.turn_on", "target": {"entity_id": "switch.kettle"}}],
    },
    {  # a rule on the first rule's change: a chain of two runs
        "id": "kettle_light",
        "alias": "Light with the kettle",
        "triggers": [{"trigger": "state", "entity_id": "switch.kettle", "to": "on"}],
        "actions": [{"action": "light.turn_on", "target": {"entity_id": "light.kitchen"}}],
    },
    {  # a person's change, a rule on it, a rule on that rule's change
        "id": "fan",
        "alias": "Fan with the hall light",
        "triggers": [{"trigger": "state", "entity_id": "light.hall", "to": "on"}],
        "actions": [{"action": "fan.turn_on", "target": {"entity_id": "fan.bath"}}],
    },
    {
        "id": "radio",
        "alias": "Radio with the fan",
        "triggers": [{"trigger": "state", "entity_id": "fan.bath", "to": "on"}],
        "actions": [{"action": "switch.turn_on", "target": {"entity_id": "switch.radio"}}],
    },
]


async def _record(config: Path, db_url: str) -> None:
    hub = Hub(load_config(config), SimulatedClock(START), seed=5)
    recorder = Recorder(hub, db_url)
    await recorder.async_start()
    clock = cast(SimulatedClock, hub.clock)

    names = {
        "switch.kettle": "Kettle",
        "light.kitchen": "Kitchen light",
        "light.hall": "Hall light",
        "fan.bath": "Bath fan",
        "switch.radio": "Radio",
    }

    async def device(service: str, entity_id: str, data: object, ctx: Context) -> None:
        state = "on" if service == "turn_on" else "off"
        hub.states.async_set(entity_id, state, {"friendly_name": names[entity_id]}, ctx)

    for entity_id in names:
        hub.entities.async_add(entity_id, "test", device)
        hub.states.async_set(entity_id, "off", {}, hub.context(Origin.SENSOR))
    hub.add_person(Person("mina", "Mina", "mina"))
    assert (await get_manager(hub).async_add_rules(RULES)).ok
    await hub.async_start()
    await clock.async_advance(timedelta(minutes=15))  # 07:05: the rules ran at 07:00
    hub.states.async_set(
        "light.hall", "on", {"friendly_name": "Hall light"}, hub.context(Origin.PHYSICAL, "mina")
    )
    await clock.async_advance(timedelta(minutes=5))
    acting = hub.context(Origin.AGENT, parent=hub.context(Origin.AGENT))
    hub.bus.async_fire(
        EVENT_AGENT_ACTION,
        {
            "action_id": "a7",
            "routine_id": "light.hall:off@morning",
            "person": "mina",
            "entity_id": "light.hall",
            "service": "light.turn_off",
            "service_data": {},
            "explanation": "You turn the hall light off around 07:10 on weekdays (9 of 10 days)",
        },
        acting,
    )
    await hub.services.async_call(
        "light", "turn_off", target={"entity_id": "light.hall"}, context=acting
    )
    await hub.async_stop()
    await recorder.async_stop()


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "conf"
    config.mkdir()
    (config / "configuration.yaml").write_text(
        "homeassistant:\n  name: Home\n  time_zone: Europe/Amsterdam\n", encoding="utf-8"
    )
    return config


async def test_why_on_the_command_line(tmp_path: Path) -> None:
    config = _config(tmp_path)
    await _record(config, f"sqlite:///{config / 'hearthmind.db'}")
    cfg = ["-c", str(config)]

    result = runner.invoke(app, ["why", "light.kitchen", *cfg])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert text.startswith(
        "The automation 'Light with the kettle' (automation.kettle_light) turned Kitchen light "
        "on at 07:00 on Mon 2 Mar, on its trigger (state of switch.kettle), after Kettle "
        "became on (the automation 'Morning kitchen', on time 07:00:00)."
    ), text
    assert "<- automation 'Morning kitchen' (automation.morning) ran on time 07:00:00" in text

    result = runner.invoke(app, ["why", "switch.radio", *cfg])
    assert result.exit_code == 0, result.output
    assert " ".join(result.output.split()).startswith(
        "The automation 'Radio with the fan' (automation.radio) turned Radio on at 07:05 on Mon "
        "2 Mar, on its trigger (state of fan.bath), after Bath fan became on (the automation "
        "'Fan with the hall light', on state of light.hall); the first cause: Hall light became "
        "on (Mina, by hand, at the device)."
    )

    result = runner.invoke(app, ["why", "light.hall", "--json", *cfg])
    assert result.exit_code == 0, result.output
    hall = json.loads(result.output)
    assert hall["by"] == "agent routine light.hall:off@morning"
    assert hall["changed_at"] == "2026-03-02T07:10:00+01:00"
    assert hall["sentence"].endswith(
        "of Mina: You turn the hall light off around 07:10 on weekdays (9 of 10 days)."
    )

    result = runner.invoke(app, ["why", "light.hall", "--last", "2", *cfg])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Hearthmind's agent turned Hall light off at 07:10")
    assert lines[1] == "Mina turned Hall light on by hand, at the device, at 07:05 on Mon 2 Mar."

    result = runner.invoke(app, ["why", "light.hall", "--at", "2026-03-02T07:06", *cfg])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Mina turned")  # 07:06 in the home's zone

    result = runner.invoke(app, ["why", "light.hall", "--at", "2026-03-01", *cfg])
    assert result.exit_code == 0, result.output
    assert "light.hall has no recorded change up to 00:00 on Sun 1 Mar." in result.output

    result = runner.invoke(app, ["why", "light.attic", *cfg])
    assert result.exit_code == 2 and "unknown entity light.attic" in result.output
    result = runner.invoke(app, ["why", "attic", *cfg])
    assert result.exit_code == 2 and "not an entity id" in result.output
    result = runner.invoke(app, ["why", "light.hall", "--db", str(tmp_path / "none.db"), *cfg])
    assert result.exit_code == 2 and "no database at" in result.output


async def test_the_chain_query_on_each_database(tmp_path: Path, db_url: str) -> None:
    await _record(_config(tmp_path), db_url)
    engine = open_engine(db_url)
    try:
        (kitchen,) = change_causes(engine, "light.kitchen")
        origins = [link.origin for link in kitchen.chain]
        # the light by the second rule's run, which the kettle's change in the first's started
        assert origins == ["automation", "automation"]
        assert kitchen.chain[1].states[0].entity_id == "switch.kettle"
        morning = kitchen.chain[1].event("automation_triggered")
        assert morning is not None and morning.data["name"] == "Morning kitchen"
        assert kitchen.chain[1].parent_id is None  # a time trigger has no cause before it
        hall = change_causes(engine, "light.hall", last=5)
        assert [c.change.origin for c in hall] == ["agent", "physical", "sensor"]
        assert hall[1].previous is not None and hall[1].previous.state == "off"
        assert hall[2].previous is None
        assert change_causes(engine, "light.hall", at=START.timestamp() - 1) == []
    finally:
        engine.dispose()


def test_at_reads_a_time_of_day_as_its_last_passing() -> None:
    zone = ZoneInfo("Europe/Amsterdam")
    now = datetime(2026, 3, 2, 8, 0, tzinfo=zone)
    assert at_time("07:10", now) == datetime(2026, 3, 2, 7, 10, tzinfo=zone)
    assert at_time("09:15", now) == datetime(2026, 3, 1, 9, 15, tzinfo=zone)  # not yet today
    assert at_time("2h", now) == datetime(2026, 3, 2, 6, 0, tzinfo=zone)
    assert at_time("2026-02-01T10:00", now) == datetime(2026, 2, 1, 10, 0, tzinfo=zone)
