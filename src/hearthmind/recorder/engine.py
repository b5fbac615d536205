"""Database engines for the recorder: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

# WAL with synchronous=NORMAL: a commit survives the process being killed (the WAL is in the
# OS page cache); only a power cut may lose the last commits. Readers never block the writer.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA cache_size=-16384",  # 16 MiB page cache per connection
)


def normalize_url(url_or_path: str | Path, base_dir: Path | None = None) -> str:
    """`sqlite:///x.db`, `postgresql://...` or a plain file path (relative to `base_dir`)."""
    text = str(url_or_path)
    if "://" not in text:
        path = Path(text).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return f"sqlite:///{path}"
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    return text


def missing_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL when it does not exist (None otherwise): a command that only
    reads must say so, not let SQLite create an empty database there."""
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    return None if path.exists() or str(path) == ":memory:" else path


def _create_private(path: Path) -> None:
    """A new database file readable by its owner only: it says who was where, and when.
    SQLite gives its -wal and -shm files the database file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # an existing database keeps the permissions its owner gave it
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def create_recorder_engine(url: str, *, busy_timeout: float = 5.0) -> Engine:
    """An engine with the recorder's settings; `busy_timeout` is how long the writer waits for
    another connection's lock before reporting "database is locked" (PostgreSQL: lock_timeout)."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            _create_private(Path(database).expanduser())
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout, "check_same_thread": False},
            pool_size=4,
            max_overflow=4,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            try:
                for pragma in SQLITE_PRAGMAS:
                    cursor.execute(pragma)
            finally:
                cursor.close()

        return engine
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        # As SQLite's busy timeout: give up waiting for another session's lock, and say so.
        connect_args["options"] = f"-c lock_timeout={int(busy_timeout * 1000)}"
    return create_engine(
        url, pool_pre_ping=True, pool_size=4, max_overflow=4, connect_args=connect_args
    )
