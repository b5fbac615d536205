"""The off-grid cottage in the hub (comfort/cottage_component.py) on real core parts: a hub on
a simulated clock (the recorder off, or on a real SQLite file), a room with 1R1C physics
behind a thermostat, a tank, a battery and a dishwasher whose states the test reports. The
plan is published with its reasons, the devices are commanded with an automation Context, a
load starts by its deadline, and each bad input puts the hour on the safe rule, counted."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.comfort import cottage_controller
from hearthmind.comfort.cottage_component import CottageConfig, CottageLoad, get_cottage
from hearthmind.comfort.cottage_controller import Cottage
from hearthmind.comfort.lp import SolverError
from hearthmind.core import Context, HearthmindError, Hub, Origin, SimulatedClock

pytestmark = pytest.mark.timeout(300)

START = datetime(2026, 3, 2, tzinfo=UTC)
ROOM, TANK, BATTERY, DISHWASHER = (
    "climate.living_room",
    "water_heater.tank",
    "number.battery_power",
    "switch.dishwasher",
)
CFG = CottageConfig(
    pv_power="sensor.pv_power",
    house_power="sensor.house_power",
    battery_soc="sensor.battery_soc",
    battery_setpoint=BATTERY,
    room=ROOM,
    outdoor_temperature="sensor.outdoor_temperature",
    water_heater=TANK,
    loads={"dishwasher": CottageLoad(switch=DISHWASHER, kw=1.2, hours=1)},
)
R, C, HEAT_KW = 5.0, 3.0, 5.0  # the room: K/kW, kWh/K, the heat pump's output


@dataclass
class Place:
    """The cottage's devices as the test runs them; commands are kept with their Context."""

    hub: Hub
    clock: SimulatedClock
    room: float = 19.0
    heating: bool = False
    soc_pct: str = "50"
    pv_kw: float | None = None  # None: a sunny day's curve
    ignoring: set[str] = field(default_factory=set)
    commands: list[tuple[str, str, dict[str, Any], Context]] = field(default_factory=list)

    @property
    def cottage(self) -> Cottage:
        found = get_cottage(self.hub)
        assert found is not None
        return found

    async def handler(
        self, service: str, entity_id: str, data: Mapping[str, Any], ctx: Context
    ) -> None:
        self.commands.append((entity_id, service, dict(data), ctx))
        if entity_id in self.ignoring:
            return
        state = self.hub.states.get(entity_id)
        attrs = dict(state.attributes) if state is not None else {}
        value = state.state if state is not None else "off"
        if service == "set_temperature":
            attrs["temperature"] = data["temperature"]
        elif service == "set_value":
            value = str(data["value"])
        elif service in ("turn_on", "turn_off"):
            value = "on" if service == "turn_on" else "off"
        self.hub.states.async_set(entity_id, value, attrs, ctx)

    def sense(self) -> None:
        hour = self.clock.now().hour
        outdoor = 5.0 + 3.0 * math.sin(2 * math.pi * (hour - 9) / 24)
        pv = self.pv_kw
        if pv is None:
            pv = max(0.0, 4.0 * math.sin(math.pi * (hour - 7) / 10)) if 7 <= hour <= 17 else 0.0
        sensor = self.hub.context(Origin.SENSOR)
        for entity_id, value, attrs in (
            ("sensor.pv_power", f"{pv * 1000:.0f}", {"unit_of_measurement": "W"}),
            ("sensor.house_power", "0.5", {"unit_of_measurement": "kW"}),
            ("sensor.battery_soc", self.soc_pct, {"unit_of_measurement": "%"}),
            ("sensor.outdoor_temperature", f"{outdoor:.2f}", {"unit_of_measurement": "°C"}),
        ):
            self.hub.states.async_set(entity_id, value, attrs, sensor)
        self.report(sensor)

    def report(self, ctx: Context) -> None:
        old = self.hub.states.get(ROOM)
        attrs = dict(old.attributes) if old is not None else {"temperature": 20.0}
        attrs.update(current_temperature=round(self.room, 2))
        attrs["hvac_action"] = "heating" if self.heating else "idle"
        self.hub.states.async_set(ROOM, "heat", attrs, ctx)

    def physics(self) -> None:
        """The hour after the tick: the thermostat heats (on/off) toward its set-point."""
        state = self.hub.states.get(ROOM)
        assert state is not None
        setpoint = float(state.attributes["temperature"])
        outdoor = float(self.hub.states.get("sensor.outdoor_temperature").state)  # type: ignore[union-attr]
        self.heating = self.room < setpoint - 0.1
        self.room += ((outdoor - self.room) / R + (HEAT_KW if self.heating else 0.0)) / C

    async def hour(self) -> dict[str, Any]:
        """Sense, tick, an hour of physics, the clock one hour on."""
        self.sense()
        plan = await self.cottage.async_tick()
        self.physics()
        await self.clock.async_advance(timedelta(hours=1))
        return plan

    def add_devices(self) -> None:
        """The room's thermostat, the tank, the battery and the dishwasher, commanded here."""
        for entity_id, state, attrs in (
            (ROOM, "heat", {"temperature": 20.0, "current_temperature": 19.0}),
            (TANK, "eco", {"temperature": 55.0, "current_temperature": 55.0}),
            (BATTERY, "0", {}),
            (DISHWASHER, "off", {}),
        ):
            self.hub.states.async_set(entity_id, state, attrs, self.hub.context(Origin.SENSOR))
            self.hub.entities.async_add(entity_id, "test", self.handler)

    def told(self, entity_id: str) -> list[tuple[str, dict[str, Any], Context]]:
        return [(s, d, c) for e, s, d, c in self.commands if e == entity_id]


def place(cfg: CottageConfig = CFG) -> Place:
    clock = SimulatedClock(START)
    hub = Hub(clock=clock)
    from hearthmind.comfort.cottage_component import DATA_KEY

    hub.data[DATA_KEY] = Cottage(hub, cfg)
    p = Place(hub, clock)
    p.add_devices()
    return p


async def warm(p: Place, hours: int = 30) -> dict[str, Any]:
    """Long enough to learn the room (its model after a day of hours)."""
    plan: dict[str, Any] = {}
    for _ in range(hours):
        plan = await p.hour()
    return plan


def plan_state(hub: Hub) -> tuple[str, dict[str, Any]]:
    state = hub.states.get("sensor.cottage_plan")
    assert state is not None
    return state.state, dict(state.attributes)


async def test_the_plan_is_published_with_reasons_and_commands_carry_an_automation_context() -> (
    None
):
    p = place()
    first = await p.hour()
    assert first["mode"] == "rule" and "no room model yet" in first["reasons"][0]
    plan = await warm(p)
    assert plan["mode"] == "plan", plan["reasons"]
    state, attrs = plan_state(p.hub)
    assert state == "plan" and attrs["model"]["rows"] >= 24
    assert attrs["model"]["r_k_per_kw"] == pytest.approx(R, rel=0.3)
    assert len(attrs["hours"]) == 24 and {"heat_kw", "soc_kwh", "room_c"} <= set(attrs["hours"][0])
    assert any("the battery keeps" in r and "kWh for tonight" in r for r in attrs["reasons"])
    for name in ("pv_forecast", "load_forecast"):
        fc = p.hub.states.get(f"sensor.cottage_{name}")
        assert fc is not None and len(fc.attributes["forecast"]) == 24
        assert set(fc.attributes["forecast"][0]) == {"datetime", "value"}
    for entity_id in (BATTERY, ROOM, TANK):
        told = p.told(entity_id)
        assert told, entity_id
        assert all(ctx.origin is Origin.AUTOMATION for _, _, ctx in told)
    assert {s for s, _, _ in p.told(BATTERY)} == {"set_value"}
    assert p.hub.health["comfort_device_ignored"] == 0
    assert 16.0 <= p.room <= 24.5  # within a degree of its floors (the plan's set-back)


async def test_a_daily_load_starts_once_before_each_deadline_even_on_a_dark_day() -> None:
    cfg = CFG.model_copy(
        update={"loads": {"dishwasher": CottageLoad(switch=DISHWASHER, kw=1.2, by="21:00")}}
    )
    p = place(cfg)
    starts: list[float] = []  # hours since START
    for day in range(3):
        p.pv_kw = 0.0 if day == 2 else None  # the third day is dark: no surplus to wait for
        for _ in range(24):
            plan = await p.hour()
            if "dishwasher" in plan["starting"]:
                starts.append(p.clock.timestamp() / 3600 - START.timestamp() / 3600 - 1)
    assert all(p.told(DISHWASHER)), "commanded"
    ons = [c for s, _, c in p.told(DISHWASHER) if s == "turn_on"]
    assert len(ons) == len(starts) and all(c.origin is Origin.AUTOMATION for c in ons)
    for lo, hi in ((-1, 21), (21, 45), (45, 69)):  # one run between successive 21:00s
        assert len([t for t in starts if lo <= t < hi]) == 1, starts
    assert plan["mode"] == "plan"
    _, attrs = plan_state(p.hub)
    assert str(attrs["loads"]["dishwasher"]["deadline"]).endswith("21:00:00+00:00")


async def test_a_requested_load_on_the_rule_starts_at_its_last_hour() -> None:
    p = place()
    p.pv_kw = 0.0
    p.cottage.request(
        "dishwasher", (p.clock.now() + timedelta(hours=3)).strftime("%H:%M")
    )  # due 03:00
    hours, said = [], []
    for k in range(4):
        plan = await p.hour()
        if "dishwasher" in plan["starting"]:
            hours.append(k)
            said = plan["reasons"]
    assert hours == [2]  # 02:00: the last start that is done by 03:00 (no room model: rule)
    assert plan["mode"] == "rule"
    assert "the dishwasher starts now to be done by 03:00" in said
    with pytest.raises(HearthmindError):
        p.cottage.request("kettle", None)


async def test_each_bad_input_falls_back_to_the_rule_and_is_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = place()
    await warm(p)
    health = p.hub.health
    p.soc_pct = "250"  # a battery reporting nonsense
    assert (await p.hour())["mode"] == "rule"
    assert health["comfort_battery_nonsense"] == 1
    p.soc_pct = "50"
    assert (await p.hour())["mode"] == "plan"
    p.sense()
    p.hub.states.async_set("sensor.pv_power", "unavailable", {}, p.hub.context(Origin.SENSOR))
    plan = await p.cottage.async_tick()
    assert plan["mode"] == "rule" and health["comfort_missing_reading"] == 1
    assert "no usable PV power reading" in plan["reasons"][0]
    p.physics()
    await p.clock.async_advance(timedelta(hours=1))

    def timed_out(*args: Any, **kwargs: Any) -> Any:
        raise SolverError("HiGHS ended with Time limit reached")

    monkeypatch.setattr(cottage_controller, "plan_cottage", timed_out)
    plan = await p.hour()
    assert plan["mode"] == "rule" and health["comfort_solver_failed"] == 1
    assert "Time limit reached" in plan["reasons"][0]
    monkeypatch.undo()
    p.ignoring.add(BATTERY)  # a battery that takes commands and does nothing
    modes = [(await p.hour())["mode"] for _ in range(4)]
    assert "rule" in modes and health["comfort_device_ignored"] >= 1
    p.ignoring.clear()
    fallbacks = p.cottage.guard.fallbacks
    assert fallbacks >= 4 and plan_state(p.hub)[1]["fallbacks"] == fallbacks


async def test_an_error_inside_the_hour_still_starts_a_due_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = place()
    await warm(p)
    p.cottage.request("dishwasher", (p.clock.now() + timedelta(hours=1)).strftime("%H:%M"))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cottage_controller, "plan_cottage", broken)
    plan = await p.hour()
    assert plan["mode"] == "rule" and "ZeroDivisionError" in plan["reasons"][0]
    assert p.hub.health["comfort_errors"] == 1
    assert [s for s, _, _ in p.told(DISHWASHER)][-1] == "turn_on"  # not left undone
    assert p.told(ROOM)[-1][1]["temperature"] >= 17.0  # the room on its thermostat's floor


CONFIG = """
cottage:
  pv_power: sensor.pv_power
  house_power: sensor.house_power
  battery_soc: sensor.battery_soc
  battery_setpoint: number.battery_power
  room: climate.living_room
  outdoor_temperature: sensor.outdoor_temperature
  water_heater: water_heater.tank
  loads:
    dishwasher: {switch: switch.dishwasher, kw: 1.2, hours: 2}
"""


async def test_the_hub_ticks_it_hourly_with_the_recorder_and_its_services_run_a_load(
    tmp_path: Path,
) -> None:
    (tmp_path / "configuration.yaml").write_text(CONFIG)
    clock = SimulatedClock(START)
    hub = await async_setup_hub(tmp_path, SetupOptions(seed=1), clock, ["recorder", "cottage"])
    try:
        p = Place(hub, clock)
        p.add_devices()
        for _ in range(3):  # the hub's own hourly timer ticks the cottage
            p.sense()
            await clock.async_advance(timedelta(hours=1))
        state, attrs = plan_state(hub)
        assert state == "rule" and attrs["reasons"]  # no room model in an empty history
        assert hub.states.get("sensor.cottage_load_forecast") is not None
        ctx = hub.context(Origin.APP, "anna")
        out = await hub.services.async_call(
            "cottage", "run_load", {"load": "dishwasher"}, context=ctx
        )
        assert out["running_until"] is not None
        assert p.told(DISHWASHER)[-1][0] == "turn_on" and p.told(DISHWASHER)[-1][2] is ctx
        with pytest.raises(HearthmindError):
            await hub.services.async_call(
                "cottage", "request_load", {"load": "kettle"}, context=ctx
            )
        assert hub.health["cottage_unknown_load"] == 1
        await hub.services.async_call(
            "cottage", "request_load", {"load": "dishwasher", "by": "23:30"}, context=ctx
        )
        for _ in range(2):  # two hours on, its run is over: switched off
            p.sense()
            await clock.async_advance(timedelta(hours=1))
        assert p.told(DISHWASHER)[-1][0] == "turn_off"
        _, attrs = plan_state(hub)
        assert attrs["loads"]["dishwasher"]["running_until"] is None
    finally:
        await hub.async_stop()
