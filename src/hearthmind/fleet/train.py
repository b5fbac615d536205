"""Nightly learning: one model per space, in parallel on Ray tasks (the "many models"
pattern), plus the pooled model for spaces with little history.

Ray Data's `groupby(space).map_groups` would sort (shuffle) the fleet's rows to group them;
the export already wrote each space as one row group of a shard sorted by space, so a task
is simply a batch of spaces of one shard and reads exactly their row groups.

Faults: a task whose worker dies is retried by Ray (`max_retries`); a task lost for good
reports its spaces as failed; a space whose rows are corrupt, or whose model fails to fit,
is reported in the manifest with the reason, the rest of its batch goes on. Results are
written to the manifest as each batch finishes, so a run stopped anywhere resumes with what
is not done, and each space's entry is written once per run."""

from __future__ import annotations

import os
import resource
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from hearthmind.routines.artefact import load_model

from .export import SpaceEntry, read_index, shard_path
from .fitting import CorruptSpace, FitSettings, Pooled, fit_space, observations_from
from .manifest import Manifest
from .pooled import ensure_pooled, is_probe

MODELS_DIR = "models"
_POOLED_CACHE: dict[str, Pooled] = {}  # per worker process: the pooled model, loaded once


@dataclass(frozen=True)
class Batch:
    shard: int
    spaces: tuple[tuple[str, int], ...]  # (space, row group)


@dataclass
class BatchResult:
    entries: list[dict[str, Any]]
    pid: int
    peak_rss_mb: float
    seconds: float


@dataclass
class TrainSummary:
    spaces: int  # spaces in the export's index
    skipped_done: int  # already done by an earlier run (resume)
    entries: int  # manifest entries this run wrote
    ok: int
    corrupt: int
    failed: int
    seconds: float
    peak_rss_mb: dict[int, float] = field(default_factory=dict)  # by worker process

    @property
    def per_minute(self) -> float:
        return 60.0 * self.ok / self.seconds if self.seconds > 0 else 0.0


def _pooled(path: str, digest: str) -> Pooled:
    pooled = _POOLED_CACHE.get(digest)
    if pooled is None:
        model, header = load_model(Path(path))  # checksum verified here
        if header["sha256"] != digest:
            raise ValueError(f"{path}: pooled model changed during the run")
        pooled = _POOLED_CACHE[digest] = Pooled(model)
    return pooled


def run_batch(
    export_dir: Path,
    batch: Batch,
    pooled: tuple[str, str] | None,
    settings: FitSettings,
    out_dir: Path,
    probe_share: float,
) -> BatchResult:
    """One task: the batch's spaces, each fitted or reported; never raises for a space."""
    started = time.perf_counter()
    entries: list[dict[str, Any]] = []
    try:
        shard = pq.ParquetFile(shard_path(export_dir, batch.shard))
        model = _pooled(*pooled) if pooled is not None else None
    except Exception as err:  # the shard or the pooled model cannot be read: all reported
        reason = f"{type(err).__name__}: {err}"[:500]
        entries = [{"space": s, "status": "corrupt", "error": reason} for s, _ in batch.spaces]
        return BatchResult(entries, os.getpid(), _peak_rss_mb(), time.perf_counter() - started)
    for space, row_group in batch.spaces:
        try:
            table = shard.read_row_group(row_group)
            if table.num_rows and set(table.column("space").to_pylist()) != {space}:
                raise CorruptSpace(f"row group {row_group} of shard {batch.shard} is not {space}")
            observations = observations_from(table)
            entries.append(
                fit_space(space, observations, model, settings, out_dir / MODELS_DIR,
                          probe=is_probe(space, probe_share))
            )  # fmt: skip
        except CorruptSpace as err:
            entries.append({"space": space, "status": "corrupt", "error": str(err)[:500]})
        except Exception as err:  # a model that fails to fit: this space's problem only
            reason = f"{type(err).__name__}: {err}"[:500]
            entries.append({"space": space, "status": "failed", "error": reason})
    return BatchResult(entries, os.getpid(), _peak_rss_mb(), time.perf_counter() - started)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def plan(
    index: Sequence[SpaceEntry], done: set[str], batch_size: int
) -> tuple[list[Batch], list[dict[str, Any]]]:
    """Batches of consecutive spaces of one shard, for the spaces not done; and the entries
    of spaces the export could not read (reported, nothing to fit)."""
    batches: list[Batch] = []
    unreadable: list[dict[str, Any]] = []
    current: list[tuple[str, int]] = []
    shard = -1
    for entry in sorted(index, key=lambda e: (e.shard, e.row_group, e.space)):
        if entry.space in done:
            continue
        if entry.status != "ok":
            status = "empty" if entry.status == "empty" else "corrupt"
            unreadable.append({"space": entry.space, "status": status, "error": entry.error})
            continue
        if current and (entry.shard != shard or len(current) >= batch_size):
            batches.append(Batch(shard, tuple(current)))
            current = []
        shard = entry.shard
        current.append((entry.space, entry.row_group))
    if current:
        batches.append(Batch(shard, tuple(current)))
    return batches, unreadable


@dataclass
class TrainOptions:
    settings: FitSettings = field(default_factory=FitSettings)
    batch_size: int = 16
    pool_spaces: int = 10
    probe_share: float = 0.05  # of the spaces: cold-start probes, kept out of the pooled model
    retries: int = 3  # Ray retries of a task whose worker died
    serial: bool = False  # a plain loop in this process (the bench's baseline), no Ray
    only: frozenset[str] | None = None  # fit just these spaces of the export (None: all)


def train(
    export_dir: Path,
    out_dir: Path,
    options: TrainOptions | None = None,
    *,
    advance: Callable[[int], None] | None = None,
    on_batch: Callable[[BatchResult], None] | None = None,
) -> TrainSummary:
    """Fits every space not yet done (Ray must be running unless `serial`)."""
    options = options or TrainOptions()
    index = read_index(export_dir)
    manifest = Manifest(out_dir)
    done = manifest.done()
    run = uuid.uuid4().hex[:12]
    found = ensure_pooled(
        export_dir, out_dir, index, options.settings, options.pool_spaces, options.probe_share
    )
    pooled = None if found is None else (str(found[0]), found[1])
    wanted = [e for e in index if options.only is None or e.space in options.only]
    batches, unreadable = plan(wanted, done, options.batch_size)
    manifest.append(unreadable, run)
    summary = TrainSummary(len(wanted), len(done & {e.space for e in wanted}), 0, 0, 0, 0, 0.0)
    _count(summary, unreadable)
    started = time.perf_counter()
    args = (pooled, options.settings, out_dir, options.probe_share)

    def finish(result: BatchResult) -> None:
        manifest.append(result.entries, run)
        _count(summary, result.entries)
        if result.pid > 0:
            summary.peak_rss_mb[result.pid] = max(
                summary.peak_rss_mb.get(result.pid, 0.0), result.peak_rss_mb
            )
        if on_batch is not None:
            on_batch(result)
        if advance is not None:
            advance(len(result.entries))

    if options.serial:
        for batch in batches:
            finish(run_batch(export_dir, batch, *args))
    else:
        _on_ray(export_dir, batches, args, options.retries, finish)
    summary.seconds = time.perf_counter() - started
    return summary


def _on_ray(
    export_dir: Path,
    batches: Sequence[Batch],
    args: tuple[Any, ...],
    retries: int,
    finish: Callable[[BatchResult], None],
) -> None:
    import ray

    task = ray.remote(num_cpus=1, max_retries=retries, retry_exceptions=False)(run_batch)
    pending = {task.remote(export_dir, batch, *args): batch for batch in batches}
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        batch = pending.pop(ready[0])
        try:
            result: BatchResult = ray.get(ready[0])
        except Exception as err:  # lost after every retry: reported, not silently dropped
            reason = f"task lost after {retries} retries: {type(err).__name__}: {err}"[:500]
            entries = [{"space": s, "status": "failed", "error": reason} for s, _ in batch.spaces]
            result = BatchResult(entries, -1, 0.0, 0.0)
        finish(result)


def _count(summary: TrainSummary, entries: Sequence[dict[str, Any]]) -> None:
    summary.entries += len(entries)
    for entry in entries:
        status = entry.get("status")
        if status == "ok":
            summary.ok += 1
        elif status == "failed":
            summary.failed += 1
        else:
            summary.corrupt += 1
