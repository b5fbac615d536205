"""`hearthmind eval` / bench/routines.py: every model on the same splits, one table."""

from __future__ import annotations

import math
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
from .smartthings import Progress as StepReport
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
    The best model is chosen on SmartThings validation figures in both (`best_chosen_on`): a
    test run fits every model once more, on train alone, to score valid.
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
                figures["smartthings_unseen"] = results.pop("_unseen")
                details["smartthings"] = results.pop("_data")
                figures["smartthings"] = results
                figures["smartthings_valid"] = (
                    _top1(results) if validation else _validate(smartthings, progress, figures)
                )
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
    figures["best"], figures["best_chosen_on"] = _best(figures)
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


def _top1(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: {"top1": v["top1"], "n": v["n"]} for k, v in results.items()}


def _validate(folder: Path, progress: StepReport, figures: dict[str, Any]) -> dict[str, Any]:
    """Every model fitted again on SmartThings train alone and scored on valid: the figures
    the best model is chosen on, so no test figure chooses it. Their cost is counted."""
    started = time.perf_counter()

    def said(what: str, done: int, total: int) -> None:
        progress(what.replace("SmartThings", "SmartThings valid", 1), done, total)

    results, _ = evaluate_smartthings(folder, said, validation=True)
    results.pop("_data")
    results.pop("_unseen")
    figures["validation_seconds"] = round(time.perf_counter() - started, 1)
    return _top1(results)


def _best(figures: dict[str, Any]) -> tuple[str, str]:
    """(the model with the best SmartThings validation top-1 among those also evaluated on
    the homes, what it was chosen on): never a test figure. Without SmartThings validation
    figures it is the default model."""
    valid = figures.get("smartthings_valid") or {}
    in_homes = (
        set.intersection(*(set(h) for h in figures["homes"].values()))
        if figures["homes"]
        else set(valid)
    )
    ranked = sorted((v["top1"], k) for k, v in valid.items() if k in in_homes)
    if ranked:
        return str(ranked[-1][1]), "validation"
    return BEST, "default"


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


def _unseen_markdown(figures: dict[str, Any]) -> list[str]:
    """What the SmartThings overlap is and what the unseen-window figures mean."""
    data = figures.get("details", {}).get("smartthings", {})
    unseen = figures.get("smartthings_unseen") or {}
    if not unseen or "overlapping" not in data:
        return []
    n = max(u["n"] for u in unseen.values())
    side = "; ".join(
        f"{m} {100 * figures['smartthings'][m]['top1']:.1f} -> {100 * u['top1']:.1f}"
        for m, u in unseen.items()
        if m in figures["smartthings"]
    )
    return [
        f"SmartThings FR overlaps: {data['overlapping']} of the {data['test_instances']} test "
        f"instances ({100 * data['overlap_share']:.1f} %) end in {data['window']} actions (the "
        "target and the 8 before it, with their weekday and 3-hour slot) that occur verbatim "
        "inside a train or valid instance. The published split cut each user's log into "
        "overlapping 10-action windows and then split them at random, so such a test instance "
        "is mostly a training instance shifted by one: the models have seen its target follow "
        "those very actions. Top-1 % on the whole test set -> on the "
        f"{n} instances whose window never occurs in train or valid: {side}. The whole-test "
        "figure mixes recalling sequences already seen with predicting; the unseen figure is "
        "what to expect of a sequence the models have not met, and the gap between the two is "
        f"how much of a model's score the overlap buys{_gaps(figures)}",
        "",
    ]


def _gaps(figures: dict[str, Any]) -> str:
    """The whole-test top-1 minus the unseen one, widest and narrowest, the sampling noise of
    the unseen subset, and the best model there."""
    unseen = {
        m: u
        for m, u in figures["smartthings_unseen"].items()
        if m in figures["smartthings"] and u["n"]
    }
    if len(unseen) < 2:
        return "."
    gaps = sorted(
        (100 * (figures["smartthings"][m]["top1"] - u["top1"]), m) for m, u in unseen.items()
    )
    (low, low_m), (high, high_m) = gaps[0], gaps[-1]
    errors = [100 * math.sqrt(u["top1"] * (1 - u["top1"]) / u["n"]) for u in unseen.values()]
    best_unseen = max(unseen, key=lambda m: unseen[m]["top1"])
    return (
        f": from {low:+.1f} points ({low_m}) to {high:+.1f} ({high_m}); one standard error of "
        f"a top-1 on the unseen subset is {min(errors):.1f} to {max(errors):.1f} points. Models "
        "that read only the last action or the time of day (most frequent, repeat last, the "
        "Markov chains, the time habits) remember no sequence, so the overlap buys them "
        "nothing beyond that noise; Active LeZi and the ranker (whose features include Active "
        "LeZi's higher-order probability) remember sequences and lose most on unseen windows. "
        f"On the unseen windows the best is {best_unseen} "
        f"({100 * unseen[best_unseen]['top1']:.1f} %)."
    )


def _details_markdown(figures: dict[str, Any]) -> str:
    if figures.get("best_chosen_on") == "validation":
        n_valid = max((v["n"] for v in figures["smartthings_valid"].values()), default=0)
        chosen_by = (
            f"chosen on validation only: each model fitted on SmartThings train alone, top-1 on "
            f"the {n_valid} valid instances, among the models also run on every home; no test "
            "figure chose it"
        )
        if "validation_seconds" in figures:
            chosen_by += f"; these fits added {figures['validation_seconds']} s to the run"
    else:
        chosen_by = f"no SmartThings data: the default, {BEST}"
    lines = [f"Best model ({chosen_by}): **{figures['best']}**.", ""]
    lines += _unseen_markdown(figures)
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
