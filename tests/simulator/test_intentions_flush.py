"""Issue 20, finding 9: the simulator's intentions file kept up to 2,000 records in memory
(about 18 simulated days of a family), so after a kill it lagged the recorder by days. Now
the buffer goes to the file at most one simulated minute, or one second of real time, after
the last flush."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hearthmind.integrations.simulator.intentions import (
    Intention,
    IntentionLog,
    read_intentions,
)

START = 1_767_600_000.0  # a Monday morning


def intention(at: float) -> Intention:
    return Intention(at, "alice", "breakfast", "light.kitchen", "on", satisfied=False)


def test_a_simulated_minute_after_the_last_flush_it_is_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "home.db.intentions.jsonl"
    wall = [0.0]
    log = IntentionLog(path, "Europe/Amsterdam", monotonic=lambda: wall[0])
    for offset in (0, 10, 30, 59):  # a burst within one simulated minute: buffered
        log.write(intention(START + offset))
    assert read_intentions(path) == []
    log.write(intention(START + 61))  # past the minute: everything so far is written
    assert [r["epoch"] for r in read_intentions(path)] == [START + o for o in (0, 10, 30, 59, 61)]
    log.write(intention(START + 62))
    assert len(read_intentions(path)) == 5
    wall[0] += 1.5  # a slow simulation (real time): a second of wall time is the bound
    log.write(intention(START + 63))
    assert len(read_intentions(path)) == 7
    log.close()


def test_a_kill_loses_at_most_the_last_simulated_minute(tmp_path: Path) -> None:
    """A process that writes 500 intentions ten simulated minutes apart and dies without
    closing the log (os._exit, as after SIGKILL): the file has them all but the last."""
    path = tmp_path / "home.db.intentions.jsonl"
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from hearthmind.integrations.simulator.intentions import Intention, IntentionLog\n"
        "log = IntentionLog(Path(sys.argv[1]), 'UTC')\n"
        "for i in range(500):\n"
        "    log.write(Intention(1767600000.0 + 600 * i, 'alice', 'x', 'light.a', 'on', False))\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=120)
    assert len(read_intentions(path)) >= 499
