"""MQTT parity with Home Assistant (issue 26): every case of tests/mqtt/parity/<platform>.yaml
(Home Assistant's own tests/components/mqtt/test_<platform>.py, ported) and of
tests/mqtt/corpus/<source>/<name>.yaml (real devices' discovery payloads), run against a real
Mosquitto and a real hub, one hub per case, as `pytest tests/mqtt/test_parity.py` runs them.

    .venv/bin/python bench/mqtt_parity.py --json bench/out/mqtt_parity.json [--docs]

writes `{"platforms": {PLATFORM: {"cases", "passed"}}, "corpus": {"cases", "passed"},
"failures": [...]}`, prints a table, and with --docs rewrites the figures section of
docs/MQTT-PARITY.md (between its FIGURES markers)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from rich.console import Console  # noqa: E402
from rich.progress import Progress  # noqa: E402
from rich.table import Table  # noqa: E402
from tests.fixtures.mosquitto import MosquittoServer  # noqa: E402
from tests.mqtt.parity.runner import CaseResult, all_cases, run_case, summarize  # noqa: E402

DOC = REPO / "docs" / "MQTT-PARITY.md"
BEGIN, END = "<!-- FIGURES:BEGIN -->", "<!-- FIGURES:END -->"
COMMAND = ".venv/bin/python bench/mqtt_parity.py --json bench/out/mqtt_parity.json --docs"


async def run_all(only: str | None) -> list[CaseResult]:
    cases = [c for c in all_cases() if only is None or only in c.id]
    results: list[CaseResult] = []
    with MosquittoServer() as broker, Progress(transient=True) as progress:
        task = progress.add_task("parity cases", total=len(cases))
        for case in cases:
            results.append(await run_case(broker.url, case))
            progress.advance(task)
    return results


def table(summary: dict[str, Any]) -> Table:
    out = Table(title="MQTT parity with Home Assistant")
    out.add_column("platform")
    out.add_column("cases", justify="right")
    out.add_column("passed", justify="right")
    rows = [*summary["platforms"].items(), ("corpus", summary["corpus"])]
    for name, row in rows:
        out.add_row(name, str(row["cases"]), str(row["passed"]))
    return out


def figures_markdown(summary: dict[str, Any]) -> str:
    lines = [
        BEGIN,
        f"Made by `{COMMAND}` (a real Mosquitto, one hub per case).",
        "",
        "| platform | HA cases | passed |",
        "|---|---:|---:|",
    ]
    for name, row in summary["platforms"].items():
        lines.append(f"| {name} | {row['cases']} | {row['passed']} |")
    total = sum(r["cases"] for r in summary["platforms"].values())
    passed = sum(r["passed"] for r in summary["platforms"].values())
    lines.append(f"| **all {len(summary['platforms'])} platforms** | {total} | {passed} |")
    corpus = summary["corpus"]
    lines += [
        "",
        f"Corpus of real devices' payloads: {corpus['passed']} of {corpus['cases']} pass.",
    ]
    if summary.get("failures"):
        lines += ["", "Failing cases:", ""]
        lines += [f"- `{f['case']}`: {f['reason'][:200]}" for f in summary["failures"]]
    lines.append(END)
    return "\n".join(lines)


def write_docs(summary: dict[str, Any]) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# MQTT parity\n\n"
    block = figures_markdown(summary)
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## Figures\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the summary here")
    parser.add_argument("--docs", action="store_true", help="update docs/MQTT-PARITY.md")
    parser.add_argument("--only", help="run only the cases whose id contains this")
    args = parser.parse_args()
    results = asyncio.run(run_all(args.only))
    summary = summarize(results)
    summary["failures"] = [{"case": r.case.id, "reason": r.reason} for r in results if not r.passed]
    console = Console()
    console.print(table(summary))
    for failure in summary["failures"]:
        console.print(f"[red]FAIL[/red] {failure['case']}: {failure['reason'][:300]}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    if args.docs:
        write_docs(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
