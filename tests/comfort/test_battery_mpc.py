"""Solar + battery MPC: the plan stores midday sun for the evening peak; bad input falls back."""

from __future__ import annotations

import numpy as np

from hearthmind.comfort.battery_mpc import (
    BatterySpec,
    MpcWeights,
    plan_batteries,
    plan_or_rule,
    self_consumption,
)
from hearthmind.comfort.lp import LinearProgram, SolverError

T = 24


def _day() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    load = np.ones((1, T))
    pv = np.zeros((1, T))
    pv[0, 10:15] = 3.0
    price = np.full(T, 0.2)
    price[17:21] = 0.5
    return load, pv, price


def test_plan_stores_the_sun_for_the_evening_peak() -> None:
    load, pv, price = _day()
    plan = plan_batteries(
        [BatterySpec(6.0, 3.0, 0.95)], np.zeros(1), load, pv, price, np.zeros(T), MpcWeights()
    )
    assert plan.solved
    assert plan.charge[0, 10:15].sum() > 5.0  # it charges from the surplus
    assert plan.charge[0, 17:21].sum() < -3.5  # and gives it back in the expensive hours
    assert np.all(plan.soc >= -1e-6) and np.all(plan.soc <= 6.0 + 1e-6)


def test_nonsense_state_of_charge_falls_back_to_the_rule() -> None:
    load, pv, price = _day()
    plan = plan_or_rule(
        [BatterySpec(6.0, 3.0)], np.array([np.nan]), load, pv, price, np.zeros(T), MpcWeights()
    )
    assert not plan.solved
    assert np.all(plan.soc <= 6.0 + 1e-9)


def test_rule_keeps_power_and_energy_limits() -> None:
    load, pv, _ = _day()
    plan = self_consumption([BatterySpec(2.0, 1.0, 1.0)], np.zeros(1), load, pv * 3)
    assert np.all(np.abs(plan.charge) <= 1.0 + 1e-9)
    assert plan.soc.max() <= 2.0 + 1e-9


def test_infeasible_or_timed_out_lp_raises_solver_error() -> None:
    lp = LinearProgram()
    x = lp.add_vars(1, 0.0, 1.0, 1.0)
    lp.add_row({int(x[0]): 1.0}, lo=2.0)  # x >= 2 with x <= 1
    try:
        lp.solve(1.0)
    except SolverError as err:
        assert "Infeasible" in str(err) or "infeasible" in str(err)
    else:
        raise AssertionError("an infeasible LP gave a plan")
