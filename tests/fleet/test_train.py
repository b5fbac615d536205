"""Nightly learning on Ray: every space fitted once or reported, resumable, fault tolerant."""

from __future__ import annotations

import os
import signal
from collections import Counter
from pathlib import Path

import pytest

from hearthmind.fleet import fitting
from hearthmind.fleet.export import export
from hearthmind.fleet.fitting import FitSettings
from hearthmind.fleet.manifest import Manifest
from hearthmind.fleet.pooled import is_probe
from hearthmind.fleet.report import build_report, write_plots
from hearthmind.fleet.sources import discover
from hearthmind.fleet.train import BatchResult, TrainOptions, train
from hearthmind.routines.artefact import load_model

from .conftest import write_home

HOMES = [f"home-{n}" for n in range(5)]
SETTINGS = FitSettings(own_days=3, holdout_days=2, cold_start_days=(1, 3), cold_start_test_days=2)


def options(**more: object) -> TrainOptions:
    # a probe share that makes some of the 8-day homes probes and leaves the rest to pool
    share = next(s / 10 for s in range(1, 10) if 1 <= sum(is_probe(h, s / 10) for h in HOMES) <= 3)
    return TrainOptions(settings=SETTINGS, batch_size=1, pool_spaces=2, probe_share=share,
                        **more)  # type: ignore[arg-type]  # fmt: skip


@pytest.fixture
async def exported(tiny_fleet: Path, tmp_path: Path, ray_local: None) -> Path:
    await write_home(tiny_fleet / "short.db", 2, seed=7)  # too little history of its own
    out = tmp_path / "export"
    export(discover([tiny_fleet]), out, spaces_per_shard=3)
    return out


def ok_counts(out: Path) -> Counter[str]:
    return Counter(e["space"] for e in Manifest(out).entries() if e["status"] == "ok")


def test_every_space_fitted_once_and_the_broken_one_reported(
    exported: Path, tmp_path: Path
) -> None:
    out = tmp_path / "train"
    opts = options()
    summary = train(exported, out, opts)
    latest = Manifest(out).latest()
    assert summary.ok == 6 and summary.corrupt == 1 and summary.failed == 0
    assert latest["broken"]["status"] == "corrupt" and latest["broken"]["error"]
    assert ok_counts(out) == Counter({s: 1 for s in [*HOMES, "short"]})
    assert latest["short"]["served"] == "pooled_fine_tuned"
    assert all(latest[h]["served"] == "per_space" for h in HOMES)
    for space in [*HOMES, "short"]:
        model, header = load_model(Path(latest[space]["artefact"]))  # checksum verified
        assert header["sha256"] == latest[space]["sha256"] and header["space"] == space
        assert model.name == "active_lezi"
    _, pooled = load_model(out / "pooled.model")
    probes = {h for h in HOMES if is_probe(h, opts.probe_share)}
    assert pooled["pooled_over"] and not probes & set(pooled["pooled_over"])
    assert all("cold_start" in latest[p] for p in probes)
    report = build_report(Manifest(out).entries())
    assert report.status == {"ok": 6, "corrupt": 1}
    assert set(report.cold_start) == {"1", "3"} and len(report.slowest) == 6
    assert {p.name for p in write_plots(report, tmp_path / "plots")} == {
        "fleet-accuracy.png", "fleet-cold-start.png", "fleet-slowest.png"}  # fmt: skip


def test_a_resumed_run_does_not_refit_done_spaces(exported: Path, tmp_path: Path) -> None:
    out = tmp_path / "train"
    train(exported, out, options())
    manifest = Manifest(out)
    lines = manifest.path.read_text().splitlines(keepends=True)
    kept = [line for line in lines if '"status": "ok"' in line][:3]
    manifest.path.write_text("".join(kept) + '{"space": "torn')  # stopped while writing
    kept_spaces = {e["space"] for e in manifest.entries()}
    stamps = {s: (out / "models" / f"{s}.model").stat().st_mtime_ns for s in kept_spaces}
    summary = train(exported, out, options())
    assert summary.skipped_done == 3 and summary.ok == 3
    assert ok_counts(out) == Counter({s: 1 for s in [*HOMES, "short"]})
    assert {s: (out / "models" / f"{s}.model").stat().st_mtime_ns for s in kept_spaces} == stamps
    again = train(exported, out, options())
    assert again.ok == 0 and again.skipped_done == 6 and again.corrupt == 1  # reported again


def test_a_worker_killed_mid_run_loses_nothing(exported: Path, tmp_path: Path) -> None:
    out = tmp_path / "train"
    killed: list[int] = []

    def kill(result: BatchResult) -> None:
        if not killed and result.pid > 0:
            killed.append(result.pid)
            os.kill(result.pid, signal.SIGKILL)

    summary = train(exported, out, options(), on_batch=kill)
    assert killed and summary.failed == 0
    assert ok_counts(out) == Counter({s: 1 for s in [*HOMES, "short"]})


def test_a_model_that_fails_to_fit_is_reported(
    exported: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def own_model(settings: FitSettings, history: object) -> object:
        raise RuntimeError("the model blew up")

    monkeypatch.setattr(fitting, "own_model", own_model)  # serial: in this process
    summary = train(exported, tmp_path / "train", options(serial=True))
    latest = Manifest(tmp_path / "train").latest()
    assert summary.failed == 5 and summary.ok == 1 and summary.corrupt == 1
    assert all("the model blew up" in latest[h]["error"] for h in HOMES)
    assert latest["short"]["status"] == "ok"  # served by the pooled model: nothing to fail
