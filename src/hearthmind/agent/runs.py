"""A run: one open moment of a routine (a Context of origin agent whose parent is the change
that triggered it). Opening it decides what the agent does at this moment (observe, ask or
act, after the hard rules of gate.py) and when; its timer acts at the moment or closes it
as not come true at the deadline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hearthmind.core import Context, Origin
from hearthmind.core.clock import TimerHandle
from hearthmind.routines.observations import Observation

from . import asking, doing, gate
from .events import EVENT_AGENT_MOMENT, Level
from .moments import Moment
from .triggers import window
from .units import RoutineUnit

if TYPE_CHECKING:
    from .agent import Agent


@dataclass
class Run:
    """One open moment of a routine: what the agent does with it, and until when it waits
    for the person to do it."""

    run: Context
    unit: RoutineUnit
    probability: float
    level: Level  # what the agent does at this moment: observe, suggest or act
    started: float
    act_at: float
    deadline: float
    seen: Observation | None  # the model's last observation when the run opened
    by_trigger: bool = False  # opened by one of the routine's triggers, not the model
    trusted: bool = False  # its source was trusted: the ladder moves on its outcome
    held: str | None = None  # why a higher level was held back
    suggestion_id: str | None = None
    action_id: str | None = None
    timer: TimerHandle | None = None
    closed: bool = False


def open_run(
    agent: Agent, moment: Moment, trigger: Context | None, seen: Observation | None, now: float
) -> None:
    unit = moment.unit
    if agent.blocked.get(unit.item, 0.0) > now:
        return
    open_ = agent.runs.get(unit.routine_id)
    if open_ is not None:
        sooner = moment.expected < open_.act_at and open_.action_id is None
        if not moment.trusted or (open_.trusted and not sooner):
            return
        # a trusted moment takes over an untrusted run, or a trusted one it comes before
        agent.close_run(open_, None)
    level = agent.policy.level_for(unit, moment.probability)
    if level == "off":
        return
    trusted = moment.trusted or agent.policy.name == "threshold"
    if not trusted and level == "act":
        level = "suggest"  # act when sure, ask when not
    level, held = gate.hold_back(agent, unit, level, now)
    lead = agent.rules.act_lead_seconds
    if lead is None:
        lead = window(unit, agent.rules) / 2
    act_at = max(now, moment.expected - lead)
    deadline = max(act_at, moment.expected) + window(unit, agent.rules)
    if not moment.by_trigger:  # the model's record as a source of this routine's moments
        agent.triggers.occasion(unit, moment.key, now, deadline)
    run = Run(
        agent.hub.context(Origin.AGENT, parent=trigger),
        unit,
        moment.probability,
        level,
        now,
        act_at,
        deadline,
        seen if seen is not None else agent.last_seen,
        moment.by_trigger,
        trusted,
        held,
    )
    agent.runs[unit.routine_id] = run
    agent.counts[f"runs_{level}"] += 1
    if level in ("suggest", "act"):  # recorded: the link from what it does to its trigger
        agent.hub.bus.async_fire(
            EVENT_AGENT_MOMENT,
            {
                "routine_id": unit.routine_id,
                "level": level,
                "source": moment.key.partition("|")[0],
                "probability": round(moment.probability, 4),
                "expected": moment.expected,
            },
            run.run,
        )
    if level == "suggest":
        asking.suggest(agent, run, now)
    if level == "act" and act_at <= now:
        agent.spawn(doing.act_now(agent, run), "agent-act")
        wait(agent, run, run.deadline)
    else:
        wait(agent, run, act_at if level == "act" else run.deadline)


def wait(agent: Agent, run: Run, until: float) -> None:
    agent.cancel(run.timer)
    run.timer = agent.call_at(until, lambda: run_due(agent, run))


def run_due(agent: Agent, run: Run) -> None:
    if run.closed:
        return
    now = agent.hub.clock.timestamp()
    if run.level == "act" and run.action_id is None and now < run.deadline:
        wait(agent, run, run.deadline)
        agent.spawn(doing.act_now(agent, run), "agent-act")
        return
    if run.action_id is None:
        agent.close_run(run, "not_true")
