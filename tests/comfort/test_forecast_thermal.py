"""Forecasts learned from history, and the RC room model fitted from recorded hours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hearthmind.comfort.forecast import SeasonalForecaster
from hearthmind.comfort.thermal import FitError, RoomModelKeeper, fit_rc
from hearthmind.integrations.simulator.thermal import EpwWeather, RoomPhysics, heat_pump_cop


def test_forecaster_learns_a_daily_shape_and_skips_missing_readings() -> None:
    hours = np.arange(24 * 20)
    series = 1.0 + np.sin(2 * np.pi * hours / 24) ** 2
    f = SeasonalForecaster(horizon=6, refit_every=24)
    for i, v in enumerate(series):
        f.observe(float("nan") if i % 50 == 0 else float(v))
    pred = f.forecast()
    truth = 1.0 + np.sin(2 * np.pi * (hours[-1] + np.arange(1, 7)) / 24) ** 2
    assert f.weights is not None
    assert np.abs(pred - truth).mean() < 0.15


def _recorded(hours: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    room = RoomPhysics()
    outdoor = 5 + 5 * np.sin(2 * np.pi * np.arange(hours) / 24)
    temps, heat = [], []
    for h in range(hours):
        q = float(rng.choice([0.0, 3.0, 6.0]))
        temps.append(room.air)
        heat.append(q)
        room.step(outdoor[h], q, 0.0)
    return np.array(temps), outdoor, np.array(heat)


def test_fit_gives_physical_parameters_and_its_error() -> None:
    t_in, t_out, q = _recorded(24 * 10)
    model = fit_rc(t_in, t_out, q)
    assert 1.0 < model.r_k_per_kw < 20.0
    assert 0.5 < model.c_kwh_per_k < 20.0
    assert model.rmse_k < 1.0
    # missing readings are dropped, not invented
    t_in[::7] = np.nan
    assert fit_rc(t_in, t_out, q).rows < model.rows


def test_fit_refuses_too_little_or_nonsense_history() -> None:
    with pytest.raises(FitError):
        fit_rc(np.full(10, 20.0), np.zeros(10), np.zeros(10))
    with pytest.raises(FitError):  # heating that cools the room is no physics
        fit_rc(20 - np.arange(60) * 0.1, np.zeros(60), np.linspace(0, 5, 60))


def test_keeper_refits_as_rows_come_in() -> None:
    t_in, t_out, q = _recorded(24 * 4)
    keeper = RoomModelKeeper(refit_every=24)
    for a, b, c in zip(t_in, t_out, q, strict=True):
        keeper.add(float(a), float(b), float(c))
    assert keeper.model is not None and keeper.model.rows > 48


def test_cop_falls_with_the_cold() -> None:
    assert heat_pump_cop(-10.0) < heat_pump_cop(0.0) < heat_pump_cop(10.0)


def test_epw_weather_reads_a_real_year() -> None:
    import os

    path = (
        Path(os.environ.get("HEARTHMIND_DATA", "../shared/data"))
        / "energy/datacenter/weather/USA_IL_Chicago.OHare.epw"
    )
    if not path.exists():
        pytest.skip(f"no EPW file at {path} (set HEARTHMIND_DATA)")
    w = EpwWeather.read(path)
    assert len(w.outdoor_c) == 8760
    assert w.outdoor_c[:744].mean() < w.outdoor_c[4344:5088].mean()  # January colder than July
