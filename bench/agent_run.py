"""One run of the agent benchmark: a simulated home on a hub with the recorder, the routines
learner and the agent (policy and model from the `agent:` section written for the run), on a
simulated clock from local midnight, as fast as the clock allows; what the agent said and did
is taken from the bus, what the residents wanted from their logs (bench/agent_metrics.py).

Refits are the bench's, on the hub's clock at local midnight (deterministic: the fit runs while
the clock stands still): daily in week 1, every second day in week 2, then every third day,
since a fit of the ranker on weeks of history takes seconds and the trees learn only then."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from collections.abc import Callable, Collection, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

from agent_metrics import AgentAction, AgentSuggestion, RunRecords
from hearthmind.bootstrap import COMPONENTS, async_setup_hub
from hearthmind.core import Event, Hub, SetupOptions, SimulatedClock
from hearthmind.integrations.simulator import get_home, load_home

START = date(2026, 1, 5)  # a Monday in the heating season, as `hearthmind sim` starts
HOUR = 3600.0
NEVER = (
    24 * 365 * 50
)  # hours (50 years): the learner's own refit timer never fires; the bench refits


def refit_days(days: int) -> list[int]:
    """Ends of which days (1 = after the first day) get a refit."""
    out = []
    for d in range(1, days + 1):
        if d <= 7 or (d <= 14 and d % 2 == 1) or (d > 14 and d % 3 == 2):
            out.append(d)
    return out


@dataclass
class Policy:
    name: str
    agent: dict[str, Any]  # the agent: section for the run
    model: str  # the routines model


@dataclass
class RunOutcome:
    records: RunRecords
    wall_seconds: float
    problems: dict[str, int] = field(default_factory=dict)
    refits: int = 0


def write_config(
    folder: Path, policy: Policy, zone: str, simulator: dict[str, Any] | None = None
) -> Path:
    """The run's configuration.yaml; `simulator`: that section (`reliance: false`, the
    sensitivity run whose residents never leave switching off to the hub)."""
    folder.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {
        "hearthmind": {"time_zone": zone},
        # history_days bounds the live learner's history too (routines/component.py): the
        # whole run's history, so the bench's own refits see all the residents did
        "routines": {"model": policy.model, "refit_every_hours": NEVER, "history_days": 90},
        "agent": policy.agent,
    }
    if simulator:
        config["simulator"] = dict(simulator)
    (folder / "configuration.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return folder


def learners(hub: Hub) -> list[Any]:
    """Every routines learner on the hub (the routines component's; the agent's own, if it
    keeps one), so the bench can hold their first fit back and refit them on its schedule."""
    from hearthmind.core import DataKey
    from hearthmind.routines.online import RoutineLearner

    values = [hub.data.get(DataKey[Any](name)) for name in hub.data.names()]
    found = [v for v in values if isinstance(v, RoutineLearner)]
    for value in values:
        for name in ("learner", "_learner"):
            candidate = getattr(value, name, None)
            if isinstance(candidate, RoutineLearner) and candidate not in found:
                found.append(candidate)
    return found


def _hold_back(learner: Any) -> None:
    # no first fit at the 50th event (a task racing the clock): the bench's refits only
    learner._first_fit_at = float("inf")
    if learner._timer is not None:
        learner._timer.cancel()
        learner._timer = None


async def start_simulated_hub(
    config_dir: Path, home: str, seed: int, wanted: Collection[str]
) -> tuple[Hub, SimulatedClock, datetime]:
    """A hub with the `wanted` components and the simulated `home`, recording into
    config_dir/home.db, on a simulated clock from START's local midnight (returned too)."""
    spec = load_home(home)
    begin = datetime.combine(START, time(0), spec.zone)
    clock = SimulatedClock(begin)
    hub = await async_setup_hub(
        config_dir,
        SetupOptions(db_url=f"sqlite:///{config_dir / 'home.db'}", home=home, seed=seed),
        clock,
        components=[name for name, _ in COMPONENTS if name in wanted],
    )
    return hub, clock, begin


async def run_home(
    home: str,
    policy: Policy,
    days: int,
    seed: int,
    folder: Path,
    advance: Callable[[float], None] | None = None,
    reliance: bool = True,
) -> RunOutcome:
    """Run `home` for `days` under `policy`; the records the figures are made from.
    `reliance` false: residents who never leave switching off to the hub."""
    import time as wall

    spec = load_home(home)
    if folder.exists():
        shutil.rmtree(folder)
    config_dir = write_config(
        folder, policy, spec.time_zone, None if reliance else {"reliance": False}
    )
    db = folder / "home.db"
    hub, clock, begin = await start_simulated_hub(
        config_dir, home, seed, ("recorder", "simulator", "routines", "agent")
    )
    sim = get_home(hub)
    assert sim is not None
    if not hub.services.has_service("agent", "answer"):
        await hub.async_stop()
        raise SystemExit("bench/agent.py: the hub has no agent (component 'agent' not set up)")
    actions: list[AgentAction] = []
    suggestions: list[AgentSuggestion] = []

    def on_action(event: Event[Any]) -> None:
        actions.append(_action(event.data, event.time_fired, event.context.id))

    def on_suggestion(event: Event[Any]) -> None:
        suggestions.append(_suggestion(event.data, event.time_fired))

    hub.bus.async_listen("agent_action", on_action)
    hub.bus.async_listen("agent_suggestion", on_suggestion)
    for learner in learners(hub):
        _hold_back(learner)
    refit_at = set(refit_days(days))
    refits = 0
    t0 = wall.perf_counter()
    try:
        for day in range(1, days + 1):
            await clock.async_run_until(begin + timedelta(days=day))
            recorder = _recorder(hub)
            if recorder is not None:
                await recorder.async_throttle()
            if day in refit_at:
                for learner in learners(hub):
                    _hold_back(learner)
                    await learner.async_refit()
                    refits += 1
            if advance is not None:
                advance(1.0)
    finally:
        await hub.async_stop()
    seconds = wall.perf_counter() - t0
    intentions_path = Path(str(db) + ".intentions.jsonl")
    answers_path = Path(str(db) + ".answers.jsonl")
    safety = frozenset(
        e.entity_id for e in sim.entities() if e.kind == "lock" or e.role == "front_lock"
    )
    records = RunRecords(
        start=begin.timestamp(),
        days=float(days),
        residents=len(spec.residents),
        intentions=_read_jsonl(intentions_path),
        answers=_read_jsonl(answers_path),
        actions=actions,
        suggestions=suggestions,
        safety_entities=safety,
    )
    problems = {
        k: v
        for k, v in sorted(hub.health.counts.items())
        if k not in ("events", "service_calls") and v
    }
    return RunOutcome(records, seconds, problems, refits)


def _action(d: Mapping[str, Any], fired: float, context_id: str) -> AgentAction:
    """An agent_action event's data as the metrics read it."""
    return AgentAction(
        fired, str(d.get("action_id")), context_id, d.get("person"),
        str(d.get("entity_id")), str(d.get("service")), d.get("suggestion_id"),
        d.get("routine_id"),
    )  # fmt: skip


def _suggestion(d: Mapping[str, Any], fired: float) -> AgentSuggestion:
    return AgentSuggestion(
        fired, str(d.get("suggestion_id")), d.get("person"), str(d.get("entity_id"))
    )


def records_from_folder(home: str, folder: Path, days: int) -> RunRecords:
    """The records of a finished run, read back from what it left in `folder`: the agent's
    actions and suggestions as the recorder kept their events, the residents' intentions
    and answers. The same records `run_home` returns, for a run made in another process
    (`bench/agent.py --from-work`)."""
    import sqlite3

    spec = load_home(home)
    db = folder / "home.db"
    if not db.exists():
        raise SystemExit(f"bench/agent.py: {db} is not there: that run did not finish")
    begin = datetime.combine(START, time(0), spec.zone)
    actions: list[AgentAction] = []
    suggestions: list[AgentSuggestion] = []
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        if not conn.execute("SELECT 1 FROM events WHERE event_type = 'hub_stop'").fetchone():
            raise SystemExit(f"bench/agent.py: {db} has no hub_stop: that run did not finish")
        rows = conn.execute(
            "SELECT event_type, event_data, time_fired_ts, context_id FROM events "
            "WHERE event_type IN ('agent_action', 'agent_suggestion') ORDER BY event_id"
        ).fetchall()
        locks = {r[0] for r in conn.execute("SELECT DISTINCT entity_id FROM states_entity_index")}
    for event_type, raw, fired, context_id in rows:
        if event_type == "agent_action":
            actions.append(_action(json.loads(raw), fired, context_id))
        else:
            suggestions.append(_suggestion(json.loads(raw), fired))
    return RunRecords(
        start=begin.timestamp(),
        days=float(days),
        residents=len(spec.residents),
        intentions=_read_jsonl(Path(str(db) + ".intentions.jsonl")),
        answers=_read_jsonl(Path(str(db) + ".answers.jsonl")),
        actions=actions,
        suggestions=suggestions,
        safety_entities=frozenset(e for e in locks if e.startswith("lock.")),
    )


def _recorder(hub: Hub) -> Any:
    from hearthmind.recorder import get_recorder

    return get_recorder(hub)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def quiet_logs() -> None:
    """Warnings of the simulated residents and hub (a refused answer, a late one) are counted
    in the run's problems; the console keeps the progress bars."""
    logging.getLogger("hearthmind").setLevel(logging.ERROR)


def run_sync(coro: Any) -> Any:
    return asyncio.run(coro)
