"""`hearthmind eval` / bench/routines.py: every model on the same splits, one table."""

from __future__ import annotations

import os
import platform
import shlex
import sys
import time
from collections.abc import Sequence
from datetime import tzinfo
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..importers import LogFormatError
from .catalogue import BEST
from .homes import evaluate_home
from .metrics import RankingScore
from .report import METHOD, markdown_table, reliability_plot, rich_table, save_json, write_section
from .smartthings import evaluate_smartthings


def default_data_dir() -> Path:
    """$HEARTHMIND_DATA, else ../shared/data next to the repository or the working directory."""
    env = os.environ.get("HEARTHMIND_DATA")
    if env:
        return Path(env)
    for base in (Path.cwd(), Path(__file__).resolve().parents[4]):
        candidate = base.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "data"


def default_home_dirs(data: Path) -> list[Path]:
    """The home logs of a data folder: every folder under its casas/ (none if it is absent)."""
    casas = data / "casas"
    return sorted(p for p in casas.iterdir() if p.is_dir()) if casas.is_dir() else []


def run_evaluation(
    smartthings: Path | None,
    homes: Sequence[Path],
    *,
    json_path: Path | None = None,
    docs_dir: Path | None = None,
    command: str | None = None,
    simulated: Sequence[Path] = (),
    timing_db: Path | None = None,
    console: Console | None = None,
    validation: bool = False,
    home_zone: tzinfo | None = None,
    sim_zone: tzinfo | None = None,
) -> dict[str, Any]:
    """Every model on every data set given. `validation` scores a split inside the training
    data instead of the test split (SmartThings: fit on train, score on valid; home logs and
    simulated homes: the training days split 70/30 again) and never writes docs: those hold
    test figures only. The timing on `timing_db` is the same in both: it scores nothing.
    Histories kept in UTC are scored on the residents' clock: a Home Assistant database in
    `home_zone`, a simulated home in `sim_zone` or else the zone its ground truth names."""
    if console is None:
        console = Console(stderr=True)
        if not console.is_terminal:  # a log file: no screen to wrap the wide table for
            console = Console(stderr=True, width=200)
    figures: dict[str, Any] = {
        "smartthings": {},
        "homes": {},
        "best": BEST,
        "split": "validation" if validation else "test",
    }
    details: dict[str, Any] = {}
    st_scores: dict[str, RankingScore] = {}
    home_scores: dict[str, RankingScore] = {}
    problems: list[str] = []
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("starting", total=1)
        # Not a terminal (a log file, CI): the bar is drawn only when it stops, so a run of
        # many minutes would be silent; say each step on its own line instead.
        plain = not console.is_terminal
        said = [""]

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, description=what[:60].ljust(60), completed=done, total=max(1, total))
            if plain and what != said[0]:
                said[0] = what
                console.print(f"{time.perf_counter() - started:7.1f} s  {what}", highlight=False)

        if smartthings is not None:
            try:
                results, st_scores = evaluate_smartthings(
                    smartthings, progress, validation=validation
                )
                details["smartthings"] = results.pop("_data")
                figures["smartthings"] = results
            except (LogFormatError, OSError) as err:
                problems.append(f"SmartThings {smartthings}: {err}")
        for folder in homes:
            try:
                name, results, scores = evaluate_home(
                    folder, progress, validation=validation, zone=home_zone
                )
            except (LogFormatError, ValueError, OSError) as err:
                problems.append(f"home {folder}: {err}")
                continue
            details.setdefault("homes", {})[name] = results.pop("_data")
            figures["homes"][name] = results
            for model, score in scores.items():
                pooled = home_scores.setdefault(model, RankingScore())
                _merge(pooled, score)
        if simulated:
            from .simulated import evaluate_simulated

            for db in simulated:
                try:
                    name, results = evaluate_simulated(
                        db, progress, validation=validation, zone=sim_zone
                    )
                except (LogFormatError, ValueError, OSError) as err:
                    problems.append(f"simulated {db}: {err}")
                    continue
                figures.setdefault("simulated", {})[name] = results
        if timing_db is not None:
            from .timing import measure_fit_and_predict

            bar.update(
                task, description=f"timing on {timing_db.name}".ljust(60), completed=0, total=1
            )
            try:
                figures["timing"] = measure_fit_and_predict(timing_db)
            except (ValueError, OSError) as err:
                problems.append(f"timing {timing_db}: {err}")
        bar.update(task, description="done".ljust(60), completed=1, total=1)
    figures["best"] = _best(figures)
    figures["details"] = details
    figures["problems"] = problems
    figures["environment"] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "seconds": round(time.perf_counter() - started, 1),
    }
    console.print(rich_table(figures))
    for problem in problems:
        console.print(f"[red]skipped[/red] {problem}")
    if json_path is not None:
        save_json(figures, json_path)
    if docs_dir is not None and not validation:  # docs hold test figures only
        _write_docs(docs_dir, figures, st_scores, home_scores, command or _command())
    return figures


def _best(figures: dict[str, Any]) -> str:
    """The model with the best SmartThings top-1 among those also evaluated on the homes."""
    st = figures["smartthings"]
    in_homes = (
        set.intersection(*(set(h) for h in figures["homes"].values()))
        if figures["homes"]
        else set(st)
    )
    ranked = sorted((v["top1"], k) for k, v in st.items() if k in in_homes)
    if ranked:
        return str(ranked[-1][1])
    return BEST


def _merge(pooled: RankingScore, score: RankingScore) -> None:
    pooled.n += score.n
    pooled.top1 += score.top1
    pooled.top3 += score.top3
    pooled.brier_sum += score.brier_sum
    for a, b in zip(pooled.bins, score.bins, strict=True):
        for i in range(3):
            a[i] += b[i]


def _command() -> str:
    return " ".join(
        shlex.quote(a)
        for a in [
            Path(sys.argv[0]).name if "bench" not in sys.argv[0] else sys.argv[0],
            *sys.argv[1:],
        ]
    )


def _write_docs(
    docs: Path,
    figures: dict[str, Any],
    st_scores: dict[str, RankingScore],
    home_scores: dict[str, RankingScore],
    command: str,
) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    plots = []
    if st_scores:
        reliability_plot(
            st_scores,
            docs / "routines-reliability-smartthings.png",
            "SmartThings FR test: reliability of the top guess",
        )
        plots.append("routines-reliability-smartthings.png")
    if home_scores:
        reliability_plot(
            home_scores,
            docs / "routines-reliability-homes.png",
            "Home logs (pooled): reliability of the top guess",
        )
        plots.append("routines-reliability-homes.png")
    table = markdown_table(figures)
    extra = _details_markdown(figures)
    images = "\n".join(f"![{p}]({p})" for p in plots)
    (docs / "ROUTINES.md").write_text(
        "# Routines: measured\n\nProduced by `"
        + command
        + "` (the harness writes this file; do not edit by hand).\n\n"
        + table
        + "\n\n"
        + extra
        + "\n\n"
        + METHOD
        + "\n\n"
        + images
        + "\n"
    )
    write_section(
        docs / "BENCHMARKS.md",
        f"Command: `{command}`\n\n{table}\n\n{extra}\n\nReliability plots: "
        + ", ".join(f"docs/{p}" for p in plots)
        + ". Details: docs/ROUTINES.md.",
    )


def _errors_avoided(best: str, scored: dict[str, Any]) -> str:
    """The best model's next-event errors as a share of first-order Markov's: points of
    accuracy mean little across homes where Markov is already right 45 % or 94 % of the time."""
    markov = scored.get("markov", {}).get("next_event_top1")
    model = scored.get(best, {}).get("next_event_top1")
    if markov is None or model is None or markov >= 1.0:
        return ""
    avoided = 1.0 - (1.0 - model) / (1.0 - markov)
    return f"; {best} avoids {avoided:.0%} of first-order Markov's next-event errors"


def _details_markdown(figures: dict[str, Any]) -> str:
    chosen_by = (
        "SmartThings top-1, also run on every home"
        if figures.get("smartthings")
        else f"no SmartThings data: the default, {BEST}"
    )
    lines = [f"Best model ({chosen_by}): **{figures['best']}**.", ""]
    details = figures.get("details", {})
    for home, d in details.get("homes", {}).items():
        err = d.get("daily_time_error_minutes_mean")
        lines.append(
            f"- {home}: {d['observations']} observations, {d['train_days']} days to learn, {d['test_days']} to test, "
            f"{d['empty_days']} empty days; "
            + (
                f"{d['sparse_days']} days with stray events only (not counted as days); "
                if d.get("sparse_days")
                else ""
            )
            + f"skipped {d['skipped'] or 'nothing'}; "
            + (f"{d['repaired']} values repaired; " if d.get("repaired") else "")
            + f"daily action time error (median minutes per action, mean over actions): {err}"
            + _errors_avoided(figures["best"], figures["homes"].get(home, {}))
        )
    if "timing" in figures:
        t = figures["timing"]
        lines += [
            "",
            f"Long history ({t['days']} days, {t['observations']} observations): {t['model']} fits in "
            f"{t['fit_s']} s ({t['fit_cpu_s']} s CPU); one prediction takes {t['predict_ms_median']} ms "
            f"(median), {t['predict_ms_p95']} ms (95th percentile).",
        ]
    timing = []
    for where, per_model in [
        ("SmartThings", figures.get("smartthings", {})),
        *figures.get("homes", {}).items(),
    ]:
        m = per_model.get(figures["best"])
        if m and "fit_s" in m:
            timing.append(
                f"{where}: fit {m['fit_s']} s, predict median {m.get('predict_ms_median')} ms, p95 {m.get('predict_ms_p95')} ms"
            )
    if timing:
        lines += [
            "",
            f"Timing of {figures['best']} (shared 2-core machine): " + "; ".join(timing) + ".",
        ]
    return "\n".join(lines)
