"""When time-based triggers fire next: a time of day, a time pattern, sunrise or sunset. Pure
functions of (after, rule, time zone), so they are tested on their own and the triggers only
schedule the result on `hub.clock`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from astral import Observer
from astral.sun import sunrise, sunset

from .validation import KeyPath, RuleError


def next_time_of_day(after: datetime, at: time, tz: tzinfo) -> datetime:
    """The first moment strictly after `after` when the wall clock in `tz` shows `at`."""
    local = after.astimezone(tz)
    day = local.date()
    for offset in range(3):
        candidate = datetime.combine(day + timedelta(days=offset), at, tzinfo=tz).astimezone(UTC)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a time of day recurs within two days")


def _parse_part(value: Any, path: KeyPath, limit: int) -> tuple[int, ...]:
    """A time_pattern field: `*`, `/n` (every n), or a fixed number."""
    text = str(value).strip()
    if text == "*":
        return tuple(range(limit))
    if text.startswith("/"):
        try:
            step = int(text[1:])
        except ValueError:
            raise RuleError(
                path, f"invalid pattern {value!r}: want '*', '/n' or a number"
            ) from None
        if not 0 < step < limit:
            raise RuleError(path, f"invalid pattern {value!r}: n must be 1..{limit - 1}")
        return tuple(range(0, limit, step))
    try:
        number = int(text)
    except ValueError:
        raise RuleError(path, f"invalid pattern {value!r}: want '*', '/n' or a number") from None
    if not 0 <= number < limit:
        raise RuleError(path, f"invalid pattern {value!r}: out of range 0..{limit - 1}")
    return (number,)


_NEAR = timedelta(hours=3)  # a clock change closer than this may repeat wall times ahead


@dataclass(frozen=True, slots=True)
class TimePattern:
    hours: tuple[int, ...]
    minutes: tuple[int, ...]
    seconds: tuple[int, ...]

    @classmethod
    def parse(cls, hours: Any, minutes: Any, seconds: Any, path: KeyPath) -> TimePattern:
        """HA's defaults: fields below the largest one given default to 0, above it to '*'."""
        if hours is None and minutes is None and seconds is None:
            raise RuleError(path, "a time_pattern needs hours, minutes or seconds")
        if seconds is None:
            seconds = 0
        if minutes is None:
            minutes = 0 if hours is not None else "*"
        if hours is None:
            hours = "*"
        return cls(
            _parse_part(hours, (*path, "hours"), 24),
            _parse_part(minutes, (*path, "minutes"), 60),
            _parse_part(seconds, (*path, "seconds"), 60),
        )

    def next_after(self, after: datetime, tz: tzinfo) -> datetime:
        """The first whole second strictly after `after` matching the pattern in `tz`. In the
        hour repeated when clocks go back, the pattern matches in both passes."""
        first = self._scan(after, after, tz, fold=0)
        offset_before = (after - _NEAR).astimezone(tz).utcoffset()
        offset_after = (after + _NEAR).astimezone(tz).utcoffset()
        if offset_before == offset_after or offset_before is None or offset_after is None:
            return first  # no clock change nearby: no repeated wall times
        shift = abs(offset_before - offset_after)
        return min(first, self._scan(after, after - shift, tz, fold=1))

    def _scan(self, after: datetime, wall_from: datetime, tz: tzinfo, fold: int) -> datetime:
        """The first wall time from `wall_from`'s (read with `fold`) that falls after `after`."""
        local = (wall_from.astimezone(tz) + timedelta(seconds=1)).replace(microsecond=0)
        start = local.replace(tzinfo=None)
        for day_offset in range(3):
            day: date = start.date() + timedelta(days=day_offset)
            first_day = day_offset == 0
            for h in self.hours:
                if first_day and h < start.hour:
                    continue
                same_h = first_day and h == start.hour
                for m in self.minutes:
                    if same_h and m < start.minute:
                        continue
                    same_m = same_h and m == start.minute
                    for s in self.seconds:
                        if same_m and s < start.second:
                            continue
                        candidate = datetime(
                            day.year, day.month, day.day, h, m, s, tzinfo=tz, fold=fold
                        ).astimezone(UTC)
                        if candidate > after:  # wall times in a repeated hour can go back
                            return candidate
        raise AssertionError("unreachable: every pattern matches within two days")


def sun_event_on(
    day: date, event: str, latitude: float, longitude: float, elevation: float, tz: tzinfo
) -> datetime | None:
    """Sunrise or sunset on the local `day` (UTC), or None if the sun does not rise or set."""
    compute = sunrise if event == "sunrise" else sunset
    try:
        moment: datetime = compute(
            Observer(latitude, longitude, max(0.0, elevation)), day, tzinfo=tz
        )
    except ValueError:
        return None
    return moment.astimezone(UTC)


def next_sun_event(
    after: datetime,
    event: str,
    offset: timedelta,
    latitude: float,
    longitude: float,
    elevation: float,
    tz: tzinfo,
) -> datetime | None:
    """The next sunrise or sunset (plus offset) strictly after `after`; None when the sun does
    not rise or set within a year (polar day or night)."""
    day = after.astimezone(tz).date()
    for offset_days in range(-1, 370):
        moment = sun_event_on(
            day + timedelta(days=offset_days), event, latitude, longitude, elevation, tz
        )
        if moment is not None and moment + offset > after:
            return moment + offset
    return None
