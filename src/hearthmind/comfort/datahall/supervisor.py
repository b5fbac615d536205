"""The data-hall supervisor: every 15 minutes, set-points from the hall's readings and the
forecast, planned over a horizon on the plant surrogate, with a rule and safe set-points
when it cannot trust its inputs or its plan.

    sup = DataHallSupervisor(zones=2, surrogate=PlantSurrogate.load(), report=problem)
    setpoints = sup.step(sensors, forecast)   # HallSetpoints with reasons in words

`report(counter, message)` is the hub's health counter (`hub.health.problem`); every
fallback is logged and counted there.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .explain import explain
from .guards import FreezeGuard, Problem, ShortfallGuard, SpikeGuard, nonsense
from .planner import (
    Plan,
    PlanInputs,
    PlanLimits,
    Solver,
    SolverFailedError,
    SolverTimeoutError,
    solve,
)
from .readings import INLET_HIGH_C, INLET_LOW_C, HallSensors, HallSetpoints, safe_setpoints
from .surrogate import PlantSurrogate

_LOGGER = logging.getLogger(__name__)

Report = Callable[[str, str], None]


@dataclass(frozen=True)
class Forecast:
    """The next steps' outdoor dry and wet bulb (C) and IT power (kW); any may be shorter
    than the horizon (the last value is held) or empty (the current reading is held)."""

    outdoor_c: tuple[float, ...] = ()
    wetbulb_c: tuple[float, ...] = ()
    it_kw: tuple[float, ...] = ()


@dataclass(frozen=True)
class SupervisorConfig:
    """Chosen on the development inputs only (bench/datacenter.py --dev; docs/BENCHMARKS.md)."""

    horizon: int = 8  # steps of 15 minutes
    inlet_high_margin_k: float = 0.8  # plan the hottest inlet this far under 27 C
    inlet_low_margin_k: float = 0.6  # and the coldest this far over 18 C
    offset_window: int = 96  # readings whose inlet-over-supply rise bounds the plan (a day)
    solve_seconds: float = 2.0
    replan_steps: int = 4  # follow a plan this many steps (an hour) before solving again
    rule_supply_c: float = 21.0  # the rule's supply air (bounded by the inlet band)
    rule_chilled_water_c: float = 8.0
    learn_online: bool = False
    limits: PlanLimits = field(default_factory=PlanLimits)


class DataHallSupervisor:
    def __init__(
        self,
        zones: int,
        surrogate: PlantSurrogate | None,
        report: Report | None = None,
        config: SupervisorConfig | None = None,
        solver: Solver = solve,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.zones = zones
        self.surrogate = surrogate
        self.config = config or SupervisorConfig()
        self._report = report
        self._solver = solver
        self._monotonic = monotonic
        self._freeze = FreezeGuard()
        self._spike = SpikeGuard()
        self._shortfall = ShortfallGuard()
        # each zone's rack inlets over its supply air, over the last day
        self._rise_hi: deque[np.ndarray] = deque(maxlen=self.config.offset_window)
        self._rise_lo: deque[np.ndarray] = deque(maxlen=self.config.offset_window)
        self._zone_low = np.zeros(zones)
        self._zone_high = np.zeros(zones)
        self.last: HallSetpoints = safe_setpoints(zones, "starting: no reading yet")
        self.counts: dict[str, int] = {}
        self._it_peak = 0.0
        self._plan: Plan | None = None
        self._plan_step = 0

    # -- the step ---------------------------------------------------------------------------

    def step(self, s: HallSensors, forecast: Forecast | None = None) -> HallSetpoints:
        """Set-points for the next 15 minutes from this reading."""
        bad = nonsense(s, self.zones)
        if bad is not None:
            return self._fallback(bad, safe=True)
        self._learn(s)
        self._it_peak = max(self._it_peak, s.it_kw)
        for problem in (
            self._freeze.check(s),
            self._shortfall.check(s, self.last.supply_air_c, self.last.chilled_water_c),
        ):
            if problem is not None:
                return self._fallback(problem, safe=True)
        spike = self._spike.check(s)
        low, high = self._supply_bounds(s)
        if spike is not None:
            return self._fallback(spike, safe=False, s=s, low=low, high=high, colder_k=2.0)
        if self.surrogate is None:
            return self._fallback(
                Problem("datahall_no_surrogate", "no plant surrogate yet"),
                safe=False,
                s=s,
                low=low,
                high=high,
                count=False,
            )
        inputs = self._inputs(s, forecast or Forecast(), low, high)
        probe = np.column_stack(
            [
                inputs.supply_high_c + inputs.supply_offset_k,
                np.full(len(inputs.it_kw), self.last.chilled_water_c),
                np.ones(len(inputs.it_kw)),
                inputs.outdoor_c,
                inputs.wetbulb_c,
                inputs.it_kw,
            ]
        )
        if not self.surrogate.familiar(probe):
            return self._fallback(
                Problem(
                    "datahall_surrogate_unsure", "conditions outside what the surrogate has seen"
                ),
                safe=False,
                s=s,
                low=low,
                high=high,
            )
        if (
            self._plan is not None
            and self.last.mode == "mpc"
            and self._plan_step < self.config.replan_steps
        ):
            plan, k = self._plan, self._plan_step
            self._plan_step += 1
            cmd = HallSetpoints(
                zone_cooling_c=INLET_HIGH_C,
                chilled_water_c=float(plan.chilled_water_c[k]),
                supply_air_c=self._zone_supply(float(np.clip(plan.supply_c[k], low, high))),
                economiser=float(plan.economiser[k]),
                mode="mpc",
            )
            return self._done(s, cmd, predicted_kw=float(plan.cooling_kw[k]), high=high)
        self._plan = None
        deadline = self._monotonic() + self.config.solve_seconds
        try:
            plan = self._solver(
                self.surrogate, inputs, self.config.limits, lambda: self._monotonic() > deadline
            )
        except SolverTimeoutError as err:
            return self._fallback(
                Problem("datahall_solver_timeout", str(err)), safe=False, s=s, low=low, high=high
            )
        except (SolverFailedError, ValueError, ArithmeticError, np.linalg.LinAlgError) as err:
            return self._fallback(
                Problem("datahall_solver_failed", f"the plan failed: {err}"),
                safe=False,
                s=s,
                low=low,
                high=high,
            )
        self._plan, self._plan_step = plan, 1
        sat = float(np.clip(plan.supply_c[0], low, high))
        cmd = HallSetpoints(
            zone_cooling_c=INLET_HIGH_C,
            chilled_water_c=float(plan.chilled_water_c[0]),
            supply_air_c=self._zone_supply(sat),
            economiser=float(plan.economiser[0]),
            mode="mpc",
        )
        return self._done(s, cmd, predicted_kw=float(plan.cooling_kw[0]), high=high)

    # -- parts ------------------------------------------------------------------------------

    def _learn(self, s: HallSensors) -> None:
        """The inlets' rise over the supply air (recirculation, server fans) and, when asked,
        the surrogate's on-line refinement from the last command and this reading."""
        rises = np.subtract(s.zone_inlet_c, s.zone_supply_c)
        # how far the measured supply runs from its set-point (a coil near its limit)
        lag = np.subtract(s.zone_supply_c, self.last.supply_air_c[: self.zones])
        self._rise_hi.append(rises + np.maximum(lag, 0.0))
        self._rise_lo.append(rises + np.minimum(lag, 0.0))
        if self.config.learn_online and self.surrogate is not None and self.last.mode == "mpc":
            x = surrogate_input(self.last, s)
            self.surrogate.update(x, s.cooling_kw)

    def _supply_bounds(self, s: HallSensors) -> tuple[float, float]:
        """Each zone's supply air that keeps its hottest inlet under 27 C and its coldest
        over 18 C, from its inlets' rise over its supply seen in the last day (an inlet
        close to its limit right now pulls the bound in further). The plan is made for the
        zone with the lowest upper bound; the others follow it at their own distance
        (`_zone_supply`). Returns the planned zone's bounds."""
        c = self.config
        high = INLET_HIGH_C - c.inlet_high_margin_k - np.max(self._rise_hi, axis=0)
        low = INLET_LOW_C + c.inlet_low_margin_k - np.min(self._rise_lo, axis=0)
        inlet = np.asarray(s.zone_inlet_c)
        hot_edge = INLET_HIGH_C - c.inlet_high_margin_k / 2
        cold_edge = INLET_LOW_C + c.inlet_low_margin_k / 2
        high = high - np.maximum(inlet - hot_edge, 0.0)
        low = low + np.maximum(cold_edge - inlet, 0.0)
        high = np.clip(high, 12.0, 26.0)
        low = np.clip(low, 12.0, high)
        self._zone_low, self._zone_high = low, high
        offset = high - high.min()
        plan_low = float(np.max(low - offset))
        plan_high = float(high.min())
        return min(plan_low, plan_high), plan_high

    def _zone_supply(self, sat: float) -> tuple[float, ...]:
        """The planned zone's supply air, and each other zone's at its own distance."""
        offset = self._zone_high - self._zone_high.min()
        return tuple(float(v) for v in np.clip(sat + offset, self._zone_low, self._zone_high))

    def _inputs(self, s: HallSensors, f: Forecast, low: float, high: float) -> PlanInputs:
        h = self.config.horizon

        def series(values: tuple[float, ...], now: float) -> np.ndarray:
            out = np.full(h, now)
            vals = [v for v in values[:h] if np.isfinite(v)]
            if vals:
                out[: len(vals)] = vals
                out[len(vals) :] = vals[-1]
            return out

        it = series(f.it_kw, s.it_kw)
        # a heavier load ahead than now: the inlets rise more, so the bound comes down
        extra = np.clip((it - s.it_kw) / max(s.it_kw, 1.0), 0.0, None) * 2.0
        return PlanInputs(
            outdoor_c=series(f.outdoor_c, s.outdoor_drybulb_c),
            wetbulb_c=series(f.wetbulb_c, s.outdoor_wetbulb_c),
            it_kw=it,
            supply_low_c=np.full(h, low),
            supply_high_c=np.maximum(np.full(h, high) - extra, low),
            previous_supply_c=float(min(self.last.supply_air_c)),
            previous_chilled_water_c=self.last.chilled_water_c,
            supply_offset_k=float(np.mean(self._zone_high - self._zone_high.min())),
        )

    def _fallback(
        self,
        problem: Problem,
        *,
        safe: bool,
        s: HallSensors | None = None,
        low: float = 0.0,
        high: float = 0.0,
        colder_k: float = 0.0,
        count: bool = True,
    ) -> HallSetpoints:
        if count:
            self.counts[problem.counter] = self.counts.get(problem.counter, 0) + 1
            _LOGGER.warning(
                "data hall: %s; %s set-points", problem.message, "safe" if safe else "rule"
            )
            if self._report is not None:
                self._report(problem.counter, problem.message)
        if safe or s is None:
            cmd = safe_setpoints(self.zones, problem.message)
            self.last = cmd
            return cmd
        c = self.config
        sat = float(np.clip(c.rule_supply_c - colder_k, low, max(low, high - colder_k)))
        cmd = HallSetpoints(
            zone_cooling_c=INLET_HIGH_C,
            chilled_water_c=c.rule_chilled_water_c,
            supply_air_c=self._zone_supply(sat),
            economiser=1.0,
            mode="rule",
            reasons=(problem.message,),
        )
        return self._done(s, cmd, predicted_kw=None, high=high)

    def _done(
        self,
        s: HallSensors,
        cmd: HallSetpoints,
        predicted_kw: float | None,
        high: float,
    ) -> HallSetpoints:
        it_per_k = self.config.limits.it_power_per_kelvin_kw
        saved: float | None = None
        if it_per_k > 0.0 and cmd.mode == "mpc" and self.surrogate is not None:
            row = surrogate_input(cmd, s)
            # the cooling a K warmer supply would save here, for the words only
            saved = -float(self.surrogate.gradient(row, 0)[0])
        reasons = cmd.reasons + explain(
            s,
            cmd,
            self.last,
            predicted_kw,
            high,
            self._it_peak,
            it_power_per_kelvin_kw=it_per_k,
            cooling_saved_per_k_kw=saved,
        )
        cmd = HallSetpoints(
            zone_cooling_c=cmd.zone_cooling_c,
            chilled_water_c=cmd.chilled_water_c,
            supply_air_c=cmd.supply_air_c,
            economiser=cmd.economiser,
            mode=cmd.mode,
            reasons=reasons,
        )
        self.last = cmd
        return cmd


def surrogate_input(cmd: HallSetpoints, s: HallSensors) -> np.ndarray:
    """The surrogate's inputs (its INPUTS order) for set-points `cmd` in conditions `s`."""
    return np.array(
        [
            float(np.mean(cmd.supply_air_c)),
            cmd.chilled_water_c,
            cmd.economiser,
            s.outdoor_drybulb_c,
            s.outdoor_wetbulb_c,
            s.it_kw,
        ]
    )
