"""Simulated homes: devices, residents who live realistic days, and the world around them.

The simulator is an integration like any other: the hub reaches its devices only through
services (`hub.entities` handlers) and sees them only through the states they report.

Homes
-----
A home is YAML (`homes/single.yaml`, `couple.yaml`, `family.yaml` ship with the package;
`load_home(name_or_path)` loads either): `areas`, `devices` with their `entities` (kind from
the domain, or `kind: motion | door | temperature` for sensors; `role:` marks what residents
use a thing for: coffee, kettle, extractor, shower_fan, front_lock, front_door, outdoor), and
`residents` with their `schedule` (work days, wake/leave/back/bed times, habits, illness and
trip rates). Areas named kitchen, living_room, bathroom, hallway and office are found by
name. Errors name the file and line (`ConfigError`).

Heating and weather (rooms.py, outdoor.py). By default (`thermal: physics: simple`) each
thermostat heats a one-node room with a modulating boiler on a seeded synthetic weather; the
shipped homes use it, and the seeded histories other benchmarks are measured on come from it,
so it does not change. Opt in per home:
    thermal:
      physics: rc          # each area with a thermostat is a two-node RC room (thermal.py:
      rc: {max_heat_kw: 6} # air + building mass, sun through the windows) heated by its own
                           # modulating heat pump, COP falling with the cold (heat_pump_cop)
    weather:
      epw: weather.epw     # a real year (EnergyPlus EPW; relative to the home file): outdoor
                           # temperature and global horizontal irradiance by hour of the year,
                           # local standard time (without it the sun's elevation gives the sun)
With `rc` each heated area also has `sensor.<area>_heat_pump_power` (kW, measurement;
attributes heat_output_kw and cop) and `sensor.<area>_heat_pump_energy` (kWh,
total_increasing), on a device `<area>_heat_pump`. A missing or malformed EPW file is a
`ConfigError` naming it (and the line) when the home is set up. Both need NumPy (the
`comfort` extra); the default home does not.

The device seam (`SimulatedHome`, for any binding: in process here, MQTT in mqtt_bridge.py)
--------------------------------------------------------------------------------------------
    home = SimulatedHome(spec, clock, seed=7, make_context=lambda origin, user: ...,
                         intentions=IntentionLog(path))

Description:
    home.name, home.areas() -> [(area_id, name)]
    home.devices() -> [DeviceInfo(id, name, area, area_name, manufacturer, model, entity_ids)]
    home.entities() -> [EntityInfo(entity_id, domain, kind, name, area, device_id, role,
                                   controllable, services, capabilities)]
        capabilities: {"kind", "services", and per kind: supported_color_modes (light),
        percentage (fan), position (cover), hvac_modes/min_temp/max_temp/step (climate),
        device_class (binary_sensor, sensor), unit_of_measurement (sensor), state_class
        (the heat pumps' power and energy meters)}
    home.resident_infos() -> [ResidentInfo(id, name, entity_id="person.<id>")]
State:
    home.state(entity_id) -> (state, attributes)  (attributes include friendly_name)
    home.presence(resident) -> "home" or "not_home" (the room: person_attributes()["room"])
Change stream:
    unsubscribe = home.subscribe(listener)  # listener(EntityChange) called synchronously
    EntityChange(entity_id, state, attributes, context): every change of a device (by a
    resident: origin physical + their user_id; by the device itself or a sensor: origin
    sensor; by the hub: the command's own context) and every presence change
    (entity_id "person.<id>", state "home" or "not_home", the room in its `room` attribute,
    origin sensor, user_id the id).
Commands from the hub:
    home.apply_command(entity_id, service, data, context) -> changed: bool
        service without domain ("turn_on", "set_temperature", "open_cover", ...), data as in
        Home Assistant (brightness, temperature, position, ...). The new state is emitted to
        subscribers with `context`; raises DeviceCommandError (counted by the binding) for
        what the device cannot do. Residents then observe the change and may undo it.
Running:
    home.start()  # residents, weather and heating on the clock (call after bindings attach)
    home.stop(), home.close()  # close also closes the intentions log
    home.stats: steps, intentions, executed, already_satisfied, reactions, hub_commands,
    days_planned, labels (today's date, trips, guests); home.guests (guests in the house).

`InProcessBinding(hub, home).attach()` (binding.py) is the in-process binding: it adds areas,
devices and people to the hub's registries (`register_records`, reusable by other bindings),
registers each entity with `hub.entities.async_add(entity_id, "simulator", handler)` (None for
sensors), reports initial states, and forwards the change stream to `hub.states.async_set`
(presence via `hub.set_presence`). An MQTT binding does the same over the broker instead.

Residents: decide, then act
---------------------------
Each resident plans each day at 03:30 local time (`planner.py`: drift of wake-up and bedtime,
work days, weekends, work from home, cooking, TV, showers, guests, trips, illness), then at
each step `Resident.decide(now, step, home_view) -> Intention | Move | None` (conditions such
as "if it is dark" or "if nobody else is in the room" are judged on the devices as they are;
a light already on gives an intention marked already satisfied) and `Resident.act(intention)`
returns the command to carry out by hand. A room "needs light" when it is windowless, its
covers are closed, or the sun is below 4 degrees; nobody touches a thermostat outside the
heating season (the day's mean outdoor temperature at or above `thermal.heating_below`).

`Resident.observe(change, view, wanted)` sees every change the hub makes on its own (origin
agent or automation) and may return a `Reaction`: an undo some seconds to minutes later (a
light switched off on someone reading in the dark, a thermostat turned down while people are
home, a door unlocked, the TV started for nobody), logged with `reaction_to`. A change someone
was about to make (`Resident.wants_soon`: a planned want of that entity and state within the
resident's `agent: horizon_minutes`) is wanted and kept, and they find it done (the intention
says `satisfied_by` agent); only a resident who dislikes automation (`agent: revert_wanted`,
the family's Tom) may still undo it. Changes made with the app or by voice are a person's own
wish and are left alone.

Relying on the hub (reliance.py): residents who find the hub switching off a light or TV they
left on in a room nobody is in (forgotten, or one they asked it to switch off) come to leave
some of their switch-offs on leaving a room with motion sensors to it: per light and TV, a
reliance that grows by `agent: reliance_step` each time the hub does it (up to
`reliance_max`, 0 for Tom) and is multiplied by `reliance_drop` each time they find one still
on, `notice_minutes` after leaving; they then switch it off by hand. One left to the hub is
logged with `left_to_hub: true` and ends as one more intention when they notice (found off,
`satisfied_by` the origin that did it; or done by hand), or in nothing when the room is in
use again first. Until then it counts as a want of theirs (`wants_soon`). `simulator:
reliance: false` in configuration.yaml makes every resident's `reliance_max` 0 for the run
(a sensitivity run: residents who never rely). A suggestion to switch off a light or TV in a
room nobody is in, nor is about to come into, is wanted by anyone ("left on in an empty
room").

The agent's questions (answers.py, agent_link.py): each `agent_suggestion` event goes to the
person it names, or to whoever at home and awake was about to do it; they answer by their
plans with seeded noise (yes when about to do it; else no, not now or never; some ignored), as
the service `agent.answer` with an app context, and every answer, sent or not, is written with
its reason to `<db path>.answers.jsonl`. Reactions and answers draw from random generators of
their own, so a resident's plans are the same with or without an agent acting in the home
(A/B runs).

Ground truth: `<db path>.intentions.jsonl`
------------------------------------------
One JSON object per line, one line per device intention, in time order, appended:
    {"time": "2026-01-05T06:52:13.402000+00:00", "epoch": 1767595933.402,
     "user_id": "mina", "action": "light.kitchen:on", "entity_id": "light.kitchen",
     "target": "on", "activity": "breakfast", "executed": true, "already_satisfied": false,
     "satisfied_by": null, "reaction_to": null, "recorded_action": "light.kitchen:on",
     "time_zone": "Europe/Amsterdam"}
`target` is the wanted state: on/off (light, switch, fan, media_player), open/closed (cover),
locked/unlocked (lock) or a set-point such as "20.5" (climate: set_temperature, heat).
`recorded_action` is the same action as the recorder's states show it, `entity_id:state`
(a TV wanted "on" shows "playing"; a thermostat set-point shows the mode, "heat"): match
learned actions against this one. `executed` false means the resident found it already so; `satisfied_by` then names the origin
of the change that made it so ("agent" when the hub anticipated them, "physical" when
someone else did). `reaction_to` is set on undos: the context id of the hub's change.
`time_zone` is the home's (the recorder stores UTC; the residents live by this clock).
A switch-off left to the hub (see above) also has `"left_to_hub": true`, with `executed` and
`already_satisfied` false: not yet a want; what came of it is the next record of it.

Determinism: one `random.Random` per resident (plans) and per resident reactions, one for the
household, the home and the weather, all derived from the seed by name; time from the clock
only; decisions never iterate over unordered sets. Same seed (and `Hub(seed=...)`) -> same
history, bit for bit.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from hearthmind.core import (
    DataKey,
    HearthmindError,
    Hub,
    SetupOptions,
    register_section,
)

from .agent_link import AgentLink
from .binding import InProcessBinding, register_records
from .devices import DeviceCommandError, SimEntity
from .home import SimulatedHome
from .intentions import Intention, IntentionLog, Move, Step, Want, intentions_path_for
from .records import DeviceInfo, EntityChange, EntityInfo, ResidentInfo, SimStats
from .residents import HomeView, Reaction, Resident
from .spec import HomeSpec, load_home, parse_home, shipped_homes

_LOGGER = logging.getLogger(__name__)

DATA_KEY: DataKey[SimulatedHome] = DataKey("simulator")


class SimulatorConfig(BaseModel):
    """The `simulator:` section of configuration.yaml (`hearthmind run` then runs the home;
    the command line's `--home` wins)."""

    model_config = ConfigDict(extra="forbid")

    home: str | None = None  # single, couple, family, or a path
    seed: int | None = None
    # false: residents never leave switching off to the hub (every reliance_max 0), to
    # measure how much of a hub's takeovers come of people relying on it
    reliance: bool = True


register_section("simulator", SimulatorConfig)


def intentions_path(hub: Hub, options: SetupOptions) -> Path:
    """Next to the SQLite database when there is one, else in the config directory."""
    explicit = getattr(options, "extra", {}).get("intentions_path")
    if explicit:
        return Path(explicit)
    url = getattr(options, "db_url", None) or hub.config.default_db_url
    match = re.match(r"^sqlite(?:\+\w+)?:///(.+)$", url)
    if match and match.group(1) != ":memory:":
        return intentions_path_for(Path(match.group(1)))
    if "://" not in url and url:
        return intentions_path_for(Path(url))
    return hub.config.config_dir / "simulator.intentions.jsonl"


def create_home(
    hub: Hub,
    home: str | HomeSpec,
    options: Any = None,
    *,
    seed: int | None = None,
    reliance: bool | None = None,
) -> SimulatedHome:
    """A `SimulatedHome` on the hub's clock, with contexts from the hub (reproducible ids).
    `reliance` None: as the `simulator:` section says (true without one)."""
    spec = home if isinstance(home, HomeSpec) else load_home(home)
    if seed is None:
        seed = getattr(options, "seed", None)
    if reliance is None:
        reliance = True
        if "simulator" in hub.config.raw:
            reliance = hub.config.section("simulator", SimulatorConfig).reliance
    path = intentions_path(hub, options) if getattr(options, "record", True) else None
    return SimulatedHome(
        spec,
        hub.clock,
        seed=seed if seed is not None else 0,
        make_context=lambda origin, user_id: hub.context(origin, user_id),
        intentions=IntentionLog(path, spec.time_zone),
        report_problem=lambda counter, message: hub.health.problem(
            counter, message, hub.clock.timestamp()
        ),
        reliance=reliance,
    )


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Component set-up: run `options.home` (a shipped name or a path) on the hub's clock.

    With `options.mqtt` the MQTT bridge (mqtt_bridge.py) binds the home through the broker;
    otherwise (or when the bridge is not available) the in-process binding is used."""
    name = getattr(options, "home", None)
    seed = getattr(options, "seed", None)
    if not name and "simulator" in hub.config.raw:
        try:
            section = hub.config.section("simulator", SimulatorConfig)
        except HearthmindError as err:
            hub.health.problem(err.counter, str(err), hub.clock.timestamp())
            raise
        name = section.home
        if getattr(options, "seed", None) is None:
            seed = section.seed
    if not name:
        return
    try:
        home = create_home(hub, name, options, seed=seed)
    except HearthmindError as err:  # a broken home file: counted, then the caller says why
        hub.health.problem(err.counter, str(err), hub.clock.timestamp())
        raise
    hub.data[DATA_KEY] = home
    if hub.config.core.time_zone != home.spec.time_zone:
        # a hub that runs a simulated home is that home's hub: what it learns and shows
        # follows the residents' clock (components set up later read the zone from here)
        _LOGGER.info(
            "simulator: time zone %s (the home's), not %s",
            home.spec.time_zone,
            hub.config.core.time_zone,
        )
        hub.config.core.time_zone = home.spec.time_zone
    bound = False
    if getattr(options, "mqtt", False):
        bound = await _bind_mqtt(hub, home, options)
    if not bound:
        InProcessBinding(hub, home).attach()  # with the residents' link to the agent
    else:
        # over MQTT the devices go through the broker; the agent's questions still reach
        # the residents on the hub's bus
        AgentLink(hub, home).attach()

    hub.async_at_start(home.start)

    async def stop() -> None:
        home.close()

    hub.async_on_stop(stop)


async def _bind_mqtt(hub: Hub, home: SimulatedHome, options: SetupOptions) -> bool:
    try:
        from . import mqtt_bridge  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        _LOGGER.warning("simulator: no MQTT bridge available; binding in process")
        return False
    bind = getattr(mqtt_bridge, "async_bind", None)
    if bind is None:
        _LOGGER.warning("simulator: mqtt_bridge has no async_bind; binding in process")
        return False
    await bind(hub, home, options)
    return True


def get_home(hub: Hub) -> SimulatedHome | None:
    return hub.data.get(DATA_KEY)


__all__ = [
    "DeviceCommandError",
    "DeviceInfo",
    "EntityChange",
    "EntityInfo",
    "HomeSpec",
    "HomeView",
    "InProcessBinding",
    "Intention",
    "IntentionLog",
    "Move",
    "Reaction",
    "Resident",
    "ResidentInfo",
    "SimEntity",
    "SimStats",
    "SimulatedHome",
    "SimulatorConfig",
    "Step",
    "Want",
    "async_setup",
    "create_home",
    "get_home",
    "intentions_path",
    "load_home",
    "parse_home",
    "register_records",
    "shipped_homes",
]
