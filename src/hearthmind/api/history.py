"""History, logbook and origins from the recorder, for Home Assistant's `/api/history/period`
and `/api/logbook` and our `/api/hearthmind/origins`: the requests are read and checked here;
the queries and the rows' shapes are the recorder's (recorder/ha_history.py, summaries.py).

Queries run in an executor (the recorder's engine is synchronous). Before reading, the
recorder is flushed, so an answer includes everything that happened before the request."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearthmind.core import HUMAN_ORIGINS, Hub
from hearthmind.recorder import (
    get_recorder,
    history_in_ha_shape,
    iso_utc,
    iter_state_changes,
)
from hearthmind.recorder import origin_counts as recorded_origin_counts

from .operations import ApiError

if TYPE_CHECKING:
    from sqlalchemy import Engine


FLUSH_TIMEOUT = 10.0  # seconds to wait for the recorder's backlog before answering anyway
# HA sets no number; its request line may be 24,570 bytes (about 1,300 entity ids)
MAX_ENTITIES = 2_000


def _engine(hub: Hub) -> tuple[Any, Engine]:
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
    try:
        return when.astimezone(UTC)
    except OverflowError:  # 0001-01-01 east of UTC is in year 0
        raise ApiError(400, "invalid_format", f"{what}: {value!r} is out of range") from None


_LAST = datetime.max.replace(tzinfo=UTC)


def a_day_after(start: datetime) -> datetime:
    """The default end of a period; a start on 9999-12-31 ends where time does."""
    return start + timedelta(days=1) if start < _LAST - timedelta(days=1) else _LAST


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
    end = parse_time(end_text, hub, "end_time") if end_text else a_day_after(start)
    if end <= start:
        raise ApiError(400, "invalid_format", "end_time must be after the start time")
    ids = [e.strip() for e in (filter_entity_id or "").split(",") if e.strip()]
    if len(ids) > MAX_ENTITIES:
        raise ApiError(400, "invalid_format", f"at most {MAX_ENTITIES} entities per request")
    engine = await _flushed_engine(hub)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        None,
        lambda: history_in_ha_shape(
            engine,
            ids,
            start,
            end,
            no_attributes=no_attributes,
            minimal_response=minimal_response,
        ),
    )


async def origin_counts(hub: Hub, start_text: str | None, end_text: str | None) -> dict[str, Any]:
    """GET /api/hearthmind/origins: recorded state changes and events per origin."""
    start = parse_time(start_text, hub, "start_time") if start_text else None
    end = parse_time(end_text, hub, "end_time") if end_text else None
    engine = await _flushed_engine(hub)
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(
        None,
        lambda: recorded_origin_counts(
            engine,
            start.timestamp() if start else None,
            end.timestamp() if end else None,
        ),
    )
    answer: dict[str, Any] = dict(result)
    answer["human_state_changes"] = sum(result["states"].get(o, 0) for o in HUMAN_ORIGINS)
    answer["start_time"] = start.isoformat() if start else None
    answer["end_time"] = end.isoformat() if end else None
    return answer


MAX_LOGBOOK_ENTRIES = 10_000


def _logbook(
    engine: Engine, ids: list[str] | None, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    last: dict[str, str | None] = {}
    out: list[dict[str, Any]] = []
    for row in iter_state_changes(engine, entity_ids=ids, start=start, end=end):
        if last.get(row.entity_id, "\0") == row.state:
            continue  # attributes only: not a logbook entry (as in HA)
        last[row.entity_id] = row.state
        name = row.attributes.get("friendly_name") or row.entity_id
        out.append(
            {
                "when": iso_utc(row.last_updated_ts),
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
    end = parse_time(end_text, hub, "end_time") if end_text else a_day_after(start)
    if end <= start:
        raise ApiError(400, "invalid_format", "end_time must be after the start time")
    ids = [e.strip() for e in (entity or "").split(",") if e.strip()] or None
    engine = await _flushed_engine(hub)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, lambda: _logbook(engine, ids, start, end))
