"""Small synthetic homes for the routines tests: a resident with a clear morning and evening
routine, written in the formats the importers read."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hearthmind.routines.observations import Kind, Observation

START = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday


def routine_day(day: int, rng: random.Random) -> list[tuple[datetime, str, str]]:
    """(time, item, kind) of one day: wake up ~06:40 on weekdays (~08:30 at weekends), bedroom
    motion, then the kitchen light, coffee; evening TV; bed."""
    base = START + timedelta(days=day)
    weekend = base.weekday() >= 5
    wake = base + timedelta(hours=8.5 if weekend else 6.65, minutes=rng.uniform(-6, 6))
    events = [
        (wake, "binary_sensor.bedroom_motion:on", "sensor"),
        (wake + timedelta(seconds=40), "binary_sensor.bedroom_motion:off", "sensor"),
        (wake + timedelta(minutes=2), "binary_sensor.kitchen_motion:on", "sensor"),
        (wake + timedelta(minutes=2, seconds=20), "light.kitchen:on", "action"),
        (wake + timedelta(minutes=4), "switch.coffee:on", "action"),
        (wake + timedelta(minutes=9), "switch.coffee:off", "action"),
        (wake + timedelta(minutes=10), "binary_sensor.kitchen_motion:off", "sensor"),
        (wake + timedelta(minutes=25), "light.kitchen:off", "action"),
    ]
    evening = base + timedelta(hours=20, minutes=rng.uniform(-15, 15))
    events += [
        (evening, "binary_sensor.living_motion:on", "sensor"),
        (evening + timedelta(minutes=1), "media_player.tv:on", "action"),
        (evening + timedelta(minutes=80), "media_player.tv:off", "action"),
        (evening + timedelta(minutes=81), "binary_sensor.living_motion:off", "sensor"),
    ]
    if rng.random() < 0.3:  # some noise
        t = base + timedelta(hours=rng.uniform(12, 18))
        events.append((t, "binary_sensor.hall_door:on", "sensor"))
        events.append((t + timedelta(seconds=30), "binary_sensor.hall_door:off", "sensor"))
    return sorted(events)


def observations(days: int, seed: int = 1) -> list[Observation]:
    rng = random.Random(seed)
    out = []
    for day in range(days):
        for when, item, kind in routine_day(day, rng):
            origin = "physical" if kind == "action" else "sensor"
            out.append(
                Observation(
                    when.timestamp(), item, Kind(kind), "ana" if kind == "action" else None, origin
                )
            )
    return out


def casas_lines(days: int, seed: int = 1) -> list[str]:
    """The same home as CASAS lines: `date time sensor room value activity`."""
    lines = []
    for obs in observations(days, seed):
        entity, _, value = obs.item.rpartition(":")
        name = entity.split(".", 1)[1]
        when = obs.moment.strftime("%Y-%m-%d %H:%M:%S.%f")
        activity = "Morning" if obs.moment.hour < 12 else "Evening"
        lines.append(f"{when} {name} {name.split('_')[0]} {value.upper()} {activity}")
    return lines
