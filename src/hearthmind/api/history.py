"""History and origins from the recorder, in Home Assistant's `/api/history/period` shape.

Queries run in an executor (the recorder's engine is synchronous). Before reading, the
recorder is flushed, so an answer includes everything that happened before the request."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from hearthmind.core import Hub

from .operations import ApiError

if TYPE_CHECKING:
    from sqlalchemy import Engine


FLUSH_TIMEOUT = 10.0  # seconds to wait for the recorder's backlog before answering anyway
# HA sets no number; its request line may be 24,570 bytes (about 1,300 entity ids)
MAX_ENTITIES = 2_000


def _engine(hub: Hub) -> tuple[Any, Engine]:
    try:
        from hearthmind.recorder import get_recorder
    except ImportError as err:  # the recorder package is optional at run time
        raise ApiError(503, "not_found", f"the recorder is not available: {err}") from err
    recorder = get_recorder(hub)
    if recorder is None:
        raise ApiError(
            503,
            "not_found",
            "the recorder is off (started without recording), so there is no history",
        )
    return recorder, recorder.engine


async def _flushed_engine(hub: Hub) -> Engine:
    recorder, engine = _engine(hub)
    if recorder.settled:  # nothing waits to be written: no round trip to the writer thread
        return engine
    try:
        await asyncio.wait_for(recorder.async_flush(), FLUSH_TIMEOUT)
    except Exception as err:  # a timeout or a stopped writer: answer with what is committed
        hub.health.problem(
            "api_history_flush",
            f"history answered before the recorder caught up: {err!r}",
            hub.clock.timestamp(),
        )
    return engine


def parse_time(value: str, hub: Hub, what: str) -> datetime:
    """An ISO time from a URL; a time without an offset is in the home's time zone (as HA)."""
    try:
        when = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError as err:
        raise ApiError(400, "invalid_format", f"{what}: invalid time {value!r}") from err
    if when.tzinfo is None:
        try:
            tz: Any = ZoneInfo(hub.config.core.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            tz = UTC
        when = when.replace(tzinfo=tz)
    return when.astimezone(UTC)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def _entity_history(
    engine: Engine,
    entity_ids: Sequence[str],
    start: datetime,
    end: datetime,
    *,
    no_attributes: bool,
    minimal_response: bool,
) -> list[list[dict[str, Any]]]:
    from hearthmind.recorder import state_history_rows  # optional at run time (_engine)

    # one query for the range and one for the start states, for all the entities at once;
    # raw rows (state_id, entity_id, state, attributes JSON, last_changed_ts,
    # last_updated_ts, ...) straight into HA's shape
    found = state_history_rows(engine, entity_ids or None, start, end, include_start_state=True)
    out: list[list[dict[str, Any]]] = []
    start_ts = start.timestamp()
    loads = orjson.loads
    for entity_id in entity_ids or sorted(found):
        rows = [r for r in found.get(entity_id, []) if r[2] is not None]
        if not rows:
            continue
        items: list[dict[str, Any]] = []
        last = len(rows) - 1
        for i, row in enumerate(rows):
            changed_ts, updated_ts = row[4], row[5]
            if minimal_response and 0 < i < last:
                items.append({"state": row[2], "last_changed": _iso(changed_ts)})
                continue
            if updated_ts < start_ts:
                # HA reports the state in force at the start time as if it changed then
                changed = updated = _iso(start_ts)
            else:
                changed = _iso(changed_ts)
                # most changes change the state: one conversion for both times
                updated = changed if updated_ts == changed_ts else _iso(updated_ts)
            items.append(
                {
                    "entity_id": row[1],
                    "state": row[2],
                    "attributes": {} if no_attributes or not row[3] else loads(row[3]),
                    "last_changed": changed,
                    "last_updated": updated,
                }
            )
        out.append(items)
    return out


async def history_period(
    hub: Hub,
    start_text: str | None,
    end_text: str | None,
    filter_entity_id: str | None,
    *,
    no_attributes: bool = False,
    minimal_response: bool = False,
) -> list[list[dict[str, Any]]]:
    """GET /api/history/period[/{start}]: one list of states per entity, oldest first."""
    start = (
        parse_time(start_text, hub, "start time")
        if start_text
        else hub.clock.now() - timedelta(days=1)
    )
    end = parse_time(end_text, hub, "end_time") if end_text else start + timedelta(days=1)
    if end <= start:
        raise ApiError(400, "invalid_format", "end_time must be after the start time")
    ids = [e.strip() for e in (filter_entity_id or "").split(",") if e.strip()]
    if len(ids) > MAX_ENTITIES:
        raise ApiError(400, "invalid_format", f"at most {MAX_ENTITIES} entities per request")
    engine = await _flushed_engine(hub)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        None,
        lambda: _entity_history(
            engine,
            ids,
            start,
            end,
            no_attributes=no_attributes,
            minimal_response=minimal_response,
        ),
    )


def _origin_counts(engine: Engine, start_ts: float | None, end_ts: float | None) -> dict[str, Any]:
    from sqlalchemy import func, select

    from hearthmind.recorder.schema import events, states

    def counts(table: Any, time_col: Any) -> dict[str, int]:
        query = select(table.c.origin, func.count()).group_by(table.c.origin)
        if start_ts is not None:
            query = query.where(time_col >= start_ts)
        if end_ts is not None:
            query = query.where(time_col < end_ts)
        with engine.connect() as conn:
            return {str(o): int(n) for o, n in conn.execute(query)}

    return {
        "states": counts(states, states.c.last_updated_ts),
        "events": counts(events, events.c.time_fired_ts),
    }


async def origin_counts(hub: Hub, start_text: str | None, end_text: str | None) -> dict[str, Any]:
    """GET /api/hearthmind/origins: recorded state changes and events per origin."""
    start = parse_time(start_text, hub, "start_time") if start_text else None
    end = parse_time(end_text, hub, "end_time") if end_text else None
    engine = await _flushed_engine(hub)
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(
        None,
        lambda: _origin_counts(
            engine,
            start.timestamp() if start else None,
            end.timestamp() if end else None,
        ),
    )
    human = ("physical", "voice", "app")
    result["human_state_changes"] = sum(result["states"].get(o, 0) for o in human)
    result["start_time"] = start.isoformat() if start else None
    result["end_time"] = end.isoformat() if end else None
    return result


MAX_LOGBOOK_ENTRIES = 10_000


def _logbook(
    engine: Engine, ids: list[str] | None, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    from hearthmind.recorder import iter_state_changes

    last: dict[str, str | None] = {}
    out: list[dict[str, Any]] = []
    for row in iter_state_changes(engine, entity_ids=ids, start=start, end=end):
        if last.get(row.entity_id, "\0") == row.state:
            continue  # attributes only: not a logbook entry (as in HA)
        last[row.entity_id] = row.state
        name = row.attributes.get("friendly_name") or row.entity_id
        out.append(
            {
                "when": _iso(row.last_updated_ts),
                "name": str(name),
                "state": row.state,
                "entity_id": row.entity_id,
                "domain": row.domain,
                "context_id": row.context_id,
                "context_user_id": row.user_id,
                # ours: who or what caused it, and the cause's cause (an automation's trigger)
                "context_origin": row.origin,
                "context_parent_id": row.parent_id,
            }
        )
        if len(out) >= MAX_LOGBOOK_ENTRIES:
            break
    return out


async def logbook(
    hub: Hub, start_text: str | None, end_text: str | None, entity: str | None
) -> list[dict[str, Any]]:
    """GET /api/logbook[/{start}]: state changes with who or what caused each, oldest first."""
    start = (
        parse_time(start_text, hub, "start time")
        if start_text
        else hub.clock.now() - timedelta(days=1)
    )
    end = parse_time(end_text, hub, "end_time") if end_text else start + timedelta(days=1)
    if end <= start:
        raise ApiError(400, "invalid_format", "end_time must be after the start time")
    ids = [e.strip() for e in (entity or "").split(",") if e.strip()] or None
    engine = await _flushed_engine(hub)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, lambda: _logbook(engine, ids, start, end))
