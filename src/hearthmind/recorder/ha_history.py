"""Recorded states in Home Assistant's REST history shape (`/api/history/period`): raw rows
(recorder/history.py's `state_history_rows`) straight into HA's dicts, with no object per row,
since this is the read the dashboard and HA's own clients make most."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Engine

from .history import state_history_rows


def iso_utc(ts: float) -> str:
    """A recorded time (epoch seconds) as Home Assistant writes one: ISO 8601, UTC."""
    return datetime.fromtimestamp(ts, UTC).isoformat()


def history_in_ha_shape(
    engine: Engine,
    entity_ids: Sequence[str],
    start: datetime,
    end: datetime,
    *,
    no_attributes: bool,
    minimal_response: bool,
) -> list[list[dict[str, Any]]]:
    """Each entity's states over [start, end) in the REST history API's shape (a list per
    entity, oldest first, the state in force at `start` first), with HA's `no_attributes` and
    `minimal_response`."""
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
                items.append({"state": row[2], "last_changed": iso_utc(changed_ts)})
                continue
            if updated_ts < start_ts:
                # HA reports the state in force at the start time as if it changed then
                changed = updated = iso_utc(start_ts)
            else:
                changed = iso_utc(changed_ts)
                # most changes change the state: one conversion for both times
                updated = changed if updated_ts == changed_ts else iso_utc(updated_ts)
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
