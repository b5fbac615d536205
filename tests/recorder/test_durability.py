"""Durability: kill the hub with SIGKILL in the middle of heavy writing; every change the
recorder reported committed is in the database, and the database opens clean."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine

# The hub process: writes sensor.s{n % 50} = n as fast as it can and, after each batch of
# changes, prints how many state rows the recorder reports committed.
HUB_PROCESS = """
import asyncio, sys
from hearthmind.core import Hub, Origin, RealClock
from hearthmind.recorder import Recorder

async def main(url):
    hub = Hub(clock=RealClock(), seed=1)
    rec = Recorder(hub, url, max_batch=2000)
    await rec.async_start()
    await hub.async_start()
    n = 0
    while True:
        for _ in range(500):
            hub.states.async_set(f"sensor.s{n % 50}", str(n), {"n": n % 13}, hub.context(Origin.SENSOR))
            n += 1
        await rec.async_throttle()
        await asyncio.sleep(0)
        print("committed", rec.committed_states, flush=True)

asyncio.run(main(sys.argv[1]))
"""


def test_sigkill_loses_nothing_reported_committed(db_url: str, tmp_path: Path) -> None:
    script = tmp_path / "hub_process.py"
    script.write_text(HUB_PROCESS)
    proc = subprocess.Popen(
        [sys.executable, str(script), db_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    reported = 0
    assert proc.stdout is not None
    started = time.monotonic()
    try:
        for line in proc.stdout:
            reported = max(reported, int(line.split()[1]))
            if reported >= 20_000 and time.monotonic() - started > 2:
                break
            assert time.monotonic() - started < 60, "the hub process wrote too slowly"
        else:
            raise AssertionError(f"hub process ended: {proc.stderr.read() if proc.stderr else ''}")
        proc.send_signal(signal.SIGKILL)  # mid-write: it keeps producing until the end
    finally:
        proc.kill()
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert reported >= 20_000

    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = conn.execute("SELECT state FROM states ORDER BY state_id").fetchall()
        conn.close()
    else:
        engine = create_engine(db_url)
        with engine.connect() as c:
            rows = c.exec_driver_sql("SELECT state FROM states ORDER BY state_id").fetchall()
        engine.dispose()
    values = [int(r[0]) for r in rows]
    # every reported change is there, in order, with nothing missing or doubled before it
    assert len(values) >= reported
    assert values == list(range(len(values)))
