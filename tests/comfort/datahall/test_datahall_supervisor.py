"""The supervisor's step on made-up readings: a plan in normal conditions, and each kind of
bad input ending in safe (or rule) set-points that are logged and counted."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hearthmind.comfort.datahall.planner import (
    Plan,
    PlanInputs,
    PlanLimits,
    SolverFailedError,
    solve,
)
from hearthmind.comfort.datahall.readings import (
    INLET_HIGH_C,
    INLET_LOW_C,
    SAFE_SUPPLY_AIR_C,
    HallSetpoints,
)
from hearthmind.comfort.datahall.supervisor import DataHallSupervisor, Forecast
from hearthmind.comfort.datahall.surrogate import PlantSurrogate

from .helpers import reading


def supervisor(**kw: object) -> tuple[DataHallSupervisor, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    sup = DataHallSupervisor(
        2,
        PlantSurrogate.load(),
        report=lambda counter, message: problems.append((counter, message)),
        **kw,  # type: ignore[arg-type]
    )
    return sup, problems


def warm_up(sup: DataHallSupervisor, steps: int = 6) -> HallSetpoints:
    cmd = sup.last
    for i in range(steps):
        cmd = sup.step(reading(0.25 * i))
    return cmd


def test_a_normal_step_plans_and_says_why() -> None:
    sup, problems = supervisor()
    cmd = warm_up(sup)
    assert cmd.mode == "mpc" and problems == []
    # the inlets sit up to 2 K over the supply: the plan keeps them 0.8 K under 27 C
    assert cmd.supply_air_c[0] <= INLET_HIGH_C - 0.8 - 2.0 + 1e-6
    assert cmd.supply_air_c[0] >= INLET_LOW_C
    assert 6.0 <= cmd.chilled_water_c <= 16.0
    words = " ".join(cmd.reasons)
    assert "chilled water" in words and "wet-bulb 18 C" in words and "supply air" in words


def test_nonsense_sensor_gives_safe_setpoints_and_a_count() -> None:
    sup, problems = supervisor()
    warm_up(sup)
    cmd = sup.step(reading(2.0, zone_inlet_c=(math.nan, 22.0)))
    assert cmd.mode == "safe" and cmd.supply_air_c == (SAFE_SUPPLY_AIR_C, SAFE_SUPPLY_AIR_C)
    assert problems[-1][0] == "datahall_sensor_nonsense"
    cmd = sup.step(reading(2.25, zone_inlet_c=(150.0, 22.0)))
    assert cmd.mode == "safe" and "150.0 C" in problems[-1][1]
    assert sup.counts["datahall_sensor_nonsense"] == 2


def test_a_frozen_inlet_sensor_is_found() -> None:
    sup, problems = supervisor()
    modes = [
        sup.step(reading(0.25 * i, zone_inlet_c=(21.7, 22.0 + 0.01 * i))).mode for i in range(12)
    ]
    assert modes[:7] == ["mpc"] * 7 or "safe" not in modes[:7]
    assert modes[-1] == "safe"
    assert problems[0][0] == "datahall_sensor_frozen" and "zone 1 inlet" in problems[0][1]


def test_an_it_spike_runs_colder_for_an_hour() -> None:
    sup, problems = supervisor()
    before = warm_up(sup, 8)
    cmd = sup.step(reading(3.0, it_kw=180.0))
    assert cmd.mode == "rule" and problems[-1][0] == "datahall_it_spike"
    assert cmd.supply_air_c[0] <= before.supply_air_c[0]
    modes = [sup.step(reading(3.25 + 0.25 * i, it_kw=180.0 + 0.1 * i)).mode for i in range(16)]
    # cold while the new load is news and an hour after, then planned again at the new level
    assert modes[:4] == ["rule"] * 4 and modes[-1] == "mpc"


def test_a_tripped_chiller_gives_safe_setpoints() -> None:
    sup, problems = supervisor()
    warm_up(sup)
    cmd = sup.step(reading(2.0, chiller_running=False))
    assert cmd.mode == "safe" and cmd.economiser == 1.0
    assert problems[-1][0] == "datahall_chiller_trip"


def test_cooling_shortfall_reads_as_a_trip() -> None:
    """No trip signal, but supply air 4 K over its set-point with warm chilled water."""
    sup, problems = supervisor()
    cmd = warm_up(sup)
    hot = (cmd.supply_air_c[0] + 4.0,) * 2
    sup.step(reading(2.0, zone_supply_c=hot, chilled_water_supply_c=cmd.chilled_water_c + 6))
    cmd = sup.step(reading(2.25, zone_supply_c=hot, chilled_water_supply_c=cmd.chilled_water_c + 6))
    assert cmd.mode == "safe" and problems[-1][0] == "datahall_chiller_trip"


def test_a_failing_solver_falls_back_to_the_rule() -> None:
    def broken(*_args: object) -> Plan:
        raise SolverFailedError("infeasible")

    sup, problems = supervisor(solver=broken)
    cmd = warm_up(sup, 3)
    assert cmd.mode == "rule" and problems[-1][0] == "datahall_solver_failed"
    assert INLET_LOW_C <= cmd.supply_air_c[0] + 1.5 <= INLET_HIGH_C


def test_a_solver_past_its_time_budget_falls_back() -> None:
    """A clock that jumps 10 s at each look: the real SLSQP solve runs out of its 2 s."""
    ticks = iter(range(0, 10_000, 10))
    sup, problems = supervisor(monotonic=lambda: float(next(ticks)))
    cmd = warm_up(sup, 2)
    assert cmd.mode == "rule" and problems[-1][0] == "datahall_solver_timeout"


def test_conditions_the_surrogate_never_saw_use_the_rule() -> None:
    sup, problems = supervisor()
    cmd = sup.step(reading(0.0, it_kw=5000.0))
    assert cmd.mode == "rule" and problems[-1][0] == "datahall_surrogate_unsure"


def test_the_plan_respects_bounds_and_rate_limits() -> None:
    h = 8
    p = PlanInputs(
        outdoor_c=np.full(h, 30.0),
        wetbulb_c=np.full(h, 22.0),
        it_kw=np.full(h, 120.0),
        supply_low_c=np.full(h, 18.5),
        supply_high_c=np.full(h, 24.0),
        previous_supply_c=19.0,
        previous_chilled_water_c=7.0,
    )
    plan = solve(PlantSurrogate.load(), p, PlanLimits(), lambda: False)
    assert np.all(plan.supply_c >= 18.5 - 1e-6) and np.all(plan.supply_c <= 24.0 + 1e-6)
    steps = np.diff(np.concatenate([[19.0], plan.supply_c]))
    assert np.all(np.abs(steps) <= 2.0 + 1e-6)  # 1 K a step, held over blocks of two
    assert set(plan.economiser.tolist()) <= {0.0, 1.0}


def test_surrogate_round_trip_and_online_update(tmp_path: object) -> None:
    rng = np.random.default_rng(0)
    x = np.column_stack(
        [
            rng.uniform(16, 26, 400),
            rng.uniform(6, 16, 400),
            rng.integers(0, 2, 400),
            rng.uniform(-5, 35, 400),
            rng.uniform(-6, 25, 400),
            rng.uniform(50, 150, 400),
        ]
    )
    y = 0.2 * x[:, 5] + 0.5 * np.maximum(x[:, 3] - x[:, 0], 0) - 0.3 * x[:, 1]
    model = PlantSurrogate.fit(x, y)
    again = PlantSurrogate.from_dict(model.to_dict())
    assert np.allclose(again.predict(x[:5]), model.predict(x[:5]))
    before = abs(float(model.predict(x[:1])[0]) - (y[0] + 5.0))
    for _ in range(50):
        model.update(x[0], float(y[0]) + 5.0)
    after = abs(float(model.predict(x[:1])[0]) - (y[0] + 5.0))
    assert after < before
    with pytest.raises(ValueError, match="inputs"):
        PlantSurrogate.from_dict({**model.to_dict(), "inputs": ["a"]})


def test_forecast_of_heavier_load_lowers_the_supply_bound() -> None:
    sup, _ = supervisor()
    warm_up(sup)
    light = sup.step(reading(2.0), Forecast(it_kw=(110.0,) * 8))
    sup2, _ = supervisor()
    warm_up(sup2)
    heavy = sup2.step(reading(2.0), Forecast(it_kw=(110.0, 150.0, 160.0, 160.0)))
    assert heavy.supply_air_c[0] <= light.supply_air_c[0] + 1e-6
