"""Fleet data: every space's events, by the hub's own observation rule, to Parquet.

The rule is the hub's (`routines.recorder_bridge.read_observations`: people's actions and
sensor events, never the hub's own doing; then `on_wall_clock` to the residents' clock, as
`hearthmind routines` reads a recorder). Spaces are sorted by id and cut into shards of
consecutive spaces; a shard is one file `events/shard-NNNNN.parquet`, sorted by space then
time, with one row group per space. `spaces.parquet` indexes where each space is (shard, row
group) and what it holds, and names every space that could not be read: a training task reads
exactly its spaces' row groups, so no stage shuffles or groups rows across files.

Each shard is exported by a Ray task (one per shard), written to a temporary name and renamed,
so a shard file is whole or absent."""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from hearthmind.routines.observations import Observation, on_wall_clock

from .sources import Source

EVENTS_SCHEMA = pa.schema(
    [
        ("space", pa.string()),
        ("time", pa.float64()),  # epoch seconds on the residents' wall clock (observations.py)
        ("item", pa.string()),
        ("kind", pa.string()),
        ("user_id", pa.string()),
        ("origin", pa.string()),
    ]
)
INDEX_FILE = "spaces.parquet"
META_FILE = "export.json"
RULE = "routines.recorder_bridge.read_observations + observations.on_wall_clock"


@dataclass
class SpaceEntry:
    """One space in the index. `status` ok, empty (nothing learned from) or unreadable
    (`error` says why): a space that cannot be read is listed, never dropped."""

    space: str
    shard: int
    row_group: int  # -1 when the space has no rows
    rows: int
    days: int
    first: float
    last: float
    zone: str
    status: str
    error: str = ""
    skipped: str = ""  # the observation rule's skips, by reason


def shard_path(export_dir: Path, shard: int) -> Path:
    return export_dir / "events" / f"shard-{shard:05d}.parquet"


def read_space(source: Source) -> tuple[list[Observation], str, str]:
    """A space's observations on its residents' wall clock, its zone name and the rule's
    skips (the hub's reader; a missing or damaged database raises)."""
    from hearthmind.routines.recorder_bridge import read_observations

    zone_name = source.zone or _ground_truth_zone(source.url) or "UTC"
    log = on_wall_clock(read_observations(source.url), ZoneInfo(zone_name))
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(log.report.skipped.items()))
    return log.observations, zone_name, skipped


def _ground_truth_zone(url: str) -> str | None:
    """A simulated home's zone, as the ground truth beside its database names it."""
    from hearthmind.routines.evaluation.simulated import home_time_zone, intentions_file

    path = Path(url.removeprefix("sqlite:///"))
    if "://" in url and not url.startswith("sqlite:///"):
        return None
    if not intentions_file(path).is_file():
        return None
    zone = home_time_zone(path)
    return str(zone) if zone is not None else None


def observations_table(space: str, observations: Sequence[Observation]) -> pa.Table:
    return pa.table(
        {
            "space": [space] * len(observations),
            "time": [o.time for o in observations],
            "item": [o.item for o in observations],
            "kind": [str(o.kind) for o in observations],
            "user_id": [o.user_id for o in observations],
            "origin": [o.origin for o in observations],
        },
        schema=EVENTS_SCHEMA,
    )


def export_shard(shard: int, sources: Sequence[Source], export_dir: Path) -> list[SpaceEntry]:
    """One shard's spaces, read and written in space order; the index entries of its spaces."""
    path = shard_path(export_dir, shard)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    entries: list[SpaceEntry] = []
    row_group = 0
    with pq.ParquetWriter(tmp, EVENTS_SCHEMA) as writer:
        for source in sorted(sources, key=lambda s: s.space):
            try:
                observations, zone, skipped = read_space(source)
            except Exception as err:  # a damaged database is this space's problem only
                entries.append(
                    SpaceEntry(source.space, shard, -1, 0, 0, 0.0, 0.0, source.zone or "",
                               "unreadable", f"{type(err).__name__}: {err}"[:500])
                )  # fmt: skip
                continue
            if not observations:
                entries.append(
                    SpaceEntry(source.space, shard, -1, 0, 0, 0.0, 0.0, zone, "empty", "", skipped)
                )
                continue
            table = observations_table(source.space, observations)
            writer.write_table(table, row_group_size=max(1, table.num_rows))
            days = len({math.floor(o.time / 86400) for o in observations})
            entries.append(
                SpaceEntry(source.space, shard, row_group, table.num_rows, days,
                           observations[0].time, observations[-1].time, zone, "ok", "", skipped)
            )  # fmt: skip
            row_group += 1
    tmp.replace(path)
    return entries


def plan_shards(sources: Sequence[Source], spaces_per_shard: int) -> list[list[Source]]:
    ordered = sorted(sources, key=lambda s: s.space)
    step = max(1, spaces_per_shard)
    return [list(ordered[i : i + step]) for i in range(0, len(ordered), step)]


def export(
    sources: Sequence[Source],
    export_dir: Path,
    *,
    spaces_per_shard: int = 64,
    advance: Callable[[int], None] | None = None,
) -> list[SpaceEntry]:
    """Exports every space, one Ray task per shard (Ray must be running: `ray_session`);
    writes the index and returns it. `advance(n)` is told of each finished shard's spaces."""
    import ray

    export_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    remote = ray.remote(max_retries=3)(export_shard)
    shards = plan_shards(sources, spaces_per_shard)
    pending = {remote.remote(n, shard, export_dir): (n, shard) for n, shard in enumerate(shards)}
    entries: list[SpaceEntry] = []
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1)
        n, shard = pending.pop(done[0])
        try:
            entries.extend(ray.get(done[0]))
        except Exception as err:  # the task itself was lost: its spaces are listed as such
            entries.extend(
                SpaceEntry(s.space, n, -1, 0, 0, 0.0, 0.0, s.zone or "", "unreadable",
                           f"export task failed: {type(err).__name__}: {err}"[:500])
                for s in shard
            )  # fmt: skip
        if advance is not None:
            advance(len(shard))
    entries.sort(key=lambda e: e.space)
    write_index(export_dir, entries)
    meta = {
        "rule": RULE,
        "shards": len(shards),
        "spaces": len(entries),
        "seconds": time.time() - started,
    }
    (export_dir / META_FILE).write_text(json.dumps(meta, indent=2))
    return entries


def write_index(export_dir: Path, entries: Sequence[SpaceEntry]) -> None:
    rows = [asdict(e) for e in entries]
    table = pa.Table.from_pylist(rows) if rows else pa.table({"space": pa.array([], pa.string())})
    tmp = export_dir / f".{INDEX_FILE}.tmp"
    pq.write_table(table, tmp)
    tmp.replace(export_dir / INDEX_FILE)


def read_index(export_dir: Path) -> list[SpaceEntry]:
    path = export_dir / INDEX_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{export_dir}: no {INDEX_FILE} (run `hearthmind fleet export`)")
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return [SpaceEntry(**row) for row in rows]
