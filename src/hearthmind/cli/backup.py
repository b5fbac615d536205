"""`hearthmind backup` and `hearthmind restore`: the configuration folder and the database in
one archive, and back.

A backup is consistent while the hub runs: SQLite's online backup API copies the database
page by page under its own read lock, so the copy is the database at one moment, with what
the WAL holds (copying the file would miss the WAL or catch a half-written page). Logs, the
instance lock and the hub's address are left out: they describe a process, not the home. The
archive holds people's data (who was where, tokens) and is written 0600.

`restore` refuses while a hub runs from the folder (it would be writing the database being
replaced), and unpacks only plain files inside the folder."""

from __future__ import annotations

import os
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

from hearthmind.core import HearthmindError, load_config
from hearthmind.core.instance import ADDRESS_FILE, LOCK_FILE, InstanceLock

from .common import DEFAULT_CONFIG, ConfigDir, config_dir, console, fail, user_errors

DB_MEMBER = "database/hearthmind.db"  # where the database goes in the archive
_SKIPPED_DIRS = {"logs", "__pycache__"}
_SKIPPED_FILES = {LOCK_FILE, ADDRESS_FILE}


def _database(folder: Path) -> Path | None:
    """The recorder's SQLite file (None: PostgreSQL, which pg_dump backs up)."""
    from hearthmind.recorder import config_db_url

    url = config_db_url(load_config(folder, create=False))
    if not url.startswith("sqlite:///"):
        return None
    return Path(url.removeprefix("sqlite:///"))


def _config_files(folder: Path, database: Path | None) -> list[Path]:
    skipped = {str(p) for p in _SKIPPED_FILES}
    db_names = set()
    if database is not None:
        db_names = {database.name + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    files = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or path.is_symlink() or rel.parts[0] in _SKIPPED_DIRS:
            continue
        if str(rel) in skipped or rel.name.endswith(".log") or rel.name.startswith(".~"):
            continue
        if rel.name.startswith("hearthmind-backup-"):  # earlier backups
            continue
        if database is not None and path.parent == database.parent and path.name in db_names:
            continue
        files.append(path)
    return files


def make_backup(folder: Path, out: Path) -> tuple[int, bool]:
    """Write the archive; (files, whether the database is in it)."""
    database = _database(folder)
    files = [p for p in _config_files(folder, database) if p.resolve() != out.resolve()]
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
        for path in files:
            archive.add(path, arcname=f"config/{path.relative_to(folder)}", recursive=False)
        if database is None or not database.exists():
            return len(files), False
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "hearthmind.db"
            source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
            target = sqlite3.connect(copy)
            try:
                source.backup(target)  # one consistent snapshot, while the hub writes
            finally:
                target.close()
                source.close()
            archive.add(copy, arcname=DB_MEMBER)
    return len(files), True


def restore_backup(archive_path: Path, folder: Path) -> int:
    """Unpack into `folder` (no hub may run from it); the number of files restored."""
    folder.mkdir(parents=True, exist_ok=True)
    with InstanceLock(folder), tarfile.open(archive_path, "r:*") as archive:
        members = archive.getmembers()
        if not any(m.name.startswith("config/") for m in members):
            raise HearthmindError(f"{archive_path}: not a hearthmind backup (no config/)")
        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            # the "data" filter refuses absolute paths, `..`, links out and device files
            archive.extractall(tmp, filter="data")
            staged = Path(tmp)
            restored = 0
            for path in sorted((staged / "config").rglob("*")):
                if path.is_file():
                    target = folder / path.relative_to(staged / "config")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, target)
                    restored += 1
            db_copy = staged / DB_MEMBER
            if db_copy.exists():
                database = _database(folder)
                if database is None:
                    raise HearthmindError(
                        "the backup has a SQLite database, the configuration a PostgreSQL one"
                    )
                for suffix in ("-wal", "-shm"):  # the old database's: not the restored one's
                    database.with_name(database.name + suffix).unlink(missing_ok=True)
                database.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(db_copy, 0o600)
                os.replace(db_copy, database)
                restored += 1
    return restored


def backup(
    config: ConfigDir = DEFAULT_CONFIG,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="the archive (default: in the folder)")
    ] = None,
) -> None:
    """Back up the configuration folder and the database in one archive (the hub may run)."""
    folder = config_dir(config)
    if not (folder / "configuration.yaml").is_file():
        raise fail(f"no configuration.yaml in {folder}")
    target = out or folder / f"hearthmind-backup-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz"
    with user_errors():
        files, with_db = make_backup(folder, target)
    what = (
        "and the database" if with_db else "(no SQLite database: back PostgreSQL up with pg_dump)"
    )
    console.print(f"{target}: {files} configuration files {what}", highlight=False)


def restore(
    archive: Annotated[Path, typer.Argument(help="an archive made by `hearthmind backup`")],
    config: ConfigDir = DEFAULT_CONFIG,
) -> None:
    """Restore a backup into the configuration folder (stop the hub first)."""
    folder = config_dir(config)
    if not archive.is_file():
        raise fail(f"no such file: {archive}")
    with user_errors():
        try:
            restored = restore_backup(archive, folder)
        except (tarfile.TarError, OSError) as err:
            raise HearthmindError(f"{archive}: cannot restore: {err}") from err
    console.print(f"restored {restored} files into {folder}", highlight=False)


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    app.command("backup")(backup)
    app.command("restore")(restore)
