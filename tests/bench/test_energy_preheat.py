"""The per-room pre-heating bench (bench/energy_preheat*.py): the rooms add up to the one-room
house, interior walls move heat from warm rooms to cold ones, per-room presence adds up to the
home's, and a short run gives the figures the report and the plot read."""

from __future__ import annotations

import math
import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from energy_preheat import (
    FIRST,
    PREFERRED,
    SETBACK,
    TICKS,
    awake_spans,
    expected_floor,
    occupancy,
    room_occupancy,
    run_preheat,
)
from energy_preheat_house import HousePhysics, indoor_rooms
from energy_preheat_rooms import simulate_rooms
from hearthmind.comfort.thermal import RoomModelKeeper
from hearthmind.integrations.simulator.spec import load_home
from hearthmind.integrations.simulator.thermal import EpwWeather, RoomPhysics

TUNING = {"occupied_share": 0.3, "margin": 0.5}


def winter(hours: int = 8760) -> EpwWeather:
    """A made-up year of winter: -2..8 C over each day, sun around midday."""
    h = np.arange(hours)
    outdoor = 3.0 - 5.0 * np.cos(2 * np.pi * (h % 24) / 24) + np.sin(h / 97.0)
    ghi = np.where((h % 24 >= 9) & (h % 24 <= 15), 300.0, 0.0)
    return EpwWeather("made-up winter", 52.0, outdoor.astype(float), ghi.astype(float))


def write_epw(path: Path, weather: EpwWeather) -> Path:
    """``weather`` as an EPW file: 8 header lines, a row an hour (field 7 dry-bulb, 14 GHI)."""
    head = [
        "LOCATION,Testville,NA,NLD,Test,000000,52.0,4.9,1.0,0.0",
        "DESIGN CONDITIONS,0",
        "TYPICAL/EXTREME PERIODS,0",
        "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
        "COMMENTS 1,written by a test",
        "COMMENTS 2,",
        "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31",
    ]
    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    rows, hour = [], 0
    for month, length in enumerate(days, start=1):
        for day in range(1, length + 1):
            for h in range(1, 25):
                fields = ["1999", str(month), str(day), str(h), "0", "?"] + ["0"] * 29
                fields[6] = f"{weather.outdoor_c[hour]:.3f}"
                fields[13] = f"{weather.ghi_w_m2[hour]:.1f}"
                rows.append(",".join(fields))
                hour += 1
    path.write_text("\n".join(head + rows) + "\n")
    return path


def test_one_room_house_steps_as_room_physics() -> None:
    room = RoomPhysics(air=18.0, mass=17.0)
    house = HousePhysics.split(["all"], [False], RoomPhysics(air=18.0, mass=17.0))
    for k in range(500):
        q = 6.0 if k % 7 < 3 else 0.0
        room.step(-3.0 + k % 5, q, 150.0 * (k % 3), hours=1 / TICKS, substeps=1)
        house.step(-3.0 + k % 5, np.array([q]), 150.0 * (k % 3), 1 / TICKS)
        assert house.air[0] == room.air and house.mass[0] == room.mass


def test_identical_rooms_on_one_setpoint_are_the_one_room_house() -> None:
    """Five windowed rooms on the fixed schedule: the same electricity and, in every room,
    the same temperature as the one-room house on that schedule."""
    weather = winter()
    hours = list(range(8760 - 4 * 24, 8760))  # four December days, sun and night setback
    days = 31 + 1
    quiet = np.zeros((1, days * 24 * TICKS), dtype=bool)
    # the one-room house: the single-zone bench's run (it steps as RoomPhysics, test above)
    whole = HousePhysics.split(["house"], [False])
    one = simulate_rooms(quiet, weather, hours, 27, "fixed", [RoomModelKeeper()], whole, TUNING)
    rooms = ["a", "b", "c", "d", "e"]
    house = HousePhysics.split(rooms, [False] * 5)
    keepers = [RoomModelKeeper() for _ in rooms]
    occ = np.zeros((5, days * 24 * TICKS), dtype=bool)
    zoned = simulate_rooms(occ, weather, hours, 27, "fixed", keepers, house, TUNING)
    assert zoned.energy_kwh == pytest.approx(one.energy_kwh, rel=1e-9)
    assert one.energy_kwh > 10  # the thermostat did heat
    temps = np.array(zoned.temps)
    for i in range(5):
        np.testing.assert_allclose(temps[:, i], np.array(one.temps)[:, 0], rtol=0, atol=1e-9)
    assert np.allclose(zoned.heat_kwh, zoned.heat_kwh[0])


def test_the_split_keeps_the_house_whole() -> None:
    spec = load_home("family")
    house = HousePhysics.for_home(spec)
    one = RoomPhysics()
    n = len(house.rooms)
    assert house.c_air * n == pytest.approx(one.c_air)
    assert house.c_mass * n == pytest.approx(one.c_mass)
    assert n / house.r_out == pytest.approx(1 / one.r_out)
    assert house.max_heat_kw * n == pytest.approx(one.max_heat_kw)
    assert house.aperture.sum() == pytest.approx(one.solar_aperture_m2)
    dark = {a.id for a in spec.areas if a.windowless}
    for room, aperture in zip(house.rooms, house.aperture, strict=True):
        assert (aperture == 0) == (room in dark)


def test_interior_walls_move_heat_from_warm_to_cold() -> None:
    house = HousePhysics.split(["warm", "cold", "mild"], [False] * 3, interior_factor=1.0)
    house.air = np.array([24.0, 14.0, 19.0])
    house.mass = house.air.copy()
    flow = house.exchange_kw()
    assert flow[0] < 0 < flow[1]
    assert flow.sum() == pytest.approx(0.0, abs=1e-12)
    apart = house.copy()
    apart.interior_factor = 0.0
    assert not apart.exchange_kw().any()
    for _ in range(TICKS):
        house.step(5.0, np.zeros(3), 0.0, 1 / TICKS)
        apart.step(5.0, np.zeros(3), 0.0, 1 / TICKS)
    assert house.air[0] < apart.air[0] and house.air[1] > apart.air[1]
    # the walls neither make nor lose heat: the house holds what it would without them
    held = house.c_air * house.air.sum() + house.c_mass * house.mass.sum()
    held_apart = apart.c_air * apart.air.sum() + apart.c_mass * apart.mass.sum()
    assert held == pytest.approx(held_apart, abs=1e-9)


def test_rooms_are_the_areas_people_use() -> None:
    for home in ("single", "couple", "family"):
        spec = load_home(home)
        rooms = indoor_rooms(spec)
        assert rooms == [a.id for a in spec.areas if a.id != "garden"]
        assert all(r.bedroom in rooms for r in spec.residents)


def test_room_presence_adds_up_to_the_home() -> None:
    days = 5
    spec = load_home("family")
    rooms = indoor_rooms(spec)
    per = room_occupancy("family", FIRST, days, 11, rooms)
    home = occupancy("family", FIRST, days, 11)
    union = np.logical_or.reduce([per[r] for r in rooms])
    np.testing.assert_array_equal(union, home)
    assert per["kitchen"].any() and per["living_room"].any()
    # one resident is in one room at a time: their spans never overlap
    single = room_occupancy("single", FIRST, days, 11, indoor_rooms(load_home("single")))
    assert np.stack(list(single.values())).sum(axis=0).max() == 1
    assert sum(hi - lo for _, lo, hi in awake_spans("single", FIRST, days, 11)) == sum(
        int(v.sum()) for v in single.values()
    )


def test_nobody_is_awake_in_a_room_at_four() -> None:
    days = 7
    per = room_occupancy("couple", FIRST, days, 11, indoor_rooms(load_home("couple")))
    at_four = [d * 24 * TICKS + 4 * TICKS for d in range(days)]
    assert not any(v[at_four].any() for v in per.values())
    kitchen_days = {
        FIRST + timedelta(days=int(t) // (24 * TICKS)) for t in np.flatnonzero(per["kitchen"])
    }
    assert len(kitchen_days) >= days - 1  # someone eats at home most days


def test_a_quick_run_gives_the_report_and_the_plot(tmp_path: Path) -> None:
    epw = write_epw(tmp_path / "winter.epw", winter())
    r = run_preheat(epw, True, 11, homes=("single",), tuning=TUNING, interior_factor=1.0)
    assert r["zones"] == "rooms" and r["days"] == 7 and r["interior_factor"] == 1.0
    assert r["rooms"]["single"] == indoor_rooms(load_home("single"))
    home = r["by_home"]["single"]
    assert set(home["by_room"]) == set(r["rooms"]["single"])
    assert home["discomfort_hours"]["ours"] == r["discomfort_hours"]
    assert (
        sum(v["discomfort_hours"]["fixed"] for v in home["by_room"].values())
        == (r["baseline_discomfort_hours"])
    )
    assert r["energy_kwh"]["fixed"] > 0 and math.isfinite(r["energy_saving"])
    one = r["single_zone"]
    assert {"energy_saving", "discomfort_hours", "baseline_discomfort_hours"} <= set(one)
    assert len(r["series"]["single:ours"]) == 168 == len(r["series"]["single:occupied"])
    assert r["series_room"] == {"single": "living_room"}
    house = run_preheat(epw, True, 11, zones="house", homes=("single",), tuning=TUNING)
    assert house["zones"] == "house"
    assert house["energy_kwh"] == pytest.approx(one["energy_kwh"])
    assert house["discomfort_hours"] == one["discomfort_hours"]


def test_the_floor_is_warm_when_they_come_with_warm_ahead() -> None:
    """People in the room 07:00-08:00 every day: the floor is the end-of-hour temperature, so
    the hub's rule (warm_ahead 1) asks for warmth by 07:00, the bench's old one by 08:00."""
    hist = np.zeros((40, 24), dtype=bool)
    hist[:, 7] = True
    day = FIRST + timedelta(days=30)
    late = expected_floor(30, day, 0, hist, {**TUNING, "warm_ahead": 0})
    early = expected_floor(30, day, 0, hist, {**TUNING, "warm_ahead": 1})
    warm = PREFERRED - TUNING["margin"]
    assert list(np.flatnonzero(late == warm)) == [7]
    assert list(np.flatnonzero(early == warm)) == [6, 7]
    assert (late[late != warm] == SETBACK).all() and (early[early != warm] == SETBACK).all()
