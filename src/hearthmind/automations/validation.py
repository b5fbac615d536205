"""Small validators for Home Assistant's automation format. Each raises `RuleError` with the key
path of the offending value inside the rule, so the loader can name its file and line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from datetime import time
from typing import Any

from hearthmind.core import valid_entity_id

KeyPath = tuple[str | int, ...]


class RuleError(Exception):
    """A rule that cannot be loaded: `path` is where in the rule, `reason` what is wrong."""

    def __init__(self, path: KeyPath, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


def require_mapping(value: Any, path: KeyPath, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RuleError(path, f"{what} must be a mapping, got {_kind(value)}")
    return value


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def check_keys(
    config: Mapping[str, Any], allowed: Collection[str], path: KeyPath, what: str
) -> None:
    """Refuse unknown keys, as Home Assistant does, so a typo is an error and not a no-op."""
    for key in config:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), list(allowed), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise RuleError(
                (*path, str(key)),
                f"unknown key {key!r} in {what} ({hint}allowed: {', '.join(sorted(allowed))})",
            )


def pick(config: Mapping[str, Any], path: KeyPath, *names: str) -> tuple[str | None, Any]:
    """The one of `names` present in `config` (HA accepts old and new spellings)."""
    found = [n for n in names if n in config]
    if len(found) > 1:
        raise RuleError((*path, found[1]), f"use either {found[0]!r} or {found[1]!r}, not both")
    if not found:
        return None, None
    return found[0], config[found[0]]


def entity_id_list(value: Any, path: KeyPath) -> list[str]:
    """`entity_id: light.a`, `entity_id: light.a, light.b` or a list."""
    if isinstance(value, str):
        items: list[Any] = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise RuleError(path, f"entity_id must be a string or a list, got {_kind(value)}")
    if not items:
        raise RuleError(path, "entity_id is empty")
    out: list[str] = []
    for i, item in enumerate(items):
        here = (*path, i) if isinstance(value, list | tuple) else path
        if not isinstance(item, str):
            raise RuleError(here, f"entity_id must be a string, got {_kind(item)}")
        item = item.strip().lower()
        if not valid_entity_id(item):
            raise RuleError(here, f"invalid entity id {item!r}: want 'domain.object_id'")
        out.append(item)
    return out


def state_value(value: Any) -> str:
    """A state as the state machine holds it. Unquoted YAML `on`/`off` arrive as booleans: HA
    turns them into 'True'/'False' and never matches; we take the user's meaning."""
    if value is True:
        return "on"
    if value is False:
        return "off"
    return str(value)


def state_values(value: Any, path: KeyPath) -> frozenset[str] | None:
    """A state or list of states to match; None means 'any state'."""
    if value is None:
        return None
    items = as_list(value)
    for i, item in enumerate(items):
        if isinstance(item, Mapping | list):
            raise RuleError((*path, i), f"a state must be a string, got {_kind(item)}")
    return frozenset(state_value(v) for v in items)


_DURATION = re.compile(r"^(-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$")
_DURATION_KEYS = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "milliseconds": 0.001}


def parse_duration(value: Any, path: KeyPath, *, allow_negative: bool = False) -> float:
    """Seconds from `30`, `"00:05"`, `"01:02:03.5"`, `"-00:45:00"` or `{minutes: 5}`."""
    seconds: float
    if isinstance(value, bool):
        raise RuleError(path, f"a duration must be a number, 'HH:MM:SS' or a mapping, got {value}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip()
        match = _DURATION.match(text)
        if match is not None:
            sign, h, m, s = match.groups()
            if h is None:  # "MM:SS" is HA's "HH:MM"
                h, m, s = m, s, "0"
            seconds = int(h) * 3600 + int(m) * 60 + float(s)
            if sign:
                seconds = -seconds
        else:
            try:
                seconds = float(text)
            except ValueError:
                raise RuleError(
                    path, f"invalid duration {value!r}: want seconds or 'HH:MM:SS'"
                ) from None
    elif isinstance(value, Mapping):
        check_keys(value, _DURATION_KEYS, path, "a duration")
        seconds = 0.0
        for key, factor in _DURATION_KEYS.items():
            part = value.get(key, 0)
            if isinstance(part, bool) or not isinstance(part, int | float):
                raise RuleError((*path, key), f"{key} must be a number, got {_kind(part)}")
            seconds += float(part) * factor
    else:
        raise RuleError(
            path, f"a duration must be a number, 'HH:MM:SS' or a mapping, got {_kind(value)}"
        )
    if seconds < 0 and not allow_negative:
        raise RuleError(path, f"a duration cannot be negative: {value!r}")
    if seconds != seconds or abs(seconds) > 366 * 86400:  # NaN, or more than a year
        raise RuleError(path, f"duration out of range: {value!r}")
    return seconds


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_time_of_day(value: Any, path: KeyPath) -> time:
    """`"07:30"` or `"07:30:15"` (YAML 1.1 reads unquoted 07:30 as a sexagesimal int)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 86400:
        # PyYAML turns unquoted 07:30 into 450 (7*60+30): take it as HH:MM
        hours, minutes = divmod(value, 60)
        if hours < 24:
            return time(hours, minutes)
    if not isinstance(value, str):
        raise RuleError(path, f"a time must be 'HH:MM' or 'HH:MM:SS', got {_kind(value)}")
    match = _TIME.match(value.strip())
    if match is None:
        raise RuleError(path, f"invalid time {value!r}: want 'HH:MM' or 'HH:MM:SS'")
    h, m, s = int(match[1]), int(match[2]), int(match[3] or 0)
    if h > 23 or m > 59 or s > 59:
        raise RuleError(path, f"invalid time {value!r}: out of range")
    return time(h, m, s)


def optional_number(value: Any, path: KeyPath, what: str) -> float | str | None:
    """A number, or the id of an entity whose state is the number (HA allows both)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise RuleError(path, f"{what} must be a number or an entity id, got {value}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
        if valid_entity_id(value.strip()):
            return value.strip()
    raise RuleError(path, f"{what} must be a number or an entity id, got {value!r}")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"{type(value).__name__} {value!r}"
