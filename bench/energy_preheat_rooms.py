"""The pre-heating bench per room (zoned heating): each indoor room of a simulated home with its
own valve or heat pump, its own thermostat and, for ours, its own presence history and its
own fitted model (bench/energy_preheat.py says what is compared; energy_preheat_house.py
holds the rooms' physics).

A run of one home: December under the fixed schedule in every room, the recorder keeping each
room's hours (its air temperature, the heat its emitter gave, outdoor temperature, sun), a
RoomModelKeeper per room fitted on them; then January from the same state under each policy,
the keepers refitting daily on what they record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np

from energy_preheat import (
    COMFORT_FLOOR,
    DECEMBER,
    FIRST,
    TICKS,
    fixed_setpoint,
    hourly_presence,
    occupancy,
    plan_hour,
    room_occupancy,
)
from energy_preheat_house import HousePhysics, thermostat_hour
from hearthmind.comfort.thermal import RoomModelKeeper
from hearthmind.integrations.simulator.layout import Layout
from hearthmind.integrations.simulator.spec import load_home
from hearthmind.integrations.simulator.thermal import EpwWeather, heat_pump_cop

MIN_PRESENT_TICKS = 3  # a discomfort hour needs someone in the room 15 minutes of it


@dataclass
class RoomsRun:
    """What one policy did over the hours of a run, per room where it differs by room."""

    rooms: int
    energy_kwh: float = 0.0  # electricity, the whole house
    heat_kwh: np.ndarray = field(init=False)  # heat delivered, per room
    discomfort_hours: np.ndarray = field(init=False)  # per room
    temps: list[np.ndarray] = field(default_factory=list)  # end of each hour, per room
    setpoints: list[np.ndarray] = field(default_factory=list)
    fallbacks: int = 0

    def __post_init__(self) -> None:
        self.heat_kwh = np.zeros(self.rooms)
        self.discomfort_hours = np.zeros(self.rooms, dtype=int)


def simulate_rooms(
    occ: np.ndarray,
    weather: EpwWeather,
    hours: list[int],
    day0: int,
    policy: str,
    keepers: list[RoomModelKeeper],
    house: HousePhysics,
    tuning: dict[str, float],
) -> RoomsRun:
    """Run ``policy`` over the weather ``hours`` on ``house``; ``occ`` is rooms x ticks from
    FIRST, the hours start on day ``day0`` and the days before it are the history ours learns
    each room's presence from."""
    n = len(house.rooms)
    run = RoomsRun(n)
    hist = [hourly_presence(o) for o in occ]
    base = day0 * 24 * TICKS
    for k, h in enumerate(hours):
        d = day0 + k // 24
        day = FIRST + timedelta(days=d)
        hod = k % 24
        out, ghi = float(weather.outdoor_c[h]), float(weather.ghi_w_m2[h])
        present = occ[:, base + k * TICKS : base + (k + 1) * TICKS]
        if policy == "fixed":
            # a central programmable thermostat: one schedule for every valve
            setpoints = np.full(n, fixed_setpoint(day, hod))
        else:
            setpoints = np.empty(n)
            ahead = hours[k:] + hours[-1:] * 24
            for i in range(n):
                setpoints[i], solved = plan_hour(
                    d,
                    day,
                    hod,
                    ahead,
                    weather,
                    hist[i],
                    present[i],
                    float(house.air[i]),
                    house.max_heat_kw,
                    keepers[i].model,
                    tuning,
                )
                run.fallbacks += int(not solved)
        before = house.air.copy()
        heat, cold = thermostat_hour(house, setpoints, out, ghi, present, TICKS, COMFORT_FLOOR)
        run.energy_kwh += float(heat.sum()) / float(heat_pump_cop(out))
        run.heat_kwh += heat
        run.discomfort_hours += cold & (present.sum(axis=1) >= MIN_PRESENT_TICKS)
        run.temps.append(house.air.copy())
        run.setpoints.append(setpoints)
        for i, keeper in enumerate(keepers):
            # each room's recorder sees only its own room: the neighbours' heat through the
            # interior walls is not in its rows, as a real room's sensor and valve do not see it
            keeper.add(float(before[i]), out, float(heat[i]), ghi)
    return run


def rooms_home(
    home: str,
    weather: EpwWeather,
    jan_days: int,
    seed: int,
    tuning: dict[str, float],
    interior_factor: float,
) -> dict[str, Any]:
    """One home heated room by room: totals for both policies, per-room figures, and the
    first week of its living room (what the plot shows)."""
    spec = load_home(home)
    house = HousePhysics.for_home(spec, interior_factor)
    rooms = list(house.rooms)
    per_room = room_occupancy(home, FIRST, 31 + jan_days, seed, rooms)
    occ = np.stack([per_room[r] for r in rooms])
    keepers = [RoomModelKeeper() for _ in rooms]
    simulate_rooms(occ, weather, DECEMBER, 0, "fixed", keepers, house, tuning)
    for keeper in keepers:
        keeper.refit()
    jan = list(range(0, jan_days * 24))
    runs: dict[str, RoomsRun] = {}
    for policy in ("fixed", "ours"):
        copies = [RoomModelKeeper(rows=list(k.rows), model=k.model) for k in keepers]
        runs[policy] = simulate_rooms(occ, weather, jan, 31, policy, copies, house.copy(), tuning)
    shown = Layout(spec).living or rooms[0]
    i = rooms.index(shown)
    series: dict[str, Any] = {}
    for policy, run in runs.items():
        series[f"{home}:{policy}"] = [float(t[i]) for t in run.temps[:168]]
        series[f"{home}:{policy}:setpoint"] = [float(s[i]) for s in run.setpoints[:168]]
    jan_occ = occ[i, 31 * 24 * TICKS :]
    series[f"{home}:occupied"] = hourly_presence(jan_occ).ravel()[:168].tolist()
    models = [k.model.as_dict() if k.model else None for k in keepers]
    series[f"{home}:model"] = models[i]
    jan_present = hourly_presence(occ[:, 31 * 24 * TICKS :].reshape(-1)).reshape(len(rooms), -1)
    return {
        "energy_kwh": {p: r.energy_kwh for p, r in runs.items()},
        "discomfort_hours": {p: int(r.discomfort_hours.sum()) for p, r in runs.items()},
        "fallbacks": sum(r.fallbacks for r in runs.values()),
        "by_room": {
            room: {
                "heat_kwh": {p: round(float(r.heat_kwh[j]), 1) for p, r in runs.items()},
                "discomfort_hours": {p: int(r.discomfort_hours[j]) for p, r in runs.items()},
                "occupied_hours": int(jan_present[j].sum()),
                "model": models[j],
            }
            for j, room in enumerate(rooms)
        },
        "rooms": rooms,
        "series_room": shown,
        "series": series,
    }


def house_home(
    home: str, weather: EpwWeather, jan_days: int, seed: int, tuning: dict[str, float]
) -> dict[str, Any]:
    """One home heated as one room (the single-zone bench): December under the fixed schedule,
    then January under each policy from the same start, "someone home and awake" its presence.
    The one-room house steps as thermal.RoomPhysics does (tests/bench/test_energy_preheat.py),
    so this is the rooms' run with a single room."""
    occ = occupancy(home, FIRST, 31 + jan_days, seed)[None, :]
    house = HousePhysics.split(["house"], [False])
    keepers = [RoomModelKeeper()]
    # December: the fixed thermostat runs and the recorder keeps its hours
    simulate_rooms(occ, weather, DECEMBER, 0, "fixed", keepers, house, tuning)
    keepers[0].refit()
    jan = list(range(0, jan_days * 24))
    out: dict[str, Any] = {"energy_kwh": {}, "discomfort_hours": {}, "fallbacks": 0}
    series: dict[str, Any] = {}
    for policy in ("fixed", "ours"):
        copies = [RoomModelKeeper(rows=list(keepers[0].rows), model=keepers[0].model)]
        run = simulate_rooms(occ, weather, jan, 31, policy, copies, house.copy(), tuning)
        out["energy_kwh"][policy] = run.energy_kwh
        out["discomfort_hours"][policy] = int(run.discomfort_hours[0])
        out["fallbacks"] += run.fallbacks
        series[f"{home}:{policy}"] = [float(t[0]) for t in run.temps[:168]]
        series[f"{home}:{policy}:setpoint"] = [float(x[0]) for x in run.setpoints[:168]]
    series[f"{home}:occupied"] = hourly_presence(occ[0, 31 * 24 * TICKS :]).ravel()[:168].tolist()
    model = keepers[0].model
    series[f"{home}:model"] = model.as_dict() if model else None
    out["series"] = series
    return out
