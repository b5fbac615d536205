"""The per-entity index the writer keeps in bulk (states_entity_index): it ends up holding every
states row, and reads are the same whether a row is indexed yet or only in `states`."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import text

from hearthmind.core import Hub, Origin, SimulatedClock
from hearthmind.recorder import Recorder, iter_state_changes, purge, state_histories

from .conftest import START

IDS = [f"sensor.e{i}" for i in range(7)]


async def _write(hub: Hub, n: int, first: int = 0) -> None:
    """Change n: entity n % 7 to str(n), a minute apart, a new Context each."""
    clock = cast(SimulatedClock, hub.clock)
    for i in range(first, first + n):
        hub.states.async_set(IDS[i % 7], str(i), {"i": i % 2}, hub.context(Origin.SENSOR))
        await clock.async_advance(timedelta(minutes=1))


def _index_rows(rec: Recorder) -> tuple[list[tuple[Any, ...]], int]:
    with rec.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT entity_id, last_updated_ts, state_id FROM states_entity_index "
                "ORDER BY state_id"
            )
        ).all()
        mark = conn.execute(
            text("SELECT value FROM recorder_marks WHERE name = 'entity_index'")
        ).scalar_one()
    return [tuple(r) for r in rows], int(mark)


def _states_rows(rec: Recorder) -> list[tuple[Any, ...]]:
    with rec.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT entity_id, last_updated_ts, state_id FROM states ORDER BY state_id")
        ).all()
    return [tuple(r) for r in rows]


def _reads(rec: Recorder) -> dict[str, list[tuple[str | None, str]]]:
    start, end = START + timedelta(minutes=30), START + timedelta(minutes=75)
    found = state_histories(rec.engine, IDS[:3], start, end, include_start_state=True)
    return {k: [(r.state, r.context_id) for r in v] for k, v in found.items()}


async def test_reads_match_with_and_without_the_index(hub: Hub, recorder: Recorder) -> None:
    writer = recorder._batch_writer
    writer.index_every = 10**9  # nothing indexed while writing
    recorder.index_interval = 10**9  # nor when idle
    await _write(hub, 20)
    await recorder.async_flush()
    hub.states.async_set(IDS[0], "no index yet", None, hub.context(Origin.SENSOR))
    await recorder.async_flush()
    rows_before, mark = _index_rows(recorder)
    # the first batch brought the (empty) index up to date; the rest is only in `states`
    assert len(rows_before) == mark < 21
    assert _reads(recorder)["sensor.e0"][0][0] == "no index yet"
    # every read from the tail alone equals the same read once everything is indexed
    await _write(hub, 60, first=20)
    await recorder.async_flush()
    tail_only = _reads(recorder)
    tail_changes = [r.state for r in iter_state_changes(recorder.engine, entity_ids=IDS[:2])]
    with recorder.engine.connect() as conn:
        assert writer.index_entities(conn) > 0
    rows, mark = _index_rows(recorder)
    assert rows == _states_rows(recorder) and mark == rows[-1][2]
    assert _reads(recorder) == tail_only
    assert [s for s, _ in tail_only["sensor.e0"]] == ["28", "35", "42", "49", "56", "63", "70"]
    assert [r.state for r in iter_state_changes(recorder.engine, entity_ids=IDS[:2])] == (
        tail_changes
    )
    # start state from the index, a later change only in the tail: the newest wins
    hub.states.async_set(IDS[1], "newest", None, hub.context(Origin.SENSOR))
    await recorder.async_flush()
    later = hub.clock.now() + timedelta(minutes=1)
    found = state_histories(
        recorder.engine, IDS, later, later + timedelta(minutes=1), include_start_state=True
    )
    assert found[IDS[1]][0].state == "newest"
    assert [r.state for r in found[IDS[2]]] == ["79"]


async def test_writer_indexes_in_bulk_and_when_idle(hub: Hub, recorder: Recorder) -> None:
    writer = recorder._batch_writer
    writer.index_every = 25
    await _write(hub, 60)
    await recorder.async_flush()
    rows, mark = _index_rows(recorder)
    # batches of one change each: copied once 25 rows waited, not row by row
    assert 25 <= len(rows) == mark and rows == _states_rows(recorder)[: len(rows)]
    # an idle writer brings the rest over by itself (index_interval after the last copy)
    recorder.index_interval = 0.0
    hub.states.async_set(IDS[0], "last", None, hub.context(Origin.SENSOR))
    await recorder.async_flush()
    for _ in range(200):
        if _index_rows(recorder)[1] == _states_rows(recorder)[-1][2]:
            break
        await asyncio.sleep(0.01)  # the writer indexes when it next finds its queue empty
    rows, mark = _index_rows(recorder)
    assert rows == _states_rows(recorder) and mark == rows[-1][2]


async def test_stop_indexes_everything_and_purge_trims_it(hub: Hub, db_url: str) -> None:
    rec = Recorder(hub, db_url)
    rec.index_interval = 10**9
    await rec.async_start()
    await hub.async_start()
    rec._batch_writer.index_every = 10**9
    await _write(hub, 30)
    await hub.async_stop()
    await rec.async_stop()
    again = Recorder(hub, db_url)
    try:
        rows, mark = _index_rows(again)
        assert rows == _states_rows(again) and mark == rows[-1][2]
        cutoff = START + timedelta(minutes=10)
        assert purge(again.engine, cutoff).states == 10
        rows, _ = _index_rows(again)
        assert rows == _states_rows(again) and len(rows) == 20
    finally:
        again.engine.dispose()
