"""Room physics in the simulated home (`thermal: physics: rc`, `weather: epw:`): RC rooms that
warm and cool at sensible rates, a heat pump whose COP falls with the cold, its power and
energy sensors, real weather from an EPW file, clear errors for bad files, determinism, and
the default home unchanged."""

from __future__ import annotations

import itertools
import math
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest
import yaml

from hearthmind.bootstrap import SetupOptions
from hearthmind.core import ConfigError, Hub, Origin, SimulatedClock, load_config
from hearthmind.integrations.simulator import (
    HomeSpec,
    SimulatedHome,
    async_setup,
    load_home,
    parse_home,
)
from hearthmind.integrations.simulator.mqtt_bridge import MqttBridge
from hearthmind.integrations.simulator.outdoor import EpwOutdoor, read_epw
from hearthmind.integrations.simulator.rooms import RcRooms, SimpleRooms
from hearthmind.integrations.simulator.spec import home_path
from hearthmind.integrations.simulator.thermal import heat_pump_cop

from .helpers import START, SimRun
from .test_home import history

TICK = 1800.0
POWER = "sensor.living_room_heat_pump_power"
ENERGY = "sensor.living_room_heat_pump_energy"


def single(**changes: Any) -> dict[str, Any]:
    """The shipped single home as data, with top-level sections merged in."""
    data: dict[str, Any] = yaml.safe_load(home_path("single").read_text())
    for key, value in changes.items():
        data[key] = {**data.get(key, {}), **value}
    return data


def rc_home(**changes: Any) -> HomeSpec:
    data = single(**changes)
    data["thermal"] = {**data.get("thermal", {}), "physics": "rc"}
    return parse_home(data)


def epw_text(temperature: Any = None, ghi: Any = None, rows: int = 8760) -> str:
    """A small EPW year: 8 header lines, then a row an hour with the fields the simulator
    reads (7: dry-bulb temperature, 14: global horizontal radiation) among zeros."""
    head = [
        "LOCATION,Testville,NA,NLD,Test,000000,52.37,4.89,1.0,0.0",
        "DESIGN CONDITIONS,0",
        "TYPICAL/EXTREME PERIODS,0",
        "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
        "COMMENTS 1,written by a test",
        "COMMENTS 2,",
        "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
    ]
    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    out = []
    hour = 0
    for month, length in enumerate(days, start=1):
        for day in range(1, length + 1):
            for h in range(1, 25):
                if hour >= rows:
                    break
                t = temperature(hour) if temperature else -30 + (hour % 1200) / 20
                g = ghi(hour) if ghi else (400.0 if 10 <= h <= 14 else 0.0)
                fields = ["1999", str(month), str(day), str(h), "0", "?"] + ["0"] * 29
                fields[6], fields[13] = str(t), str(g)
                out.append(",".join(fields))
                hour += 1
    return "\n".join(head + out) + "\n"


class Bare:
    """A home on a hub whose clock never runs: residents stay asleep, the test steps rooms."""

    def __init__(self, spec: HomeSpec) -> None:
        self.now = datetime.combine(START, time(0), spec.zone).timestamp()
        clock = SimulatedClock(datetime.combine(START, time(0), spec.zone))
        self.hub = Hub(clock=clock, seed=1)
        self.home = SimulatedHome(
            spec, clock, seed=1, make_context=lambda o, u: self.hub.context(o, u)
        )
        self.rooms = self.home.rooms
        assert isinstance(self.rooms, RcRooms)
        self.room = self.rooms.rooms["living_room"]
        self.rooms.start(self.now)

    def set(self, service: str, **data: Any) -> None:
        context = self.hub.context(Origin.APP, "mina")
        self.home.apply_command("climate.living_room", service, data, context)

    def ticks(self, n: int) -> list[float]:
        """Run n ticks; the living room's air temperature after each."""
        temps = []
        for _ in range(n):
            self.now += TICK
            self.rooms.tick(self.now)
            temps.append(self.room.physics.air)
        return temps


class Constant:
    """Weather that holds still, to read the room's own dynamics."""

    def __init__(self, outdoor: float, sun: float = 0.0) -> None:
        self._outdoor, self._sun = outdoor, sun

    def outdoor(self, ts: float) -> float:
        return self._outdoor

    def daily_mean(self, ts: float) -> float:
        return self._outdoor

    def irradiance(self, ts: float) -> float:
        return self._sun


def bare(outdoor: float, sun: float = 0.0) -> Bare:
    run = Bare(rc_home())
    run.rooms.weather = Constant(outdoor, sun)
    run.rooms.start(run.now)
    return run


def test_rc_room_warms_when_heating_and_holds_the_set_point() -> None:
    run = bare(outdoor=0.0)
    run.set("set_temperature", temperature=21.0, hvac_mode="heat")
    temps = run.ticks(2)
    assert run.room.heat_kw == pytest.approx(run.room.physics.max_heat_kw)  # full power
    rate = (temps[1] - 18.0) / 1.0  # K in the first hour from 18 C
    assert 0.5 < rate < 5.0  # a heat pump warms a room in hours, not minutes or days
    temps = run.ticks(48)
    assert temps[-1] == pytest.approx(21.0, abs=0.05)  # held within a tick
    assert max(temps) < 21.05  # a modulating heat pump does not overshoot
    # holding 21 C against 0 C outdoors needs some heat, less than the maximum
    assert 0.0 < run.room.heat_kw < run.room.physics.max_heat_kw
    _, attributes = run.home.state("climate.living_room")
    assert attributes["hvac_action"] == "heating"
    assert attributes["current_temperature"] == pytest.approx(21.0, abs=0.3)


def test_rc_room_cools_toward_outdoors_when_not_heating() -> None:
    run = bare(outdoor=2.0)
    run.set("set_temperature", temperature=21.0, hvac_mode="heat")
    run.ticks(48)
    run.set("set_hvac_mode", hvac_mode="off")
    temps = run.ticks(48)
    assert run.room.heat_kw == 0.0
    assert run.home.state("climate.living_room")[1]["hvac_action"] == "off"
    assert all(b < a for a, b in itertools.pairwise(temps))  # always falling
    assert temps[-1] > 2.0  # never below outdoors
    first_hour = 21.0 - temps[1]
    assert 0.2 < first_hour < 3.0  # the air drops fast, then the mass holds it
    day = temps[1] - temps[-1]
    assert day < 12.0 and temps[-1] < 16.0  # a day later: well on the way to outdoors
    # the energy meter stopped with the heat pump
    assert run.room.electric_kw == 0.0


def test_sun_warms_a_room() -> None:
    dark, sunny = bare(outdoor=5.0), bare(outdoor=5.0, sun=500.0)
    for run in (dark, sunny):
        run.set("set_hvac_mode", hvac_mode="off")
    assert sunny.ticks(8)[-1] > dark.ticks(8)[-1] + 1.0


def test_cop_falls_with_colder_outdoor_and_the_meter_shows_it() -> None:
    cops = [float(heat_pump_cop(t)) for t in (15.0, 5.0, -5.0, -15.0)]
    assert cops == sorted(cops, reverse=True) and cops[-1] < cops[0]
    assert all(1.5 <= c <= 6.0 for c in cops)
    powers = []
    for outdoor in (10.0, -10.0):
        run = bare(outdoor=outdoor)
        run.set("set_temperature", temperature=28.0, hvac_mode="heat")
        run.ticks(1)  # full heat in both: the same heat costs more electricity in the cold
        state, attributes = run.home.state(POWER)
        assert attributes["heat_output_kw"] == pytest.approx(6.0)
        assert float(state) == pytest.approx(6.0 / attributes["cop"], abs=0.02)
        powers.append(float(state))
    assert powers[1] > powers[0] * 1.2


async def test_heat_pump_sensors_follow_home_assistant_conventions() -> None:
    run = SimRun(rc_home(), seed=5)
    infos = {i.entity_id: i for i in run.home.entities()}
    power, energy = infos[POWER], infos[ENERGY]
    assert power.capabilities["device_class"] == "power"
    assert power.capabilities["unit_of_measurement"] == "kW"
    assert power.capabilities["state_class"] == "measurement"
    assert energy.capabilities["device_class"] == "energy"
    assert energy.capabilities["unit_of_measurement"] == "kWh"
    assert energy.capabilities["state_class"] == "total_increasing"
    assert not power.controllable and power.area == "living_room"
    assert {d.id for d in run.home.devices()} >= {"living_room_heat_pump"}
    entry = run.hub.entities.get(ENERGY)
    assert entry is not None and entry.handler is None  # a sensor: no commands
    await run.start_home()
    await run.run_until(3, 0)
    meters = [e for e in run.changes if e.data["entity_id"] in (POWER, ENERGY)]
    assert meters and all(e.context.origin is Origin.SENSOR for e in meters)
    readings = [float(e.data["new_state"].state) for e in meters if e.data["entity_id"] == ENERGY]
    assert len(readings) > 20 and readings[-1] > 5.0  # three January days of heating
    assert all(b > a for a, b in itertools.pairwise(readings))  # only increases
    climate = [
        e.data["new_state"] for e in run.changes if e.data["entity_id"] == "climate.living_room"
    ]
    assert {s.attributes["hvac_action"] for s in climate} >= {"heating"}
    temps = [s.attributes["current_temperature"] for s in climate]
    assert min(temps) > 14 and max(temps) < 24


async def test_same_seed_same_history_with_physics_and_epw(tmp_path: Path) -> None:
    (tmp_path / "year.epw").write_text(epw_text())
    spec = rc_home(weather={"epw": str(tmp_path / "year.epw")})
    runs = [SimRun(spec, seed=s) for s in (3, 3, 4)]
    for run in runs:
        await run.start_home()
        await run.run_until(2, 0)
    a, b, c = (history(r) for r in runs)
    assert a == b
    assert a != c


async def test_the_epw_year_gives_the_outdoor_temperature(tmp_path: Path) -> None:
    (tmp_path / "cold.epw").write_text(epw_text(temperature=lambda hour: -7.5))
    home = tmp_path / "home.yaml"
    data = single(weather={"epw": "cold.epw"}, thermal={"physics": "rc"})
    home.write_text(yaml.safe_dump(data))
    spec = load_home(str(home))  # relative to the home file's folder
    assert spec.weather.epw == str(tmp_path / "cold.epw")
    run = SimRun(spec)
    await run.start_home()
    await run.run_until(1, 0)
    outdoor = [
        e.data["new_state"].state
        for e in run.changes
        if e.data["entity_id"] == "sensor.outdoor_temperature"
    ]
    assert outdoor == ["-7.5"]  # the synthetic January would wander by degrees


def test_epw_hours_map_to_local_standard_time(tmp_path: Path) -> None:
    (tmp_path / "year.epw").write_text(epw_text(temperature=lambda hour: -30 + (hour % 1200) / 20))
    spec = rc_home()
    weather = EpwOutdoor(read_epw(tmp_path / "year.epw"), spec.zone)

    def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> float:
        return datetime(year, month, day, hour, minute, tzinfo=spec.zone).timestamp()

    def row(hour: int) -> float:
        return -30 + (hour % 1200) / 20

    # 1 January 01:00 is the end of the first EPW hour (row 0)
    assert weather.outdoor(at(2026, 1, 1, 1)) == pytest.approx(row(0))
    assert weather.outdoor(at(2026, 1, 1, 1, 30)) == pytest.approx((row(0) + row(1)) / 2)
    # summer time: 14:00 CEST is 13:00 standard time, the end of hour 13 of the day (row 12)
    july = (31 + 28 + 31 + 30 + 31 + 30) * 24
    assert weather.outdoor(at(2026, 7, 1, 14)) == pytest.approx(row(july + 12))
    # radiation is the hour's total: 12:30 standard is in the hour ending 13:00
    assert weather.irradiance(at(2026, 1, 2, 12, 30)) == 400.0
    assert weather.irradiance(at(2026, 1, 2, 3)) == 0.0
    # a leap year's 29 February repeats 28 February; 1 March is 1 March
    assert weather.outdoor(at(2028, 2, 29, 5)) == weather.outdoor(at(2026, 2, 28, 5))
    assert weather.outdoor(at(2028, 3, 1, 5)) == weather.outdoor(at(2026, 3, 1, 5))
    assert weather.daily_mean(at(2026, 1, 1, 12)) == pytest.approx(
        sum(row(h) for h in range(24)) / 24
    )


def bad_epw(tmp_path: Path, text: str) -> ConfigError:
    path = tmp_path / "bad.epw"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        Bare(rc_home(weather={"epw": str(path)}))  # at set-up, before anything runs
    assert info.value.path == str(path)
    assert str(path) in str(info.value)
    return info.value


def test_a_missing_epw_file_is_a_clear_set_up_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.epw"
    with pytest.raises(ConfigError, match="cannot read the EPW weather file") as info:
        SimRun(rc_home(weather={"epw": str(missing)}))
    assert info.value.path == str(missing)


def test_a_nan_row_names_the_file_and_line(tmp_path: Path) -> None:
    error = bad_epw(tmp_path, epw_text(temperature=lambda h: math.nan if h == 100 else 5.0))
    assert error.line == 8 + 101
    assert "dry-bulb temperature (field 7)" in error.reason


def test_epw_missing_markers_and_damage_are_named(tmp_path: Path) -> None:
    error = bad_epw(tmp_path, epw_text(ghi=lambda h: 9999 if h == 7 else 0))
    assert error.line == 8 + 8 and "global horizontal radiation" in error.reason
    error = bad_epw(tmp_path, epw_text(temperature=lambda h: "warm" if h == 3 else 1.0))
    assert error.line == 8 + 4 and "'warm' is not a number" in error.reason
    error = bad_epw(tmp_path, epw_text(rows=8000))
    assert error.line is None and "8,000 hourly rows" in error.reason
    error = bad_epw(tmp_path, "name: not a weather file\n")
    assert error.line == 1 and "not an EPW weather file" in error.reason
    text = epw_text().splitlines()
    text[20] = "1999,1,1,13,0"
    error = bad_epw(tmp_path, "\n".join(text))
    assert error.line == 21 and "5 fields" in error.reason


def test_a_relative_epw_path_that_is_missing_names_the_resolved_file(tmp_path: Path) -> None:
    home = tmp_path / "home.yaml"
    home.write_text(yaml.safe_dump(single(weather={"epw": "weather/none.epw"})))
    spec = load_home(str(home))
    with pytest.raises(ConfigError) as info:
        SimRun(spec)
    assert info.value.path == str(tmp_path / "weather" / "none.epw")


def test_heat_pump_ids_may_not_clash_and_meters_are_not_declared(tmp_path: Path) -> None:
    data = single(thermal={"physics": "rc"})
    data["devices"].append(
        {"id": "meter", "name": "Meter", "area": "kitchen", "entities": [{"entity_id": POWER}]}
    )
    data["devices"][-1]["entities"][0]["kind"] = "temperature"
    with pytest.raises(ConfigError, match=r"thermal\.physics: rc makes sensor\.living_room_heat"):
        parse_home(data)
    data["devices"][-1]["entities"][0]["kind"] = "power"
    with pytest.raises(ConfigError, match="made by the simulator"):
        parse_home(data)


async def test_the_default_home_has_no_physics_and_no_new_entities() -> None:
    spec = load_home("single")
    assert spec.thermal.physics == "simple" and spec.weather.epw is None
    run = SimRun(spec)
    assert isinstance(run.home.rooms, SimpleRooms)
    ids = {i.entity_id for i in run.home.entities()}
    assert ids == {e.entity_id for _, e in spec.entities()}
    assert run.home.rooms.tick_seconds == TICK  # the tick every seeded history used
    await run.start_home()
    await run.run_until(0, 12)
    first = next(e for e in run.changes if e.data["entity_id"] == "sensor.outdoor_temperature")
    assert first.time_fired == run.start.timestamp() + TICK


def test_mqtt_discovery_announces_the_meters_state_class() -> None:
    run = Bare(rc_home())
    bridge = MqttBridge(run.hub, run.home, connection=None)  # type: ignore[arg-type]
    infos = {i.entity_id: i for i in run.home.entities()}
    energy = bridge.discovery_config(infos[ENERGY], "Living room heat pump")
    assert (energy["dev_cla"], energy["unit_of_meas"], energy["stat_cla"]) == (
        "energy",
        "kWh",
        "total_increasing",
    )
    power = bridge.discovery_config(infos[POWER], "Living room heat pump")
    assert (power["dev_cla"], power["unit_of_meas"], power["stat_cla"]) == (
        "power",
        "kW",
        "measurement",
    )
    # the temperature sensors announce themselves as before
    outdoor = bridge.discovery_config(infos["sensor.outdoor_temperature"], "Outdoor sensor")
    assert outdoor["stat_cla"] == "measurement"


async def test_a_bad_epw_file_stops_the_component_set_up_counted(tmp_path: Path) -> None:
    (tmp_path / "broken.epw").write_text(epw_text(temperature=lambda h: 99.9 if h == 0 else 4))
    home = tmp_path / "home.yaml"
    home.write_text(yaml.safe_dump(single(weather={"epw": "broken.epw"})))
    clock = SimulatedClock(datetime.fromisoformat("2026-01-05T00:00:00+01:00"))
    hub = Hub(load_config(tmp_path), clock)
    with pytest.raises(ConfigError) as info:
        await async_setup(hub, SetupOptions(home=str(home), record=False))
    assert info.value.path == str(tmp_path / "broken.epw") and info.value.line == 9
    assert "dry-bulb temperature (field 7) is 99.9" in str(info.value)
    assert hub.health.counts["config_errors"] == 1
