"""The hub's hourly pre-heating (configured by ``preheat:``, see preheat_component.py).

Each hour, for each room: read the room and the outdoor temperature (guarded), refit the
models and the expected hours from the recorder once a day, plan 24 hours, and when the plan
warms the room before people get up or come home, hand that warm-up to the agent as a heating
routine (agent.proposals: asked first, done at its time once people said yes often enough),
or, with no agent set up, do it at its time with an automation Context. Then say it all in
``sensor.<room>_preheat_plan``. Whatever goes wrong (no model yet, a missing reading, a
solver that fails or times out, a thermostat that ignores its set-point) leaves the room to
its own thermostat for the hour: logged, counted in hub.health (comfort.guard), said in the
sensor; the hub goes on."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from hearthmind.core import Context, HearthmindError, Hub, Origin
from hearthmind.core.clock import TimerHandle
from hearthmind.routines.timeofday import DAY, to_wall_clock

from .guard import Guard
from .hub_io import HourlyTicks, home_zone, number
from .hub_io import float_or_none as _float
from .lp import SolverError
from .preheat_history import HOUR, Occupancy, learn_occupancy, room_rows
from .preheat_plan import (
    HORIZON,
    RoomHour,
    WarmUp,
    clock,
    expected,
    plan_room,
    question,
    reason,
    setpoint_value,
)
from .thermal import FitError, RcModel, fit_rc

if TYPE_CHECKING:
    from .preheat_component import PreheatConfig, PreheatRoom

_LOGGER = logging.getLogger(__name__)
AWAY = frozenset({"not_home", "away"})


@dataclass
class Room:
    key: str  # living_room
    cfg: PreheatRoom
    guard: Guard
    model: RcModel | None = None
    model_note: str = "not fitted yet"
    commanded: float | None = None  # the set-point of the warm-up in force
    commanded_at: float | None = None
    commanded_until: float | None = None
    last_temp: float | None = None
    ignored_until: float = 0.0
    timer: TimerHandle | None = None
    last: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.cfg.name or self.key.replace("_", " ")


class Preheat:
    """One hour at a time: read, guard, plan, propose or act, say."""

    def __init__(self, hub: Hub, cfg: PreheatConfig) -> None:
        self.hub = hub
        self.cfg = cfg
        self.zone = home_zone(hub)
        self.rooms = {
            key: Room(key, room, Guard(hub.health, f"pre-heating {key}"))
            for key, room in cfg.rooms.items()
        }
        self.occupancy: Occupancy | None = None
        self.fitted_at: float | None = None
        self.ticks = HourlyTicks(hub, self.async_tick, "preheat")

    # -- learning from the recorder ------------------------------------------------------

    def presence(self) -> list[str]:
        if self.cfg.presence is not None:
            return self.cfg.presence
        return sorted(s.entity_id for s in self.hub.states.async_all("person"))

    def activity(self) -> list[str]:
        if self.cfg.activity is not None:
            return self.cfg.activity
        return sorted(
            s.entity_id
            for s in self.hub.states.async_all("binary_sensor")
            if "motion" in s.entity_id
            or s.attributes.get("device_class") in ("motion", "occupancy")
        )

    async def async_refit(self) -> None:
        """Each room's model and the expected hours, from the recorder's last
        `history_days` (in a thread); too little history leaves a room without a model."""
        from hearthmind.recorder import get_recorder

        now = self.hub.clock.timestamp()
        self.fitted_at = now
        recorder = get_recorder(self.hub)
        if recorder is None:
            for room in self.rooms.values():
                room.model, room.model_note = None, "no recorder: no history to learn from"
            return
        await recorder.async_flush()
        end = now // HOUR * HOUR
        start = end - self.cfg.history_days * DAY
        loop = asyncio.get_running_loop()
        engine = recorder.engine
        self.occupancy = await loop.run_in_executor(
            None,
            functools.partial(
                learn_occupancy, engine, self.presence(), self.activity(), start, end, self.zone
            ),
        )
        for room in self.rooms.values():
            read = functools.partial(
                room_rows, engine, room.cfg.climate, room.cfg.temperature_sensor,
                self.cfg.outdoor_temperature, start, end, room.cfg.max_heat_kw,
            )  # fmt: skip
            rows = await loop.run_in_executor(None, read)
            if rows.usable < self.cfg.min_history_hours:
                room.model = None
                room.model_note = (
                    f"too little history: {rows.usable} usable hours of the "
                    f"{self.cfg.min_history_hours} a room model needs"
                )
                _LOGGER.info(
                    "pre-heating %s: %s; left to its thermostat", room.key, room.model_note
                )
                continue
            try:
                room.model = fit_rc(rows.t_in, rows.t_out, rows.heat_kw)
                room.model_note = f"fitted on {room.model.rows} hours"
            except FitError as err:
                room.model, room.model_note = None, f"no model: {err}"
                _LOGGER.info("pre-heating %s: %s; left to its thermostat", room.key, err)

    # -- each hour ---------------------------------------------------------------------

    async def async_tick(self) -> dict[str, dict[str, Any]]:
        now = self.hub.clock.timestamp()
        if self.fitted_at is None or now - self.fitted_at >= DAY:
            await self.async_refit()
        outdoor = number(self.hub, self.cfg.outdoor_temperature)
        for room in self.rooms.values():
            try:
                room.last = await self._async_room(room, now, outdoor)
            except Exception as err:  # a bug here must not stop the other rooms or the hub
                self.hub.health.problem("comfort_errors", f"pre-heating {room.key}: {err!r}", now)
                _LOGGER.exception("pre-heating %s failed", room.key)
                room.last = self._publish(room, "rule", f"left to its thermostat: {err!r}")
        return {key: room.last for key, room in self.rooms.items()}

    async def _async_room(self, room: Room, now: float, outdoor: float | None) -> dict[str, Any]:
        t_now = self._indoor(room)
        if not self._thermostat_listens(room, t_now, now):
            room.ignored_until = now + DAY
        room.last_temp = t_now
        if room.ignored_until > now:
            return self._publish(room, "rule", "the thermostat ignores its set-point: left to it")
        if room.model is None or self.occupancy is None:
            return self._publish(room, "no_model", f"left to its thermostat: {room.model_note}")
        ok_in = room.guard.reading("indoor temperature", t_now, now, -40.0, 60.0)
        ok_out = room.guard.reading("outdoor temperature", outdoor, now, -60.0, 60.0)
        if not (ok_in and ok_out) or t_now is None or outdoor is None:
            return self._publish(room, "rule", "left to its thermostat: a reading is missing")
        hour0 = now // HOUR * HOUR
        wall0 = to_wall_clock(hour0, self.zone)
        exp = expected(
            self.occupancy, wall0, room.cfg.people, self.cfg.people, self.cfg.comfort,
            self.cfg.occupied_share,
        )  # fmt: skip
        people = {p: self._user(p) for p in self.cfg.people}
        exp.people[:] = [[people.get(p, p) for p in ps] for ps in exp.people]
        hour = plan_room(
            room.model, t_now, self._series(self.cfg.outdoor_temperature, outdoor),
            self._series(self.cfg.price, 1.0),
            self._series(self.cfg.carbon, 0.0) if self.cfg.carbon else None,
            self.cfg.carbon_weight, exp, self.occupancy, self.cfg.band, self.cfg.setback,
            self.cfg.cop, room.cfg.max_heat_kw, hour0, wall0, now,
            self.cfg.solver_time_limit_s,
        )  # fmt: skip
        if not hour.plan.solved:
            room.guard.solver(SolverError(hour.plan.reason), now)
            return self._publish(room, "rule", f"left to its thermostat: {hour.note}", hour)
        if hour.warm_up is None:
            return self._publish(room, "plan", hour.note, hour)
        warm = hour.warm_up
        arriving = bool(warm.people) and all(self._away(p) for p in warm.people)
        words = reason(
            room.name, warm, self.occupancy, to_wall_clock(warm.start, self.zone),
            to_wall_clock(warm.due, self.zone), arriving, outdoor,
        )  # fmt: skip
        acting = await self._async_warm_up(room, warm, words, arriving, now)
        return self._publish(room, "plan", words, hour, acting)

    async def _async_warm_up(
        self, room: Room, warm: WarmUp, words: str, arriving: bool, now: float
    ) -> str:
        """Through the agent when it is set up; else done by the hub at its time."""
        from hearthmind.agent import get_agent
        from hearthmind.agent.errors import AgentError
        from hearthmind.agent.proposals import Proposal
        from hearthmind.agent.units import part_of_day

        agent = get_agent(self.hub)
        start_wall, due_wall = (to_wall_clock(t, self.zone) for t in (warm.start, warm.due))
        if agent is not None:
            proposal = Proposal(
                f"preheat:{room.key}@{part_of_day(due_wall)}",
                room.cfg.climate,
                setpoint_value(warm.target),
                warm.start,
                warm.due,
                question(room.name, warm, start_wall, due_wall, arriving),
                words,
                tuple(warm.people),
                round(warm.share, 3),
                arriving,
            )
            try:
                status = await agent.async_propose(proposal, self.hub.context(Origin.AUTOMATION))
            except AgentError as err:
                room.guard.health.problem("comfort_proposal_refused", str(err), now)
                return f"agent: refused ({err})"
            if status.status in ("scheduled", "done") or status.action_id:
                self._commanded(room, warm)
            return f"agent: {status.level}, {status.detail}"
        if room.timer is not None:
            room.timer.cancel()
            room.timer = None
        if self._heating_to(room, warm.target):
            return f"hub (no agent): heating to {warm.target:g} C since {clock(start_wall)}"
        if warm.start < now + HOUR:  # the next hour's plan says it again if it is later
            room.timer = self.hub.clock.call_at(
                datetime.fromtimestamp(warm.start, UTC),
                lambda: self.ticks.spawn(self._async_set(room, warm)),
            )
        return f"hub (no agent): heats to {warm.target:g} C from {clock(start_wall)}"

    def _heating_to(self, room: Room, target: float) -> bool:
        """The thermostat is set to the target already (the warm-up began an hour ago)."""
        state = self.hub.states.get(room.cfg.climate)
        setpoint = None if state is None else _float(state.attributes.get("temperature"))
        return setpoint is not None and setpoint >= target - 0.25

    async def _async_set(self, room: Room, warm: WarmUp) -> None:
        room.timer = None
        if self._heating_to(room, warm.target):
            return
        ctx: Context = self.hub.context(Origin.AUTOMATION)
        try:
            await self.hub.services.async_call(
                "climate", "set_temperature",
                {"temperature": warm.target, "hvac_mode": "heat"},
                target={"entity_id": room.cfg.climate}, context=ctx,
            )  # fmt: skip
        except HearthmindError as err:  # counted by the service registry
            _LOGGER.warning("pre-heating %s: set-point not taken: %s", room.key, err)
            return
        _LOGGER.info("pre-heating %s: heating to %g C for %s", room.key, warm.target, warm.due)
        self._commanded(room, warm)

    def _commanded(self, room: Room, warm: WarmUp) -> None:
        room.commanded, room.commanded_at = warm.target, warm.start
        room.commanded_until = warm.due + HOUR

    def _thermostat_listens(self, room: Room, t_now: float | None, now: float) -> bool:
        """While a warm-up is in force: the thermostat reports its set-point and the room
        warms while it is below it (comfort.guard.thermostat, two hours' patience)."""
        if room.commanded is None or room.commanded_at is None or now <= room.commanded_at:
            return True
        if room.commanded_until is not None and now > room.commanded_until:
            room.commanded = None
            return True
        state = self.hub.states.get(room.cfg.climate)
        reported = None if state is None else _float(state.attributes.get("temperature"))
        last = room.last_temp
        heating = last is not None and last < room.commanded - 0.5
        rise = None if t_now is None or last is None else t_now - last
        return room.guard.thermostat(room.commanded, reported, heating, rise, now)

    # -- what it says ------------------------------------------------------------------

    def _publish(
        self, room: Room, mode: str, words: str, hour: RoomHour | None = None, acting: str = ""
    ) -> dict[str, Any]:
        warm = hour.warm_up if hour is not None else None
        plan = hour.plan if hour is not None and hour.plan.solved else None
        out: dict[str, Any] = {
            "mode": mode,
            "reason": words,
            "reasons": [words],  # as the battery plan and the data hall say it (the Energy page)
            "target": warm.target if warm else None,
            "start": _iso(warm.start) if warm else None,
            "due": _iso(warm.due) if warm else None,
            "setpoints": [round(float(v), 2) for v in plan.temperature] if plan else [],
            "heat_kw": [round(float(v), 3) for v in plan.heat_kw] if plan else [],
            "floor": [round(float(v), 2) for v in hour.floor] if hour else [],
            "model": room.model.as_dict() if room.model else None,
            "acting": acting,
            "fallbacks": room.guard.fallbacks,
        }
        if mode != "plan":
            _LOGGER.info("pre-heating %s: %s", room.key, words)
        state = _iso(warm.start) if warm else "idle"
        attrs = {**out, "friendly_name": f"{room.name.capitalize()} pre-heating plan"}
        if warm:
            attrs["device_class"] = "timestamp"
        self.hub.states.async_set(
            f"sensor.{room.key}_preheat_plan", state, attrs, self.hub.context(Origin.AUTOMATION)
        )
        return out

    # -- readings ----------------------------------------------------------------------

    def _series(self, entity_id: str | None, default: float) -> np.ndarray[Any, Any]:
        """The next HORIZON hours of a sensor: its `forecast` attribute where it has one
        (per hour, as the price integrations give), else its reading held."""
        now = number(self.hub, entity_id)
        state = self.hub.states.get(entity_id) if entity_id else None
        ahead = state.attributes.get("forecast") if state is not None else None
        values = [now if now is not None else default]
        if isinstance(ahead, list):
            values = [v for v in (_float(x) for x in ahead) if v is not None] or values
        values = values[:HORIZON]
        return np.array(values + [values[-1]] * (HORIZON - len(values)), dtype=float)

    def _indoor(self, room: Room) -> float | None:
        if room.cfg.temperature_sensor:
            return number(self.hub, room.cfg.temperature_sensor)
        state = self.hub.states.get(room.cfg.climate)
        return None if state is None else _float(state.attributes.get("current_temperature"))

    def _user(self, person_entity: str) -> str:
        state = self.hub.states.get(person_entity)
        user = state.attributes.get("user_id") if state is not None else None
        return str(user) if user else person_entity.partition(".")[2]

    def _away(self, user: str) -> bool:
        for state in self.hub.states.async_all("person"):
            if (state.attributes.get("user_id") or state.object_id) == user:
                return state.state in AWAY
        return False

    # -- the clock ---------------------------------------------------------------------

    def schedule(self) -> None:
        """A tick at every full hour of the hub's clock."""
        self.ticks.schedule()

    async def async_stop(self) -> None:
        for room in self.rooms.values():
            if room.timer is not None:
                room.timer.cancel()
        await self.ticks.async_stop()


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()
