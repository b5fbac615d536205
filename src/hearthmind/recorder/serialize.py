"""Turning attributes and event data into JSON text that any database accepts.

Integrations put whatever they like into attributes: sets, bytes, datetimes, objects, huge
integers, strings with lone surrogates or NUL characters. None of that may stop the writer, so
every value becomes JSON: known types natively (orjson), the rest as their `repr()`, and each
such substitution is reported so it can be counted in the hub's health counters."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS

Report = Callable[[str], None]


def text(value: str) -> str:
    """A string every database stores: PostgreSQL refuses NUL, UTF-8 refuses lone surrogates."""
    if value.isascii():
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


def attributes_hash(shared_attrs: str) -> int:
    """A signed 64-bit hash of the JSON text, the lookup key of `state_attributes`."""
    digest = hashlib.blake2b(shared_attrs.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class JsonEncoder:
    """Encodes mappings to JSON text; never raises. `report(message)` is called once per
    mapping that needed a substitution (a value stored as its repr)."""

    def __init__(self, report: Report) -> None:
        self._report = report
        self._substituted: list[str] = []

    def _default(self, obj: Any) -> Any:
        as_dict = getattr(obj, "as_dict", None)
        if callable(as_dict):
            return as_dict()
        if isinstance(obj, set | frozenset):
            return list(obj)
        if isinstance(obj, bytes | bytearray | memoryview):
            return bytes(obj).decode("utf-8", "backslashreplace")
        self._substituted.append(type(obj).__name__)
        return _safe_repr(obj)

    def encode(self, mapping: Mapping[str, Any], what: str) -> str:
        """JSON text of `mapping`; `what` names it in a report ("attributes of light.x")."""
        self._substituted.clear()
        try:
            out = orjson.dumps(mapping, default=self._default, option=_OPTIONS).decode("utf-8")
        except (TypeError, ValueError, RecursionError) as err:
            # orjson refuses the whole thing (lone surrogates, integers over 64 bits, cycles):
            # rebuild it value by value, keeping whatever can be kept.
            self._substituted.append(f"{type(err).__name__}: {err}")
            out = orjson.dumps(_sanitize(mapping, 0), option=_OPTIONS).decode("utf-8")
        if self._substituted:
            kinds = ", ".join(sorted(set(self._substituted)))
            self._report(f"{what}: stored non-JSON values as text ({kinds})")
        return out


def _sanitize(value: Any, depth: int) -> Any:
    """A plain-JSON copy of `value`: what orjson cannot take becomes its repr."""
    if depth > 32:
        return _safe_repr(value)
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**64 else str(value)
    if isinstance(value, str):
        return text(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {text(str(k)): _sanitize(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_sanitize(v, depth + 1) for v in value]
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "backslashreplace")
    as_dict = getattr(value, "as_dict", None)
    if callable(as_dict):
        try:
            return _sanitize(as_dict(), depth + 1)
        except Exception:
            return _safe_repr(value)
    return _safe_repr(value)


def _safe_repr(value: Any) -> str:
    try:
        return text(repr(value))
    except Exception as err:  # a broken __repr__ must not stop the writer either
        return f"<unrepresentable {type(value).__name__}: {type(err).__name__}>"
