"""Rules from the config directory: `!include automations.yaml`, inline sections, rejected
rules with file and line, reload without restart, the hub's set-up path."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from textwrap import dedent

import pytest

from hearthmind.automations import AutomationManager, async_setup, get_manager
from hearthmind.bootstrap import SetupOptions
from hearthmind.core import ConfigError, Hub, Origin, SimulatedClock, load_config

from .conftest import Devices, sensor

CONFIGURATION = """\
hearthmind:
  name: Test home
  latitude: 52.37
  longitude: 4.89
  time_zone: Europe/Amsterdam
automation: !include automations.yaml
automation extra:
  - id: inline_ok
    trigger:
      platform: state
      entity_id: sensor.b
    action:
      service: light.turn_on
      entity_id: light.kitchen
  - id: inline_bad
    trigger:
      - platform: state
        entity_id: sensor.a
    action:
      - delay: soon  # L-delay
"""

AUTOMATIONS = """\
- id: motion
  alias: Motion light
  triggers:
    - trigger: state
      entity_id: binary_sensor.motion
      to: "on"
  actions:
    - action: light.turn_on
      target:
        entity_id: light.hall
- id: broken
  triggers:
    - trigger: stat  # L-platform
      entity_id: sensor.a
  actions: []
- id: bad_template
  triggers:
    - trigger: state
      entity_id: sensor.a
  actions:
    - action: light.turn_on
      data:
        brightness: "{{ 1 + }}"  # L-template
- alias: typo
  trigers:  # L-typo
    - trigger: state
      entity_id: sensor.a
  actions: []
- just a string  # L-string
"""


def line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


async def setup_dir(
    clock: SimulatedClock, directory: Path
) -> tuple[Hub, AutomationManager, Devices]:
    hub = Hub(load_config(directory), clock, seed=3)
    devices = Devices(hub)
    for entity_id in ("light.hall", "light.kitchen", "switch.fan"):
        devices.add(entity_id)
    await async_setup(hub, SetupOptions())
    await hub.async_start()
    return hub, get_manager(hub), devices


async def test_broken_rules_are_rejected_with_file_line_and_reason(
    clock: SimulatedClock, tmp_path: Path
) -> None:
    config = write(tmp_path, "configuration.yaml", CONFIGURATION)
    rules = write(tmp_path, "automations.yaml", AUTOMATIONS)
    hub, manager, devices = await setup_dir(clock, tmp_path)
    rejected = {(Path(r.file).name, r.line): r.reason for r in manager.all_rejections()}
    assert set(rejected) == {
        ("automations.yaml", line_of(AUTOMATIONS, "L-platform")),
        ("automations.yaml", line_of(AUTOMATIONS, "L-template")),
        ("automations.yaml", line_of(AUTOMATIONS, "L-typo")),
        ("automations.yaml", line_of(AUTOMATIONS, "L-string")),
        ("configuration.yaml", line_of(CONFIGURATION, "L-delay")),
    }
    reasons = " | ".join(rejected.values())
    assert "unknown trigger platform 'stat'" in reasons
    assert "invalid template" in reasons
    assert "unknown key 'trigers' in an automation (did you mean 'triggers'?" in reasons
    assert "invalid duration 'soon'" in reasons
    assert "must be a mapping" in reasons
    assert hub.health["automation_config_errors"] == 5
    message = hub.health.recent[0].message
    assert str(rules) in message or str(config) in message
    assert "line" in message
    # the good rules run
    assert sorted(manager.automations) == ["automation.inline_ok", "automation.motion"]
    sensor(hub, "binary_sensor.motion", "on")
    sensor(hub, "sensor.b", "1")
    await clock.async_advance(timedelta(seconds=1))
    assert sorted(c.entity_id for c in devices.calls()) == ["light.hall", "light.kitchen"]
    await hub.async_stop()


async def test_standalone_automations_yaml_and_single_rule_section(
    clock: SimulatedClock, tmp_path: Path
) -> None:
    write(
        tmp_path,
        "configuration.yaml",
        """\
        hearthmind:
          time_zone: Europe/Amsterdam
        automation:
          id: only
          trigger: {platform: event, event_type: ping}
          action: {service: switch.turn_on, entity_id: switch.fan}
        """,
    )
    write(
        tmp_path,
        "automations.yaml",
        """\
        - id: standalone
          trigger: {platform: event, event_type: ping}
          action: {service: light.turn_on, entity_id: light.hall}
        """,
    )
    hub, manager, devices = await setup_dir(clock, tmp_path)
    assert sorted(manager.automations) == ["automation.only", "automation.standalone"]
    hub.bus.async_fire("ping", {}, hub.context(Origin.APP))
    await clock.async_advance(timedelta(seconds=1))
    assert sorted(c.entity_id for c in devices.calls()) == ["light.hall", "switch.fan"]
    await hub.async_stop()


SLOW_V1 = """\
- id: slow
  trigger: {platform: event, event_type: go}
  action:
    - delay: 60
    - service: light.turn_on
      entity_id: light.hall
- id: changes
  trigger: {platform: event, event_type: go}
  action:
    - delay: 60
    - service: light.turn_on
      entity_id: light.kitchen
- id: goes_away
  trigger: {platform: event, event_type: go}
  action: {service: switch.turn_on, entity_id: switch.fan}
"""

SLOW_V2 = """\
- id: slow
  trigger: {platform: event, event_type: go}
  action:
    - delay: 60
    - service: light.turn_on
      entity_id: light.hall
- id: changes
  trigger: {platform: event, event_type: go}
  action:
    - delay: 60
    - service: light.turn_off
      entity_id: light.kitchen
- id: new_one
  trigger: {platform: event, event_type: go}
  action: {service: switch.turn_on, entity_id: switch.fan}
- id: new_but_broken
  trigger: {platform: event, event_type: go}
  action: {service: nonsense}
"""


async def test_reload_keeps_unchanged_rules_running(clock: SimulatedClock, tmp_path: Path) -> None:
    write(tmp_path, "configuration.yaml", "automation: !include automations.yaml\n")
    rules = write(tmp_path, "automations.yaml", SLOW_V1)
    hub, manager, devices = await setup_dir(clock, tmp_path)
    reloaded: list[dict[str, int]] = []
    hub.bus.async_listen("automation_reloaded", lambda e: reloaded.append(dict(e.data)))
    hub.bus.async_fire("go", {}, hub.context(Origin.APP))
    await clock.async_advance(timedelta(seconds=10))
    assert [c.entity_id for c in devices.calls()] == ["switch.fan"]
    rules.write_text(SLOW_V2, encoding="utf-8")
    await hub.services.async_call(
        "automation", "reload", {}, context=hub.context(Origin.APP, user_id="anna")
    )
    assert reloaded == [{"loaded": 3, "rejected": 1}]
    assert sorted(manager.automations) == [
        "automation.changes",
        "automation.new_one",
        "automation.slow",
    ]
    assert hub.states.get("automation.goes_away") is None
    assert hub.states.require("automation.slow").attributes["current"] == 1  # untouched
    await clock.async_advance(timedelta(seconds=120))
    # the unchanged rule's run finished; the changed rule's old run was stopped
    assert [c.entity_id for c in devices.calls()] == ["switch.fan", "light.hall"]
    assert hub.health["automation_config_errors"] == 1
    await hub.async_stop()


async def test_reload_with_broken_yaml_changes_nothing(
    clock: SimulatedClock, tmp_path: Path
) -> None:
    write(tmp_path, "configuration.yaml", "automation: !include automations.yaml\n")
    rules = write(tmp_path, "automations.yaml", SLOW_V1)
    hub, manager, devices = await setup_dir(clock, tmp_path)
    rules.write_text("- id: x\n  trigger: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        await manager.async_reload()
    assert err.value.path == str(rules) and err.value.line is not None
    assert len(manager.automations) == 3
    assert hub.health["automation_config_errors"] == 1
    hub.bus.async_fire("go", {}, hub.context(Origin.APP))
    await clock.async_advance(timedelta(seconds=1))
    assert [c.entity_id for c in devices.calls()] == ["switch.fan"]
    await hub.async_stop()


async def test_reload_standalone_file_with_syntax_error_keeps_its_rules(
    clock: SimulatedClock, tmp_path: Path
) -> None:
    write(
        tmp_path,
        "configuration.yaml",
        """\
        automation:
          - id: inline
            trigger: {platform: event, event_type: go}
            action: {service: light.turn_on, entity_id: light.kitchen}
        """,
    )
    rules = write(tmp_path, "automations.yaml", SLOW_V1)
    hub, manager, _devices = await setup_dir(clock, tmp_path)
    rules.write_text("- id: x\n  trigger: [unclosed\n", encoding="utf-8")
    write(
        tmp_path,
        "configuration.yaml",
        """\
        automation:
          - id: inline2
            trigger: {platform: event, event_type: go}
            action: {service: light.turn_on, entity_id: light.kitchen}
        """,
    )
    result = await manager.async_reload()
    assert [r.file for r in result.rejected] == [str(rules.resolve())]
    assert sorted(manager.automations) == [
        "automation.changes",
        "automation.goes_away",
        "automation.inline2",
        "automation.slow",
    ]
    await hub.async_stop()


async def test_programmatic_rules_survive_reload_and_are_fast(
    clock: SimulatedClock, tmp_path: Path
) -> None:
    write(tmp_path, "configuration.yaml", "hearthmind: {time_zone: UTC}\n")
    hub, manager, devices = await setup_dir(clock, tmp_path)
    for i in range(100):
        devices.add(f"switch.out_{i}")
    result = await manager.async_add_rules(
        [
            {
                "id": f"bench_{i}",
                "mode": "queued",
                "trigger": {"platform": "state", "entity_id": f"sensor.in_{i}"},
                "action": {"service": "switch.toggle", "target": {"entity_id": f"switch.out_{i}"}},
            }
            for i in range(100)
        ]
        + [{"id": "bad", "trigger": [], "action": []}]
    )
    assert len(result.loaded) == 100
    assert [r.reason for r in result.rejected] == [
        "an automation needs at least one trigger ('triggers:')"
    ]
    await manager.async_reload()
    assert len(manager) == 100
    for i in range(100):
        sensor(hub, f"sensor.in_{i}", "1")
    await clock.async_advance(timedelta(seconds=1))
    assert len(devices.calls()) == 100
    assert manager.get("bench_7") is manager.get("automation.bench_7")
    assert await manager.async_remove("automation.bench_7")
    assert hub.states.get("automation.bench_7") is None


async def test_entity_ids_from_alias_and_duplicates(hub: Hub, manager: AutomationManager) -> None:
    result = await manager.async_add_rules(
        [
            {
                "alias": "Kitchen lights at dusk!",
                "trigger": {"platform": "event", "event_type": "x"},
                "action": [],
            },
            {
                "alias": "Kitchen lights at dusk!",
                "trigger": {"platform": "event", "event_type": "x"},
                "action": [],
            },
            {"trigger": {"platform": "event", "event_type": "x"}, "action": []},
        ]
    )
    assert [a.entity_id for a in result.loaded] == [
        "automation.kitchen_lights_at_dusk",
        "automation.kitchen_lights_at_dusk_2",
        "automation.automation_3",
    ]


async def test_initial_state_off(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            {
                "id": "dormant",
                "initial_state": False,
                "trigger": {"platform": "event", "event_type": "x"},
                "action": {"service": "light.turn_on", "entity_id": "light.hall"},
            }
        ]
    )
    assert hub.states.require("automation.dormant").state == "off"
    hub.bus.async_fire("x", {}, hub.context(Origin.APP))
    await clock.async_advance(timedelta(seconds=1))
    assert devices.calls() == []


async def test_removing_the_include_removes_its_rules(
    clock: SimulatedClock, tmp_path: Path
) -> None:
    write(tmp_path, "configuration.yaml", "automation mine: !include mine.yaml\n")
    write(tmp_path, "mine.yaml", SLOW_V1)
    hub, manager, _devices = await setup_dir(clock, tmp_path)
    assert len(manager) == 3
    write(tmp_path, "configuration.yaml", "hearthmind: {time_zone: UTC}\n")
    await manager.async_reload()
    assert len(manager) == 0
    assert hub.states.async_all("automation") == []
    await hub.async_stop()


async def test_time_trigger_at_an_entity_is_refused_clearly(
    hub: Hub, manager: AutomationManager
) -> None:
    result = await manager.async_add_rules(
        [{"trigger": {"platform": "time", "at": "input_datetime.wake"}, "action": []}]
    )
    assert "not supported" in result.rejected[0].reason


async def test_reload_with_duplicate_aliases_leaves_nothing_behind(
    clock: SimulatedClock, tmp_path: Path
) -> None:
    same = "- alias: Same\n  trigger: {platform: event, event_type: go}\n  action: {service: light.toggle, entity_id: light.hall}\n"
    write(tmp_path, "configuration.yaml", "automation: !include automations.yaml\n")
    rules = write(tmp_path, "automations.yaml", same * 3)
    hub, manager, devices = await setup_dir(clock, tmp_path)
    assert len(manager) == 3
    rules.write_text(same, encoding="utf-8")
    result = await manager.async_reload()
    assert (len(manager), result.unchanged) == (1, 1)
    hub.bus.async_fire("go", {}, hub.context(Origin.APP))
    await clock.async_advance(timedelta(seconds=1))
    assert len(devices.calls()) == 1  # no orphaned rule still listening
    await hub.async_stop()


def test_check_config_dir_reports_without_loading(tmp_path: Path) -> None:
    from hearthmind.automations import check_config_dir

    write(tmp_path, "configuration.yaml", CONFIGURATION)
    write(tmp_path, "automations.yaml", AUTOMATIONS)
    problems = check_config_dir(tmp_path)
    assert sorted((Path(p.file).name, p.line) for p in problems) == sorted(
        [
            ("automations.yaml", line_of(AUTOMATIONS, "L-platform")),
            ("automations.yaml", line_of(AUTOMATIONS, "L-template")),
            ("automations.yaml", line_of(AUTOMATIONS, "L-typo")),
            ("automations.yaml", line_of(AUTOMATIONS, "L-string")),
            ("configuration.yaml", line_of(CONFIGURATION, "L-delay")),
        ]
    )
    assert all(str(p).startswith(p.file) and ", line " in str(p) for p in problems)


RELOADER = """\
- id: reloader
  trigger: {platform: event, event_type: go}
  action:
    - service: automation.reload
    - event: note
      event_data: {after: reload}
- id: self_off
  trigger: {platform: event, event_type: stop_me}
  action:
    - service: automation.turn_off
      target: {entity_id: automation.self_off}
    - event: note
      event_data: {after: turned_off}
"""


async def test_a_rule_may_reload_or_turn_itself_off(clock: SimulatedClock, tmp_path: Path) -> None:
    write(tmp_path, "configuration.yaml", "automation: !include automations.yaml\n")
    rules = write(tmp_path, "automations.yaml", RELOADER)
    hub, manager, _devices = await setup_dir(clock, tmp_path)
    notes: list[dict[str, str]] = []
    hub.bus.async_listen("note", lambda e: notes.append(dict(e.data)))
    hub.bus.async_fire("go", {}, hub.context(Origin.APP))
    await clock.async_advance(timedelta(seconds=1))
    assert notes == [{"after": "reload"}]  # unchanged by the reload: its run went on
    rules.write_text(RELOADER.replace("after: reload", "after: reload2"), encoding="utf-8")
    hub.bus.async_fire("go", {}, hub.context(Origin.APP))
    await clock.async_advance(timedelta(seconds=1))
    assert notes == [{"after": "reload"}]  # changed: the old run was stopped by the reload
    assert manager.get("reloader") is not None
    assert manager.get("reloader").spec.raw["action"][1]["event_data"] == {"after": "reload2"}  # type: ignore[union-attr]
    hub.bus.async_fire("stop_me", {}, hub.context(Origin.APP))
    await clock.async_advance(timedelta(seconds=1))
    assert hub.states.require("automation.self_off").state == "off"
    assert notes == [{"after": "reload"}]  # turned off with stop_actions: its run ended
    assert hub.health["errors"] == 0
    await hub.async_stop()
