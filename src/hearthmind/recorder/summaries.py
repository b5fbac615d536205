"""Summaries of what is recorded, for the CLI and the API: the last recorded state of each
entity, and how many changes and events each origin caused. The recorder's tables are read
here, so nothing outside recorder/ needs its schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, func, select

from .history import open_engine
from .schema import events, state_attributes, states


def latest_states(url: str, domain: str | None = None) -> list[dict[str, Any]]:
    """The last recorded state of each entity (read-only; the hub may be running). A SQLite
    file that does not exist is a FileNotFoundError: reading must not create it."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            raise FileNotFoundError(
                2, "no database yet (run `hearthmind demo` or `sim`)", str(path)
            )
    engine = open_engine(url)
    last = select(func.max(states.c.state_id)).group_by(states.c.entity_id)
    if domain:
        last = last.where(states.c.entity_id.like(f"{domain}.%"))
    query = (
        select(
            states.c.entity_id,
            states.c.state,
            states.c.last_updated_ts,
            states.c.origin,
            states.c.user_id,
            state_attributes.c.shared_attrs,
        )
        .select_from(states.outerjoin(state_attributes))
        .where(states.c.state_id.in_(last.scalar_subquery()))
        .order_by(states.c.entity_id)
    )
    try:
        with engine.connect() as conn:
            rows = conn.execute(query).all()
    finally:
        engine.dispose()
    return [
        {
            "entity_id": r.entity_id,
            "state": r.state,
            "last_updated_ts": r.last_updated_ts,
            "origin": r.origin,
            "user_id": r.user_id,
            "attributes": orjson.loads(r.shared_attrs) if r.shared_attrs else {},
        }
        for r in rows
        if r.state is not None
    ]


def origin_counts(
    engine: Engine, start_ts: float | None = None, end_ts: float | None = None
) -> dict[str, dict[str, int]]:
    """Recorded state changes and events per origin (physical, voice, automation, ...), in
    [start_ts, end_ts): {"states": {origin: n}, "events": {origin: n}}."""

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


def last_recorded_time(url: str) -> float | None:
    """When the last recorded change or event happened (epoch seconds), or None for an empty
    or absent database: a simulated home that restarts continues from there."""
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            last_state = conn.execute(select(func.max(states.c.last_updated_ts))).scalar()
            last_event = conn.execute(select(func.max(events.c.time_fired_ts))).scalar()
    finally:
        engine.dispose()
    known = [float(t) for t in (last_state, last_event) if t is not None]
    return max(known) if known else None
