"""A simulated home on a hub: people act by hand with their own user ids, sensors report,
the hub reaches devices only through services, and residents react to what the hub does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hearthmind.core import InvalidServiceDataError, Origin, UnknownEntityError
from hearthmind.integrations.simulator import DeviceCommandError, load_home

from .helpers import SimRun


def history(run: SimRun) -> list[tuple[object, ...]]:
    return [
        (
            e.time_fired,
            e.data["entity_id"],
            e.data["new_state"].state,
            tuple(sorted(e.data["new_state"].attributes.items())),
            e.context.id,
            e.context.origin,
            e.context.user_id,
        )
        for e in run.changes
    ]


async def test_people_act_by_hand_and_sensors_report() -> None:
    run = SimRun("couple")
    await run.start_home()
    await run.run_until(2, 0)
    physical = [e for e in run.changes if e.context.origin is Origin.PHYSICAL]
    assert len(physical) >= 40
    assert {e.context.user_id for e in physical} == {"ana", "ben"}
    sensors = [e for e in run.changes if e.data["entity_id"].startswith("binary_sensor.")]
    assert sensors and all(e.context.origin is Origin.SENSOR for e in sensors)
    assert all(e.context.user_id is None for e in sensors)  # a motion sensor does not know who
    ana = [e.data["new_state"] for e in run.changes if e.data["entity_id"] == "person.ana"]
    assert {s.state for s in ana} == {"home", "not_home"}  # as HA's person entities
    assert {"kitchen", "bedroom"} <= {s.attributes["room"] for s in ana if s.state == "home"}
    assert all(s.attributes["room"] is None for s in ana if s.state == "not_home")
    # the hub sees the simulator only as entities with handlers (commands) and states
    entry = run.hub.entities.get("light.kitchen")
    assert entry is not None and entry.owner == "simulator" and entry.handler is not None
    sensor = run.hub.entities.get("binary_sensor.front_door")
    assert sensor is not None and sensor.handler is None
    assert run.hub.registries.area_of("light.kitchen") is not None
    assert set(run.hub.registries.people) == {"ana", "ben"}


async def test_same_seed_same_history_other_seed_other_history() -> None:
    runs = [SimRun("couple", seed=s) for s in (3, 3, 4)]
    for run in runs:
        await run.start_home()
        await run.run_until(3, 0)
    a, b, c = (history(r) for r in runs)
    assert a == b
    assert a != c


async def test_hub_command_reaches_device_with_its_context() -> None:
    run = SimRun("single")
    await run.start_home()
    await run.run_until(0, 12)
    ctx = run.hub.context(Origin.AGENT)
    await run.hub.services.async_call(
        "light", "turn_on", {"brightness": 40}, context=ctx, target={"entity_id": "light.kitchen"}
    )
    state = run.hub.states.require("light.kitchen")
    assert (state.state, state.attributes["brightness"], state.context) == ("on", 40, ctx)
    assert run.home.state("light.kitchen")[0] == "on"
    await run.hub.services.async_call(
        "climate",
        "set_temperature",
        {"temperature": 19},
        context=ctx,
        target={"entity_id": "climate.living_room"},
    )
    assert run.hub.states.require("climate.living_room").attributes["temperature"] == 19.0


async def test_bad_commands_are_refused_counted_and_the_home_runs_on() -> None:
    run = SimRun("single")
    await run.start_home()
    await run.run_until(0, 12)
    ctx = run.hub.context(Origin.APP)
    with pytest.raises(InvalidServiceDataError, match="brightness"):
        await run.hub.services.async_call(
            "light",
            "turn_on",
            {"brightness": 999},
            context=ctx,
            target={"entity_id": "light.kitchen"},
        )
    with pytest.raises(UnknownEntityError):
        await run.hub.services.async_call(
            "light", "turn_on", {}, context=ctx, target={"entity_id": "light.cellar"}
        )
    with pytest.raises(DeviceCommandError, match="the TV is off"):
        await run.hub.services.async_call(
            "media_player", "media_play", {}, context=ctx, target={"entity_id": "media_player.tv"}
        )
    counts = run.hub.health.counts
    assert counts["invalid_service_data"] == 1
    assert counts["unknown_entity"] == 1
    assert counts["device_command_rejected"] == 1
    before = len(run.changes)
    await run.run_until(1, 12)
    assert len(run.changes) > before + 50


async def _first_intention(tmp_path: Path, action: str, after_hours: float) -> dict[str, object]:
    log = tmp_path / "baseline.jsonl"
    run = SimRun("single", log=log)
    await run.start_home()
    await run.run_until(2, 0)
    run.home.close()
    records = [json.loads(line) for line in log.read_text().splitlines()]
    t0 = run.start.timestamp() + after_hours * 3600
    return next(r for r in records if r["action"] == action and r["epoch"] > t0 and r["executed"])


async def test_a_light_already_on_is_not_switched_on_again(tmp_path: Path) -> None:
    """The hub anticipates the kitchen light; Mina finds it on, and the ground truth says so."""
    first = await _first_intention(tmp_path, "light.kitchen:on", 4)
    when = float(first["epoch"])  # type: ignore[arg-type]
    log = tmp_path / "anticipated.jsonl"
    run = SimRun("single", log=log)
    await run.start_home()
    await run.clock.async_run_until(run.local(when - 60))
    await run.hub.services.async_call(
        "light",
        "turn_on",
        {},
        context=run.hub.context(Origin.AGENT),
        target={"entity_id": "light.kitchen"},
    )
    await run.clock.async_run_until(run.local(when + 120))
    run.home.close()
    records = [json.loads(line) for line in log.read_text().splitlines()]
    same = [r for r in records if r["action"] == "light.kitchen:on" and abs(r["epoch"] - when) < 1]
    assert len(same) == 1
    assert same[0]["already_satisfied"] and not same[0]["executed"]
    assert same[0]["satisfied_by"] == "agent"
    by_hand = [
        e
        for e in run.changes
        if e.data["entity_id"] == "light.kitchen"
        and e.context.origin is Origin.PHYSICAL
        and e.time_fired > when - 60
    ]
    assert all(e.data["new_state"].state == "off" for e in by_hand)


async def test_a_resident_undoes_the_hub_switching_off_their_light(tmp_path: Path) -> None:
    spec = load_home("single")
    mina = spec.residents[0].model_copy(update={"undo_rate": 1.0})
    spec = spec.model_copy(update={"residents": [mina]})
    first = await _first_intention(tmp_path, "light.living_room:on", 18)
    when = float(first["epoch"])  # type: ignore[arg-type]
    log = tmp_path / "undo.jsonl"
    run = SimRun(spec, log=log)
    await run.start_home()
    await run.clock.async_run_until(run.local(when + 300))
    assert run.home.state("light.living_room")[0] == "on"
    ctx = run.hub.context(Origin.AGENT)
    await run.hub.services.async_call(
        "light", "turn_off", {}, context=ctx, target={"entity_id": "light.living_room"}
    )
    assert run.hub.states.require("light.living_room").state == "off"
    await run.clock.async_run_until(run.local(when + 300 + 120))
    state = run.hub.states.require("light.living_room")
    assert state.state == "on"
    assert (state.context.origin, state.context.user_id) == (Origin.PHYSICAL, "mina")
    run.home.close()
    undo = [json.loads(x) for x in log.read_text().splitlines() if '"reaction_to":"' in x]
    assert [(u["action"], u["activity"], u["reaction_to"]) for u in undo] == [
        ("light.living_room:on", "undo", ctx.id)
    ]
    assert run.home.stats.reactions == 1


async def test_intentions_log_format(tmp_path: Path) -> None:
    log = tmp_path / "x.db.intentions.jsonl"
    run = SimRun("family", log=log)
    await run.start_home()
    await run.run_until(1, 0)
    run.home.close()
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(records) == run.home.stats.intentions > 50
    keys = {
        "time",
        "epoch",
        "user_id",
        "action",
        "entity_id",
        "target",
        "activity",
        "executed",
        "already_satisfied",
        "satisfied_by",
        "reaction_to",
        "recorded_action",
    }
    assert all(set(r) == keys for r in records)
    assert [r["epoch"] for r in records] == sorted(r["epoch"] for r in records)
    assert {r["user_id"] for r in records} == {"lena", "tom", "noor", "sam"}
    assert all(r["action"] == f"{r['entity_id']}:{r['target']}" for r in records)
    assert all(r["executed"] != r["already_satisfied"] for r in records)
    physical = [e for e in run.changes if e.context.origin is Origin.PHYSICAL]
    assert len(physical) == sum(r["executed"] for r in records)
    # each executed intention is one recorded physical change, named the same way
    recorded = sorted(
        (round(e.time_fired, 3), f"{e.data['entity_id']}:{e.data['new_state'].state}")
        for e in physical
    )
    intended = sorted((r["epoch"], r["recorded_action"]) for r in records if r["executed"])
    assert recorded == intended
    assert any(a.startswith("media_player.tv:playing") for _, a in intended)


async def test_heating_follows_the_set_point_and_the_weather() -> None:
    run = SimRun("single")
    await run.start_home()
    await run.run_until(3, 0)
    outdoor = [
        float(e.data["new_state"].state)
        for e in run.changes
        if e.data["entity_id"] == "sensor.outdoor_temperature"
    ]
    assert len(outdoor) > 5 and max(outdoor) - min(outdoor) > 1.5  # a daily swing
    assert min(outdoor) > -20 and max(outdoor) < 20  # January in Amsterdam
    climate = [
        e.data["new_state"] for e in run.changes if e.data["entity_id"] == "climate.living_room"
    ]
    actions = {s.attributes["hvac_action"] for s in climate}
    assert actions == {"heating", "idle"}
    temps = [s.attributes["current_temperature"] for s in climate]
    assert min(temps) > 15 and max(temps) < 23
