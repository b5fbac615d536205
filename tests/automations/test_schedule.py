"""When time triggers fire next: checked against brute force, across DST changes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthmind.automations.schedule import TimePattern, next_sun_event, next_time_of_day
from hearthmind.automations.validation import RuleError

AMS = ZoneInfo("Europe/Amsterdam")
# around both 2024 clock changes in Amsterdam, and an ordinary day
DAYS = [
    datetime(2024, 3, 30, tzinfo=UTC),
    datetime(2024, 10, 26, tzinfo=UTC),
    datetime(2024, 6, 3, tzinfo=UTC),
]

instants = st.builds(
    lambda day, seconds: day + timedelta(seconds=seconds),
    st.sampled_from(DAYS),
    st.floats(min_value=0, max_value=3 * 86400, allow_nan=False),
)
parts = st.one_of(st.just("*"), st.integers(1, 30).map(lambda n: f"/{n}"), st.integers(0, 59))


def brute_force(pattern: TimePattern, after: datetime, tz: ZoneInfo) -> datetime:
    """Walk UTC minutes (Amsterdam's offsets are whole hours, so seconds agree)."""
    minute = after.replace(second=0, microsecond=0)
    for _ in range(3 * 24 * 60):
        local = minute.astimezone(tz)
        if local.hour in pattern.hours and local.minute in pattern.minutes:
            for s in pattern.seconds:
                candidate = minute + timedelta(seconds=s)
                if candidate > after:
                    return candidate
        minute += timedelta(minutes=1)
    raise AssertionError("no match")


@settings(max_examples=150, deadline=None)
@given(after=instants, minutes=parts, seconds=parts)
def test_time_pattern_is_the_first_match(after: datetime, minutes: object, seconds: object) -> None:
    pattern = TimePattern.parse("*", minutes, seconds, ())
    assert pattern.next_after(after, AMS) == brute_force(pattern, after, AMS)


@settings(max_examples=60, deadline=None)
@given(
    after=instants, hours=st.one_of(st.just("/3"), st.integers(0, 23)), minutes=st.integers(0, 59)
)
def test_time_pattern_with_hours(after: datetime, hours: object, minutes: int) -> None:
    pattern = TimePattern.parse(hours, minutes, None, ())
    assert pattern.seconds == (0,)
    got = pattern.next_after(after, AMS)
    want = brute_force(pattern, after, AMS)
    # the one wall time that does not exist (02:xx on the spring day) runs at 03:xx instead
    assert got == want or (got < want and got.astimezone(AMS).hour == 3)


def test_time_pattern_defaults_and_errors() -> None:
    assert TimePattern.parse(None, "/5", None, ()).hours == tuple(range(24))
    assert TimePattern.parse(None, "/5", None, ()).seconds == (0,)
    assert TimePattern.parse(4, None, None, ()).minutes == (0,)
    for bad in ({"minutes": 60}, {"seconds": "/0"}, {"hours": "x"}, {}):
        with pytest.raises(RuleError):
            TimePattern.parse(bad.get("hours"), bad.get("minutes"), bad.get("seconds"), ())


def test_every_quarter_hour_through_the_repeated_hour() -> None:
    pattern = TimePattern.parse(None, "/15", None, ())
    t = datetime(2024, 10, 27, 0, 0, tzinfo=AMS).astimezone(UTC)
    fired = []
    for _ in range(16):
        t = pattern.next_after(t, AMS)
        fired.append(t)
    gaps = {b - a for a, b in itertools.pairwise(fired)}
    assert gaps == {timedelta(minutes=15)}  # no gap, no double, across 03:00 -> 02:00


@given(after=instants, at=st.times().map(lambda t: t.replace(microsecond=0)))
def test_time_of_day(after: datetime, at: time) -> None:
    got = next_time_of_day(after, at, AMS)
    assert after < got <= after + timedelta(days=1, hours=1)
    local = got.astimezone(AMS)
    if local.time() != at:  # only a wall time skipped by the spring change may move
        assert local.month == 3 and at.hour == 2


def test_sun_events_polar_and_ordinary() -> None:
    june = datetime(2024, 6, 21, 12, tzinfo=UTC)
    assert (
        next_sun_event(june, "sunset", timedelta(0), 78.2, 15.6, 0, UTC) is not None
    )  # Svalbard: after the midnight sun
    got = next_sun_event(june, "sunset", timedelta(minutes=-30), 52.37, 4.89, 0, AMS)
    assert got is not None and 19 <= got.astimezone(AMS).hour <= 21
    again = next_sun_event(got, "sunset", timedelta(minutes=-30), 52.37, 4.89, 0, AMS)
    assert again is not None and timedelta(hours=23) < again - got < timedelta(hours=25)
