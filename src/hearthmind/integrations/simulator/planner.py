"""Daily plans: what the household does today (trips, guests, who cooks, when dinner is), and
each resident's day as a list of `Step`s, varied from a seeded random generator.

Variation that matters for learning is real here: wake-up and bedtime drift from day to day
(an AR(1) walk plus daily noise), work days differ from weekends, some work days are spent
at home, people get ill for a few days, go on trips, have guests, forget a light."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from .day_builder import DayBuilder, chance, gauss
from .intentions import Step
from .layout import AWAY, Layout
from .spec import WEEKDAYS, HomeSpec, ResidentSpec, minutes_of


@dataclass
class ResidentStatus:
    """What carries over from one day to the next for a resident."""

    wake_drift: float = 0.0  # minutes, AR(1)
    bed_drift: float = 0.0
    sick_days: int = 0  # days of illness left, today included
    trip_days: int = 0  # days of a business trip left
    location: str = ""  # where the last plan left them (an area, or away)


@dataclass
class HouseholdDay:
    day: date
    weekend: bool
    trip: str = "none"  # none, leave, away, return
    trip_leave: float = 0.0  # minutes after local midnight
    trip_return: float = 0.0
    guests: tuple[float, float, int] | None = None  # arrive, leave, how many
    dinner: float = 18.75 * 60
    cook: str | None = None
    escort: str | None = None  # the adult who takes the children to school
    host: str | None = None  # the adult who lets guests in
    school_leave: float = 8 * 60
    sick: frozenset[str] = frozenset()
    on_trip: frozenset[str] = frozenset()  # residents away on a business trip
    labels: list[str] = field(default_factory=list)


def _holiday_factor(day: date) -> float:
    """Trips cluster in the summer holidays and around Christmas."""
    if day.month in (7, 8):
        return 5.0
    if (day.month == 12 and day.day >= 18) or (day.month == 10 and day.day >= 20):
        return 3.0
    return 1.0


class HouseholdPlanner:
    """Decides the household's day, then each resident's status (ill, away) for it."""

    def __init__(self, spec: HomeSpec, rng: random.Random) -> None:
        self.spec = spec
        self.rng = rng
        self.trip_days_left = 0
        self.trip_length = 0

    def plan(
        self, day: date, statuses: dict[str, ResidentStatus], rngs: dict[str, random.Random]
    ) -> HouseholdDay:
        rng = self.rng
        hh = self.spec.household
        weekday = day.weekday()
        plan = HouseholdDay(day, weekend=weekday >= 5)
        # trips away for everyone: start on a Friday or Saturday, last 2-9 days
        if self.trip_days_left > 0:
            self.trip_days_left -= 1
            plan.trip = "return" if self.trip_days_left == 0 else "away"
            plan.trip_return = gauss(rng, 16 * 60, 100, 11 * 60, 20 * 60)
        elif weekday in (4, 5) and chance(rng, hh.trip_rate * _holiday_factor(day)):
            summer = day.month in (7, 8)
            self.trip_days_left = int(
                gauss(rng, 10, 4, 5, 21) if summer else gauss(rng, 3.5, 2.0, 2, 9)
            )
            plan.trip = "leave"
            plan.trip_leave = gauss(
                rng, 17.5 * 60 if weekday == 4 else 10 * 60, 45, 9 * 60, 20 * 60
            )
        # illness and business trips, resident by resident (each with their own generator)
        sick: list[str] = []
        on_trip: list[str] = []
        for resident in self.spec.residents:
            status = statuses[resident.id]
            r = rngs[resident.id]
            sched = resident.schedule
            if status.sick_days > 0:
                status.sick_days -= 1
            if status.sick_days == 0 and chance(r, sched.sick_rate * (2.5 if weekday < 2 else 1)):
                status.sick_days = int(gauss(r, 2.0, 1.2, 1, 5))
            if status.sick_days > 0:
                sick.append(resident.id)
            if status.trip_days > 0:
                status.trip_days -= 1
            if (
                status.trip_days == 0
                and weekday == 0
                and sched.business_trip_rate
                and chance(r, sched.business_trip_rate)
            ):
                status.trip_days = int(gauss(r, 2.5, 1.0, 1, 4))
            if status.trip_days > 0:
                on_trip.append(resident.id)
        plan.sick = frozenset(sick)
        plan.on_trip = frozenset(on_trip)
        if plan.trip in ("leave", "return"):
            plan.labels.append(f"trip {plan.trip}")
        elif plan.trip == "away":
            plan.labels.append("trip away")
        adults = [
            r for r in self.spec.residents if not r.schedule.child and r.id not in plan.on_trip
        ]
        well = [r for r in adults if r.id not in plan.sick]
        # guests, more often on weekends
        p_guests = hh.guests_weekend if weekday >= 4 else hh.guests_weekday
        if plan.trip == "none" and well and chance(rng, p_guests):
            arrive = gauss(rng, 18.75 * 60, 40, 17 * 60, 20.5 * 60)
            leave = arrive + gauss(rng, 210, 50, 90, 330)
            plan.guests = (arrive, leave, int(gauss(rng, 2.5, 1.2, 1, 6)))
            plan.host = well[0].id
            plan.labels.append(f"{plan.guests[2]} guests")
        dinner = minutes_of(hh.dinner) + (30 if plan.weekend else 0)
        plan.dinner = gauss(rng, dinner - (20 if plan.guests else 0), 12, dinner - 60, dinner + 60)
        if well:
            weights = [max(0.01, r.schedule.cooks) for r in well]
            plan.cook = rng.choices([r.id for r in well], weights)[0]
        children = [r for r in self.spec.residents if r.schedule.child]
        if children and adults:
            workers = [r for r in adults if WEEKDAYS[weekday] in r.schedule.workdays]
            escort = (workers or adults)[rng.randrange(len(workers or adults))]
            plan.escort = escort.id
            plan.school_leave = gauss(rng, 8 * 60 + 5, 5, 7.75 * 60, 8.5 * 60)
        return plan


class ResidentPlanner:
    """One resident's day from the household's day and their own schedule."""

    def __init__(self, resident: ResidentSpec, layout: Layout, zone: ZoneInfo) -> None:
        self.resident = resident
        self.layout = layout
        self.zone = zone

    def plan(
        self, day: date, hh: HouseholdDay, status: ResidentStatus, rng: random.Random
    ) -> list[Step]:
        res = self.resident
        sched = res.schedule
        drift = sched.drift_minutes
        status.wake_drift = 0.7 * status.wake_drift + rng.gauss(0, drift * 0.7)
        status.bed_drift = 0.7 * status.bed_drift + rng.gauss(0, drift * 0.7)
        b = DayBuilder(res, self.layout, rng, self.zone, day, status.location or res.bedroom)
        workday = WEEKDAYS[day.weekday()] in sched.workdays
        away_at_start = b.where == AWAY
        if hh.trip == "away" or (away_at_start and (res.id in hh.on_trip or hh.trip == "leave")):
            status.location = AWAY
            return []
        sick = res.id in hh.sick
        weekend_like = not workday or sick
        wake = minutes_of(sched.wake_weekend if weekend_like else sched.wake)
        wake += status.wake_drift + rng.gauss(0, drift * 0.4) + (75 if sick else 0)
        bed = minutes_of(sched.bedtime_weekend if weekend_like else sched.bedtime)
        if bed < 12 * 60:
            bed += 24 * 60  # after midnight
        bed += status.bed_drift + rng.gauss(0, drift * 0.4) - (60 if sick else 0)
        bed = min(bed, 26.5 * 60)
        if away_at_start:
            # back from a trip: the day starts at the door
            back = (
                hh.trip_return if hh.trip == "return" else gauss(rng, 18 * 60, 90, 12 * 60, 22 * 60)
            )
            b.at(back)
            b.come_home("back from trip")
            b.wait(10, 5, 2, 30)
            self._evening(b, hh, rng, bed)
            status.location = b.where
            return b.steps
        b.wake(wake)
        if sick:
            self._sick_day(b, hh, rng)
        elif workday and res.id not in hh.on_trip:
            wfh = chance(rng, sched.work_from_home) or (
                hh.escort == res.id and any(c in hh.sick for c in self._children(hh))
            )
            self._work_day(b, hh, rng, wfh)
        elif res.id in hh.on_trip:
            # first day of a business trip: morning routine, then off
            b.bathroom(sched.shower == "morning")
            b.dress()
            b.breakfast()
            b.leave_home("business trip")
            status.location = AWAY
            return b.steps
        else:
            self._free_day(b, hh, rng)
        if hh.trip == "leave":
            b.at(hh.trip_leave + rng.uniform(-4, 4))
            b.leave_home("leave for trip")
            status.location = AWAY
            return b.steps
        self._evening(b, hh, rng, bed)
        status.location = b.where
        return b.steps

    def _children(self, hh: HouseholdDay) -> list[str]:
        return [r.id for r in self.layout.spec.residents if r.schedule.child]

    def _work_day(self, b: DayBuilder, hh: HouseholdDay, rng: random.Random, wfh: bool) -> None:
        sched = self.resident.schedule
        b.bathroom(sched.shower == "morning" and chance(rng, 0.9))
        b.dress()
        b.breakfast()
        escorts = hh.escort == self.resident.id and self._children(hh)
        if wfh:
            b.go(self.layout.office or self.layout.living, "work from home")
            b.stay(gauss(rng, 12.25 * 60, 20, 11.5 * 60, 13.25 * 60) - b.t, "work from home")
            b.go(self.layout.kitchen, "lunch")
            b.wait(30, 10, 10, 60)
            b.go(self.layout.office or self.layout.living, "work from home")
            b.stay(minutes_of(sched.back) - 30 + rng.gauss(0, 20) - b.t, "work from home")
            return
        if sched.child:
            leave = hh.school_leave + rng.uniform(-1, 2)
        elif escorts:
            leave = hh.school_leave
        else:
            leave = minutes_of(sched.leave) + rng.gauss(0, 7)
        if b.t < leave - 20:
            b.living("morning news", leave - b.t - 10, 0.15)
        b.at(leave)
        b.leave_home("go to school" if sched.child else "leave for work")
        back = minutes_of(sched.back) + rng.gauss(0, 20)
        if not sched.child and chance(rng, 0.08):
            back += rng.uniform(60, 200)  # drinks after work, a late meeting
        b.at(back)
        b.come_home("back from school" if sched.child else "back from work")

    def _sick_day(self, b: DayBuilder, hh: HouseholdDay, rng: random.Random) -> None:
        b.bathroom(False)
        for _ in range(rng.randint(2, 4)):
            b.go(self.layout.kitchen, "ill: tea")
            b.want(self.layout.role("kettle"), "on", "ill: tea")
            b.wait(8, 3, 3, 20)
            if chance(rng, 0.5):
                b.living("ill: sofa", gauss(rng, 90, 40, 20, 200), 0.7)
            else:
                b.go(self.resident.bedroom, "ill: rest")
                b.wait(120, 50, 30, 240)
        b.at(hh.dinner - 90)

    def _free_day(self, b: DayBuilder, hh: HouseholdDay, rng: random.Random) -> None:
        sched = self.resident.schedule
        b.bathroom(sched.shower == "morning" and chance(rng, 0.8))
        b.dress()
        b.breakfast(long=True)
        b.living("weekend morning", gauss(rng, 60, 30, 10, 150), sched.tv * 0.4)
        if hh.trip == "none" and chance(rng, sched.goes_out_weekend):
            b.at(gauss(rng, 12 * 60, 60, b.t, 15 * 60))
            b.leave_home("go out")
            b.wait(150, 60, 45, 300)
            b.come_home("back home")
        b.living("afternoon", gauss(rng, 60, 40, 10, 180), sched.tv * 0.5)

    def _evening(self, b: DayBuilder, hh: HouseholdDay, rng: random.Random, bed: float) -> None:
        sched = self.resident.schedule
        guests = hh.guests
        if guests is not None:
            bed = max(bed, guests[1] + rng.uniform(10, 40))
        free_until = hh.dinner - (45 if hh.cook == self.resident.id else 30)
        if b.t < free_until - 45:
            # home early (school, a short day, back from a trip): the afternoon at home
            if sched.child and chance(rng, 0.6):
                b.go(self.resident.bedroom, "homework")
                b.stay(min(free_until - 20, b.t + gauss(rng, 60, 20, 20, 120)) - b.t, "homework")
            if b.t < free_until - 20:
                b.living("afternoon", free_until - 20 - b.t, sched.tv * 0.6)
        if hh.cook == self.resident.id:
            b.cook(hh.dinner)
        elif b.t < hh.dinner - 30:
            b.living("evening", hh.dinner - 30 - b.t + rng.uniform(0, 20), sched.tv * 0.5)
        host = guests is not None and hh.host == self.resident.id
        if guests is not None and host:
            # the host lets the guests in (the door sensor opens as they arrive)
            b.at(guests[0] - rng.uniform(1, 3))
            b.go(self.layout.hallway, "welcome guests")
            b.want(self.layout.role("front_lock"), "unlocked", "welcome guests")
            b.at(guests[0] + rng.uniform(1, 3))
        elif guests is not None and not sched.child and b.t < guests[0]:
            b.at(guests[0])
        b.dinner(hh.dinner, guests is not None)
        if chance(rng, 0.35):
            b.want(self.layout.role("kettle"), "on", "tea after dinner")
        if guests is not None and b.t < guests[1] - 15:
            b.living("with guests", guests[1] - 5 - b.t, 0.0)
            if host:
                b.at(guests[1] - rng.uniform(1, 3))
                b.go(self.layout.hallway, "see guests off")
                b.at(guests[1] + rng.uniform(1, 3))
        minutes = bed - b.t - 20
        if minutes > 10:
            tv = 0.0 if guests is not None else sched.tv
            b.living("evening", minutes, tv)
        b.bedtime(bed - 10, last_check=True)
