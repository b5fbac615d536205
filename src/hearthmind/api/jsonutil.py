"""JSON for API answers: attributes may hold anything an integration put there (sets, bytes,
objects); none of it may break an answer, so what JSON cannot hold goes out as text."""

from __future__ import annotations

from typing import Any

import orjson


def _default(obj: Any) -> Any:
    as_dict = getattr(obj, "as_dict", None)
    if callable(as_dict):
        return as_dict()
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    if isinstance(obj, bytes | bytearray | memoryview):
        return bytes(obj).decode("utf-8", "backslashreplace")
    return str(obj)


_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value, default=_default, option=_OPTIONS)
    except (TypeError, ValueError):
        # lone surrogates, integers over 64 bits, cycles: fall back to the tolerant stdlib path
        import json

        return json.dumps(value, default=_default, ensure_ascii=True).encode("ascii")


def dumps_text(value: Any) -> str:
    return dumps(value).decode("utf-8")


def loads(raw: bytes | str) -> Any:
    """Parse JSON; raises ValueError naming the problem."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise ValueError(f"not valid JSON: {err}") from err
