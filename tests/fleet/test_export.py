"""The export: the hub's observation rule, Parquet sorted by space, damaged spaces listed."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hearthmind.fleet.export import export, read_index, shard_path
from hearthmind.fleet.fitting import CorruptSpace, observations_from
from hearthmind.fleet.sources import SourceError, discover
from hearthmind.routines.recorder_bridge import read_observations

from .conftest import home_log, write_home


def test_export_sorted_by_space_with_the_hubs_rule(
    tiny_fleet: Path, tmp_path: Path, ray_local: None
) -> None:
    out = tmp_path / "export"
    entries = export(discover([tiny_fleet]), out, spaces_per_shard=2)
    index = {e.space: e for e in read_index(out)}
    assert [e.space for e in entries] == sorted(index)
    assert index["broken"].status == "unreadable" and index["broken"].error  # listed, not lost
    for n in range(5):
        entry = index[f"home-{n}"]
        assert entry.status == "ok" and entry.days == 8
        table = pq.ParquetFile(shard_path(out, entry.shard)).read_row_group(entry.row_group)
        assert set(table.column("space").to_pylist()) == {entry.space}
        exported = observations_from(table)
        # the same observations the hub's recorder reader gives (UTC: no zone named)
        assert exported == read_observations(tiny_fleet / f"home-{n}.db").observations
    for shard in {e.shard for e in index.values()}:  # each shard sorted by space, then time
        rows = pq.read_table(shard_path(out, shard)).to_pydict()
        keys = list(zip(rows["space"], rows["time"], strict=True))
        assert keys == sorted(keys)


async def test_a_postgresql_space_is_exported_too(
    postgres_server: object, tmp_path: Path, ray_local: None
) -> None:
    from hearthmind.routines.recorder_bridge import async_write_log

    url = postgres_server.create_database()  # type: ignore[attr-defined]
    await async_write_log(home_log("pg", 3, seed=9), url)
    sqlite = await write_home(tmp_path / "lite.db", 3, seed=9)
    listing = tmp_path / "fleet.txt"
    listing.write_text(f"# space url\npg {url}\nlite {sqlite}\n")
    entries = {e.space: e for e in export(discover([listing]), tmp_path / "out")}
    assert entries["pg"].status == entries["lite"].status == "ok"
    assert entries["pg"].rows == entries["lite"].rows > 0


def test_a_listing_with_a_space_twice_is_an_error(tmp_path: Path) -> None:
    listing = tmp_path / "fleet.txt"
    listing.write_text("a sqlite:///x.db\na sqlite:///y.db\n")
    with pytest.raises(SourceError, match="listed twice"):
        discover([listing])
    listing.write_text("a/b sqlite:///x.db\n")
    with pytest.raises(SourceError, match="space id"):
        discover([listing])


def test_corrupt_rows_are_named() -> None:
    import pyarrow as pa

    from hearthmind.fleet.export import EVENTS_SCHEMA

    def table(times: list[float], items: list[str]) -> pa.Table:
        n = len(times)
        return pa.table({"space": ["s"] * n, "time": times, "item": items,
                         "kind": ["sensor"] * n, "user_id": [None] * n,
                         "origin": ["sensor"] * n}, schema=EVENTS_SCHEMA)  # fmt: skip

    with pytest.raises(CorruptSpace, match="time goes back"):
        observations_from(table([2.0, 1.0], ["a.b:on", "a.b:off"]))
    with pytest.raises(CorruptSpace, match="not a finite"):
        observations_from(table([1.0, float("nan")], ["a.b:on", "a.b:off"]))
    with pytest.raises(CorruptSpace, match="not an event"):
        observations_from(table([1.0, 2.0], ["a.b:on", "garbage"]))
