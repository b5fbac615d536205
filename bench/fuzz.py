"""Fuzzing with atheris (issue 20): the MQTT payload path, the template engine, the
configuration loader and the WebSocket message parser (harnesses in bench/fuzz_targets.py),
each for `--seconds` (default 600: the issue's "at least 10 minutes each"; `--quick`: 30 s).

    .venv/bin/python bench/fuzz.py [--quick] [--seconds N] [--targets mqtt,template,...]
                                   [--json FILE]

libFuzzer takes over the process it runs in, so each target runs in a child process of this
one (`--child TARGET`), coverage-guided over hearthmind, jinja2 and yaml, with a seed corpus
and a token dictionary; its corpus is kept in bench/out/fuzz-corpus/TARGET (gitignored), so a
second run starts where the first stopped.

What is counted, per target:
- `crashes`: inputs that raised anything but the documented clear errors (PayloadError,
  TemplateError, RuleError, ConfigError, ...), or made the hub log an error (a handler's
  catch-all caught a bug), or killed the child (out of memory, a C-level crash);
- `hangs_over_1s`: inputs that took over 1 s of the process's CPU time (CPU, not wall time:
  on a machine shared at load 30 a wall clock counts waiting for a core as hanging; the wall
  times over 1 s are reported beside it as `slow_wall_over_1s`), and inputs that libFuzzer's
  own 30 s timeout killed.
`--json FILE` writes {target: {"seconds", "runs", "crashes", "hangs_over_1s", ...}} with the
first distinct crash and hang samples (input and error) so that each can be reproduced."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
CORPUS = BENCH / "out" / "fuzz-corpus"
TARGET_NAMES = ("mqtt", "template", "config", "websocket")
HANG_SECONDS = 1.0
LIBFUZZER_TIMEOUT = 30  # seconds: one input taking this long is killed (and counted a hang)
MAX_SAMPLES = 5
MAX_RESTARTS = 20


def _sample(data: bytes, error: str) -> dict[str, str]:
    return {"input": data[:400].decode("latin-1"), "error": error[:400]}


def _dict_escape(token: str) -> str:
    """A libFuzzer dictionary entry: printable ASCII as is, the rest as \\xNN."""
    return "".join(
        chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else f"\\x{b:02X}"
        for b in token.encode("utf-8")
    )


def run_child(target: str, seconds: float, stats_path: Path) -> None:
    """In the child: fuzz `target` until `seconds` have passed, writing the counts to
    `stats_path` every second or so (libFuzzer exits without Python's atexit)."""
    import atheris

    sys.path.insert(0, str(BENCH))
    with atheris.instrument_imports(include=["hearthmind", "jinja2", "yaml"]):
        import fuzz_targets

        harness = fuzz_targets.TARGETS[target]()
    for seed in harness.seeds:  # warm-up: first-call imports and caches are not a hang
        with contextlib.suppress(Exception):
            harness.one(seed)
    stats: dict[str, Any] = {"runs": 0, "crashes": 0, "hangs_over_1s": 0, "slow_wall_over_1s": 0,
                             "crash_samples": [], "hang_samples": []}  # fmt: skip
    seen: set[str] = set()
    start = time.monotonic()
    last_write = start

    def write() -> None:
        stats["seconds"] = round(time.monotonic() - start, 1)
        tmp = stats_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stats))
        os.replace(tmp, stats_path)

    def one(data: bytes) -> None:
        nonlocal last_write
        cpu0, wall0 = time.process_time(), time.monotonic()
        try:
            harness.one(data)
        except Exception as err:  # a bug: counted, a few kept, and fuzzing goes on
            stats["crashes"] += 1
            key = f"{type(err).__name__}: {str(err)[:80]}"
            if key not in seen and len(stats["crash_samples"]) < MAX_SAMPLES:
                seen.add(key)
                stats["crash_samples"].append(_sample(data, f"{type(err).__name__}: {err}"))
        cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
        if cpu > HANG_SECONDS:
            stats["hangs_over_1s"] += 1
            if len(stats["hang_samples"]) < MAX_SAMPLES:
                stats["hang_samples"].append(_sample(data, f"{cpu:.2f} s CPU, {wall:.2f} s wall"))
        elif wall > HANG_SECONDS:
            stats["slow_wall_over_1s"] += 1
        stats["runs"] += 1
        now = time.monotonic()
        if now - last_write > 1.0:
            last_write = now
            write()
            if now - start > seconds:
                os._exit(0)

    corpus = CORPUS / target
    seeds = corpus / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(harness.seeds):
        (seeds / f"seed{i}").write_bytes(seed)
    dictionary = Path(tempfile.mkdtemp()) / f"{target}.dict"
    dictionary.write_text("".join(f'"{_dict_escape(t)}"\n' for t in harness.tokens))
    write()
    args = [sys.argv[0], f"-timeout={LIBFUZZER_TIMEOUT}", f"-dict={dictionary}",
            "-rss_limit_mb=3000", "-max_len=4096", str(corpus), str(seeds)]  # fmt: skip
    atheris.Setup(args, one)
    atheris.Fuzz()


def fuzz_target(target: str, seconds: float, log_dir: Path) -> dict[str, Any]:
    """Run the target's child for `seconds` in all, restarting it when it dies early (each
    death is a crash, or a hang when libFuzzer's timeout killed it)."""
    total: dict[str, Any] = {"seconds": 0.0, "runs": 0, "crashes": 0, "hangs_over_1s": 0,
                             "slow_wall_over_1s": 0, "crash_samples": [], "hang_samples": []}  # fmt: skip
    deadline = time.monotonic() + seconds
    for attempt in range(MAX_RESTARTS):
        left = deadline - time.monotonic()
        if left < 2:
            break
        stats_path = log_dir / f"{target}-{attempt}.json"
        log_path = log_dir / f"{target}-{attempt}.log"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", target,
               "--seconds", str(left), "--stats", str(stats_path)]  # fmt: skip
        with log_path.open("wb") as log:
            proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=False)
        stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
        for key in ("seconds", "runs", "crashes", "hangs_over_1s", "slow_wall_over_1s"):
            total[key] += stats.get(key, 0)
        for key in ("crash_samples", "hang_samples"):
            total[key] += stats.get(key, [])
        if proc.returncode == 0:
            break
        tail = log_path.read_text(errors="replace")[-600:]
        kind = "hangs_over_1s" if "timeout" in tail.lower() else "crashes"
        total[kind] += 1
        total[
            kind.replace("hangs_over_1s", "hang").replace("crashes", "crash") + "_samples"
        ].append({"input": "(see the log)", "error": f"child exit {proc.returncode}: {tail}"})
    total["seconds"] = round(total["seconds"], 1)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="per target")
    parser.add_argument("--quick", action="store_true", help="30 s per target")
    parser.add_argument("--targets", default=",".join(TARGET_NAMES))
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--child", choices=TARGET_NAMES, help=argparse.SUPPRESS)
    parser.add_argument("--stats", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.seconds, args.stats)
        return
    seconds = 30.0 if args.quick else args.seconds
    targets = [t for t in args.targets.split(",") if t]
    unknown = sorted(set(targets) - set(TARGET_NAMES))
    if unknown:
        parser.error(f"unknown targets {unknown}: choose from {', '.join(TARGET_NAMES)}")
    log_dir = BENCH / "out" / "fuzz-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    for target in targets:
        print(f"{target}: fuzzing for {seconds:.0f} s ...", flush=True)
        results[target] = fuzz_target(target, seconds, log_dir)
        r = results[target]
        print(f"{target}: {r['runs']:,} runs in {r['seconds']:.0f} s, {r['crashes']} crashes, "
              f"{r['hangs_over_1s']} hangs over 1 s (CPU), {r['slow_wall_over_1s']} over 1 s "
              "of wall time only", flush=True)  # fmt: skip
        for sample in r["crash_samples"] + r["hang_samples"]:
            print(f"  {sample['error'][:200]!r} <- {sample['input'][:120]!r}", flush=True)
        if args.json is not None:  # written after each target: a long run shows progress
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=1))
    bad = sum(r["crashes"] + r["hangs_over_1s"] for r in results.values())
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
