"""The hub's hourly off-grid cottage (``cottage:``, see cottage_component.py). Each hour: read
and guard the readings (comfort.guard), learn (forecasts, the room model), plan 24 hours with
the cottage LP (comfort.cottage) or, when that cannot be trusted this hour, take the
library's safe rule, then act with an automation Context and say it all in
``sensor.cottage_plan``. A device whose reported state does not follow its command for two
hours in a row is counted as ``comfort_device_ignored`` and puts the hour on the rule; an
error inside the hour is counted as ``comfort_errors``, and the hour still starts the loads
whose deadline is now and leaves the room and the tank on their thermostats."""

from __future__ import annotations

import asyncio
import functools
import logging
import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from hearthmind.core import Context, HearthmindError, Hub, Origin

from .cottage import CottageDecision, CottageSpec, CottageState, plan_cottage, safe_rule
from .cottage_loads import (
    HOUR,
    Loads,
    UnknownLoadError,
    forecast_attributes,
    hourly_plan,
    reported,
)
from .forecast import SeasonalForecaster
from .guard import Guard
from .hub_io import HourlyTicks, home_zone, number
from .hub_io import float_or_none as _float
from .lp import SolverError
from .thermal import RoomModelKeeper

if TYPE_CHECKING:
    from .cottage_component import CottageConfig

_LOGGER = logging.getLogger(__name__)
HORIZON = 24
PATIENCE = 2  # hours a device may not follow its command before it counts as ignoring it


class Cottage:
    """One hour at a time: read, guard, learn, plan (or rule), act, say."""

    def __init__(self, hub: Hub, cfg: CottageConfig) -> None:
        self.hub = hub
        self.cfg = cfg
        self.zone = home_zone(hub)
        self.spec = CottageSpec(
            battery_kwh=cfg.battery_kwh,
            battery_kw=cfg.battery_kw,
            heat_pump_kw=cfg.heat_pump_kw,
            tank_kwh_per_k=cfg.tank_litres * 4.186 / 3600.0,
            tank_heater_kw=cfg.tank_heater_kw,
        )
        self.guard = Guard(hub.health, "cottage")
        self.keeper = RoomModelKeeper()
        self.load_f = SeasonalForecaster(HORIZON)
        self.pv_f = SeasonalForecaster(HORIZON)
        self.out_f = SeasonalForecaster(HORIZON, nonnegative=False)
        self.sun_f = SeasonalForecaster(HORIZON)
        self.loads = Loads(cfg.loads, self.zone)
        self.last_soc: float | None = None
        self.last_hour: tuple[float, float, float, float] | None = None  # room, out, heat, sun
        self.commanded: dict[str, str] = {}  # entity -> what it was told (as it reports it)
        self.ignoring: dict[str, int] = {}
        self.seeded = False
        self.last_plan: dict[str, Any] = {}
        self.ticks = HourlyTicks(hub, self.async_tick, "cottage")

    # -- each hour ---------------------------------------------------------------------

    async def async_tick(self) -> dict[str, Any]:
        now = self.hub.clock.timestamp()
        try:
            return await self._async_hour(now)
        except Exception as err:  # a bug must not leave the cottage dark or stop the hub
            self.hub.health.problem("comfort_errors", f"cottage: {err!r}", now)
            _LOGGER.exception("cottage: the hour failed; thermostats and due loads only")
            return await self._async_fallback(now, err)

    async def _async_hour(self, now: float) -> dict[str, Any]:
        if not self.seeded:
            await self._async_seed(now)
        pv, use = self._power(self.cfg.pv_power), self._power(self.cfg.house_power)
        soc_pct = number(self.hub, self.cfg.battery_soc)
        soc = None if soc_pct is None else soc_pct / 100.0 * self.spec.battery_kwh
        room, out = (
            self._attr(self.cfg.room, "current_temperature"),
            number(self.hub, self.cfg.outdoor_temperature),
        )
        tank = self._tank()
        sun = number(self.hub, self.cfg.irradiance) if self.cfg.irradiance else 0.0
        g = self.guard
        ok = {
            "PV power": g.reading("PV power", pv, now, 0.0, 1000.0),
            "house power": g.reading("house power", use, now, 0.0, 1000.0),
            "battery": g.battery(
                soc, self.spec.battery_kwh, self.last_soc, self.spec.battery_kw, now
            ),
            "room temperature": g.reading("room temperature", room, now, -40.0, 60.0),
            "outdoor temperature": g.reading("outdoor temperature", out, now, -60.0, 60.0),
            "tank temperature": g.reading("tank temperature", tank, now, -10.0, 100.0),
        }
        if self.cfg.irradiance:
            ok["irradiance"] = g.reading("irradiance", sun, now, 0.0, 1500.0)
        self._learn(now, pv, use, room, out, sun, ok)
        if ok["battery"]:
            self.last_soc = soc
        why = [f"no usable {what} reading" for what, good in ok.items() if not good]
        why += self._ignored(now)
        for load in self.loads.update(now):
            await self._switch(load.cfg.switch, False)
        hod = self._local_hour(now)
        ahead = [(hod + k) % 24 for k in range(HORIZON)]
        floors = np.array([self._floor(h) for h in ahead])
        running = np.array(self.loads.running_kw(now, HORIZON))
        pvs = self._ahead(self.pv_f, pv if ok["PV power"] else None)
        base = self._ahead(self.load_f, use if ok["house power"] else None)
        outs = self._ahead(self.out_f, out if ok["outdoor temperature"] else None)
        suns = self._ahead(self.sun_f, sun if ok.get("irradiance", True) else None)
        state = CottageState(
            soc if ok["battery"] and soc is not None else (self.last_soc or 0.0),
            room if room is not None else math.nan,
            tank if tank is not None else math.nan,
        )
        deferrables = self.loads.deferrables(now)
        dec: CottageDecision | None = None
        if not why and self.keeper.model is None:
            why.append("no room model yet (it learns from the first day's hours)")
            _LOGGER.info("cottage: no room model yet; on the safe rule")
        if not why and self.keeper.model is not None:
            draws = np.array([self.cfg.hot_water_kwh.get(h, 0.0) for h in ahead])
            try:
                dec = plan_cottage(
                    self.spec, state, self.keeper.model, pvs, base + running, outs, suns,
                    np.full(HORIZON, self.cfg.cop), floors, draws, deferrables, hod,
                    self.cfg.solver_time_limit_s,
                )  # fmt: skip
            except SolverError as err:
                self.guard.solver(err, now)
                why.append(f"no plan from the solver ({err})")
        if dec is None:
            dec = self._rule(state, floors[0], pvs[0], base[0] + running[0], deferrables)
        start = sorted(set(dec.start) | set(self.loads.due(now)))
        setpoint = self._battery_kw(dec, state, pvs[0], base[0] + running[0], start)
        reasons = [dec.say] if dec.solved else [f"on the safe rule: {'; '.join(why)}", dec.say]
        reasons += self._deadline_words(now, start, dec)
        await self._act(now, dec, state, outs[0], suns[0], floors[0], setpoint, start)
        return self._publish(now, dec, reasons, pvs, base, setpoint, start)

    async def _async_fallback(self, now: float, err: Exception) -> dict[str, Any]:
        """After an error: loads due now start, the room and the tank are left to their
        thermostats at the floor, the battery to its inverter."""
        words = [f"on the safe rule: the hour failed ({err!r})"]
        try:
            hod = self._local_hour(now)
            start = self.loads.due(now)
            dec = CottageDecision(0.0, 0.0, start, False, "on the safe rule: thermostats")
            words += self._deadline_words(now, start, dec)
            await self._act(now, dec, None, None, 0.0, self._floor(hod), None, start)
        except Exception:  # never let the fallback itself take the hub down
            _LOGGER.exception("cottage: the fallback failed too")
        self.last_plan = {
            "mode": "rule",
            "reasons": words,
            "hours": [],
            "fallbacks": self.guard.fallbacks,
        }
        self._set(
            f"sensor.{self.cfg.prefix}_plan",
            "rule",
            {**self.last_plan, "friendly_name": "Cottage plan"},
        )
        return self.last_plan

    def _rule(
        self, state: CottageState, floor: float, pv: float, load: float, loads: list[Any]
    ) -> CottageDecision:
        dec = safe_rule(self.spec, state, floor, pv, load, loads)
        if math.isnan(state.room_c):  # unknown: the thermostat at the floor decides
            dec.heat_kw = 0.0
        if math.isnan(state.tank_c):  # unknown: the element on, on its own thermostat
            dec.tank_kw = self.spec.tank_heater_kw
        return dec

    def _battery_kw(
        self, dec: CottageDecision, state: CottageState, pv: float, load: float, start: list[str]
    ) -> float:
        if dec.solved and dec.plan_battery_kw.size:
            return float(dec.plan_battery_kw[0])
        # the rule: what the hour's surplus or deficit is, within the battery's power
        use = load + dec.heat_kw / self.cfg.cop + dec.tank_kw
        use += sum(self.cfg.loads[n].kw for n in start)
        return float(np.clip(pv - use, -self.spec.battery_kw, self.spec.battery_kw))

    def _deadline_words(self, now: float, start: list[str], dec: CottageDecision) -> list[str]:
        out = []
        for name in start:
            load = self.loads.by_name[name]
            if load.deadline is not None and load.hours_left(now) <= 1:
                by = datetime.fromtimestamp(load.deadline, self.zone or UTC).strftime("%H:%M")
                out.append(f"the {name} starts now to be done by {by}")
        return out

    # -- acting ------------------------------------------------------------------------

    async def _act(
        self,
        now: float,
        dec: CottageDecision,
        state: CottageState | None,
        out: float | None,
        sun: float,
        floor: float,
        battery_kw: float | None,
        start: list[str],
    ) -> None:
        for name in start:
            if await self._switch(self.cfg.loads[name].switch, True):
                self.loads.started(name, now)
        if battery_kw is not None and self.cfg.battery_setpoint:
            value = round(battery_kw, 3)
            if await self._call("number", "set_value", self.cfg.battery_setpoint, {"value": value}):
                self.commanded[self.cfg.battery_setpoint] = f"{value:g}"
        model = self.keeper.model
        room_sp = floor
        if dec.solved and model is not None and state is not None and out is not None:
            planned = (
                float(dec.plan_room[0])
                if dec.plan_room.size
                else model.step(state.room_c, out, dec.heat_kw, sun)
            )
            room_sp = planned if dec.heat_kw > 0.05 else floor - 1.0
        room_sp = round(float(np.clip(room_sp, 5.0, self.spec.room_ceiling_c)) * 2) / 2
        if await self._call(
            "climate",
            "set_temperature",
            self.cfg.room,
            {"temperature": room_sp, "hvac_mode": "heat"},
        ):
            self.commanded[self.cfg.room] = f"{room_sp:g}"
        heater = self.cfg.water_heater
        if heater.startswith("water_heater."):
            floor_c = self.spec.tank_floor_c
            tank_sp = floor_c + 10.0 if not dec.solved else floor_c
            if dec.solved and dec.tank_kw > 0.05 and dec.plan_tank_c.size:
                tank_sp = max(floor_c, float(dec.plan_tank_c[0]))
            tank_sp = round(min(tank_sp, self.spec.tank_max_c))
            if await self._call(
                "water_heater", "set_temperature", heater, {"temperature": tank_sp}
            ):
                self.commanded[heater] = f"{tank_sp:g}"
        else:
            tank_c = state.tank_c if state is not None else math.nan
            on = (
                dec.tank_kw >= 0.5 * self.spec.tank_heater_kw
                or not tank_c >= self.spec.tank_floor_c - 3
            )
            await self._switch(heater, on)

    async def _switch(self, entity_id: str, on: bool) -> bool:
        service = "turn_on" if on else "turn_off"
        if await self._call(entity_id.partition(".")[0], service, entity_id, {}):
            self.commanded[entity_id] = "on" if on else "off"
            return True
        return False

    async def _call(self, domain: str, service: str, entity_id: str, data: dict[str, Any]) -> bool:
        try:
            await self.hub.services.async_call(
                domain, service, data, context=self.hub.context(Origin.AUTOMATION),
                target={"entity_id": entity_id},
            )  # fmt: skip
        except HearthmindError as err:  # counted by the service registry
            _LOGGER.warning("cottage: %s.%s on %s not taken: %s", domain, service, entity_id, err)
            return False
        except Exception as err:  # one device's failing integration must not stop the others
            text = f"cottage: {domain}.{service} on {entity_id} failed: {err!r}"
            self.hub.health.problem("comfort_errors", text, self.hub.clock.timestamp())
            _LOGGER.exception(text)
            return False
        return True

    def _ignored(self, now: float) -> list[str]:
        """Devices whose reported state has not followed their command for PATIENCE hours."""
        out = []
        for entity_id, told in self.commanded.items():
            if reported(self.hub.states.get(entity_id)) == told:
                self.ignoring[entity_id] = 0
                continue
            self.ignoring[entity_id] = self.ignoring.get(entity_id, 0) + 1
            if self.ignoring[entity_id] >= PATIENCE:
                text = (
                    f"cottage: {entity_id} ignores its command {told} "
                    f"(reports {reported(self.hub.states.get(entity_id))!r}) for {self.ignoring[entity_id]} h; "
                    "using the safe rule"
                )
                _LOGGER.warning(text)
                self.hub.health.problem("comfort_device_ignored", text, now)
                self.guard.fallbacks += 1
                out.append(f"{entity_id} ignores its command")
        return out

    # -- learning ----------------------------------------------------------------------

    async def _async_seed(self, now: float) -> None:
        """The room's rows from the recorder's last two weeks, when it runs."""
        self.seeded = True
        try:
            from hearthmind.recorder import get_recorder

            from .preheat_history import room_rows

            recorder = get_recorder(self.hub)
            if recorder is None:
                return
            await recorder.async_flush()
            end = now // HOUR * HOUR
            read = functools.partial(
                room_rows, recorder.engine, self.cfg.room, None, self.cfg.outdoor_temperature,
                end - 14 * 24 * HOUR, end - HOUR, self.cfg.heat_pump_kw,
            )  # fmt: skip
            rows = await asyncio.get_running_loop().run_in_executor(None, read)
            for t_in, t_out, heat in zip(rows.t_in, rows.t_out, rows.heat_kw, strict=True):
                self.keeper.rows.append((float(t_in), float(t_out), float(heat), 0.0))
            self.keeper.refit()
        except Exception as err:  # history is a help, not a need
            _LOGGER.warning("cottage: no room history from the recorder: %r", err)

    def _learn(
        self,
        now: float,
        pv: float | None,
        use: float | None,
        room: float | None,
        out: float | None,
        sun: float | None,
        ok: dict[str, bool],
    ) -> None:
        def good(value: float | None, key: str) -> float:
            return value if value is not None and ok.get(key, True) else math.nan

        self.pv_f.observe(good(pv, "PV power"))
        self.load_f.observe(good(use, "house power"))
        self.out_f.observe(good(out, "outdoor temperature"))
        self.sun_f.observe(good(sun, "irradiance"))
        if self.last_hour is not None:
            before, t_out, heat, ghi = self.last_hour
            action = self._attr_text(self.cfg.room, "hvac_action")
            if action is not None:  # what the heat pump did, where the thermostat says it
                heat = self.cfg.heat_pump_kw if action == "heating" else 0.0
            self.keeper.add(before, t_out, heat, ghi)
            if self.keeper.model is None and len(self.keeper.rows) >= 25:
                self.keeper.refit()
        self.last_hour = (
            good(room, "room temperature"),
            good(out, "outdoor temperature"),
            0.0,  # the hour's heat: set by _publish once it is decided
            good(sun, "irradiance") if sun is not None else 0.0,
        )

    # -- what it says ------------------------------------------------------------------

    def _publish(
        self,
        now: float,
        dec: CottageDecision,
        reasons: list[str],
        pvs: np.ndarray[Any, Any],
        base: np.ndarray[Any, Any],
        battery_kw: float,
        start: list[str],
    ) -> dict[str, Any]:
        if self.last_hour is not None:
            self.last_hour = (*self.last_hour[:2], dec.heat_kw, self.last_hour[3])
        hour0 = now // HOUR * HOUR
        stamps = [datetime.fromtimestamp(hour0 + k * HOUR, UTC).isoformat() for k in range(HORIZON)]
        p = self.cfg.prefix
        for name, series, words in (
            ("pv_forecast", pvs, "Cottage PV forecast"),
            ("load_forecast", base, "Cottage load forecast"),
        ):
            self._set(
                f"sensor.{p}_{name}",
                f"{series[0]:.3f}",
                forecast_attributes(stamps, series, words),
            )
        hours = hourly_plan(dec, stamps, battery_kw, start)
        mode = "plan" if dec.solved else "rule"
        model = self.keeper.model
        self.last_plan = {
            "mode": mode,
            "reasons": reasons,
            "hours": hours,
            "battery_kw": round(battery_kw, 3),
            "starting": start,
            "loads": self.loads.describe(),
            "model": model.as_dict() if model is not None else None,
            "fallbacks": self.guard.fallbacks,
        }
        self._set(f"sensor.{p}_plan", mode, {**self.last_plan, "friendly_name": "Cottage plan"})
        return self.last_plan

    def _set(self, entity_id: str, state: str, attrs: dict[str, Any]) -> None:
        self.hub.states.async_set(entity_id, state, attrs, self.hub.context(Origin.AUTOMATION))

    # -- services ----------------------------------------------------------------------

    def _known(self, name: str) -> None:
        if name not in self.loads.by_name:
            known = ", ".join(sorted(self.loads.by_name)) or "none configured"
            raise UnknownLoadError(f"cottage: no load {name!r} (loads: {known})")

    def request(self, name: str, by: str | None) -> dict[str, Any]:
        self._known(name)
        load = self.loads.request(name, by, self.hub.clock.timestamp())
        return {"load": name, **self.loads.describe()[load.name]}

    async def async_run_now(self, name: str, context: Context) -> dict[str, Any]:
        self._known(name)
        switch = self.cfg.loads[name].switch
        await self.hub.services.async_call(
            switch.partition(".")[0], "turn_on", {}, context=context, target={"entity_id": switch}
        )
        self.commanded[switch] = "on"
        self.loads.started(name, self.hub.clock.timestamp())
        return {"load": name, **self.loads.describe()[name]}

    # -- readings ----------------------------------------------------------------------

    def _power(self, entity_id: str) -> float | None:
        """kW, whether the sensor reports W or kW."""
        value = number(self.hub, entity_id)
        state = self.hub.states.get(entity_id)
        unit = str(state.attributes.get("unit_of_measurement", "kW")) if state else "kW"
        return None if value is None else value / 1000.0 if unit == "W" else value

    def _attr(self, entity_id: str, name: str) -> float | None:
        state = self.hub.states.get(entity_id)
        return None if state is None else _float(state.attributes.get(name))

    def _attr_text(self, entity_id: str, name: str) -> str | None:
        state = self.hub.states.get(entity_id)
        value = None if state is None else state.attributes.get(name)
        return None if value is None else str(value)

    def _tank(self) -> float | None:
        if self.cfg.tank_temperature:
            return number(self.hub, self.cfg.tank_temperature)
        return self._attr(self.cfg.water_heater, "current_temperature")

    def _ahead(self, forecaster: SeasonalForecaster, now: float | None) -> np.ndarray[Any, Any]:
        """This hour's reading (or its forecast), then the forecast."""
        ahead = forecaster.forecast()
        first = ahead[0] if now is None else now
        return np.concatenate([[first], ahead[: HORIZON - 1]]).astype(float)

    def _local_hour(self, now: float) -> int:
        return datetime.fromtimestamp(now, self.zone or UTC).hour

    def _floor(self, hour: int) -> float:
        start, end = (int(x.split(":")[0]) for x in self.cfg.night)
        night = start <= hour or hour < end if start > end else start <= hour < end
        return self.cfg.setback if night else self.cfg.comfort

    def schedule(self) -> None:
        """A tick at every full hour of the hub's clock."""
        self.ticks.schedule()

    async def async_stop(self) -> None:
        await self.ticks.async_stop()
