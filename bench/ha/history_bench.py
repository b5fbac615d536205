"""History reads on a real Home Assistant 2024.3.3 (runs inside HA's venv).

``fill CONFIG_DIR --changes N --end TS``: HA boots once with its recorder in CONFIG_DIR, so
its own code creates the database (schema 42, states_meta, state_attributes, recorder_runs,
...), records the 1,000 bench entities once and stops. Then this script writes the bench's
history straight into that database with sqlite3, in HA's own shape, copied from the rows
HA wrote itself: change n sets ``sensor.bench_<n % 1000>`` to ``str(n + 1)`` at
``END - 30 days + n * 30 days / N``; ``metadata_id`` from states_meta, the attributes row
HA made for these entities, ``old_state_id`` the entity's previous row, ``last_changed_ts``
NULL (HA's way of saying "same as last_updated"), a 16-byte ULID ``context_id_bin`` per
change, ``origin_idx`` 0. HA's states indexes are dropped for the bulk insert and created
again from their own SQL. ``recorder_runs``: one run per day (as if HA restarted every
midnight; HA bounds its start-state search by the run's start, so longer runs would make
its reads slower: this choice favours HA). HA's recorder would need over an hour for 10
million changes, so this is not its write path; its read path reads this database.

``serve CONFIG_DIR --port P``: HA with http (127.0.0.1:P), recorder (auto purge off) and
history on that database; prints ``READY <token>`` (a long-lived access token of an admin
user) and serves until stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import time
from datetime import timedelta
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from boot import log, start_hass
from homeassistant.util.ulid import ulid_at_time, ulid_to_bytes

ENTITIES = 1_000
DAY = 86_400.0
DAYS = 30
BATCH = 100_000


def entity_ids() -> list[str]:
    return [f"sensor.bench_{i:04d}" for i in range(ENTITIES)]


async def _record_entities(config_dir: str) -> None:
    hass = await start_hass(config_dir, {"recorder": {"auto_purge": False}})
    try:
        for entity_id in entity_ids():
            hass.states.async_set(entity_id, "0")
        await hass.async_block_till_done()
        from homeassistant.components.recorder import get_instance

        await get_instance(hass).async_block_till_done()
    finally:
        await asyncio.wait_for(hass.async_stop(), 120)


def fill(config_dir: str, changes: int, end: float) -> dict[str, Any]:
    started = time.perf_counter()
    asyncio.run(_record_entities(config_dir))
    db = sqlite3.connect(os.path.join(config_dir, "home-assistant_v2.db"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    meta = dict(db.execute("SELECT entity_id, metadata_id FROM states_meta").fetchall())
    ids = entity_ids()
    missing = [e for e in ids if e not in meta]
    if missing:
        raise SystemExit(f"HA did not record {len(missing)} bench entities")
    # the attributes row HA itself wrote for these entities (no attributes: '{}')
    template = db.execute(
        "SELECT attributes_id, origin_idx, last_changed_ts IS NULL FROM states "
        "WHERE metadata_id = ? ORDER BY state_id DESC LIMIT 1",
        (meta[ids[0]],),
    ).fetchone()
    attributes_id, origin_idx, changed_null = template
    if not changed_null:
        raise SystemExit("HA wrote last_changed_ts for a state whose last_changed == last_updated")
    indexes = [
        (name, sql)
        for name, sql in db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'states' "
            "AND sql IS NOT NULL"
        )
    ]
    db.execute("BEGIN")
    db.execute("DELETE FROM states")
    for name, _sql in indexes:
        db.execute(f"DROP INDEX {name}")
    db.execute("COMMIT")
    metadata_ids = [meta[e] for e in ids]
    start = end - DAYS * DAY
    step = DAYS * DAY / changes
    previous: list[int | None] = [None] * ENTITIES
    sql = (
        "INSERT INTO states (state_id, state, last_changed_ts, last_updated_ts, old_state_id, "
        "attributes_id, origin_idx, context_id_bin, metadata_id) VALUES (?,?,?,?,?,?,?,?,?)"
    )
    n = 0
    while n < changes:
        rows = []
        for i in range(n, min(changes, n + BATCH)):
            k = i % ENTITIES
            ts = start + i * step
            state_id = i + 1
            context = ulid_to_bytes(ulid_at_time(ts))
            rows.append(
                (state_id, str(i + 1), None, ts, previous[k], attributes_id, origin_idx,
                 context, metadata_ids[k])
            )  # fmt: skip
            previous[k] = state_id
        db.execute("BEGIN")
        db.executemany(sql, rows)
        db.execute("COMMIT")
        n += len(rows)
    inserted = time.perf_counter()
    for _name, index_sql in indexes:
        db.execute(index_sql)
    db.execute("BEGIN")
    db.execute("DELETE FROM recorder_runs")
    first_day = int(start // DAY) * DAY
    day = first_day
    while day < end:
        db.execute(
            "INSERT INTO recorder_runs (start, end, closed_incorrect, created) VALUES (?, ?, 0, ?)",
            (_iso(day), _iso(min(day + DAY, end)), _iso(day)),
        )
        day += DAY
    db.execute("COMMIT")
    # no ANALYZE: HA 2024.3.3 runs none on its database either
    count = int(db.execute("SELECT count(*) FROM states").fetchone()[0])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {
        "changes": count,
        "indexes": [name for name, _ in indexes],
        "insert_seconds": inserted - started,
        "seconds": time.perf_counter() - started,
    }


def _iso(ts: float) -> str:
    # recorder_runs holds naive UTC datetimes, as SQLAlchemy writes them for HA
    return time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime(ts))


async def serve(config_dir: str, port: int) -> None:
    config = {
        "http": {"server_host": "127.0.0.1", "server_port": port},
        "recorder": {"auto_purge": False},
        "history": {},
    }
    hass = await start_hass(config_dir, config)
    try:
        from homeassistant.auth.const import GROUP_ID_ADMIN
        from homeassistant.auth.models import TOKEN_TYPE_LONG_LIVED_ACCESS_TOKEN

        user = await hass.auth.async_create_user("bench", group_ids=[GROUP_ID_ADMIN])
        refresh = await hass.auth.async_create_refresh_token(
            user,
            client_name="bench",
            token_type=TOKEN_TYPE_LONG_LIVED_ACCESS_TOKEN,
            access_token_expiration=timedelta(days=1),
        )
        token = hass.auth.async_create_access_token(refresh)
        log(f"history: HA serving on 127.0.0.1:{port}")
        print(f"READY {token}", flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)
    finally:
        await asyncio.wait_for(hass.async_stop(), 120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["fill", "serve"])
    parser.add_argument("config_dir")
    parser.add_argument("--changes", type=int, default=10_000_000)
    parser.add_argument("--end", type=float, default=0.0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.mode == "fill":
        import json

        print(json.dumps(fill(args.config_dir, args.changes, args.end or time.time())), flush=True)
    else:
        asyncio.run(serve(args.config_dir, args.port))


if __name__ == "__main__":
    main()
