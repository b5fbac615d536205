"""The spaces package's own tables: people's profiles (as their export JSON), which hub was
given which profile (so a deletion reaches every space that has it), and the messages
waiting for a hub that could not be reached (so a restart loses none). SQLite by default
(SQLAlchemy, as the recorder and the agent use it), a URL for anything else.

The schema is versioned in `spaces_schema_version`; `MIGRATIONS` brings an older database up
step by step in one transaction, and a database newer than this code is refused, not
touched. These tables are the spaces package's alone (house rule: each package its tables)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import (
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    select,
    text,
)
from sqlalchemy.engine import Engine

from .profile import Profile, ProfileFormatError, profile_from_dict

SCHEMA_VERSION = 3

metadata = MetaData()
profiles = Table(
    "spaces_profiles",
    metadata,
    Column("person_id", String, primary_key=True),
    Column("profile", Text, nullable=False),
    Column("updated_ts", Float(precision=53), nullable=False),
)
outbox = Table(
    "spaces_outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("peer_id", String, nullable=False),
    Column("type", String(32), nullable=False),
    Column("body", Text, nullable=False),
)
shares = Table(
    "spaces_shares",
    metadata,
    Column("person_id", String, primary_key=True),
    Column("peer_id", String, primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("shared_ts", Float(precision=53), nullable=False),
)


def _v1(conn: Connection) -> None:
    conn.execute(
        text(
            "CREATE TABLE spaces_profiles (person_id VARCHAR PRIMARY KEY, profile TEXT NOT NULL, "
            "updated_ts FLOAT NOT NULL)"
        )
    )


def _v2(conn: Connection) -> None:
    # version 2: who was given what, for deletions that reach every space
    conn.execute(
        text(
            "CREATE TABLE spaces_shares (person_id VARCHAR NOT NULL, peer_id VARCHAR NOT NULL, "
            "kind VARCHAR(16) NOT NULL, shared_ts FLOAT NOT NULL, "
            "PRIMARY KEY (person_id, peer_id, kind))"
        )
    )


def _v3(conn: Connection) -> None:
    # version 3: messages waiting for a peer that could not be reached survive a restart
    conn.execute(
        text(
            "CREATE TABLE spaces_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "peer_id VARCHAR NOT NULL, type VARCHAR(32) NOT NULL, body TEXT NOT NULL)"
        )
    )


MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _v1, 2: _v2, 3: _v3}


class SchemaTooNewError(RuntimeError):
    pass


def schema_version(conn: Connection) -> int:
    conn.execute(text("CREATE TABLE IF NOT EXISTS spaces_schema_version (version INTEGER)"))
    found = conn.execute(text("SELECT version FROM spaces_schema_version")).scalar()
    return int(found) if found is not None else 0


def upgrade(engine: Engine, target: int = SCHEMA_VERSION) -> int:
    with engine.begin() as conn:
        current = schema_version(conn)
        if current > SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"spaces tables are at version {current}, newer than this hub ({SCHEMA_VERSION})"
            )
        for version in range(current + 1, target + 1):
            MIGRATIONS[version](conn)
        if target != current:
            conn.execute(text("DELETE FROM spaces_schema_version"))
            conn.execute(text("INSERT INTO spaces_schema_version VALUES (:v)"), {"v": target})
        return max(current, target)


class ProfileStore:
    """Profiles and shares on disk. Small writes, each in its own transaction."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        if url.startswith("sqlite"):
            with self.engine.begin() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        self.version = upgrade(self.engine)

    def save(self, profile: Profile, ts: float) -> None:
        row = {
            "person_id": profile.person_id,
            "profile": orjson.dumps(profile.as_dict()).decode(),
            "updated_ts": ts,
        }
        with self.engine.begin() as conn:
            conn.execute(delete(profiles).where(profiles.c.person_id == profile.person_id))
            conn.execute(profiles.insert().values(**row))

    def load_all(self, problems: list[str] | None = None) -> list[Profile]:
        """Every profile that reads; one that does not is left in its row (nothing lost) and
        named in `problems`."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(profiles.c.person_id, profiles.c.profile)).all()
        out = []
        for person_id, raw in rows:
            try:
                out.append(profile_from_dict(orjson.loads(raw)))
            except (ProfileFormatError, orjson.JSONDecodeError) as err:
                if problems is not None:
                    problems.append(f"profile of {person_id!r} unreadable, kept as it is: {err}")
        return out

    def record_share(self, person_id: str, peer_id: str, kind: str, ts: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(shares).where(
                    (shares.c.person_id == person_id)
                    & (shares.c.peer_id == peer_id)
                    & (shares.c.kind == kind)
                )
            )
            conn.execute(
                shares.insert().values(
                    person_id=person_id, peer_id=peer_id, kind=kind, shared_ts=ts
                )
            )

    def shared_with(self, person_id: str) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(shares.c.peer_id, shares.c.kind, shares.c.shared_ts).where(
                    shares.c.person_id == person_id
                )
            ).all()
        return [{"peer_id": r[0], "kind": r[1], "shared_ts": r[2]} for r in rows]

    def delete_person(self, person_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(profiles).where(profiles.c.person_id == person_id))
            conn.execute(delete(shares).where(shares.c.person_id == person_id))

    def save_outbox(self, pending: list[tuple[str, str, dict[str, Any]]]) -> None:
        """What waits for a peer, as it is now (a small list: replaced whole)."""
        with self.engine.begin() as conn:
            conn.execute(delete(outbox))
            for peer, kind, body in pending:
                conn.execute(
                    outbox.insert().values(
                        peer_id=peer, type=kind, body=orjson.dumps(body).decode()
                    )
                )

    def load_outbox(self) -> list[tuple[str, str, dict[str, Any]]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(outbox.c.peer_id, outbox.c.type, outbox.c.body).order_by(outbox.c.seq)
            ).all()
        return [(r[0], r[1], orjson.loads(r[2])) for r in rows]

    def close(self) -> None:
        self.engine.dispose()
