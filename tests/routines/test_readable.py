"""Routines a person can read, with support and confidence."""

from __future__ import annotations

import random

from hearthmind.routines.observations import (
    ActivitySpan,
    HomeLog,
    ImportReport,
    Kind,
    Observation,
)
from hearthmind.routines.readable import RoutineMiner, describe_item

from .synthetic import START, observations


def test_morning_routine_reads_like_a_sentence() -> None:
    log = HomeLog("synthetic", observations(28), [], ImportReport("test"))
    routines = RoutineMiner().mine_log(log)
    texts = [r.text() for r in routines]
    light = next(r for r in routines if r.item == "light.kitchen:on" and r.day_kind == "weekdays")
    assert light.support >= 18 and light.days == 20 and light.confidence >= 0.9
    assert "06:" in light.text().split(": ")[0]
    assert light.after == "binary_sensor.kitchen_motion:on"
    assert light.text().startswith("weekdays 06:")
    assert light.text().endswith(
        f"after the kitchen motion sensor: kitchen light on ({light.support} of 20 days)"
    )
    assert any(
        t.startswith("weekends 08:") and "kitchen light on (" in t and " of 8 days)" in t
        for t in texts
    )
    assert any("every day" in t and "tv on" in t.lower() for t in texts)


def test_rare_things_are_not_routines() -> None:
    log = HomeLog("synthetic", observations(28), [], ImportReport("test"))
    routines = RoutineMiner(min_confidence=0.5).mine_log(log)
    assert all(r.confidence >= 0.5 and r.support >= 3 for r in routines)
    assert not any("hall door" in r.text() for r in routines)  # on 30 % of days at random hours


def test_no_history_no_routines() -> None:
    assert RoutineMiner().mine([], []) == []


def test_describe_items() -> None:
    assert describe_item("light.kitchen:on") == "kitchen light on"
    assert describe_item("binary_sensor.bedroom_motion:on") == "bedroom motion sensor"
    assert describe_item("binary_sensor.bedroom_motion:on", state=False) == "bedroom motion sensor"
    assert describe_item("switch.coffee:off") == "coffee switch off"
    assert describe_item("activity.prepare_breakfast:start") == "prepare breakfast"
    assert describe_item("climate.living_room:heat@20.5") == "living room thermostat heat to 20.5"
    assert describe_item("media_player.tv:off") == "tv off"  # not "tv TV off"
    assert describe_item("person.noor:noor_room") == "noor in the noor room"
    assert describe_item("person.tom:not_home") == "tom away"


def test_a_bedtime_after_midnight_belongs_to_the_evening_before() -> None:
    # lights out at about 00:20 after every weekday evening (Monday to Friday nights), never
    # at weekends; evenings and mornings busy, the small hours quiet
    rng = random.Random(3)
    day0 = START.timestamp()  # a Monday
    context: list[Observation] = []
    targets: list[Observation] = []
    for d in range(28):
        base = day0 + d * 86400
        for hour in [7, 8, *range(18, 24)]:
            for _ in range(5):
                t = base + hour * 3600 + rng.uniform(0, 3500)
                context.append(Observation(t, "binary_sensor.hall:on", Kind.SENSOR))
        if d % 7 < 5:
            t = base + 86400 + 1200 + rng.uniform(-240, 240)
            targets.append(Observation(t, "light.bedroom:off", Kind.ACTION))
    context = sorted([*context, *targets], key=lambda o: o.time)
    miner = RoutineMiner()
    routines = [r for r in miner.mine(targets, context) if r.item == "light.bedroom:off"]
    # the small hours are quiet: the home's 28 days turn over there, not at midnight (29)
    assert 1 <= miner.day_start / 3600 <= 6 and miner.days == 28
    # counted by calendar day, Monday night's 00:20 would be Tuesday's and Friday night's a
    # Saturday's: at most 16 of the 20 weekdays
    assert [(r.day_kind, r.days) for r in routines] == [("weekdays", 20)]
    assert routines[0].support >= 17
    assert routines[0].text().startswith("weekdays 00:")


def test_unlabelled_time_is_not_a_routine() -> None:
    # CASAS annotators call what they did not label "Other_Activity"; it happens every day,
    # and "every day 07:44-09:48: Other Activity" tells a person nothing
    day = 86400.0
    spans = []
    for d in range(14):
        spans.append(ActivitySpan(d * day + 7 * 3600, d * day + 7.5 * 3600, "Other_Activity"))
        spans.append(ActivitySpan(d * day + 8 * 3600, d * day + 8.3 * 3600, "Cook_Breakfast"))
    sensors = [Observation(s.start + 1, "binary_sensor.kitchen:on", Kind.SENSOR) for s in spans]
    routines = RoutineMiner().mine_log(HomeLog("al", sensors, spans, ImportReport("test")))
    items = {r.item for r in routines}
    assert "activity.Cook_Breakfast:start" in items
    assert not any("Other" in item for item in items)


def test_days_with_a_stray_event_only_are_not_days_observed() -> None:
    # a busy home (a sensor reporting 150 times a day) whose door, left open when the
    # recording stopped, closes on three later days: "of N days" counts the 28 days lived
    obs = observations(28)
    first = min(o.time for o in obs)
    busy = [
        Observation(first + day * 86400 + i * 300, "sensor.meter:tick", Kind.SENSOR)
        for day in range(28)
        for i in range(150)
    ]
    last = max(o.time for o in obs)
    strays = [
        Observation(last + k * 86400, "binary_sensor.hall_door:off", Kind.SENSOR)
        for k in (3, 9, 10)
    ]
    miner = RoutineMiner()
    plain = miner.mine_log(HomeLog("synthetic", sorted([*obs, *busy], key=lambda o: o.time)))
    days = miner.days
    with_strays = miner.mine_log(
        HomeLog("synthetic", sorted([*obs, *busy, *strays], key=lambda o: o.time))
    )
    assert days == 28
    assert miner.days == days
    assert [r.text() for r in with_strays] == [r.text() for r in plain]


def test_where_people_are_reads_as_a_place() -> None:
    """HA's person states (home/not_home) and a room-presence sensor's rooms read as places;
    friendly names name the devices."""
    assert describe_item("person.sam:home") == "sam home"
    assert describe_item("sensor.sam_area:sam_room") == "sam in the sam room"
    assert describe_item("sensor.sam_area:not_home") == "sam away"
    assert describe_item("sensor.sam_area:kitchen", state=False) == "where sam is"
    assert describe_item("light.sam_room:on", names={"light.sam_room": "Sam's light"}) == (
        "Sam's light on"
    )
