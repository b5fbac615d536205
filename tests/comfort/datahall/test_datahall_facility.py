"""The facility-energy objective (issue 23's option): with the servers' extra kW per K of
inlet the plan runs colder supply air, its gradient is exact, 0 is the cooling-only plan,
and the hub's `datahall:` section takes the option and refuses nonsense."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hearthmind.comfort.datahall.component import DataHallConfig, HallController
from hearthmind.comfort.datahall.planner import PlanInputs, PlanLimits, objective, solve
from hearthmind.comfort.datahall.supervisor import DataHallSupervisor, SupervisorConfig
from hearthmind.comfort.datahall.surrogate import PlantSurrogate
from hearthmind.core import ConfigError, Hub, load_config

from .helpers import reading

# Sinergym's hall: 491 m2 at 200 W/m2 x 0.0667 per K (what bench/datacenter.py's auto gives)
MODEL_IT_PER_K = 6.55


def inputs(h: int = 8) -> PlanInputs:
    """A mild afternoon where the cooling-only plan wants warm supply air."""
    return PlanInputs(
        outdoor_c=np.full(h, 22.0),
        wetbulb_c=np.full(h, 15.0),
        it_kw=np.full(h, 120.0),
        supply_low_c=np.full(h, 17.0),
        supply_high_c=np.full(h, 24.0),
        previous_supply_c=20.0,
        previous_chilled_water_c=9.0,
        supply_offset_k=0.5,
    )


def test_the_facility_objective_plans_colder_supply_air() -> None:
    s = PlantSurrogate.load()
    cooling = solve(s, inputs(), PlanLimits(), lambda: False)
    facility = solve(s, inputs(), PlanLimits(it_power_per_kelvin_kw=MODEL_IT_PER_K), lambda: False)
    assert float(np.mean(facility.supply_c)) < float(np.mean(cooling.supply_c)) - 1.0
    assert np.all(facility.supply_c >= 17.0 - 1e-6)
    # the colder air costs cooling: the plan pays it knowingly
    assert float(np.sum(facility.cooling_kw)) >= float(np.sum(cooling.cooling_kw)) - 1e-6


@pytest.mark.parametrize(("h", "block"), [(8, 2), (7, 2), (7, 3), (5, 1)])
def test_the_gradient_matches_finite_differences(h: int, block: int) -> None:
    # 7 steps in blocks of 2 or 3: the last block is shorter
    limits = PlanLimits(it_power_per_kelvin_kw=MODEL_IT_PER_K, block_steps=block)
    cost, grad = objective(PlantSurrogate.load(), inputs(h), limits)
    n = -(-h // block)
    rng = np.random.default_rng(h * 10 + block)
    for _ in range(3):
        v = np.concatenate(
            [rng.uniform(17.0, 24.0, n), rng.uniform(6.0, 16.0, n), rng.uniform(0.0, 1.0, n)]
        )
        eps = 1e-4
        numeric = np.array(
            [(cost(v + eps * e) - cost(v - eps * e)) / (2 * eps) for e in np.eye(3 * n)]
        )
        np.testing.assert_allclose(grad(v), numeric, rtol=1e-5, atol=1e-4)


def test_the_it_term_is_the_supply_summed_over_the_steps() -> None:
    s = PlantSurrogate.load()
    p = inputs(7)
    limits = PlanLimits(block_steps=2)
    cooling_cost, cooling_grad = objective(s, p, limits)
    cost, grad = objective(s, p, replace(limits, it_power_per_kelvin_kw=2.0))
    v = np.concatenate([np.full(4, 20.0), np.full(4, 9.0), np.full(4, 0.5)])
    # 7 steps of (20 + 0.5 offset) C at 2 kW/K
    assert cost(v) - cooling_cost(v) == pytest.approx(2.0 * 7 * 20.5)
    # blocks of 2, 2, 2 and 1 steps
    np.testing.assert_allclose(grad(v)[:4] - cooling_grad(v)[:4], [4.0, 4.0, 4.0, 2.0])
    np.testing.assert_array_equal(grad(v)[4:], cooling_grad(v)[4:])


def test_zero_is_exactly_the_cooling_only_plan() -> None:
    s = PlantSurrogate.load()
    old = solve(s, inputs(), PlanLimits(), lambda: False)
    zero = solve(s, inputs(), PlanLimits(it_power_per_kelvin_kw=0.0), lambda: False)
    for a, b in zip(
        (old.supply_c, old.chilled_water_c, old.economiser, old.cooling_kw),
        (zero.supply_c, zero.chilled_water_c, zero.economiser, zero.cooling_kw),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    # and the cost is the cooling-only one to the bit
    cost, _ = objective(s, inputs(), PlanLimits())
    v = np.concatenate([np.full(4, 21.0), np.full(4, 9.0), np.full(4, 1.0)])
    rows_power = float(np.sum(s.predict(_rows_for(v))))
    moves = np.diff([20.0, *v[:4]]) ** 2
    chw_moves = np.diff([9.0, *v[4:8]]) ** 2
    expected = rows_power + 0.05 * float(np.sum(moves) + np.sum(chw_moves))
    assert cost(v) == expected


def _rows_for(v: np.ndarray) -> np.ndarray:
    p = inputs()
    return np.column_stack(
        [
            np.repeat(v[:4], 2) + p.supply_offset_k,
            np.repeat(v[4:8], 2),
            np.repeat(v[8:], 2),
            p.outdoor_c,
            p.wetbulb_c,
            p.it_kw,
        ]
    )


def run(config: SupervisorConfig) -> tuple[float, tuple[str, ...]]:
    sup = DataHallSupervisor(2, PlantSurrogate.load(), config=config)
    cmd = sup.last
    for i in range(6):
        cmd = sup.step(reading(0.25 * i, outdoor_drybulb_c=20.0, outdoor_wetbulb_c=14.0))
    assert cmd.mode == "mpc"
    return float(np.mean(cmd.supply_air_c)), cmd.reasons


def test_the_supervisor_says_which_objective_is_in_force() -> None:
    cooling_sat, cooling_words = run(SupervisorConfig())
    facility_sat, facility_words = run(
        SupervisorConfig(limits=PlanLimits(it_power_per_kelvin_kw=MODEL_IT_PER_K))
    )
    assert facility_sat < cooling_sat
    assert not any("facility" in r for r in cooling_words)
    words = " ".join(facility_words)
    assert "facility objective" in words and "6.5 kW more per K" in words


def test_the_hub_section_takes_the_option(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text(
        "datahall:\n  it_design_kw: 200\n  it_power_per_kelvin_kw: 12\n"
    )
    cfg = load_config(tmp_path).section("datahall", DataHallConfig)
    assert cfg.it_power_per_kelvin_kw == 12.0
    controller = HallController(Hub(), cfg, None)
    assert controller.sup.config.limits.it_power_per_kelvin_kw == 12.0
    assert DataHallConfig().it_power_per_kelvin_kw == 0.0  # off unless asked


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("-3", "greater than or equal to 0"),
        (".nan", "finite"),
        ("80", "more than 0.25 x it_design_kw (200 kW), 50 kW/K"),
    ],
)
def test_a_negative_or_absurd_value_is_a_config_error(
    tmp_path: Path, value: str, words: str
) -> None:
    (tmp_path / "configuration.yaml").write_text(
        f"datahall:\n  it_design_kw: 200\n  it_power_per_kelvin_kw: {value}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path).section("datahall", DataHallConfig)
    assert "it_power_per_kelvin_kw" in str(err.value) and words in str(err.value)


def test_without_a_design_power_the_limit_is_the_shipped_halls(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text("datahall:\n  it_power_per_kelvin_kw: 6000\n")
    with pytest.raises(ConfigError, match="it_power_per_kelvin_kw 6000 kW/K"):
        load_config(tmp_path).section("datahall", DataHallConfig)
