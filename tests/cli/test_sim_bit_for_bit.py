"""Same seed, same history, bit for bit: two `hearthmind sim` processes with different hash
seeds write the same database content and the same intentions file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

HEARTHMIND = Path(sys.executable).parent / "hearthmind"


def run_sim(tmp_path: Path, name: str, hash_seed: str) -> Path:
    db = tmp_path / f"{name}.db"
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run(
        [
            str(HEARTHMIND),
            "sim",
            "--home",
            "couple",
            "--days",
            "2",
            "--seed",
            "11",
            "--db",
            str(db),
        ],
        check=True,
        env=env,
        capture_output=True,
        timeout=120,
    )
    return db


def dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def test_same_seed_same_bytes_across_processes(tmp_path: Path) -> None:
    a = run_sim(tmp_path, "a", "1")
    b = run_sim(tmp_path, "b", "2")
    dump_a = dump(a)
    assert len(dump_a) > 100
    assert dump_a == dump(b)
    intentions_a = Path(f"{a}.intentions.jsonl").read_bytes()
    assert intentions_a and intentions_a == Path(f"{b}.intentions.jsonl").read_bytes()
