"""Issue 20, finding 9: files with people's data (who was where, with user ids) are created
readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from hearthmind.core import Hub, Origin
from hearthmind.integrations.simulator.intentions import IntentionLog
from hearthmind.recorder import Recorder


def others_can_read(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


async def test_a_new_database_and_its_wal_are_private(hub: Hub, tmp_path: Path) -> None:
    old = os.umask(0o022)  # a usual umask: files readable by everyone unless made private
    try:
        db = tmp_path / "new" / "hearthmind.db"
        recorder = Recorder(hub, f"sqlite:///{db}")
        await recorder.async_start()
        await hub.async_start()
        hub.states.async_set("light.kitchen", "on", {}, hub.context(Origin.PHYSICAL, "alice"))
        await recorder.async_flush()
        files = [p for p in db.parent.iterdir() if p.name.startswith("hearthmind.db")]
        assert {p.name for p in files} >= {"hearthmind.db", "hearthmind.db-wal"}
        assert [p.name for p in files if others_can_read(p)] == []
        await hub.async_stop()
        await recorder.async_stop()
    finally:
        os.umask(old)


def test_the_intentions_file_is_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        log = IntentionLog(tmp_path / "hearthmind.db.intentions.jsonl")
        log.close()
    finally:
        os.umask(old)
    path = tmp_path / "hearthmind.db.intentions.jsonl"
    assert path.exists() and not others_can_read(path)
