"""Pre-heating in the hub (comfort/preheat_component.py) on real parts: a hub with the recorder
on a SQLite file and a simulated clock, a room with known physics and a resident with a
routine. The room's model and the expected hours come from the recorded history; the plan
warms the room just in time, through the agent's ladder when it runs (asked first, a yes
does it with the agent's Context, a revert brings it down) and by the hub itself when not;
bad input leaves the room to its thermostat, counted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hearthmind.agent import get_agent
from hearthmind.core import Origin

from .preheat_home import NO_AGENT, OUTDOOR, WITH_AGENT, C, PreheatHome, R, start_home

pytestmark = pytest.mark.timeout(300)

PLAN = "sensor.living_room_preheat_plan"


def plan(home: PreheatHome) -> tuple[str, dict[str, object]]:
    state = home.hub.states.get(PLAN)
    assert state is not None
    return state.state, dict(state.attributes)


async def test_model_and_expected_hours_are_learned_from_the_recorded_history(
    tmp_path: Path,
) -> None:
    home = await start_home(tmp_path, NO_AGENT)
    try:
        controller = home.preheat
        await controller.async_refit()
        model = controller.rooms["living_room"].model
        assert model is not None
        assert model.r_k_per_kw == pytest.approx(R, rel=0.15)
        assert model.c_kwh_per_k == pytest.approx(C, rel=0.15)
        assert model.rmse_k < 0.3 and model.rows >= 200
        occupancy = controller.occupancy
        assert occupancy is not None
        # ten days from a Monday: 8 work days, 2 weekend days
        assert occupancy.days == {"work day": 8, "weekend": 2}
        assert occupancy.share("work day", 6) == 1.0  # up at 06:40
        assert occupancy.share("work day", 5) == 0.0
        assert occupancy.share("work day", 11) == 0.0  # out at work
        assert occupancy.share("weekend", 11) == 1.0
        assert occupancy.onset_minute("work day", 6) == pytest.approx(40.0, abs=10.0)
        assert occupancy.people("work day", 18, 0.3) == ["person.anna"]
    finally:
        await home.hub.async_stop()


async def test_too_little_history_leaves_the_room_to_its_thermostat(tmp_path: Path) -> None:
    home = await start_home(tmp_path, NO_AGENT, history_days=1)
    try:
        await home.live(home.at(1, 21))
        result = (await home.preheat.async_tick())["living_room"]
        assert result["mode"] == "no_model"
        state, attrs = plan(home)
        assert state == "idle" and "too little history" in str(attrs["reason"])
        await home.live(home.at(2, 9))
        assert not home.commands
    finally:
        await home.hub.async_stop()


async def test_without_the_agent_the_hub_warms_the_room_just_in_time(tmp_path: Path) -> None:
    home = await start_home(tmp_path, NO_AGENT)
    try:
        for hour in range(21, 31):  # ticks through the night, as the hub's clock does
            await home.live(home.at(10, hour))
            await home.preheat.async_tick()
        await home.live(home.at(11, 6 + 40 / 60))
        _, attrs = plan(home)
        assert len(home.commands) == 1, attrs  # once: not again at each hour's plan
        data, ctx = home.commands[0]
        assert data == {"temperature": 20.5, "hvac_mode": "heat"}  # Anna's preference
        assert ctx.origin is Origin.AUTOMATION
        assert str(attrs["acting"]).startswith("hub (no agent)")
        assert home.temp >= 19.5  # warm (the band's floor) when Anna gets up
        # just in time: a couple of hours before, not all night
        assert home.at(11, 3).timestamp() < home.command_times[0] < home.at(11, 6).timestamp()
        model = attrs["model"]
        assert isinstance(model, dict) and model["rows"] >= 200
    finally:
        await home.hub.async_stop()


async def test_with_the_agent_the_warm_up_is_asked_first_and_a_yes_does_it(
    tmp_path: Path,
) -> None:
    home = await start_home(tmp_path, WITH_AGENT, agent=True)
    try:
        agent = get_agent(home.hub)
        assert agent is not None
        await home.live(home.at(10, 21))
        await home.preheat.async_tick()
        state, attrs = plan(home)
        assert state != "idle", attrs
        assert "when someone is usually up (8 of 8 work days)" in str(attrs["reason"])
        assert attrs["reasons"] == [attrs["reason"]]
        open_ = agent.open_suggestions()
        assert len(open_) == 1 and open_[0].routine_id == "preheat:living_room@morning"
        text = open_[0].explanation
        assert text.startswith("Shall I start warming the living room at ")
        assert "so it is 20.5 C when you are usually up at 06:40?" in text
        assert not home.commands  # asked, not done
        reply = await agent.async_answer(
            open_[0].suggestion_id, "yes", home.hub.context(Origin.APP, "anna")
        )
        assert reply.startswith("yes: I will set the Living room thermostat to heat at 20.5")
        for hour in range(22, 31):
            await home.live(home.at(10, hour))
            await home.preheat.async_tick()
            if home.commands:
                break
        data, ctx = home.commands[0]
        assert data["temperature"] == 20.5
        assert ctx.origin is Origin.AGENT and ctx.user_id == "anna"
        action = agent.actions[ctx.id]
        assert action.routine_id == "preheat:living_room@morning"
        # just in time: hours after the fixed schedule's 23:00 setback, before 06:40
        assert home.at(11, 3).timestamp() < action.time < home.at(11, 6 + 40 / 60).timestamp()
        # Anna turns it down ten minutes later: a revert, and the heating routine falls
        await home.live(datetime.fromtimestamp(action.time + 600, UTC))
        home.report(18.0, home.hub.context(Origin.PHYSICAL, "anna"))
        assert action.status == "reverted"
        assert agent.unit("preheat:living_room@morning").level == "observe"
    finally:
        await home.hub.async_stop()


async def test_bad_input_leaves_the_room_to_its_thermostat_and_is_counted(
    tmp_path: Path,
) -> None:
    home = await start_home(tmp_path, NO_AGENT)
    try:
        hub = home.hub
        await home.live(home.at(10, 21))
        # a missing outdoor reading
        hub.states.async_set(OUTDOOR, "unavailable", {}, hub.context(Origin.SENSOR))
        result = (await home.preheat.async_tick())["living_room"]
        assert result["mode"] == "rule" and hub.health["comfort_missing_reading"] == 1
        # a solver that times out
        await home.live(home.at(10, 22))
        home.preheat.cfg.solver_time_limit_s = 0.0
        result = (await home.preheat.async_tick())["living_room"]
        assert result["mode"] == "rule", result
        assert hub.health["comfort_solver_failed"] == 1
        home.preheat.cfg.solver_time_limit_s = 2.0
        # a thermostat that ignores its set-point: after two hours, left to itself
        home.ignoring = True
        for hour in range(23, 33):
            await home.live(home.at(10, hour))
            await home.preheat.async_tick()
        assert home.commands and home.setpoint() == 16.0
        assert hub.health["comfort_thermostat_ignored"] >= 1
        _, attrs = plan(home)
        assert attrs["mode"] == "rule" and "ignores" in str(attrs["reason"])
    finally:
        await home.hub.async_stop()
