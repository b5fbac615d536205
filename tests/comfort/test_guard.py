"""Bad input is said, counted in the hub's health counters and answered by the safe rule."""

from __future__ import annotations

import numpy as np

from hearthmind.comfort.guard import Guard, clean_series
from hearthmind.comfort.lp import SolverError
from hearthmind.core.health import HealthCounters


def _guard() -> tuple[Guard, HealthCounters]:
    health = HealthCounters()
    return Guard(health, "living room"), health


def test_missing_and_implausible_readings_are_counted() -> None:
    g, h = _guard()
    assert g.reading("indoor temperature", 20.5, 0.0)
    assert not g.reading("indoor temperature", None, 1.0)
    assert not g.reading("indoor temperature", float("nan"), 2.0)
    assert not g.reading("indoor temperature", 250.0, 3.0)
    assert h["comfort_missing_reading"] == 3 and g.fallbacks == 3


def test_thermostat_ignoring_commands_is_noticed_after_patience() -> None:
    g, h = _guard()
    assert g.thermostat(21.0, 18.0, True, 0.0, 0.0)  # one hour may be a slow report
    assert not g.thermostat(21.0, 18.0, True, -0.1, 3600.0)
    assert h["comfort_thermostat_ignored"] == 1
    assert g.thermostat(21.0, 21.0, True, 0.4, 7200.0)  # it listens again


def test_solver_failure_is_counted() -> None:
    g, h = _guard()
    g.solver(SolverError("HiGHS ended with Time limit reached"), 0.0)
    assert h["comfort_solver_failed"] == 1 and "Time limit" in h.recent[-1].message


def test_forecast_far_off_is_counted() -> None:
    g, h = _guard()
    for i in range(30):
        assert g.forecast(1.0, 1.0 + 0.1 * (i % 2), float(i))
    assert not g.forecast(1.0, 9.0, 31.0)
    assert h["comfort_forecast_off"] == 1


def test_battery_nonsense_is_counted() -> None:
    g, h = _guard()
    assert g.battery(5.0, 10.0, 4.0, 3.0, 0.0)
    assert not g.battery(-3.0, 10.0, 4.0, 3.0, 1.0)  # below empty
    assert not g.battery(9.9, 10.0, 1.0, 3.0, 2.0)  # a jump no inverter can make in an hour
    assert not g.battery(None, 10.0, None, 3.0, 3.0)
    assert h["comfort_battery_nonsense"] == 3


def test_missing_values_are_carried_forward() -> None:
    out, n = clean_series(np.array([1.0, np.nan, np.nan, 2.0]))
    assert n == 2 and out.tolist() == [1.0, 1.0, 1.0, 2.0]
