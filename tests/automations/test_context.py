"""Every action's context has the trigger's context as parent, so the recorder answers "why
did this light turn on?" — through the real set-up path (bootstrap, recorder on SQLite)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hearthmind.automations import describe_chain, explain_context_chain
from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.core import Event, Origin, SimulatedClock
from hearthmind.recorder import events, get_recorder, open_engine, state_changes

from .conftest import Devices, sensor

CONFIG = """\
hearthmind:
  time_zone: Europe/Amsterdam
automation: !include automations.yaml
"""

RULES = """\
- id: hall_motion
  alias: Hall motion light
  trigger:
    platform: state
    entity_id: binary_sensor.hall_motion
    to: "on"
  action:
    - service: light.turn_on
      target: {entity_id: light.hall}
      data: {brightness: 200}
    - delay: "00:02:00"
    - service: light.turn_off
      target: {entity_id: light.hall}
"""


async def test_why_did_the_light_turn_on_from_the_recorder(
    clock: SimulatedClock, tmp_path: Path
) -> None:
    (tmp_path / "configuration.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "automations.yaml").write_text(RULES, encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'history.db'}"
    hub = await async_setup_hub(
        tmp_path, SetupOptions(db_url=db_url), clock, components=["recorder", "automations"]
    )
    devices = Devices(hub)
    devices.add("light.hall")
    motion = sensor(hub, "binary_sensor.hall_motion", "on", user="anna")
    await clock.async_advance(timedelta(minutes=5))
    on, off = devices.calls("light.hall")
    assert on.context is off.context or on.context == off.context  # one context per run
    assert on.context.origin is Origin.AUTOMATION and on.context.parent_id == motion.id
    recorder = get_recorder(hub)
    assert recorder is not None
    await recorder.async_flush()
    await hub.async_stop()

    engine = open_engine(db_url)
    rows = [*state_changes(engine), *events(engine)]
    light_on = next(r for r in state_changes(engine, entity_ids="light.hall") if r.state == "on")
    assert light_on.origin == "automation"
    chain = explain_context_chain(rows, light_on.context_id)
    assert [link.origin for link in chain] == ["sensor", "automation"]
    assert chain[0].context_id == motion.id
    assert any("binary_sensor.hall_motion became on" in h.summary for h in chain[0].happenings)
    text = describe_chain(chain)
    assert "automation 'Hall motion light' (automation.hall_motion)" in text
    assert "light.hall became on" in text
    assert "automation.hall_motion became" not in text  # the run's own bookkeeping
    assert text.splitlines()[-1].strip().startswith("<- binary_sensor.hall_motion became on")
    engine.dispose()


async def test_run_bookkeeping_is_not_recorded(clock: SimulatedClock, tmp_path: Path) -> None:
    """As in Home Assistant: the automation entity's recorded attributes leave out what every
    run changes (last_triggered, current, ...), while the live state keeps it."""
    (tmp_path / "configuration.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "automations.yaml").write_text(RULES, encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'history.db'}"
    hub = await async_setup_hub(
        tmp_path, SetupOptions(db_url=db_url), clock, components=["recorder", "automations"]
    )
    Devices(hub).add("light.hall")
    sensor(hub, "binary_sensor.hall_motion", "on", user="anna")
    await clock.async_advance(timedelta(minutes=5))
    live = hub.states.get("automation.hall_motion")
    assert live is not None and live.attributes["last_triggered"] is not None
    recorder = get_recorder(hub)
    assert recorder is not None
    await recorder.async_flush()
    await hub.async_stop()

    engine = open_engine(db_url)
    recorded = state_changes(engine, entity_ids="automation.hall_motion")
    assert len(recorded) >= 2  # set-up, and the run's bookkeeping
    assert {tuple(sorted(r.attributes)) for r in recorded} == {("friendly_name",)}
    engine.dispose()


async def test_chain_from_core_events_and_unrecorded_parent(
    clock: SimulatedClock, tmp_path: Path
) -> None:
    hub = await async_setup_hub(
        tmp_path, SetupOptions(record=False), clock, components=["automations"]
    )
    devices = Devices(hub)
    devices.add("light.hall")
    seen: list[Event] = []
    hub.bus.async_listen("*", seen.append)
    from hearthmind.automations import get_manager

    await get_manager(hub).async_add_rules(
        [
            {
                "id": "chain",
                "trigger": {"platform": "event", "event_type": "button"},
                "action": {"service": "light.toggle", "entity_id": "light.hall"},
            }
        ]
    )
    parent = hub.context(Origin.VOICE, user_id="ben")  # never recorded itself
    press = hub.context(Origin.PHYSICAL, user_id="ben", parent=parent)
    hub.bus.async_fire("button", {}, press)
    await clock.async_advance(timedelta(seconds=1))
    light = next(
        e
        for e in seen
        if e.event_type == "state_changed"
        and e.data["entity_id"] == "light.hall"
        and e.context.origin is Origin.AUTOMATION
    )
    chain = explain_context_chain(seen, light.context.id)
    assert [link.origin for link in chain] == ["unknown", "physical", "automation"]
    assert chain[1].user_id == "ben"
    as_dicts = explain_context_chain([e.as_dict() for e in seen], light.context.id)
    assert [link.context_id for link in as_dicts] == [link.context_id for link in chain]
    await hub.async_stop()
