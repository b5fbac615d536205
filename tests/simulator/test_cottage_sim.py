"""The simulated off-grid cottage (integrations/simulator/cottage.py): its plant on its own
(battery, PV, room, loads, unserved energy) and on a hub with the hub's `cottage:` section
pointed at its entities, on a simulated clock."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.core import Hub, Origin, SimulatedClock
from hearthmind.integrations.simulator import thermal
from hearthmind.integrations.simulator.cottage import (
    DATA_KEY,
    STEP,
    CottagePlant,
    CottageSimulatorConfig,
)
from hearthmind.integrations.simulator.outdoor import SyntheticWeather

pytestmark = pytest.mark.timeout(300)

START = datetime(2026, 3, 2, tzinfo=UTC)
DT = STEP.total_seconds()


def plant(**kw: object) -> CottagePlant:
    cfg = CottageSimulatorConfig.model_validate(kw)
    weather = SyntheticWeather(cfg.weather, 52.37, 4.89, f"{cfg.seed}:weather")
    room = thermal.RoomPhysics(max_heat_kw=cfg.heat_pump_kw, air=cfg.room_start_c, mass=16.0)
    return CottagePlant(cfg, weather, room, ZoneInfo("UTC"))


def at(hour: float, day: int = 0) -> float:
    return START.timestamp() + (day * 24 + hour) * 3600.0


def test_the_battery_follows_its_set_point_within_its_limits() -> None:
    p = plant(pv_kwp=20.0, battery_kw=3.0, initial_soc=0.5)
    p.s.heating = False
    noon = at(12)
    assert p.command(10.0, noon) == 3.0  # clipped to the inverter's power
    soc = p.s.soc_kwh
    s = p.step(noon)
    assert s.pv_kw - s.base_kw - s.tank_kw > 3.0  # surplus enough: the set-point holds
    assert s.battery_kw == pytest.approx(3.0)
    assert s.soc_kwh - soc == pytest.approx(3.0 * 0.25 * 0.95)
    p.command(1.0, noon + DT)
    s = p.step(noon + DT)
    assert s.battery_kw == pytest.approx(1.0) and s.curtailed_kw > 0  # the rest curtailed
    night = at(22)
    p.command(-0.2, night)
    soc = s.soc_kwh
    s = p.step(night)  # the inverter forms the grid: it covers the whole deficit
    use = s.base_kw + s.hp_kw + s.tank_kw + s.loads_kw
    assert use > 0.2 and s.battery_kw == pytest.approx(-use) and s.unserved_kw == 0.0
    assert s.soc_kwh - soc == pytest.approx(-use * 0.25 / 0.95)
    strict = plant(pv_kwp=20.0, battery_kw=3.0, strict_setpoint=True)
    strict.s.heating = False
    strict.command(-0.2, night)
    soc = strict.s.soc_kwh
    s = strict.step(night)
    assert s.battery_kw == pytest.approx(-0.2)
    assert s.soc_kwh - soc == pytest.approx(-0.2 * 0.25 / 0.95)
    assert s.unserved_kw > 0  # held back below the use: the rest is unserved
    p.command(-1.0, noon + 2 * DT)  # no charging: the PV beyond the use is curtailed
    s = p.step(noon + 2 * DT)
    assert s.battery_kw == 0.0 and s.curtailed_kw > 0
    p.s.soc_kwh = 0.01  # nearly empty: discharge stops at the bottom
    p.command(-3.0, night + DT)
    s = p.step(night + DT)
    assert s.soc_kwh == pytest.approx(0.0, abs=1e-9) and s.battery_kw > -0.1
    # an old command lapses: the inverter balances PV minus use by itself
    p.s.soc_kwh = 6.0
    s = p.step(night + 3 * 3600.0)
    assert s.battery_sp is None and s.unserved_kw == 0.0
    assert -s.battery_kw == pytest.approx(s.base_kw + s.hp_kw + s.tank_kw + s.loads_kw)


def test_pv_is_zero_at_night_and_positive_at_noon() -> None:
    p = plant(pv_kwp=6.0)
    assert p.step(at(0)).pv_kw == 0.0
    assert p.step(at(23)).pv_kw == 0.0
    noon = p.step(at(12)).pv_kw
    assert 0.5 < noon <= 6.0


def test_the_room_warms_toward_its_set_point_when_heated() -> None:
    p = plant(room_start_c=15.0, room_setpoint_c=21.0)
    seen = [p.room.air]
    for k in range(24):
        s = p.step(at(k / 4))
        seen.append(p.room.air)
        assert s.heat_kw <= 5.0 and s.hp_kw == pytest.approx(
            s.heat_kw / float(thermal.heat_pump_cop(s.outdoor))
        )
    assert seen[-1] > seen[0] + 2.0 and seen[-1] <= 21.0 + 0.05
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(seen))
    p.s.heating = False
    assert p.step(at(6)).heat_kw == 0.0


def test_a_load_turns_itself_off_after_its_duration() -> None:
    p = plant()
    p.start("washing_machine", at(10))
    kws = [p.step(at(10 + k / 4)).loads_kw for k in range(12)]
    assert kws[:8] == [0.8] * 8 and kws[8:] == [0.0] * 4  # two hours


def test_unserved_energy_only_increases_and_is_zero_when_covered() -> None:
    covered = plant(initial_soc=1.0, pv_kwp=6.0, battery_kwh=60.0)
    for k in range(4 * 24):
        covered.step(at(k / 4))
    assert covered.s.unserved_kwh == 0.0
    short = plant(initial_soc=0.02, pv_kwp=0.0, battery_kwh=2.0)
    seen = [short.step(at(k / 4)).unserved_kwh for k in range(4 * 24)]
    assert seen[-1] > 0.0 and all(b >= a for a, b in itertools.pairwise(seen))


def test_the_tank_is_drawn_and_reheated_never_below_mains() -> None:
    p = plant(tank_start_c=16.0, tank_setpoint_c=16.0, hot_water_kwh={7: 50.0})
    temps = [p.step(at(k / 4)).tank_c for k in range(4 * 9)]
    assert min(temps) == 15.0 and temps[31] == 15.0  # the 07 h draw empties it to mains


CONFIG = """
cottage_simulator:
  seed: 3
cottage:
  pv_power: sensor.cottage_sim_pv_power
  house_power: sensor.cottage_sim_house_power
  battery_soc: sensor.cottage_sim_battery_soc
  battery_setpoint: number.cottage_sim_battery_power
  room: climate.cottage_sim_living_room
  outdoor_temperature: sensor.cottage_sim_outdoor_temperature
  water_heater: water_heater.cottage_sim_tank
  loads:
    dishwasher: {switch: switch.cottage_sim_dishwasher, kw: 1.2, hours: 1, by: "21:00"}
    washing_machine: {switch: switch.cottage_sim_washing_machine, kw: 0.8, hours: 2}
"""


async def test_the_hubs_cottage_runs_the_simulated_cottage(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text(CONFIG)
    clock = SimulatedClock(START)
    hub: Hub = await async_setup_hub(
        tmp_path, SetupOptions(record=False), clock, components=["cottage_simulator", "cottage"]
    )
    sim = hub.data[DATA_KEY]
    unserved = []
    modes = set()
    for _ in range(4 * 36):  # a day and a half, 15 minutes at a time
        await clock.async_run_until(clock.now() + STEP)
        await hub.async_block_till_done()
        unserved.append(float(hub.states.require("sensor.cottage_sim_unserved_energy").state))
        plan = hub.states.get("sensor.cottage_plan")
        if plan is not None:
            modes.add(plan.state)
    plan = hub.states.require("sensor.cottage_plan")
    assert plan.attributes["reasons"] and "plan" in modes, modes
    assert all(b >= a for a, b in itertools.pairwise(unserved))
    battery = "number.cottage_sim_battery_power"
    assert sim.commanded[battery].origin is Origin.AUTOMATION
    assert hub.states.require(battery).attributes["control"] == "setpoint"
    assert sim.commanded["climate.cottage_sim_living_room"].origin is Origin.AUTOMATION
    assert sim.commanded["switch.cottage_sim_dishwasher"].origin is Origin.AUTOMATION
    assert hub.health["comfort_device_ignored"] == 0
    room = hub.states.require("climate.cottage_sim_living_room")
    assert 15.0 <= float(room.attributes["current_temperature"]) <= 25.0
    sensor = hub.states.require("sensor.cottage_sim_unserved_energy")
    assert sensor.attributes["state_class"] == "total_increasing"
    assert sensor.attributes["device_class"] == "energy"
    await hub.async_stop()


def test_the_same_seed_gives_the_same_cottage() -> None:
    def series(seed: int) -> list[tuple[float, float]]:
        p = plant(seed=seed)
        return [(s.base_kw, s.outdoor) for s in (p.step(at(k / 4)) for k in range(96))]

    assert series(1) == series(1) != series(2)
