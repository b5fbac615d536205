"""The self-driving agent (issue 18): acts on learned routines, asks when unsure, says why,
and backs off when it is undone. A component set up after the routines (bootstrap), from the
`agent:` section of configuration.yaml (config.py).

    agent.py     what happens: the moments of routines (model and triggers), runs, feedback
    triggers.py  each routine's record per source of moments, and which are trusted
    doing.py     acting: the service call, then kept, undone or ignored by the device
    asking.py    suggestions and answers
    proposals.py other components' changes, as routines on the ladder
    left_on.py   lights and TVs left on in a room its sensors and people say is empty
    requests.py  undo, levels, forbid, opt-out, the off switch
    units.py     routines as units: stable ids, sentences, evidence
    ladder.py    off, observe, suggest, act: when a routine climbs and falls; the policies
    safety.py    safety classes, quiet hours, the question budget, people away, undoers
    store.py     the agent's tables in the recorder's database (migration 0004)
    services.py  the `agent` services and the off switch, switch.hearthmind_agent
    acting.py    which service gives an entity a learned value; explain.py what it says
    events.py    the bus contract others code against

The agent learns from the routines component's model (`hub.data` key of the routines), or
from a model of its own when `agent: model:` names another (the benchmark's Markov ladder)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearthmind.core import ConfigError, DataKey, Hub, SetupOptions
from hearthmind.routines.online import RoutineLearner

from .agent import Agent
from .config import AgentConfig, LadderRules, QuietHours
from .left_on import LeftOn
from .store import AgentStore

DATA_KEY: DataKey[Agent] = DataKey("agent")


def get_agent(hub: Hub) -> Agent | None:
    return hub.data.get(DATA_KEY)


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Component set-up (bootstrap): the agent, unless `agent: enabled: false`."""
    from hearthmind.recorder import get_recorder

    from .services import register

    section = hub.config.section("agent", AgentConfig)
    if not section.enabled:
        return
    learner = await _learner(hub, section)
    agent = Agent(hub, section, learner, AgentStore(hub, get_recorder(hub)))
    await agent.async_start()
    register(hub, agent)
    hub.async_on_stop(agent.async_stop)
    hub.data[DATA_KEY] = agent
    if section.left_on:
        left_on = LeftOn(hub, agent)
        left_on.start()
        hub.async_on_stop(left_on.async_stop)
    try:  # voice is an extra: without it there is nobody to tell
        from hearthmind.voice.sources import EXPLANATION_SOURCE, FEEDBACK_SINK
    except ImportError:
        return
    hub.data[EXPLANATION_SOURCE] = agent  # "why did you do that?"
    hub.data[FEEDBACK_SINK] = agent  # "don't do that again"


async def _learner(hub: Hub, section: AgentConfig) -> RoutineLearner:
    """The routines component's learner when it learns the model asked for; else one of the
    agent's own, learning the same way (recorded history first, then every change)."""
    from hearthmind.routines.component import (
        RoutinesConfig,
        _async_learn_recorded,
        get_learner,
    )
    from hearthmind.routines.online import DATA_KEY as ROUTINES_KEY
    from hearthmind.routines.registry import make_model, model_names

    routines = hub.config.section("routines", RoutinesConfig)
    shared = get_learner(hub)
    name = section.model or routines.model
    if name not in model_names():
        raise ConfigError(
            str(hub.config.path),
            None,
            f"agent.model: no model named {name!r} (models: {', '.join(model_names())})",
        )
    if shared is not None and name == routines.model:
        return shared
    try:
        zone = ZoneInfo(hub.config.core.time_zone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(str(hub.config.path), None, f"unknown time zone {err}") from err
    learner = RoutineLearner(
        hub,
        lambda: make_model(name),
        refit_every=timedelta(hours=routines.refit_every_hours),
        min_history=routines.min_history,
        zone=zone,
        fit_in_process=routines.fit_in == "process",
    )
    await learner.async_start()
    # it registers itself as the routines' learner: the routines component's stays that
    if shared is not None:
        hub.data[ROUTINES_KEY] = shared
    else:
        hub.data.pop(ROUTINES_KEY)
    hub.async_create_task(
        _async_learn_recorded(hub, learner, routines.history_days), name="agent-history"
    )
    return learner


__all__ = [
    "DATA_KEY",
    "Agent",
    "AgentConfig",
    "LadderRules",
    "QuietHours",
    "async_setup",
    "get_agent",
]
