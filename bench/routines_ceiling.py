"""How predictable is each home log from its recent past? Context tables as probes.

For each home (the same 70/30 split by days as bench/routines.py) and each context (the last
k items, with or without the pace of the last gap): `learned` is the training days' most
frequent next item after that context, scored on the test days; `oracle` is the test days' own
most frequent next item after it, an optimistic bound that no predictor seeing only that
context can beat. With `--compare` (default bench/out/routines.json when present) the table
also shows what first-order Markov and the best model scored in bench/routines.py.

    .venv/bin/python bench/routines_ceiling.py                 # every home under ../shared/data/casas
    .venv/bin/python bench/routines_ceiling.py --home DIR --json out.json --no-docs
    .venv/bin/python bench/routines_ceiling.py --home DIR --compare r.json --section unseen
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from hearthmind.routines.evaluation.ceiling import ceiling
from hearthmind.routines.evaluation.harness import default_data_dir, default_home_dirs
from hearthmind.routines.evaluation.report import bench_command, save_json, write_section
from hearthmind.routines.importers import load_home

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, action="append", default=[], help="repeatable")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--compare", type=Path, default=REPO / "bench/out/routines.json")
    parser.add_argument("--docs", type=Path, default=REPO / "docs")
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/")
    parser.add_argument(
        "--section",
        help="write a BENCHMARKS.md section of its own, named by this word (e.g. homes beyond "
        "../shared/data), instead of the shared data's section",
    )
    args = parser.parse_args(argv)
    homes = list(args.home)
    if not homes:
        homes = default_home_dirs(default_data_dir())
    if not homes:
        parser.error("no home logs given and none under the data folder")
    compare: dict[str, Any] = {}
    if args.compare.is_file():
        compare = json.loads(args.compare.read_text()).get("homes", {})
    figures: dict[str, Any] = {}
    for folder in homes:
        log = load_home(folder)
        figures[log.name] = {
            row.context: {
                "learned": round(row.learned, 4),
                "oracle": round(row.oracle, 4),
                "crossed": round(row.crossed, 4),
                "contexts": row.contexts_seen,
                "test_events": row.test_events,
            }
            for row in ceiling(log.observations, activities=log.activities)
        }
    print(json.dumps(figures, indent=1))
    if args.json:
        save_json(figures, args.json)
    if not args.no_docs:
        command = bench_command("bench/routines_ceiling.py", argv)
        name, title = "routines-ceiling", "Routines: how predictable each home is"
        if args.section:
            name, title = f"{name}-{args.section}", f"{title} ({args.section})"
        write_section(
            args.docs / "BENCHMARKS.md", _markdown(figures, compare, command), name, title
        )
    return 0


def _markdown(figures: dict[str, Any], compare: dict[str, Any], command: str) -> str:
    lines = [
        f"Command: `{command}`",
        "",
        "Next-event top-1 on the test days (70/30 split by days). *learned*: a context table "
        "from the training days (unseen context = wrong). *oracle*: the test days' own most "
        "frequent next item per context, an optimistic bound for any predictor that sees only "
        "that context; it flatters more the fewer test events each context has, so it means "
        "little for the small homes. *crossed*: each half of the test days predicted from the "
        "other half's table (the test period's own habits, without self-counting). Pace: the "
        "gap before the last event (< 0.8 s, < 1.5 s, longer). *+ activity (labelled)*: the "
        "annotated activity under way added to the context, a label the hub never has live: "
        "it says whether knowing what the person is doing would tell more.",
        "",
    ]
    for home, rows in figures.items():
        lines += [
            f"**{home}**",
            "",
            "| context | learned | oracle | crossed | test events per context |",
            "|---|---:|---:|---:|---:|",
        ]
        for context, r in rows.items():
            lines.append(
                f"| {context} | {r['learned']:.3f} | {r['oracle']:.3f} | {r['crossed']:.3f} "
                f"| {r['test_events'] / r['contexts']:.1f} |"
            )
        scored = compare.get(home, {})
        if scored:
            markov = max(
                (v["next_event_top1"] for k, v in scored.items() if "markov" in k.lower()),
                default=None,
            )
            best = max(
                (v["next_event_top1"] for k, v in scored.items() if not k.startswith("_")),
                default=None,
            )
            if markov is not None and best is not None:
                lines.append(
                    f"| *bench/routines.py: first-order Markov / best model* | {markov:.3f} "
                    f"/ {best:.3f} | | | |"
                )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
