"""Run modes: single, restart, queued (max), parallel (max); and the entity's attributes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hearthmind.automations import AutomationManager
from hearthmind.core import Hub, Origin, SimulatedClock

from .conftest import Devices


def slow_rule(mode: str, **extra: Any) -> dict[str, Any]:
    """On `go` (data n): note start n, wait 10 s, note end n."""
    return {
        "id": "slow",
        "alias": "Slow rule",
        "mode": mode,
        "trigger": {"platform": "event", "event_type": "go"},
        "action": [
            {"event": "note", "event_data": {"start": "{{ trigger.event.data.n }}"}},
            {"delay": 10},
            {"event": "note", "event_data": {"end": "{{ trigger.event.data.n }}"}},
        ],
        **extra,
    }


async def run_three(hub: Hub, clock: SimulatedClock) -> list[tuple[float, dict[str, Any]]]:
    notes: list[tuple[float, dict[str, Any]]] = []
    t0 = clock.timestamp()
    hub.bus.async_listen("note", lambda e: notes.append((e.time_fired - t0, dict(e.data))))
    for n in (1, 2, 3):
        hub.bus.async_fire("go", {"n": n}, hub.context(Origin.APP))
        await clock.async_advance(timedelta(seconds=2))
    await clock.async_advance(timedelta(seconds=60))
    return notes


async def test_single_skips_while_running(
    hub: Hub, clock: SimulatedClock, manager: AutomationManager
) -> None:
    await manager.async_add_rules([slow_rule("single")])
    notes = await run_three(hub, clock)
    assert notes == [(0, {"start": 1}), (10, {"end": 1})]
    assert manager.get("slow") is not None and manager.get("slow").runs_skipped == 2  # type: ignore[union-attr]
    assert hub.health["automation_runs_skipped"] == 2
    assert hub.health["errors"] == 0


async def test_restart_cancels_the_running_run(
    hub: Hub, clock: SimulatedClock, manager: AutomationManager
) -> None:
    await manager.async_add_rules([slow_rule("restart")])
    notes = await run_three(hub, clock)
    assert notes == [(0, {"start": 1}), (2, {"start": 2}), (4, {"start": 3}), (14, {"end": 3})]


async def test_queued_runs_in_order_up_to_max(
    hub: Hub, clock: SimulatedClock, manager: AutomationManager
) -> None:
    await manager.async_add_rules([slow_rule("queued", max=2)])
    automation = manager.get("automation.slow")
    assert automation is not None
    notes = await run_three(hub, clock)
    # run 3 came while 1 ran and 2 waited: max 2 reached, skipped
    assert notes == [(0, {"start": 1}), (10, {"end": 1}), (10, {"start": 2}), (20, {"end": 2})]
    assert automation.runs_skipped == 1


async def test_parallel_runs_together_up_to_max(
    hub: Hub, clock: SimulatedClock, manager: AutomationManager
) -> None:
    await manager.async_add_rules([slow_rule("parallel", max=2)])
    notes = await run_three(hub, clock)
    assert notes == [(0, {"start": 1}), (2, {"start": 2}), (10, {"end": 1}), (12, {"end": 2})]


async def test_entity_state_and_attributes(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules([slow_rule("queued", max=3)])
    state = hub.states.require("automation.slow")
    assert state.state == "on"
    assert dict(state.attributes) == {
        "id": "slow",
        "friendly_name": "Slow rule",
        "last_triggered": None,
        "mode": "queued",
        "current": 0,
        "max": 3,
    }
    fired_at = clock.now()
    hub.bus.async_fire("go", {"n": 1}, hub.context(Origin.APP))
    hub.bus.async_fire("go", {"n": 2}, hub.context(Origin.APP))
    await clock.async_advance(timedelta(seconds=1))
    state = hub.states.require("automation.slow")
    assert state.attributes["current"] == 2
    assert state.attributes["last_triggered"] == fired_at.isoformat()
    await clock.async_advance(timedelta(seconds=30))
    assert hub.states.require("automation.slow").attributes["current"] == 0


async def test_services_turn_off_on_trigger_toggle(
    hub: Hub, clock: SimulatedClock, devices: Devices, manager: AutomationManager
) -> None:
    await manager.async_add_rules(
        [
            {
                "id": "guarded",
                "trigger": {"platform": "state", "entity_id": "sensor.x"},
                "condition": "{{ false }}",
                "action": [{"service": "light.toggle", "entity_id": "light.hall"}, {"delay": 100}],
            }
        ]
    )
    target = {"entity_id": "automation.guarded"}
    ctx = hub.context(Origin.APP, user_id="anna")
    await hub.services.async_call("automation", "trigger", {}, context=ctx, target=target)
    await clock.async_advance(timedelta(seconds=1))  # skip_condition defaults to true
    assert [c.service for c in devices.calls()] == ["toggle"]
    assert devices.calls()[0].context.parent_id == ctx.id
    await hub.services.async_call("automation", "turn_off", {}, context=ctx, target=target)
    assert hub.states.require("automation.guarded").state == "off"
    assert hub.states.require("automation.guarded").attributes["current"] == 0  # run stopped
    await hub.services.async_call(
        "automation", "trigger", {"skip_condition": False}, context=ctx, target=target
    )
    await hub.services.async_call("automation", "toggle", {}, context=ctx, target=target)
    assert hub.states.require("automation.guarded").state == "on"
    await clock.async_advance(timedelta(seconds=1))
    assert len(devices.calls()) == 1  # condition false: no second toggle


async def test_turn_off_in_the_same_instant_as_a_trigger_leaves_no_ghost_run(
    hub: Hub, clock: SimulatedClock, manager: AutomationManager
) -> None:
    await manager.async_add_rules([slow_rule("single")])
    automation = manager.get("slow")
    assert automation is not None
    ctx = hub.context(Origin.APP)
    target = {"entity_id": "automation.slow"}
    hub.bus.async_fire("go", {"n": 1}, ctx)  # the run's task has not started yet
    await hub.services.async_call("automation", "turn_off", {}, context=ctx, target=target)
    assert automation.current == 0
    await hub.services.async_call("automation", "turn_on", {}, context=ctx, target=target)
    notes = await run_three(hub, clock)
    assert notes[:2] == [(0, {"start": 1}), (10, {"end": 1})]
    assert hub.states.require("automation.slow").attributes["current"] == 0
