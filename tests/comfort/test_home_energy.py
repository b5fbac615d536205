"""The hub's battery planner on real core parts: it publishes forecasts and a plan, sets the
battery through a service, and on nonsense or missing readings runs the safe rule, counted."""

from __future__ import annotations

from typing import Any

from hearthmind.comfort.home_energy import HomeEnergyConfig
from hearthmind.comfort.home_energy_controller import HomeEnergy
from hearthmind.core import Hub, Origin
from hearthmind.core.services import ServiceCall

CFG = HomeEnergyConfig(
    pv_power="sensor.pv_power",
    house_power="sensor.house_power",
    battery_soc="sensor.battery_soc",
    battery_setpoint="number.battery_charge_power",
)


def _hub() -> tuple[Hub, list[dict[str, Any]]]:
    hub = Hub()
    calls: list[dict[str, Any]] = []

    async def set_value(call: ServiceCall) -> None:
        calls.append({"entity_ids": call.entity_ids, **call.raw_data})

    hub.services.async_register("number", "set_value", set_value, needs_target=False)
    hub.states.async_set("number.battery_charge_power", "0", context=hub.context(Origin.SENSOR))
    return hub, calls


def _readings(hub: Hub, pv: str, use: str, soc: str) -> None:
    for entity_id, value in (
        ("sensor.pv_power", pv),
        ("sensor.house_power", use),
        ("sensor.battery_soc", soc),
    ):
        hub.states.async_set(entity_id, value, context=hub.context(Origin.SENSOR))


async def test_plan_forecasts_and_setpoint_are_published() -> None:
    hub, calls = _hub()
    he = HomeEnergy(hub, CFG)
    for h in range(30):
        _readings(hub, "3.0" if 10 <= h % 24 <= 15 else "0.0", "1.0", "50")
        plan = await he.async_tick()
    assert plan["mode"] == "mpc"
    state = hub.states.get("sensor.home_energy_pv_forecast")
    assert state is not None and len(state.attributes["forecast"]) == 24
    assert hub.states.get("sensor.home_energy_plan") is not None
    assert calls and "value" in calls[-1]


async def test_nonsense_battery_and_missing_reading_use_the_rule_and_are_counted() -> None:
    hub, _ = _hub()
    he = HomeEnergy(hub, CFG)
    _readings(hub, "0.0", "1.0", "50")
    await he.async_tick()
    _readings(hub, "0.0", "1.0", "250")  # 250 %: nonsense
    plan = await he.async_tick()
    assert plan["mode"] == "rule"
    assert hub.health["comfort_battery_nonsense"] == 1
    _readings(hub, "unavailable", "1.0", "50")
    plan = await he.async_tick()
    assert plan["mode"] == "rule" and hub.health["comfort_missing_reading"] == 1
