"""`DayBuilder`: one resident's day written as `Step`s along a time cursor (minutes after local
midnight): go to a room, stay, want a device in a state (sometimes forgetting), leave home,
come back; and the everyday routines made of them (waking, bathroom, breakfast, cooking,
bedtime). The planner (planner.py) decides which of these a day holds and when."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .intentions import Condition, Step, Want
from .layout import AWAY, Layout
from .spec import ResidentSpec


def gauss(rng: random.Random, mean: float, sd: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, rng.gauss(mean, sd)))


def chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


class DayBuilder:
    """Builds one resident's steps along a time cursor (minutes after local midnight)."""

    def __init__(
        self,
        resident: ResidentSpec,
        layout: Layout,
        rng: random.Random,
        zone: ZoneInfo,
        day: date,
        location: str,
    ) -> None:
        self.resident = resident
        self.layout = layout
        self.rng = rng
        self.steps: list[Step] = []
        self.where = location
        self.t = 4 * 60.0
        self._midnight = datetime.combine(day, time(0), zone)
        self._zone = zone
        self.day = day

    # -- time -------------------------------------------------------------------------------

    def epoch(self, minutes: float) -> float:
        # wall-clock minutes after local midnight, through the zone (daylight saving safe)
        naive = datetime.combine(self.day, time(0)) + timedelta(minutes=minutes)
        return naive.replace(tzinfo=self._zone).timestamp()

    def at(self, minutes: float) -> None:
        self.t = max(self.t, minutes)

    def stay(self, minutes: float, activity: str) -> None:
        """Stay in the room for `minutes`, switching the light on if dusk falls meanwhile."""
        end = self.t + max(0.0, minutes)
        light = self.layout.light(self.where)
        while light is not None and end - self.t > 40:
            self.t += self.rng.uniform(25, 40)
            self.want(light, "on", activity, "dusk")
        self.t = max(self.t, end)

    def wait(self, mean: float, sd: float, lo: float = 0.5, hi: float | None = None) -> None:
        self.t += gauss(self.rng, mean, sd, lo, hi if hi is not None else mean * 3 + 1)

    def seconds(self, lo: float, hi: float) -> None:
        self.t += self.rng.uniform(lo, hi) / 60

    # -- steps ------------------------------------------------------------------------------

    def want(
        self,
        entity_id: str | None,
        target: str,
        activity: str,
        when: Condition = "always",
        forget: float = 0.0,
    ) -> None:
        if entity_id is None or (forget and chance(self.rng, forget)):
            return
        self.steps.append(Step(self.epoch(self.t), activity, want=Want(entity_id, target, when)))
        self.seconds(2, 9)

    def go(self, area: str | None, activity: str, lights: bool = True) -> None:
        """Walk to `area`, switching off behind you (unless you forget) and on ahead if dark."""
        if area is None or area == self.where:
            return
        if self.where and self.where != AWAY:
            self.leave_room(activity)
        self.steps.append(Step(self.epoch(self.t), activity, move=area))
        self.where = area
        self.seconds(3, 12)
        if lights:
            self.want(self.layout.light(area), "on", activity, "dark")

    def leave_room(self, activity: str) -> None:
        area = self.where
        tv = self.layout.tv(area)
        if tv is not None:
            self.want(tv, "off", activity, "alone", forget=0.05)
        for light in self.layout.lights(area):
            self.want(light, "off", activity, "alone", forget=0.07)

    def leave_home(self, activity: str, lock: bool = True) -> None:
        self.go(self.layout.hallway, activity)
        self.want(self.layout.role("front_lock"), "unlocked", activity)
        if self.layout.hallway:
            self.leave_room(activity)
        self.steps.append(Step(self.epoch(self.t), activity, move=AWAY))
        self.where = AWAY
        self.seconds(10, 40)
        if lock:
            self.want(self.layout.role("front_lock"), "locked", activity, "last_out", forget=0.04)
        if self.layout.thermostat and not self.resident.schedule.child:
            self.want(
                self.layout.thermostat,
                f"{self.layout.spec.thermal.away:.1f}",
                activity,
                "last_out",
                forget=0.35,
            )

    def come_home(self, activity: str, comfort: bool = True) -> None:
        self.want(self.layout.role("front_lock"), "unlocked", activity)
        self.steps.append(
            Step(self.epoch(self.t), activity, move=self.layout.hallway or self.resident.bedroom)
        )
        self.where = self.layout.hallway or self.resident.bedroom
        self.seconds(4, 15)
        self.want(self.layout.light(self.where), "on", activity, "dark")
        if comfort and self.layout.thermostat and not self.resident.schedule.child:
            self.want(self.layout.thermostat, f"{self.layout.spec.thermal.comfort:.1f}", activity)

    # -- routines ---------------------------------------------------------------------------

    def wake(self, minutes: float, activity: str = "wake up") -> None:
        self.at(minutes)
        self.go(self.resident.bedroom, activity, lights=False)
        self.want(self.layout.light(self.resident.bedroom), "on", activity, "dark")
        self.wait(3, 2, 1, 10)
        if self.layout.thermostat and not self.resident.schedule.child:
            self.want(self.layout.thermostat, f"{self.layout.spec.thermal.comfort:.1f}", activity)

    def bathroom(self, shower: bool) -> None:
        activity = "shower" if shower else "bathroom"
        self.go(self.layout.bathroom, activity)
        if shower:
            fan = self.layout.role("shower_fan")
            self.want(fan, "on", activity)
            self.wait(12, 4, 5, 30)
            self.want(fan, "off", activity, forget=0.15)
        else:
            self.wait(4, 2, 1, 12)

    def dress(self) -> None:
        self.go(self.resident.bedroom, "get dressed")
        self.wait(6, 3, 2, 15)
        self.want(self.layout.cover(self.resident.bedroom), "open", "get dressed", forget=0.1)

    def breakfast(self, long: bool = False) -> None:
        sched = self.resident.schedule
        self.go(self.layout.kitchen, "breakfast")
        if chance(self.rng, sched.coffee):
            self.want(self.layout.role("coffee"), "on", "breakfast")
        elif chance(self.rng, 0.5):
            self.want(self.layout.role("kettle"), "on", "breakfast")
        self.wait(35 if long else 15, 10 if long else 5, 5, 80)
        if long and chance(self.rng, 0.5):
            self.want(self.layout.role("coffee"), "on", "breakfast")
            self.wait(10, 5, 2, 30)

    def living(self, activity: str, minutes: float, tv: float) -> None:
        self.go(self.layout.living, activity)
        cover = self.layout.cover(self.layout.living)
        if self.t < 14 * 60:
            self.want(cover, "open", activity, forget=0.2)  # blinds up in the morning
        else:
            self.want(cover, "closed", activity, "dark", forget=0.2)
        if chance(self.rng, tv):
            self.wait(2, 1, 0.5, 5)
            self.want(self.layout.tv(self.layout.living), "on", "watch TV")
        self.stay(max(5.0, minutes), activity)

    def cook(self, dinner: float) -> None:
        self.at(dinner - gauss(self.rng, 40, 10, 20, 70))
        self.go(self.layout.kitchen, "cook")
        hood = self.layout.role("extractor")
        self.wait(8, 4, 1, 20)
        self.want(hood, "on", "cook")
        self.at(dinner - 2)
        self.want(hood, "off", "cook", forget=0.1)

    def dinner(self, dinner: float, guests: bool) -> None:
        self.at(dinner + self.rng.uniform(-3, 6))
        self.go(self.layout.kitchen, "dinner")
        self.wait(45 if guests else 28, 8, 12, 90)

    def bedtime(self, minutes: float, last_check: bool) -> None:
        sched = self.resident.schedule
        self.at(minutes)
        if last_check and not sched.child:
            self.want(self.layout.role("front_lock"), "locked", "bedtime", forget=0.05)
            if self.layout.thermostat:
                self.want(
                    self.layout.thermostat,
                    f"{self.layout.spec.thermal.night:.1f}",
                    "bedtime",
                    "last_up",
                    forget=0.2,
                )
        if sched.shower == "evening" and chance(self.rng, 0.8):
            self.bathroom(True)
        else:
            self.go(self.layout.bathroom, "brush teeth")
            self.wait(4, 1.5, 2, 10)
        self.go(self.resident.bedroom, "bedtime")
        self.want(self.layout.cover(self.resident.bedroom), "closed", "bedtime", forget=0.1)
        if chance(self.rng, sched.reads_in_bed):
            self.wait(20, 10, 3, 60)
        else:
            self.wait(3, 1, 1, 8)
        self.want(self.layout.light(self.resident.bedroom), "off", "sleep")
