"""`hearthmind fleet export|train|report`: the routines of many spaces, learned on Ray
(hearthmind.fleet). Ray runs in local mode unless `--address` names a cluster."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import console, err_console, fail

if TYPE_CHECKING:
    from rich.progress import Progress

fleet_app = typer.Typer(help="Learn and evaluate the routines of many spaces at once, on Ray.")

AddressOption = Annotated[
    str | None,
    typer.Option(
        "--address",
        help="A Ray cluster's address (`auto`, `ray://host:10001`); "
        "default: Ray in local mode on this machine.",
    ),
]
WorkersOption = Annotated[int, typer.Option("--workers", min=1, help="Local mode's CPUs.")]


def _progress() -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )


@fleet_app.command("export")
def export_command(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="Folders of recorder databases (*.db), databases, or listing "
            "files of 'space url [zone]' lines (PostgreSQL URLs too)."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="The export folder (Parquet).")],
    zone: Annotated[
        str | None, typer.Option("--time-zone", help="The residents' zone, when not listed.")
    ] = None,
    spaces_per_shard: Annotated[int, typer.Option(min=1)] = 64,
    address: AddressOption = None,
    workers: WorkersOption = 2,
) -> None:
    """Every space's events, by the hub's observation rule, to Parquet sorted by space."""
    from hearthmind.fleet.cluster import ray_session
    from hearthmind.fleet.export import export
    from hearthmind.fleet.sources import SourceError, discover

    try:
        found = discover(sources, zone)
    except SourceError as err:
        raise fail(str(err)) from err
    if not found:
        raise fail("no spaces found (a folder of *.db files, or a listing)")
    with ray_session(address, workers), _progress() as progress:
        task = progress.add_task("exporting spaces", total=len(found))
        entries = export(found, out, spaces_per_shard=spaces_per_shard,
                         advance=lambda n: progress.advance(task, n))  # fmt: skip
    bad = [e for e in entries if e.status != "ok"]
    console.print(f"{len(entries) - len(bad)} spaces exported to {out}")
    for entry in bad:
        err_console.print(f"[yellow]{entry.space}: {entry.status}[/] {entry.error}")


@fleet_app.command("train")
def train_command(
    export_dir: Annotated[Path, typer.Argument(help="A `hearthmind fleet export` folder.")],
    out: Annotated[Path, typer.Option("--out", help="Models, manifest, pooled model.")],
    model: Annotated[str, typer.Option(help="The routines model (hearthmind eval's names).")] = (
        "active_lezi"
    ),
    batch_size: Annotated[int, typer.Option(min=1, help="Spaces per Ray task.")] = 16,
    pool_spaces: Annotated[
        int, typer.Option(min=1, help="Spaces the pooled model learns from.")
    ] = 10,
    address: AddressOption = None,
    workers: WorkersOption = 2,
    serial: Annotated[bool, typer.Option(help="A plain loop in this process, no Ray.")] = False,
) -> None:
    """One model per space (resuming a stopped run), plus the pooled model."""
    from hearthmind.fleet.cluster import ray_session
    from hearthmind.fleet.export import read_index
    from hearthmind.fleet.fitting import FitSettings
    from hearthmind.fleet.train import TrainOptions, train
    from hearthmind.routines.registry import model_names

    if model not in model_names():
        raise fail(f"no model named {model!r} (models: {', '.join(model_names())})")
    try:
        total = len(read_index(export_dir))
    except FileNotFoundError as err:
        raise fail(str(err)) from err
    options = TrainOptions(settings=FitSettings(model=model), batch_size=batch_size,
                           pool_spaces=pool_spaces, serial=serial)  # fmt: skip
    with ray_session(address, workers), _progress() as progress:
        task = progress.add_task("fitting spaces", total=total)
        summary = train(export_dir, out, options, advance=lambda n: progress.advance(task, n))
        progress.update(task, completed=total)
    console.print(
        f"{summary.ok} fitted, {summary.corrupt} corrupt, {summary.failed} failed, "
        f"{summary.skipped_done} already done; {summary.per_minute:.0f} spaces/min"
    )


@fleet_app.command("report")
def report_command(
    out: Annotated[Path, typer.Argument(help="A `hearthmind fleet train` output folder.")],
    plots: Annotated[Path | None, typer.Option(help="Folder for the PNG plots.")] = None,
) -> None:
    """Accuracy over spaces, cold start (per space against pooled), slowest spaces."""
    from rich.table import Table

    from hearthmind.fleet.report import report_run, write_plots

    report = report_run(out)
    if not report.spaces:
        raise fail(f"{out}: no manifest entries (run `hearthmind fleet train` first)", 1)
    summary = report.as_dict()
    console.print(f"{report.spaces} spaces: {report.status}; served {report.served}")
    if report.top1:
        console.print(
            f"next-event top-1: median {summary['top1_median']:.1%}, "
            f"p10 {summary['top1_p10']:.1%}, p90 {summary['top1_p90']:.1%}"
        )
    if report.cold_start:
        table = Table(title="Cold start (probe spaces)")
        for column in ("days of history", "pooled, fine-tuned", "own model only", "probes"):
            table.add_column(column, justify="right")
        for days, c in report.cold_start.items():
            table.add_row(days, f"{c['pooled']:.1%}", f"{c['per_space']:.1%}", f"{c['spaces']:.0f}")
        console.print(table)
    slow = Table(title="Slowest spaces")
    for column in ("space", "seconds", "events"):
        slow.add_column(column)
    for space, seconds, events in report.slowest:
        slow.add_row(space, f"{seconds:.2f}", str(events))
    console.print(slow)
    for space, status, error in report.problems[:20]:
        err_console.print(f"[yellow]{space}: {status}[/] {error}")
    for path in write_plots(report, plots or out / "report"):
        console.print(f"plot: {path}")


def register(app: typer.Typer) -> None:
    """Adds `hearthmind fleet ...` to the `hearthmind` app."""
    app.add_typer(fleet_app, name="fleet")
