"""The hub's simulated data hall, supervised through services like any other controller:
set-points move, inlets stay in their band, and bad input (a missing sensor, a tripped
chiller, an IT spike) ends in safe set-points that are counted."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.comfort.datahall.component import DATA_KEY as SUPERVISOR
from hearthmind.core import Hub, Origin, SimulatedClock, SpaceKind
from hearthmind.integrations.simulator.datahall import DATA_KEY as HALL

START = datetime.fromisoformat("2026-07-01T00:00:00+00:00")
CONFIG = "datahall_simulator:\n  zones: 2\n  it_design_kw: 200\n  mean_outdoor_c: {t}\ndatahall:\n  it_design_kw: 200\n"


async def start_hub(tmp_path: Path, mean_outdoor_c: float = 13.0) -> tuple[Hub, SimulatedClock]:
    (tmp_path / "configuration.yaml").write_text(CONFIG.format(t=mean_outdoor_c))
    clock = SimulatedClock(START)
    hub = await async_setup_hub(
        tmp_path,
        SetupOptions(record=False),
        clock,
        components=["datahall_simulator", "datahall"],
    )
    return hub, clock


def inlets(hub: Hub) -> list[float]:
    return [
        float(hub.states.require(f"sensor.data_hall_zone_{z}_inlet_temperature").state)
        for z in (1, 2)
    ]


async def run_hours(hub: Hub, clock: SimulatedClock, hours: float) -> list[float]:
    seen: list[float] = []
    for _ in range(int(hours * 4)):
        await clock.async_run_until(clock.now() + timedelta(minutes=15))
        await hub.async_block_till_done()
        seen.extend(inlets(hub))
    return seen


async def test_the_simulated_hall_is_supervised(tmp_path: Path) -> None:
    hub, clock = await start_hub(tmp_path)
    assert hub.registries.spaces["data_hall"].kind is SpaceKind.DATA_HALL
    first_chw = hub.states.require("number.data_hall_chilled_water_setpoint")
    seen = await run_hours(hub, clock, 12)
    sup = hub.data[SUPERVISOR]
    assert sup.ticks >= 47
    state = hub.states.require("sensor.data_hall_supervisor")
    assert state.state in ("mpc", "rule")
    assert any("chilled water" in r for r in state.attributes["reasons"])
    chw = hub.states.require("number.data_hall_chilled_water_setpoint")
    sat = hub.states.require("number.data_hall_zone_1_supply_air_setpoint")
    assert chw.context.origin == Origin.AUTOMATION and sat.context.origin == Origin.AUTOMATION
    assert (chw.state, sat.state) != (first_chw.state, "18.0")
    assert float(sat.state) > 18.0  # the supply air is reset upwards from the plant's 18 C
    assert all(18.0 <= t <= 27.0 for t in seen[8:]), (min(seen), max(seen))
    await hub.async_stop()


async def test_a_missing_sensor_gives_safe_setpoints(tmp_path: Path) -> None:
    hub, clock = await start_hub(tmp_path)
    await run_hours(hub, clock, 1)
    hall = hub.data[HALL]
    hall.stop()  # the hall stops reporting and one of its sensors is gone
    hub.states.async_remove("sensor.data_hall_it_power", hub.context(Origin.SENSOR))
    await clock.async_run_until(clock.now() + timedelta(minutes=15))
    await hub.async_block_till_done()
    assert hub.states.require("sensor.data_hall_supervisor").state == "safe"
    assert hub.health["datahall_sensor_missing"] >= 1
    assert float(hub.states.require("number.data_hall_zone_1_supply_air_setpoint").state) == 19.0
    await hub.async_stop()


async def test_a_chiller_trip_in_a_cool_night_keeps_the_inlets_in_band(tmp_path: Path) -> None:
    hub, clock = await start_hub(tmp_path, mean_outdoor_c=2.0)
    await run_hours(hub, clock, 2)
    hub.data[HALL].trip_chiller()
    seen = await run_hours(hub, clock, 4)
    assert hub.states.require("sensor.data_hall_supervisor").state == "safe"
    assert hub.health["datahall_chiller_trip"] >= 1
    assert all(18.0 <= t <= 27.0 for t in seen), (min(seen), max(seen))
    await hub.async_stop()


async def test_an_it_spike_keeps_the_inlets_in_band(tmp_path: Path) -> None:
    hub, clock = await start_hub(tmp_path)
    await run_hours(hub, clock, 6)
    hub.data[HALL].spike_it(1.6)
    seen = await run_hours(hub, clock, 3)
    assert hub.health["datahall_it_spike"] >= 1
    assert all(18.0 <= t <= 27.0 for t in seen), (min(seen), max(seen))
    await hub.async_stop()
