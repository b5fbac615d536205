"""Replay of a real home log (the formats of `hearthmind import-log`): the log's events are
reported to a hub with the recorder, the routines learner and the agent, in time order on a
simulated clock, so the agent learns as the log goes. Its devices are shadows: a command is
recorded, never carried out, so the log goes on as it was (the person's own action still
comes, and is learned from). Where the agent would have acted, the person did the same within
10 minutes or not (precision); the manual actions it came before are its coverage.

Nobody answers the agent's questions here (there is nobody to ask): a suggestion is ignored,
and a routine climbs only on its shadow predictions that came true.

Logs without a single action by hand (motion, doors, cupboards only: CASAS, van Kasteren,
Ordóñez) give the agent nothing to do; they are listed as such, with no figures."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agent_metrics import SERVICE_STATE, ReplayScore, score_replay
from agent_run import Policy, _hold_back, _recorder, learners, write_config
from hearthmind.bootstrap import COMPONENTS, async_setup_hub
from hearthmind.core import Context, Event, Origin, Person, SetupOptions, SimulatedClock
from hearthmind.routines.importers import load_home
from hearthmind.routines.observations import Kind, state_of

WINDOW = 600.0  # seconds: the person did it within 10 minutes of the agent
PERSON = "resident"


@dataclass
class ReplayOutcome:
    name: str
    score: ReplayScore
    days: int
    actions_in_log: int
    suggestions: int
    wall_seconds: float


def acted_item(entity_id: str, service: str, data: Mapping[str, Any]) -> str | None:
    name = service.rsplit(".", 1)[-1]
    if name == "set_temperature" and "temperature" in data:
        return f"{entity_id}:heat@{float(data['temperature']):g}"
    state = SERVICE_STATE.get(name)
    return None if state is None else f"{entity_id}:{state}"


async def replay_log(
    folder: Path,
    policy: Policy,
    work: Path,
    days: int | None = None,
    advance: Callable[[float], None] | None = None,
) -> ReplayOutcome | None:
    """Replay `folder` (at most `days` days of it); None when the log has no manual action."""
    import time as wall

    log = load_home(folder)
    observations = [o for o in log.observations if o.kind is not Kind.ACTIVITY]
    if not observations or not any(o.kind is Kind.ACTION for o in observations):
        return None
    first = observations[0].time
    begin = datetime.fromtimestamp(first, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    total_days = int((observations[-1].time - begin.timestamp()) // 86400) + 1
    days = min(days or total_days, total_days)
    end = begin + timedelta(days=days)
    observations = [o for o in observations if o.time < end.timestamp()]
    if work.exists():
        shutil.rmtree(work)
    # the log's times are the residents' wall clock, read as UTC (routines.observations)
    config_dir = write_config(work, policy, "UTC")
    clock = SimulatedClock(begin)
    wanted = ["recorder", "routines", "agent"]
    hub = await async_setup_hub(
        config_dir,
        SetupOptions(db_url=f"sqlite:///{work / 'replay.db'}", seed=0),
        clock,
        components=[name for name, _ in COMPONENTS if name in wanted],
    )
    if not hub.services.has_service("agent", "answer"):
        await hub.async_stop()
        raise SystemExit("bench/agent.py: the hub has no agent (component 'agent' not set up)")
    hub.add_person(Person(PERSON, "Resident", user_id=PERSON), presence="home")
    acted: list[tuple[float, str]] = []
    suggestions = 0

    async def shadow(service: str, entity_id: str, data: Mapping[str, Any], _c: Context) -> None:
        item = acted_item(entity_id, service, data)
        if item is not None:
            acted.append((clock.timestamp(), item))

    def on_suggestion(_event: Event[Any]) -> None:
        nonlocal suggestions
        suggestions += 1

    hub.bus.async_listen("agent_suggestion", on_suggestion)
    actionable = sorted({o.entity_id for o in observations if o.kind is Kind.ACTION})
    for entity_id in sorted({o.entity_id for o in observations}):
        handler = shadow if entity_id in actionable else None
        hub.entities.async_add(entity_id, "replay", handler)
        state = "off" if entity_id in actionable else "unknown"
        hub.states.async_set(entity_id, state, {}, hub.context(Origin.SENSOR))
    for learner in learners(hub):
        _hold_back(learner)
    t0 = wall.perf_counter()
    next_midnight = begin + timedelta(days=1)
    try:
        for obs in observations:
            moment = datetime.fromtimestamp(obs.time, UTC)
            while moment >= next_midnight:
                await _day_ends(hub, clock, next_midnight)
                if advance is not None:
                    advance(1.0)
                next_midnight += timedelta(days=1)
            await clock.async_run_until(moment)
            state, attributes = state_of(obs.entity_id, obs.value)
            human = obs.kind is Kind.ACTION
            context = hub.context(
                Origin.PHYSICAL if human else Origin.SENSOR, PERSON if human else None
            )
            hub.states.async_set(obs.entity_id, state, attributes, context)
        while next_midnight <= end:
            await _day_ends(hub, clock, next_midnight)
            if advance is not None:
                advance(1.0)
            next_midnight += timedelta(days=1)
    finally:
        await hub.async_stop()
    manual = [(o.time, o.item) for o in observations if o.kind is Kind.ACTION]
    return ReplayOutcome(
        log.name,
        score_replay(acted, manual, WINDOW),
        days,
        len(manual),
        suggestions,
        wall.perf_counter() - t0,
    )


async def _day_ends(hub: Any, clock: SimulatedClock, midnight: datetime) -> None:
    """Run to midnight, then refit every learner (daily: the logs are short)."""
    await clock.async_run_until(midnight)
    recorder = _recorder(hub)
    if recorder is not None:
        await recorder.async_throttle()
    for learner in learners(hub):
        _hold_back(learner)
        await learner.async_refit()
