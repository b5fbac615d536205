"""`SimulatedHome`: the devices of a home, its residents and the world around them, running on
any `Clock`. It knows nothing of the hub: a binding (in process, or over MQTT) connects it.

See the package docstring for the API a binding uses."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from hearthmind.core import Clock, Context, Origin
from hearthmind.core.clock import TimerHandle

from .days import ResidentDays
from .devices import DeviceCommandError, SimEntity, initial_state
from .environment import sun_elevation
from .intentions import IntentionLog
from .layout import AWAY, Layout
from .outdoor import make_weather
from .records import DeviceInfo, EntityChange, EntityInfo, ResidentInfo, SimStats
from .residents import Resident
from .rooms import make_rooms
from .spec import HomeSpec

_LOGGER = logging.getLogger(__name__)

ContextMaker = Callable[[Origin, str | None], Context]
ProblemReporter = Callable[[str, str], None]  # (counter, message), e.g. hub.health.problem
ChangeListener = Callable[["EntityChange"], None]

MOTION_HOLD = 120.0  # seconds a motion sensor stays on after a room empties
NOT_HOME = "not_home"
HOME = "home"


class SimulatedHome:
    """A home's devices and residents. Drive it with `start()`; watch it with `subscribe`;
    command it with `apply_command` (what a binding does for the hub)."""

    def __init__(
        self,
        spec: HomeSpec,
        clock: Clock,
        *,
        seed: int = 0,
        make_context: ContextMaker,
        intentions: IntentionLog | None = None,
        report_problem: ProblemReporter | None = None,
        reliance: bool = True,
    ) -> None:
        self.spec = spec
        self.clock = clock
        self.seed = seed
        self.zone = spec.zone
        self.layout = Layout(spec)
        self.intentions = intentions or IntentionLog(None)
        self.stats = SimStats()
        self.comfort = spec.thermal.comfort
        self.guests = 0
        self._make_context = make_context
        self._report_problem = report_problem
        self._listeners: list[ChangeListener] = []
        self._entity_timers: dict[str, TimerHandle] = {}
        self._rng = random.Random(f"{seed}:home")
        self.running = False
        area_names = {a.id: a.name for a in spec.areas}
        self._area_names = area_names
        self._entities: dict[str, SimEntity] = {}
        self._devices: list[DeviceInfo] = []
        for device in spec.devices:
            for e in device.entities:
                kind = e.resolved_kind
                state, attrs = initial_state(kind)
                name = e.name or f"{device.name}"
                attrs["friendly_name"] = name
                self._entities[e.entity_id] = SimEntity(
                    e.entity_id,
                    kind,
                    name,
                    device.area,
                    device.id,
                    e.role,
                    e.auto_off_minutes,
                    state,
                    attrs,
                )
            self._devices.append(
                DeviceInfo(
                    device.id,
                    device.name,
                    device.area,
                    area_names[device.area],
                    device.manufacturer,
                    device.model,
                    tuple(e.entity_id for e in device.entities),
                )
            )
        # set-up errors (a bad EPW file) are raised here, as ConfigError, not mid-run
        self.weather = make_weather(spec, seed)
        self.rooms = make_rooms(spec, self.layout, self._entities, self.weather, self)
        for device_info, made in self.rooms.made_devices():  # heat pumps with physics rc
            self._devices.append(device_info)
            self._entities.update((e.entity_id, e) for e in made)
        # `reliance` false: residents never leave switching off to the hub (reliance.py)
        self.days = ResidentDays(self, spec, seed, reliance)
        self.residents: list[Resident] = self.days.residents

    # -- description (for bindings) ---------------------------------------------------------

    @property
    def name(self) -> str:
        return self.spec.name

    def areas(self) -> list[tuple[str, str]]:
        return [(a.id, a.name) for a in self.spec.areas]

    def devices(self) -> list[DeviceInfo]:
        return list(self._devices)

    def entities(self) -> list[EntityInfo]:
        return [
            EntityInfo(
                e.entity_id,
                e.domain,
                e.kind,
                e.name,
                e.area,
                e.device_id,
                e.role,
                e.controllable,
                e.services,
                e.capabilities(),
            )
            for e in self._entities.values()
        ]

    def resident_infos(self) -> list[ResidentInfo]:
        return [ResidentInfo(r.id, r.spec.name, f"person.{r.id}") for r in self.residents]

    # -- state ------------------------------------------------------------------------------

    def entity(self, entity_id: str) -> SimEntity:
        return self._entities[entity_id]

    def state(self, entity_id: str) -> tuple[str, dict[str, Any]]:
        return self._entities[entity_id].snapshot()

    def presence(self, resident: Resident) -> str:
        """As Home Assistant's person entities: `home` or `not_home` (the room is an
        attribute, `person_attributes`), so "who is home" reads the state HA users expect."""
        return NOT_HOME if resident.location == AWAY else HOME

    def person_attributes(self, resident: Resident) -> dict[str, Any]:
        room = None if resident.location == AWAY else resident.location
        return {"friendly_name": resident.spec.name, "user_id": resident.id, "room": room}

    def area_sensor(self, resident: Resident) -> tuple[str, str, dict[str, Any]]:
        """(entity id, state, attributes) of the resident's room sensor, `sensor.<id>_area`:
        the area they are in, `not_home` when out, as a room-presence integration (ESPresense,
        Bermuda) reports it. The room as a state of its own keeps it a sensor event for the
        learners, as it was before person states became home/not_home."""
        state = NOT_HOME if resident.location == AWAY else resident.location
        attributes = {
            "friendly_name": f"{resident.spec.name}'s area",
            "person": f"person.{resident.id}",
        }
        return f"sensor.{resident.id}_area", state, attributes

    def subscribe(self, listener: ChangeListener) -> Callable[[], None]:
        """Call `listener(change)` on every change of an entity or a presence."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    # -- what residents see (HomeView) ------------------------------------------------------

    def heating_season(self) -> bool:
        return self.weather.daily_mean(self.clock.timestamp()) < self.spec.thermal.heating_below

    def is_night(self) -> bool:
        return sun_elevation(self.clock.timestamp(), self.spec.latitude, self.spec.longitude) < 0

    def is_dark(self, area: str) -> bool:
        things = self.layout.areas[area]
        if things.windowless:
            return True
        if sun_elevation(self.clock.timestamp(), self.spec.latitude, self.spec.longitude) < 4:
            return True
        covers = things.covers
        return bool(covers) and all(self._entities[c].state == "closed" for c in covers)

    def others_in(self, area: str, resident_id: str) -> bool:
        return any(r.location == area for r in self.residents if r.id != resident_id)

    def others_home(self, resident_id: str) -> bool:
        return any(r.home for r in self.residents if r.id != resident_id)

    def others_awake(self, resident_id: str) -> bool:
        return any(r.home and not r.asleep for r in self.residents if r.id != resident_id)

    # -- commands from the hub --------------------------------------------------------------

    def apply_command(
        self, entity_id: str, service: str, data: Mapping[str, Any], context: Context
    ) -> bool:
        """Carry out a hub command (`turn_on`, `set_temperature`, ...) on a device; the new
        state goes to the subscribers with the command's context. Raises `DeviceCommandError`
        for a command the device cannot do. Returns whether anything changed."""
        entity = self._entities.get(entity_id)
        if entity is None:
            raise DeviceCommandError(entity_id, service, "no such simulated entity")
        self.stats.hub_commands += 1
        if not entity.apply(service, data):
            return False
        self.days.react(self._changed(entity, context))
        return True

    # -- running ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the residents, the weather and the heating on the clock."""
        if self.running:
            return
        self.running = True
        now = self.clock.timestamp()
        self.days.start(now)
        self.rooms.start(now)
        self.at(now + self.rooms.tick_seconds, self._thermal_tick)

    def stop(self) -> None:
        self.running = False
        for timer in self._entity_timers.values():
            timer.cancel()
        self._entity_timers.clear()
        self.days.stop()
        self.intentions.flush()

    def close(self) -> None:
        self.stop()
        self.intentions.close()

    # -- timing -----------------------------------------------------------------------------

    def local(self, day: date, at: time) -> float:
        return datetime.combine(day, at, self.zone).timestamp()

    def at(self, ts: float, callback: Callable[[], None]) -> TimerHandle:
        """Run `callback` at `ts` unless the home has stopped by then."""

        def guarded() -> None:
            if self.running:
                callback()

        return self.clock.call_at(datetime.fromtimestamp(ts, UTC), guarded)

    # -- physical changes -------------------------------------------------------------------

    def _context(self, origin: Origin, user_id: str | None = None) -> Context:
        return self._make_context(origin, user_id)

    def problem(self, counter: str, message: str) -> None:
        _LOGGER.warning("simulator: %s", message)
        if self._report_problem is not None:
            self._report_problem(counter, message)

    def _emit(self, change: EntityChange) -> None:
        for listener in tuple(self._listeners):
            try:
                listener(change)
            except Exception as err:  # a failing binding must not stop the residents
                self.problem(
                    "simulator_listener_errors", f"reporting {change.entity_id} failed: {err!r}"
                )

    def _changed(self, entity: SimEntity, context: Context, reading: bool = False) -> EntityChange:
        """Report a change. A `reading` (a thermostat's room temperature) is not a command:
        it leaves `last_context` naming whoever last set the device."""
        if not reading:
            entity.last_context = context
            entity.last_changed = self.clock.timestamp()
        change = EntityChange(entity.entity_id, entity.state, dict(entity.attributes), context)
        self._emit(change)
        if entity.auto_off_minutes is not None:
            self._arm_auto_off(entity)
        return change

    def by_hand(self, entity_id: str, target: str, user_id: str) -> None:
        entity = self._entities[entity_id]
        service, data = entity.target_command(target)
        if entity.apply(service, data):
            self._changed(entity, self._context(Origin.PHYSICAL, user_id))

    def _by_itself(self, entity: SimEntity, service: str, data: Mapping[str, Any]) -> None:
        # the device acting on its own (kettle switching off, sensor reading): origin sensor
        if entity.apply(service, data):
            self._changed(entity, self._context(Origin.SENSOR))

    def _arm_auto_off(self, entity: SimEntity) -> None:
        old = self._entity_timers.pop(entity.entity_id, None)
        if old is not None:
            old.cancel()
        if entity.state != "on" or entity.auto_off_minutes is None:
            return

        def off() -> None:
            self._entity_timers.pop(entity.entity_id, None)
            if entity.state == "on":
                self._by_itself(entity, "turn_off", {})

        self._entity_timers[entity.entity_id] = self.clock.call_at(
            datetime.fromtimestamp(self.clock.timestamp() + entity.auto_off_minutes * 60, UTC),
            off,
        )

    def _set_sensor(self, entity: SimEntity, state: str) -> None:
        if entity.state == state:
            return
        entity.state = state
        self._changed(entity, self._context(Origin.SENSOR))

    def move(self, resident: Resident, area: str, quiet: bool = False) -> None:
        old = resident.location
        if old == area:
            return
        resident.location = area
        context = self._context(Origin.SENSOR, resident.id)
        self._emit(
            EntityChange(
                f"person.{resident.id}",
                self.presence(resident),
                self.person_attributes(resident),
                context,
            )
        )
        self._emit(EntityChange(*self.area_sensor(resident), context))
        if quiet:
            return
        self.days.reliance.moved(resident, old, area)
        if old == AWAY or area == AWAY:
            self.door_pulse()
        if area != AWAY:
            self._motion(area, True)
        if old != AWAY:
            self._room_left(old)
        hall = self.layout.hallway
        if hall and AWAY not in (old, area) and hall not in (old, area):
            self._motion(hall, True)
            self._room_left(hall)

    def _motion(self, area: str, on: bool) -> None:
        for sensor in self.layout.areas[area].motion:
            timer = self._entity_timers.pop(sensor, None)
            if timer is not None:
                timer.cancel()
            self._set_sensor(self._entities[sensor], "on" if on else "off")

    def _room_left(self, area: str) -> None:
        if any(r.location == area for r in self.residents):
            return
        for sensor in self.layout.areas[area].motion:
            old = self._entity_timers.pop(sensor, None)
            if old is not None:
                old.cancel()

            def clear(sensor: str = sensor) -> None:
                self._entity_timers.pop(sensor, None)
                if not any(r.location == area for r in self.residents):
                    self._set_sensor(self._entities[sensor], "off")

            self._entity_timers[sensor] = self.clock.call_at(
                datetime.fromtimestamp(self.clock.timestamp() + MOTION_HOLD, UTC), clear
            )

    def door_pulse(self) -> None:
        door_id = self.layout.role("front_door")
        if door_id is None:
            return
        door = self._entities[door_id]
        self._set_sensor(door, "on")
        old = self._entity_timers.pop(door_id, None)
        if old is not None:
            old.cancel()

        def close() -> None:
            self._entity_timers.pop(door_id, None)
            self._set_sensor(door, "off")

        self._entity_timers[door_id] = self.clock.call_at(
            datetime.fromtimestamp(self.clock.timestamp() + self._rng.uniform(5, 25), UTC), close
        )

    # -- heating (rooms.py) -----------------------------------------------------------------

    def report_reading(self, entity: SimEntity) -> None:
        self._changed(entity, self._context(Origin.SENSOR), reading=True)

    def report_sensor(self, entity: SimEntity, state: str) -> None:
        self._set_sensor(entity, state)

    def _thermal_tick(self) -> None:
        if not self.running:
            return
        now = self.clock.timestamp()
        self.rooms.tick(now)
        self.at(now + self.rooms.tick_seconds, self._thermal_tick)
