"""`hearthmind backup` / `restore` (issue 20): the configuration and a consistent database,
backed up while the hub writes, restored into a new folder; refused while a hub runs there;
an archive reaching outside the folder is refused."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from hearthmind.core import Hub, Origin, load_config
from hearthmind.core.instance import InstanceLock
from hearthmind.recorder import Recorder

HEARTHMIND = Path(sys.executable).parent / "hearthmind"

pytestmark = pytest.mark.timeout(120)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HEARTHMIND), *args], capture_output=True, text=True, timeout=60, check=False
    )


async def test_a_backup_while_the_hub_writes_restores_whole(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "configuration.yaml").write_text("homeassistant:\n  name: Ours\n", encoding="utf-8")
    (home / "secrets.yaml").write_text("x: 1\n", encoding="utf-8")
    hub = Hub(load_config(home))
    recorder = Recorder(hub, hub.config.default_db_url)
    await recorder.async_start()
    await hub.async_start()
    writing = True

    async def write() -> None:
        n = 0
        while writing:
            ctx = hub.context(Origin.PHYSICAL, "alice")
            hub.states.async_set("light.kitchen", "on" if n % 2 else "off", {"n": n}, ctx)
            n += 1
            await asyncio.sleep(0.001)

    writer = asyncio.create_task(write())
    try:
        archive = tmp_path / "b.tar.gz"
        done = await asyncio.to_thread(cli, "backup", "-c", str(home), "--out", str(archive))
        assert done.returncode == 0, done.stderr
        assert "and the database" in done.stdout
    finally:
        writing = False
        await writer
        await hub.async_stop()
        await recorder.async_stop()
    assert not archive.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    new = tmp_path / "restored"
    done = cli("restore", str(archive), "-c", str(new))
    assert done.returncode == 0, done.stderr
    assert (new / "configuration.yaml").read_text() == "homeassistant:\n  name: Ours\n"
    assert (new / "secrets.yaml").exists()
    db = sqlite3.connect(new / "hearthmind.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM states").fetchone()[0] > 0
    finally:
        db.close()
    assert not (new / "hearthmind.db").stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)


def test_restore_is_refused_while_a_hub_runs_there(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "configuration.yaml").write_text("homeassistant:\n  name: Ours\n", encoding="utf-8")
    archive = tmp_path / "b.tar.gz"
    assert cli("backup", "-c", str(home), "--out", str(archive)).returncode == 0
    with InstanceLock(home):
        done = cli("restore", str(archive), "-c", str(home))
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "already running" in lines[0], done.stderr


def test_an_archive_reaching_outside_the_folder_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("config/configuration.yaml", "config/../../outside.txt"):
            data = b"x: 1\n"
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    done = cli("restore", str(archive), "-c", str(tmp_path / "home"))
    assert done.returncode != 0 and "cannot restore" in done.stderr, done.stderr
    assert not (tmp_path / "outside.txt").exists()
