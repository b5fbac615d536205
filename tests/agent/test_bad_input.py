"""Bad input gets a clear answer, is counted, crashes nothing and loses no feedback: an
unknown routine, an answer to an expired suggestion, undoing an action whose entity has gone,
two routines that want opposite things at once, a device that ignores the command (or cannot
be reached), and service data that is not what the services take."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthmind.agent.errors import (
    EntityGoneError,
    NothingToUndoError,
    SuggestionExpiredError,
    UnknownActionError,
    UnknownRoutineError,
    UnknownSuggestionError,
)
from hearthmind.agent.store import recorded_outcomes
from hearthmind.core import InvalidServiceDataError, Origin
from hearthmind.recorder import get_recorder

from .home import MOTION, THERMOSTAT, Home, start_home
from .test_agent import ROUTINE, trained

pytestmark = pytest.mark.timeout(240)


def _app(home: Home) -> object:
    return home.hub.context(Origin.APP, "ana")


async def _stored_kinds(home: Home, routine_id: str) -> list[str]:
    recorder = get_recorder(home.hub)
    assert recorder is not None
    await home.agent.store.async_close()
    return [o.kind for o in recorded_outcomes(recorder.engine, routine_id)]


async def test_an_unknown_routine_or_suggestion_or_action(tmp_path: Path) -> None:
    home = await start_home(tmp_path)
    hub = home.hub
    ctx = hub.context(Origin.APP, "ana")
    try:
        with pytest.raises(UnknownRoutineError, match=r"no routine 'light\.nope:on@day'"):
            await hub.services.async_call(
                "agent", "set_level", {"routine_id": "light.nope:on@day", "level": "act"},
                context=ctx,
            )  # fmt: skip
        with pytest.raises(UnknownRoutineError):
            await hub.services.async_call(
                "agent", "forbid", {"routine_id": "light.nope:on@day"}, context=ctx
            )
        with pytest.raises(UnknownSuggestionError, match="no suggestion 'nope'"):
            await hub.services.async_call(
                "agent", "answer", {"suggestion_id": "nope", "answer": "yes"}, context=ctx
            )
        with pytest.raises(UnknownActionError, match="no action 'nope'"):
            await hub.services.async_call("agent", "undo", {"action_id": "nope"}, context=ctx)
        with pytest.raises(NothingToUndoError, match="done nothing"):
            await hub.services.async_call("agent", "undo", {}, context=ctx)
        # data the services do not take: the registry's own clear errors
        with pytest.raises(InvalidServiceDataError, match="answer"):
            await hub.services.async_call(
                "agent", "answer", {"suggestion_id": "x", "answer": "maybe"}, context=ctx
            )
        with pytest.raises(InvalidServiceDataError, match="level"):
            await hub.services.async_call(
                "agent", "set_level", {"routine_id": ROUTINE, "level": "always"}, context=ctx
            )
        assert hub.health.counts["agent_refused"] == 5
        assert hub.running
    finally:
        await hub.async_stop()


async def test_answering_an_expired_suggestion(tmp_path: Path) -> None:
    home = await trained(tmp_path)
    hub = home.hub
    try:
        agent = home.agent
        agent.set_level(ROUTINE, "suggest", "ana")
        await home.morning(10, ana_acts=False)
        suggestion = home.said("agent_suggestion")[-1].data
        await home.run_until(home.at(10, 8))  # ten minutes is long gone
        assert home.said("agent_suggestion_answered")[-1].data["answer"] == "ignored"
        commands = len(home.commands)
        with pytest.raises(SuggestionExpiredError, match=r"expired at .*nothing was done"):
            await hub.services.async_call(
                "agent", "answer", {"suggestion_id": suggestion["suggestion_id"], "answer": "yes"},
                context=hub.context(Origin.APP, "ana"),
            )  # fmt: skip
        assert len(home.commands) == commands and home.state("light.hall") == "off"
        # a late "never" is still heard: the routine is forbidden
        with pytest.raises(SuggestionExpiredError, match="forbidden as asked"):
            await agent.async_answer(suggestion["suggestion_id"], "never", hub.context(Origin.APP))
        assert agent.unit(ROUTINE).level == "off"
        kinds = await _stored_kinds(home, ROUTINE)
        # newest first: both late answers, after the run's end and the suggestion's expiry
        assert kinds[:2] == ["late_answer", "late_answer"]
        assert {"ignored", "not_true"} <= set(kinds[2:4])
    finally:
        await hub.async_stop()


async def test_undoing_an_action_whose_entity_has_gone(tmp_path: Path) -> None:
    home = await trained(tmp_path)
    hub = home.hub
    try:
        await home.morning(10)
        action = home.agent.last_action()
        assert action is not None and action.entity_id == "light.hall"
        hub.entities.async_remove("light.hall")
        hub.states.async_remove("light.hall", hub.context(Origin.APP, "ana"))
        with pytest.raises(EntityGoneError, match=r"light\.hall is no longer there"):
            await hub.services.async_call(
                "agent", "undo", {"action_id": action.action_id},
                context=hub.context(Origin.APP, "ana"),
            )  # fmt: skip
        # the person's wish is kept all the same: the routine takes it as undone
        assert action.status == "undone"
        assert home.agent.unit(ROUTINE).level == "observe"
        assert (await _stored_kinds(home, ROUTINE))[0] == "revert"
        with pytest.raises(NothingToUndoError, match="already undone"):
            await home.agent.async_undo(action.action_id, hub.context(Origin.APP, "ana"))
        # the next morning comes and goes without the light: nothing breaks
        await home.morning(11)
        assert hub.running
    finally:
        await hub.async_stop()


async def test_two_routines_that_want_opposite_things_at_once(tmp_path: Path) -> None:
    home = await start_home(tmp_path)
    hub = home.hub
    try:
        agent = home.agent
        warm = agent.unit_for(THERMOSTAT, "heat@21", "morning")
        cool = agent.unit_for(THERMOSTAT, "heat@17", "morning")
        for unit in (warm, cool):  # both acted on the morning motion before, both trusted
            agent.set_level(unit.routine_id, "act", "ana")
            unit.evidence.triggers[f"{MOTION}:on|any"] = [20, 20]  # a thermostat: one record
        commands = len(home.commands)
        await home.run_until(home.at(0, 7))
        home.sensor(MOTION, "on")
        await home.run_until(home.at(0, 7.5))
        # neither is done, both are told, and nothing else breaks
        assert len(home.commands) == commands
        state = hub.states.get(THERMOSTAT)
        assert state is not None and state.attributes["temperature"] == 19.0
        assert agent.counts["conflicts"] == 2
        for unit in (warm, cool):
            kinds = await _stored_kinds(home, unit.routine_id)
            assert kinds == ["conflict"]
            assert unit.level == "act"  # a conflict is nobody's fault
    finally:
        await hub.async_stop()


async def test_a_device_that_ignores_the_command_or_cannot_be_reached(tmp_path: Path) -> None:
    home = await trained(tmp_path)
    hub = home.hub
    try:
        agent = home.agent
        home.ignoring.add("light.hall")
        await home.morning(10, ana_acts=False)
        action = agent.last_action()
        # sent, and 30 s later (device_timeout_seconds) found out
        assert action is not None and action.status == "device_ignored"
        assert action.closed is not None and action.closed - action.time == 30.0
        assert hub.health.counts["agent_device_ignored"] == 1
        assert agent.unit(ROUTINE).level == "act"  # the routine is not to blame
        # it does not ask the device again the same morning
        commands = len(home.commands)
        home.sensor(MOTION, "on")
        await home.run_until(home.at(10, 7.6))
        home.sensor(MOTION, "off")
        assert len(home.commands) == commands
        assert (await _stored_kinds(home, ROUTINE))[0] == "device_ignored"
        # the device works again: days as usual
        home.ignoring.clear()
        await home.days(11, 13)
        # a device that cannot be reached at all: counted, the hub goes on
        home.failing.add("light.hall")
        await home.morning(13, ana_acts=False)
        assert hub.health.counts["agent_action_errors"] == 1
        assert (await _stored_kinds(home, ROUTINE))[0] == "failed"
        home.failing.clear()
        await home.days(14, 16)
        assert agent.unit(ROUTINE).level == "act" and hub.running  # the device is to blame
    finally:
        await hub.async_stop()
