"""The entity-state timeline: one definition of open, since when each entity holds its value,
its stays, its state at an earlier position, and the readers that share it (the count
tables, the readable routines)."""

from __future__ import annotations

import pytest

from hearthmind.routines.models.stats import SequenceStats, active_entities
from hearthmind.routines.observations import HomeLog, ImportReport, Observation
from hearthmind.routines.readable import RoutineMiner
from hearthmind.routines.timeline import OPEN_VALUES, EntityTimeline, is_open

T0 = 1_700_000_000.0


def _obs(t: float, item: str) -> Observation:
    return Observation(T0 + t, item)


def test_one_definition_of_open() -> None:
    for value in ("on", "open", "home", "playing", "unlocked"):
        assert is_open(value)
    for value in ("off", "closed", "not_home", "idle", "paused", "locked", "heat@20.5", ""):
        assert not is_open(value)
    assert {"on", "open", "home", "playing", "unlocked"} == OPEN_VALUES


def test_since_when_counts_from_the_change_not_the_repeat() -> None:
    timeline = EntityTimeline()
    assert timeline.state("light.a") is None
    timeline.add(_obs(0, "light.a:on"))
    timeline.add(_obs(5, "light.a:on"))  # a sensor repeating itself: the same stay
    assert timeline.state("light.a") == ("on", T0)
    timeline.add(_obs(9, "light.a:off"))
    assert timeline.state("light.a") == ("off", T0 + 9)
    assert timeline.length == 3 and timeline.last_entity == "light.a"
    assert dict(timeline.current) == {"light.a": ("off", T0 + 9)}


def test_stays_are_the_spans_between_changes() -> None:
    timeline = EntityTimeline(stays=True)
    for t, item in ((0, "door.a:open"), (4, "door.a:open"), (10, "door.a:closed"),
                    (100, "door.a:open"), (130, "door.a:closed"), (131, "door.a:open"),
                    (151, "door.a:closed")):  # fmt: skip
        timeline.add(_obs(t, item))
    assert timeline.typical_stay("door.a", "open") == 20.0  # stays of 10, 30, 20 s
    assert timeline.typical_stay("door.a", "closed") == pytest.approx((90 + 1) / 2)
    assert timeline.typical_stay("door.b", "open") is None
    # of the 3 open stays, those that outlast 15 s: 2 of 3; too few left to say more
    assert timeline.hazard("door.a", "open", 15.0) == (2 / 3, -1.0, -1.0)


def test_a_new_episode_ends_no_stay() -> None:
    """Another user's log begins: what was open is unknown, and the stay cut off by the end of
    the log is not a stay of known length."""
    timeline = EntityTimeline(stays=True)
    timeline.add(_obs(0, "light.a:on"))
    timeline.new_episode()
    assert timeline.state("light.a") is None
    timeline.add(_obs(500, "light.a:off"))
    assert timeline.typical_stay("light.a", "on") is None


def test_states_at_an_earlier_position() -> None:
    timeline = EntityTimeline(changes=True)
    for t, item in enumerate(["door.a:open", "light.b:on", "door.a:open", "door.a:closed"]):
        timeline.add(_obs(t, item))
    assert timeline.states(0) == {}
    assert timeline.states(3) == {"door.a": ("open", T0), "light.b": ("on", T0 + 1)}
    assert timeline.states(4)["door.a"] == ("closed", T0 + 3)
    with pytest.raises(ValueError, match="changes=True"):
        EntityTimeline().states(1)


def test_open_entities_are_recent_and_exclude_the_moments_own() -> None:
    window = [
        _obs(0, "door.old:open"),  # opened over an hour before now
        _obs(4000, "media_player.tv:playing"),
        _obs(4010, "lock.front:unlocked"),
        _obs(4020, "light.hall:off"),
        _obs(4030, "light.kitchen:on"),  # the latest observation's entity
    ]
    now = T0 + 4030
    open_now = EntityTimeline.of(window).open_entities(now, 3600.0)
    assert open_now == ("lock.front", "media_player.tv")
    assert active_entities(window, now) == open_now  # the count tables read the same


def test_the_count_tables_read_stays_from_the_timeline() -> None:
    stats = SequenceStats()
    previous: Observation | None = None
    for t, item in (
        (0, "light.a:on"),
        (30, "light.a:off"),
        (40, "light.a:on"),
        (50, "light.a:off"),
    ):
        obs = _obs(t, item)
        stats.observe(None, previous, obs)
        previous = obs
    assert stats.typical_duration("light.a", "on") == 20.0  # 30 s and 10 s
    assert stats.typical_duration("light.a", "off") == 10.0
    assert stats.timeline.state("light.a") == ("off", T0 + 50)


def test_readable_routines_of_sensor_logs_use_the_same_open() -> None:
    """A log with neither device actions nor activities: its routines are the stays that open,
    by the timeline's definition (someone arriving home counts as much as a light on)."""
    day = 86400.0
    obs = []
    for d in range(10):
        t = d * day + 60.0 * (d % 3)  # a minute or two apart from day to day
        obs += [
            _obs(t + 7 * 3600, "person.ana:home"),
            _obs(t + 7 * 3600 + 60, "person.ana:not_home"),
            _obs(t + 19 * 3600, "binary_sensor.hall:on"),
            _obs(t + 19 * 3600 + 30, "binary_sensor.hall:off"),
        ]
    routines = RoutineMiner().mine_log(HomeLog("sensors", obs, [], ImportReport("test")))
    assert {r.item for r in routines} == {"person.ana:home", "binary_sensor.hall:on"}
