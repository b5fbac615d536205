"""Another component's proposals through the agent's ladder (agent/proposals.py), on a real
hub (simulated clock, SQLite recorder, the agent): a new proposed routine starts at suggest
and is asked ahead of its time; a yes does it at its time with an agent Context whose parent
is the proposal's moment, and is evidence; enough yeses climb it to act, where it is done
without a question; a revert or a no brings it down to observe, where it is done no more
and climbs back only on what people do; bad proposals get a clear answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthmind.agent.errors import SuggestionExpiredError
from hearthmind.agent.proposals import BadProposalError, Proposal
from hearthmind.core import Context, Origin

from .home import THERMOSTAT, Home, start_home

pytestmark = pytest.mark.timeout(120)

KEY = "preheat:living_room@morning"


def proposal(home: Home, day: int, value: str = "heat@21", **kw: object) -> Proposal:
    base: dict[str, object] = {
        "routine_key": KEY,
        "entity_id": THERMOSTAT,
        "value": value,
        "at": home.at(day, 6 + 5 / 60).timestamp(),
        "due": home.at(day, 6 + 40 / 60).timestamp(),
        "question": "Shall I start warming the living room at 06:05 so it is 21 C when you "
        "are usually up at 06:40?",
        "reason": "the living room warms from 06:05 for 06:40, when someone is usually up "
        "(17 of 21 work days); it is 2 C outside",
        "people": ("ana",),
        "probability": 0.81,
    }
    base.update(kw)
    return Proposal(**base)  # type: ignore[arg-type]


def thermostat(home: Home) -> str | None:
    from hearthmind.agent.acting import value_of

    return value_of(home.hub.states.get(THERMOSTAT))


async def yes_the_evening_before(home: Home, day: int, planner: Context) -> str:
    """The planner proposes at 21:00 the day before; Ana says yes; it is done at 06:05."""
    await home.run_until(home.at(day - 1, 21))
    status = await home.agent.async_propose(proposal(home, day), planner)
    assert status.status == "asked" and status.suggestion_id is not None
    answer = await home.agent.async_answer(
        status.suggestion_id, "yes", home.hub.context(Origin.APP, "ana")
    )
    await home.run_until(home.at(day, 7))
    return answer


async def test_a_new_proposal_is_asked_ahead_and_a_yes_does_it_at_its_time(
    tmp_path: Path,
) -> None:
    home = await start_home(tmp_path)
    try:
        agent = home.agent
        planner = home.hub.context(Origin.AUTOMATION)
        await home.run_until(home.at(0, 21))
        status = await agent.async_propose(proposal(home, 1), planner)
        assert status.status == "asked" and status.level == "suggest"
        unit = agent.unit(KEY)
        assert unit.level == "suggest" and unit.person == "ana"
        asked = home.said("agent_suggestion")[-1]
        assert asked.data["routine_id"] == KEY and asked.data["person"] == "ana"
        assert asked.data["explanation"].startswith(
            "Shall I start warming the living room at 06:05 so it is 21 C"
        )
        assert "17 of 21 work days" in asked.data["explanation"]
        assert asked.data["service"] == "climate.set_temperature"
        # the planner proposes again an hour later, its start moved: nobody is asked twice
        await home.run_until(home.at(0, 22))
        again = await agent.async_propose(proposal(home, 1, at=home.at(1, 6).timestamp()), planner)
        assert again.status == "waiting" and len(home.said("agent_suggestion")) == 1

        answer = await agent.async_answer(
            status.suggestion_id or "", "yes", home.hub.context(Origin.APP, "ana")
        )
        assert answer == "yes: I will set the Thermostat to heat at 21 at 06:00"
        assert thermostat(home) == "heat@19" and not home.commands  # not before its time
        await home.run_until(home.at(1, 5))
        assert not home.commands
        await home.run_until(home.at(1, 6))
        (service, entity_id, ctx) = home.commands[-1]
        assert (service, entity_id) == ("set_temperature", THERMOSTAT)
        assert thermostat(home) == "heat@21"
        # an agent Context whose parent is the proposal's moment, whose parent is the planner
        assert ctx.origin is Origin.AGENT and ctx.user_id == "ana"
        action = agent.actions[ctx.id]
        assert action.routine_id == KEY and action.suggestion_id == status.suggestion_id
        moment = agent.proposals[KEY].moment
        assert ctx.parent_id == moment.id and moment.origin is Origin.AGENT
        assert moment.parent_id == planner.id
        assert "because ana said yes" in action.explanation
        assert unit.evidence.counts["accepted"] == 1
        await home.run_until(home.at(1, 7))  # nobody undid it within the undo window
        assert action.status == "kept"
    finally:
        await home.hub.async_stop()


async def test_yeses_climb_it_to_act_and_a_revert_brings_it_down(tmp_path: Path) -> None:
    home = await start_home(tmp_path)
    try:
        agent = home.agent
        planner = home.hub.context(Origin.AUTOMATION)
        for day in (1, 2):  # asked, accepted and kept twice: act_after 3 successes in a row
            await yes_the_evening_before(home, day, planner)
            assert thermostat(home) == "heat@21"
            await home.run_until(home.at(day, 23))  # the evening's setback, by hand
            home.hub.states.async_set(
                THERMOSTAT, "heat", {"friendly_name": "Thermostat", "temperature": 16.0},
                home.hub.context(Origin.PHYSICAL, "ana"),
            )  # fmt: skip
        assert agent.unit(KEY).level == "act"
        # at act: no question, done at its time
        await home.run_until(home.at(2, 21))
        asked = len(home.said("agent_suggestion"))
        status = await agent.async_propose(proposal(home, 3), planner)
        assert status.status == "scheduled" and len(home.said("agent_suggestion")) == asked
        await home.run_until(home.at(3, 6.2))
        assert thermostat(home) == "heat@21"
        (_, _, ctx) = home.commands[-1]
        assert ctx.origin is Origin.AGENT and ctx.user_id is None
        # Ana turns it back down ten minutes later: a revert, and the routine falls
        await home.run_until(home.at(3, 6.3))
        home.hub.states.async_set(
            THERMOSTAT, "heat", {"friendly_name": "Thermostat", "temperature": 18.0},
            home.hub.context(Origin.PHYSICAL, "ana"),
        )  # fmt: skip
        assert agent.actions[ctx.id].status == "reverted"
        unit = agent.unit(KEY)
        assert unit.level == "observe" and unit.evidence.reverts == 1
        # at observe: nothing is done, nobody is asked
        await home.run_until(home.at(3, 21))
        commands = len(home.commands)
        status = await agent.async_propose(proposal(home, 4), planner)
        assert status.status == "observed"
        await home.run_until(home.at(4, 8))
        assert len(home.commands) == commands
        assert home.said("agent_feedback")[-1].data["kind"] == "not_true"
    finally:
        await home.hub.async_stop()


async def test_a_no_brings_it_down_and_people_heating_by_hand_is_evidence(
    tmp_path: Path,
) -> None:
    home = await start_home(tmp_path)
    try:
        agent = home.agent
        await home.run_until(home.at(0, 21))
        status = await agent.async_propose(proposal(home, 1))
        reply = await agent.async_answer(
            status.suggestion_id or "", "no", home.hub.context(Origin.APP, "ana")
        )
        assert reply.startswith("declined")
        assert agent.unit(KEY).level == "observe"
        await home.run_until(home.at(1, 8))
        assert not home.commands
        # observed the next night; Ana turns the heating up herself at 06:45: came true
        await home.run_until(home.at(1, 21))
        assert (await agent.async_propose(proposal(home, 2))).status == "observed"
        await home.run_until(home.at(2, 6.75))
        home.hub.states.async_set(
            THERMOSTAT, "heat", {"friendly_name": "Thermostat", "temperature": 21.5},
            home.hub.context(Origin.PHYSICAL, "ana"),
        )  # fmt: skip
        await home.run_until(home.at(2, 8))
        assert home.said("agent_feedback")[-1].data["kind"] == "came_true"
        assert agent.unit(KEY).evidence.counts["came_true"] == 1
    finally:
        await home.hub.async_stop()


async def test_away_people_and_bad_proposals(tmp_path: Path) -> None:
    home = await start_home(tmp_path)
    try:
        agent = home.agent
        await home.run_until(home.at(0, 12))
        home.person("person.ana", "not_home")
        # a warm-up for people at home is held back while they are away ...
        held = await agent.async_propose(proposal(home, 0, due=home.at(0, 18).timestamp()))
        assert held.status == "held" and "away" in held.detail
        # ... one for their arrival is what it is for
        other = "preheat:living_room@evening"
        asked = await agent.async_propose(
            proposal(
                home, 0, routine_key=other, while_away=True,
                at=home.at(0, 17).timestamp(), due=home.at(0, 18).timestamp(),
            )
        )  # fmt: skip
        assert asked.status == "asked"
        # an answer after the change was due does nothing
        await home.run_until(home.at(0, 18))
        with pytest.raises(SuggestionExpiredError):
            await agent.async_answer(
                asked.suggestion_id or "", "yes", home.hub.context(Origin.APP, "ana")
            )
        assert not home.commands
        for bad in (
            proposal(home, 1, routine_key="light.hall:on@morning"),  # a learned routine's id
            proposal(home, 1, entity_id="climate.nowhere"),
            proposal(home, 1, entity_id="binary_sensor.hall_motion", value="on"),
        ):
            with pytest.raises(BadProposalError):
                await agent.async_propose(bad)
        # the switch: nothing at all
        agent.set_enabled(False)
        off = await agent.async_propose(proposal(home, 1))
        assert off.status == "off"
    finally:
        await home.hub.async_stop()


async def test_proposed_routines_are_stored_and_left_out_of_learned_moments(
    tmp_path: Path,
) -> None:
    from hearthmind.agent.store import load
    from hearthmind.recorder import get_recorder

    home = await start_home(tmp_path)
    try:
        await home.run_until(home.at(0, 21))
        await home.agent.async_propose(proposal(home, 1))
        assert all(u.routine_id != KEY for us in home.agent._by_part.values() for u in us)
        await home.agent.store.async_close()
        loaded = load(get_recorder(home.hub).engine, since=0.0)
        assert loaded.routines[KEY].level == "suggest"
        assert loaded.suggestions[-1].routine_id == KEY
    finally:
        await home.hub.async_stop()
