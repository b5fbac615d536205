"""The pooled model: the hub's model fitted on many spaces' histories (one episode each), so
that a space with little history starts from what spaces like it do (`fitting.fine_tuned`).

It is fitted on `pool_spaces` spaces with long histories, picked by a stable hash of their
id, never on the probe spaces the cold-start figures are measured on."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pyarrow.parquet as pq

from hearthmind.routines.artefact import ArtefactError, load_model, save_model
from hearthmind.routines.predictor import Predictor

from .export import SpaceEntry, shard_path
from .fitting import CorruptSpace, FitSettings, new_model, observations_from

POOLED_FILE = "pooled.model"


def space_hash(space: str) -> int:
    return int(hashlib.sha1(space.encode()).hexdigest()[:12], 16)


def is_probe(space: str, share: float) -> bool:
    """A stable share of the fleet kept out of the pooled model, to measure cold start on."""
    return space_hash(space) % 10_000 < share * 10_000


def pool_members(
    index: Sequence[SpaceEntry], pool_spaces: int, min_days: int, probe_share: float
) -> list[SpaceEntry]:
    candidates = [
        e
        for e in index
        if e.status == "ok" and e.days >= min_days and not is_probe(e.space, probe_share)
    ]
    candidates.sort(key=lambda e: space_hash("pool:" + e.space))
    return sorted(candidates[:pool_spaces], key=lambda e: e.space)


def fit_pooled(
    export_dir: Path, members: Sequence[SpaceEntry], settings: FitSettings
) -> tuple[Predictor, list[str]]:
    """The pooled model and the spaces it learned from (a corrupt member is skipped)."""
    episodes = []
    used = []
    for entry in members:
        table = pq.ParquetFile(shard_path(export_dir, entry.shard)).read_row_group(entry.row_group)
        try:
            episodes.append(observations_from(table))
        except CorruptSpace:
            continue
        used.append(entry.space)
    if not episodes:
        raise ValueError("no space with enough history to fit a pooled model on")
    model = new_model(settings)
    model.fit(episodes)
    return model, used


def ensure_pooled(
    export_dir: Path,
    out_dir: Path,
    index: Sequence[SpaceEntry],
    settings: FitSettings,
    pool_spaces: int,
    probe_share: float,
) -> tuple[Path, str] | None:
    """The run's pooled artefact (reused when a resumed run finds it whole) and its SHA-256;
    None when no space has the history to pool (every space then gets its own model)."""
    path = out_dir / POOLED_FILE
    if path.is_file():
        try:
            _, header = load_model(path)
            if header.get("model") == settings.model:
                return path, str(header["sha256"])
        except ArtefactError:
            pass  # damaged: fitted again below
    members = pool_members(index, pool_spaces, settings.own_days + 1, probe_share)
    if not members:
        return None
    model, used = fit_pooled(export_dir, members, settings)
    digest = save_model(model, path, {"pooled_over": used, "probe_share": probe_share})
    return path, digest
