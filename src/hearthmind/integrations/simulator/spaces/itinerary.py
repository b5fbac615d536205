"""Where each simulated person is, when: their days as a list of planned stays.

Workdays: home, their own car (30-45 minutes), a hot desk at the office (booked in the morning
by most, taken on walking in by the rest), now and then a meeting room, the car home.
Weekends at home. Twice a month (once a week in a short run) a three-day trip: a rental car
booked days ahead, two nights in a hotel room booked days ahead, and home again. The plan is
drawn from the person's own random stream, so profiles on and off live the same days."""

from __future__ import annotations

import random
from dataclasses import dataclass

DAY = 86400.0
HOUR = 3600.0
MINUTE = 60.0


@dataclass
class PlannedStay:
    person: str
    place: str  # "home", "car", "desk", "meeting", "hotel", "rental"
    start: float
    end: float
    known_at: float | None = None  # when the space learns of the arrival (booking, ETA)
    eta_home: bool = False  # a car trip that ends at home: the car tells the home
    offline: bool = False  # the car loses its connection on this trip
    hint_home: bool = False  # leaving the office: a hint for the home
    area_id: str = ""  # filled when the world assigns a room, desk or car


def plan_days(
    person: str,
    rng: random.Random,
    start: float,
    days: int,
    warmup_days: int,
    trips: int,
    offline_rate: float,
) -> list[PlannedStay]:
    """Stays from `start` for `warmup_days + days` days, starting and ending at home."""
    total = warmup_days + days
    trip_days: set[int] = set()
    candidates = [d for d in range(warmup_days, total - 3) if d % 7 in (0, 1, 2)]
    rng.shuffle(candidates)
    for day in candidates:
        if len(trip_days) >= trips * 3:
            break
        span = {day, day + 1, day + 2}
        if not span & trip_days and not {day - 1, day + 3} & trip_days:
            trip_days |= span
    stays: list[PlannedStay] = []
    home_from = start
    d = 0
    while d < total:
        t0 = start + d * DAY
        if d in trip_days:
            home_from = _trip(person, rng, t0, stays, home_from)
            d += 3
            continue
        if d % 7 < 5:  # a workday
            home_from = _workday(person, rng, t0, stays, home_from, offline_rate)
        d += 1
    stays.append(PlannedStay(person, "home", home_from, start + total * DAY))
    return stays


def _workday(
    person: str,
    rng: random.Random,
    t0: float,
    stays: list[PlannedStay],
    home_from: float,
    offline_rate: float,
) -> float:
    leave = t0 + 7.75 * HOUR + rng.gauss(0, 8) * MINUTE
    drive = rng.uniform(30, 45) * MINUTE
    stays.append(PlannedStay(person, "home", home_from, leave))
    stays.append(PlannedStay(person, "car", leave, leave + drive, known_at=leave))
    arrive = leave + drive + 5 * MINUTE
    booked = rng.random() < 0.7
    back = t0 + 17.0 * HOUR + rng.gauss(0, 15) * MINUTE
    stays.append(
        PlannedStay(
            person, "desk", arrive, back, known_at=t0 + 7 * HOUR if booked else None, hint_home=True
        )
    )
    if rng.random() < 0.3:
        meet = t0 + 14 * HOUR
        stays.append(PlannedStay(person, "meeting", meet, meet + HOUR, known_at=t0 + 9 * HOUR))
    drive_home = rng.uniform(30, 45) * MINUTE
    stays.append(
        PlannedStay(
            person,
            "car",
            back + 5 * MINUTE,
            back + 5 * MINUTE + drive_home,
            known_at=back + 5 * MINUTE,
            eta_home=True,
            offline=rng.random() < offline_rate,
        )
    )
    return back + 5 * MINUTE + drive_home


def _trip(
    person: str, rng: random.Random, t0: float, stays: list[PlannedStay], home_from: float
) -> float:
    booked_at = t0 - rng.uniform(3, 10) * DAY
    leave = t0 + 8 * HOUR
    stays.append(PlannedStay(person, "home", home_from, leave))
    pickup = t0 + 13 * HOUR + rng.uniform(0, 60) * MINUTE
    stays.append(PlannedStay(person, "rental", pickup, pickup + HOUR, known_at=booked_at))
    check_in = t0 + 18 * HOUR + rng.gauss(0, 40) * MINUTE
    check_out = t0 + 2 * DAY + 7.75 * HOUR
    stays.append(PlannedStay(person, "hotel", check_in, check_out, known_at=booked_at))
    for day in (1,):
        out = t0 + day * DAY + 8.5 * HOUR
        stays.append(PlannedStay(person, "rental", out, out + 45 * MINUTE, known_at=out))
        back = t0 + day * DAY + 17.5 * HOUR
        stays.append(PlannedStay(person, "rental", back, back + 45 * MINUTE, known_at=back))
    last = check_out + 15 * MINUTE
    stays.append(PlannedStay(person, "rental", last, last + HOUR, known_at=last))
    return t0 + 2 * DAY + 13 * HOUR
