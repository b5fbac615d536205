"""Pre-heating and the off-grid cottage: the plans, and their safe rules on bad input."""

from __future__ import annotations

import numpy as np

from hearthmind.comfort.cottage import (
    CottageSpec,
    CottageState,
    Deferrable,
    plan_cottage,
    safe_rule,
)
from hearthmind.comfort.preheat import plan_heat, plan_or_rule, thermostat_rule
from hearthmind.comfort.thermal import RcModel

MODEL = RcModel(
    a=0.95, b=0.05, c=0.3, d=0.0, e=0.0, r_k_per_kw=6.0, c_kwh_per_k=3.3, rmse_k=0.1, rows=100
)


def test_preheat_is_just_in_time_and_keeps_the_band() -> None:
    n = 12
    floor = np.full(n, 16.0)
    floor[8:] = 20.5  # someone is expected home at hour 8
    plan = plan_heat(MODEL, 17.0, np.zeros(n), np.zeros(n), floor, np.full(n, 3.0), np.ones(n))
    assert plan.solved
    assert np.all(plan.temperature[8:] >= 20.5 - 1e-6)
    assert plan.heat_kw[:3].sum() < plan.heat_kw[4:8].sum()  # not hours too early


def test_preheat_prefers_the_milder_hours_when_cop_is_better() -> None:
    n = 10
    floor = np.full(n, 16.0)
    floor[-1] = 19.0
    cop = np.full(n, 2.0)
    cop[2:4] = 4.0
    plan = plan_heat(MODEL, 18.0, np.zeros(n), np.zeros(n), floor, cop, np.ones(n))
    assert plan.heat_kw[2:4].sum() > 0


def test_no_model_or_no_reading_falls_back_to_the_thermostat() -> None:
    floor = np.full(4, 20.0)
    plan = plan_or_rule(None, 18.0, np.zeros(4), np.zeros(4), floor, np.full(4, 3.0), np.ones(4))
    assert not plan.solved and plan.heat_kw[0] > 0
    plan = plan_or_rule(
        MODEL, float("nan"), np.zeros(4), np.zeros(4), floor, np.full(4, 3.0), np.ones(4)
    )
    assert not plan.solved and plan.heat_kw[0] > 0  # no reading: keeps heating gently
    assert thermostat_rule(MODEL, 22.0, 20.0, 6.0) == 0.0


def _cottage_day(hod: int = 20) -> dict[str, object]:
    n = 24
    hours = (hod + np.arange(n)) % 24
    pv = np.where((hours >= 9) & (hours <= 15), 3.0, 0.0)
    return {
        "pv": pv,
        "load": np.full(n, 0.4),
        "outdoor": np.full(n, 10.0),
        "ghi": np.zeros(n),
        "cop": np.full(n, 3.0),
        "room_floor": np.where((hours >= 7) & (hours < 23), 20.0, 17.0),
        "tank_draw_kwh": np.where(hours == 7, 2.0, 0.0),
        "hour_of_day": hod,
    }


def test_cottage_dishwasher_waits_for_the_sun_and_it_says_so() -> None:
    spec = CottageSpec()
    state = CottageState(soc_kwh=3.0, room_c=20.5, tank_c=55.0)
    loads = [Deferrable("dishwasher", 1.2, 22)]
    dec = plan_cottage(spec, state, MODEL, loads=loads, **_cottage_day(20))  # type: ignore[arg-type]
    assert dec.solved and "dishwasher" not in dec.start
    assert "the dishwasher waits for" in dec.say and "for tonight" in dec.say


def test_cottage_nonsense_state_raises_and_the_safe_rule_keeps_lights_on() -> None:
    spec = CottageSpec()
    bad = CottageState(soc_kwh=float("nan"), room_c=18.0, tank_c=40.0)
    loads = [Deferrable("dishwasher", 1.2, 1)]
    try:
        plan_cottage(spec, bad, MODEL, loads=loads, **_cottage_day(20))  # type: ignore[arg-type]
    except Exception as err:  # SolverError
        assert "non-finite" in str(err)
    else:
        raise AssertionError("a NaN state gave a plan")
    rule = safe_rule(spec, bad, 20.0, 0.0, 0.5, loads)
    assert rule.heat_kw > 0 and rule.tank_kw > 0 and rule.start == ["dishwasher"]


def test_cottage_never_plans_a_brown_out_to_buy_comfort() -> None:
    """An empty battery at night, a cold tank and a cold room: the plan waits for the sun
    rather than switching the element or the heat pump on with nothing to run them (an
    inverter that cannot supply them cuts every load of the hour, lights and fridge too)."""
    spec = CottageSpec()
    state = CottageState(soc_kwh=0.0, room_c=17.5, tank_c=38.0)
    dec = plan_cottage(spec, state, MODEL, loads=[], **_cottage_day(22))  # type: ignore[arg-type]
    assert dec.solved
    assert dec.heat_kw < 1e-6 and dec.tank_kw < 1e-6
    # in the sun it heats the tank back (hour 11 from 22:00 is 09:00)
    assert dec.plan_tank_kw[11:18].sum() > 0.5


def test_cottage_plan_aims_above_the_floor_by_its_margin() -> None:
    spec = CottageSpec()
    state = CottageState(soc_kwh=10.0, room_c=20.0, tank_c=55.0)
    day = _cottage_day(12)
    dec = plan_cottage(spec, state, MODEL, loads=[], margin_k=1.0, **day)  # type: ignore[arg-type]
    floor = np.asarray(day["room_floor"])
    # from noon to 22:00, with the sun and a charged battery, it holds the floor + 1 K; a
    # plan without the margin sits on the floor itself
    assert dec.solved and np.all(dec.plan_room[1:11] >= floor[1:11] + 1.0 - 1e-6)
    flat = plan_cottage(spec, state, MODEL, loads=[], margin_k=0.0, **day)  # type: ignore[arg-type]
    assert flat.plan_room[1:11].mean() < dec.plan_room[1:11].mean() - 0.5
