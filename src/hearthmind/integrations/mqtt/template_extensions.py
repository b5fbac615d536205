"""Home Assistant's template extensions that device payloads use: the filters, tests and
functions Zigbee2MQTT, Tasmota, ESPHome and EMS-ESP discovery configs emit, and HA's common
ones (`float(0)`, `int(default)`, `iif`, `is_defined`, `as_datetime`, `as_timestamp`,
`bitwise_and`, `from_json`, `regex_*`, `min`/`max`, `round(1, 'floor')`, ...), with HA's
semantics: a conversion without a default fails on a value it cannot convert (HA raises),
with a default it gives the default.

Pure functions, no clock and no hub: `now()` is not offered (a device's value template must
not depend on when it is rendered)."""

from __future__ import annotations

import base64
import json
import math
import re
import statistics
import struct
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import jinja2

_SENTINEL: Any = object()
MAX_PATTERN = 500  # characters: a device's regular expression is short; longer ones are refused


class TemplateValueError(ValueError):
    """A conversion without a default on a value it cannot convert (as HA raises)."""


def _fail(name: str, value: Any) -> TemplateValueError:
    return TemplateValueError(f"{name} got invalid input {value!r} and no default was given")


def to_float(value: Any, default: Any = _SENTINEL) -> Any:
    try:
        return float(value)
    except (ValueError, TypeError):
        if default is _SENTINEL:
            raise _fail("float", value) from None
        return default


def to_int(value: Any, default: Any = _SENTINEL, base: int = 10) -> Any:
    try:
        if isinstance(value, str) and base != 10:
            return int(value, base)
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                return int(float(value))
        return int(value)
    except (ValueError, TypeError, OverflowError):
        if default is _SENTINEL:
            raise _fail("int", value) from None
        return default


_TRUE = frozenset({"true", "yes", "on", "enable", "1"})
_FALSE = frozenset({"false", "no", "off", "disable", "0"})


def to_bool(value: Any, default: Any = _SENTINEL) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    if default is _SENTINEL:
        raise _fail("bool", value)
    return default


def is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        number = float(value)
    except (ValueError, TypeError):
        return False
    return math.isfinite(number)


def forgiving_round(
    value: Any, precision: int = 0, method: str = "common", default: Any = _SENTINEL
) -> Any:
    """HA's `round`: methods common, ceil, floor, half; precision 0 gives an int."""
    try:
        number = float(value)
        multiplier = float(10**precision)
        if method == "ceil":
            number = math.ceil(number * multiplier) / multiplier
        elif method == "floor":
            number = math.floor(number * multiplier) / multiplier
        elif method == "half":
            number = round(number * 2) / 2
        else:
            number = round(number, precision)
        # "half" rounds to .5 steps (HA's docs: precision 0 with it), so it stays a float
        return int(number) if precision == 0 and method != "half" else number
    except (ValueError, TypeError, OverflowError):
        if default is _SENTINEL:
            raise _fail("round", value) from None
        return default


def multiply(value: Any, amount: Any, default: Any = _SENTINEL) -> Any:
    try:
        return float(value) * amount
    except (ValueError, TypeError):
        if default is _SENTINEL:
            raise _fail("multiply", value) from None
        return default


def add(value: Any, amount: Any, default: Any = _SENTINEL) -> Any:
    try:
        return float(value) + amount
    except (ValueError, TypeError):
        if default is _SENTINEL:
            raise _fail("add", value) from None
        return default


def logarithm(value: Any, base: Any = math.e, default: Any = _SENTINEL) -> Any:
    try:
        return math.log(float(value), float(base))
    except (ValueError, TypeError, ZeroDivisionError):
        if default is _SENTINEL:
            raise _fail("log", value) from None
        return default


def _math(name: str, func: Callable[[float], float]) -> Callable[..., Any]:
    def apply(value: Any, default: Any = _SENTINEL) -> Any:
        try:
            return func(float(value))
        except (ValueError, TypeError):
            if default is _SENTINEL:
                raise _fail(name, value) from None
            return default

    return apply


def iif(value: Any, if_true: Any = True, if_false: Any = False, if_none: Any = _SENTINEL) -> Any:
    if value is None and if_none is not _SENTINEL:
        return if_none
    return if_true if value else if_false


def is_defined(value: Any) -> Any:
    """`{{ value_json.x | is_defined }}`: the value, or a failure naming what is missing."""
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    return value


def as_datetime(value: Any, default: Any = _SENTINEL) -> Any:
    """ISO text, a timestamp (number or numeric text) or a datetime -> an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str):
            if is_number(value):
                return datetime.fromtimestamp(float(value), UTC)
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    if default is _SENTINEL:
        raise _fail("as_datetime", value)
    return default


def as_timestamp(value: Any, default: Any = _SENTINEL) -> Any:
    try:
        return as_datetime(value).timestamp()
    except TemplateValueError:
        if default is _SENTINEL:
            raise _fail("as_timestamp", value) from None
        return default


def timestamp_custom(
    value: Any,
    format_string: str = "%Y-%m-%d %H:%M:%S",
    local: bool = True,
    default: Any = _SENTINEL,
) -> Any:
    try:
        moment = datetime.fromtimestamp(float(value), UTC)
        return moment.strftime(format_string)
    except (ValueError, TypeError, OverflowError, OSError):
        if default is _SENTINEL:
            raise _fail("timestamp_custom", value) from None
        return default


def timestamp_utc(value: Any, default: Any = _SENTINEL) -> Any:
    try:
        return datetime.fromtimestamp(float(value), UTC).isoformat()
    except (ValueError, TypeError, OverflowError, OSError):
        if default is _SENTINEL:
            raise _fail("timestamp_utc", value) from None
        return default


def from_json(value: Any, default: Any = _SENTINEL) -> Any:
    try:
        return json.loads(value)
    except (ValueError, TypeError):
        if default is _SENTINEL:
            raise _fail("from_json", value) from None
        return default


def to_json(
    value: Any, ensure_ascii: bool = False, pretty_print: bool = False, sort_keys: bool = False
) -> str:
    return json.dumps(
        value,
        ensure_ascii=ensure_ascii,
        indent=2 if pretty_print else None,
        sort_keys=sort_keys,
        default=str,
    )


def _pattern(find: Any, ignorecase: bool) -> re.Pattern[str]:
    text = str(find)
    if len(text) > MAX_PATTERN:
        raise TemplateValueError(f"regular expression of {len(text)} characters refused")
    return re.compile(text, re.IGNORECASE if ignorecase else 0)


def regex_match(value: Any, find: Any = "", ignorecase: bool = False) -> bool:
    return bool(_pattern(find, ignorecase).match(str(value)))


def regex_search(value: Any, find: Any = "", ignorecase: bool = False) -> bool:
    return bool(_pattern(find, ignorecase).search(str(value)))


def regex_replace(
    value: Any = "", find: Any = "", replace: Any = "", ignorecase: bool = False
) -> str:
    return _pattern(find, ignorecase).sub(str(replace), str(value))


def regex_findall(value: Any, find: Any = "", ignorecase: bool = False) -> list[Any]:
    return _pattern(find, ignorecase).findall(str(value))


def regex_findall_index(
    value: Any, find: Any = "", index: int = 0, ignorecase: bool = False
) -> Any:
    return regex_findall(value, find, ignorecase)[index]


def bitwise_and(first: Any, second: Any) -> int:
    return int(first) & int(second)


def bitwise_or(first: Any, second: Any) -> int:
    return int(first) | int(second)


def bitwise_xor(first: Any, second: Any) -> int:
    return int(first) ^ int(second)


def _values(args: tuple[Any, ...]) -> list[Any]:
    if len(args) == 1 and isinstance(args[0], Iterable) and not isinstance(args[0], str):
        return list(args[0])
    return list(args)


def minimum(*args: Any, default: Any = _SENTINEL) -> Any:
    values = _values(args)
    if not values and default is not _SENTINEL:
        return default
    return min(values)


def maximum(*args: Any, default: Any = _SENTINEL) -> Any:
    values = _values(args)
    if not values and default is not _SENTINEL:
        return default
    return max(values)


def average(*args: Any, default: Any = _SENTINEL) -> Any:
    values = _values(args)
    try:
        return statistics.fmean(float(v) for v in values)
    except (ValueError, TypeError, statistics.StatisticsError):
        if default is _SENTINEL:
            raise _fail("average", args) from None
        return default


def median(*args: Any, default: Any = _SENTINEL) -> Any:
    values = _values(args)
    try:
        return statistics.median(values)
    except (ValueError, TypeError, statistics.StatisticsError):
        if default is _SENTINEL:
            raise _fail("median", args) from None
        return default


def ordinal(value: Any) -> str:
    number = int(value)
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def base64_encode(value: Any) -> str:
    data = value if isinstance(value, bytes) else str(value).encode()
    return base64.b64encode(data).decode()


def base64_decode(value: Any) -> str:
    return base64.b64decode(str(value)).decode()


def unpack(value: Any, format_string: str, offset: int = 0) -> Any:
    data = value if isinstance(value, bytes) else str(value).encode("latin-1")
    try:
        return struct.unpack_from(format_string, data, offset)[0]
    except struct.error:
        return None


def pack(value: Any, format_string: str) -> bytes | None:
    try:
        return struct.pack(format_string, value)
    except struct.error:
        return None


def slugify(value: Any, separator: str = "_") -> str:
    return re.sub(r"[^a-z0-9]+", separator, str(value).lower()).strip(separator)


def contains(seq: Any, value: Any) -> bool:
    try:
        return value in seq
    except TypeError:
        return False


_MATH = {
    "sqrt": math.sqrt,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
}

FILTERS: dict[str, Callable[..., Any]] = {
    "float": to_float,
    "int": to_int,
    "bool": to_bool,
    "round": forgiving_round,
    "multiply": multiply,
    "add": add,
    "log": logarithm,
    "iif": iif,
    "is_defined": is_defined,
    "is_number": is_number,
    "as_datetime": as_datetime,
    "as_timestamp": as_timestamp,
    "timestamp_custom": timestamp_custom,
    "timestamp_utc": timestamp_utc,
    "timestamp_local": timestamp_utc,  # the hub's templates here have no local zone
    "from_json": from_json,
    "to_json": to_json,
    "regex_match": regex_match,
    "regex_search": regex_search,
    "regex_replace": regex_replace,
    "regex_findall": regex_findall,
    "regex_findall_index": regex_findall_index,
    "bitwise_and": bitwise_and,
    "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor,
    "min": minimum,
    "max": maximum,
    "average": average,
    "median": median,
    "ordinal": ordinal,
    "base64_encode": base64_encode,
    "base64_decode": base64_decode,
    "unpack": unpack,
    "pack": pack,
    "slugify": slugify,
    "contains": contains,
    "ord": ord,
    **{name: _math(name, func) for name, func in _MATH.items()},
}

GLOBALS: dict[str, Any] = {
    "float": to_float,
    "int": to_int,
    "bool": to_bool,
    "iif": iif,
    "is_number": is_number,
    "as_datetime": as_datetime,
    "as_timestamp": as_timestamp,
    "min": minimum,
    "max": maximum,
    "average": average,
    "median": median,
    "log": logarithm,
    "bitwise_and": bitwise_and,
    "bitwise_or": bitwise_or,
    "pi": math.pi,
    "e": math.e,
    "tau": math.tau,
    **{name: _math(name, func) for name, func in _MATH.items()},
}

TESTS: dict[str, Callable[..., bool]] = {
    "is_number": is_number,
    "match": regex_match,
    "search": regex_search,
    "contains": contains,
    "datetime": lambda value: isinstance(value, datetime),
    "list": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "string_like": lambda value: isinstance(value, str | bytes),
}


def install(env: jinja2.Environment) -> None:
    """Add the extensions to a Jinja environment (before its filters are guarded)."""
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    env.tests.update(TESTS)
