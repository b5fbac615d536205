"""Long-lived access tokens, as Home Assistant's: a random secret shown once, stored hashed.

Tokens live in `<config dir>/.storage/auth_tokens.json`, not in the recorder's database, since
recording can be switched off. A token is 256 random bits, so a plain SHA-256 of it is as
strong as a slow password hash would be (there is nothing to guess); comparing hashes also
means the file never holds a usable secret.

The CLI writes this file while a running hub reads it: writes are atomic (temporary file and
rename) and the store reloads when the file changes, so `hearthmind token revoke` takes effect
on a running hub at the next request."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

STORAGE_DIR = ".storage"
TOKENS_FILE = "auth_tokens.json"
TOKEN_PREFIX = "hm_"
_VERSION = 1


class TokenError(Exception):
    """A token operation that cannot be done (duplicate name, unreadable file, ...)."""


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What the store keeps about a token: never the token itself."""

    id: str
    name: str
    user_id: str  # who calls through this token: the `user_id` of the contexts it makes
    token_hash: str  # "sha256:<hex>"
    created: str  # ISO time
    scope: str = "admin"  # admin, read or voice (api/scopes.py); older tokens are admin


def hash_token(token: str) -> str:
    return "sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_path(config_dir: Path) -> Path:
    return config_dir / STORAGE_DIR / TOKENS_FILE


class TokenStore:
    """Creates, lists, revokes and checks the tokens of one configuration directory."""

    def __init__(self, config_dir: Path) -> None:
        self.path = tokens_path(config_dir)
        self._by_hash: dict[str, TokenInfo] = {}
        self._stamp: tuple[int, int, int] | None = None  # (inode, mtime_ns, size) of the file

    # -- reading ------------------------------------------------------------------------------

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        # every write replaces the file, so a new inode tells a change even within one tick
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _reload_if_changed(self) -> None:
        stamp = self._file_stamp()
        if stamp == self._stamp and (stamp is not None or not self._by_hash):
            return
        self._by_hash = {t.token_hash: t for t in self._read()}
        self._stamp = stamp

    def _read(self) -> list[TokenInfo]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as err:
            raise TokenError(f"{self.path}: cannot read the token store: {err}") from err
        if not isinstance(raw, dict) or not isinstance(raw.get("tokens"), list):
            raise TokenError(f"{self.path}: not a token store (want {{'tokens': [...]}})")
        out = []
        for i, item in enumerate(raw["tokens"]):
            try:
                out.append(TokenInfo(**item))
            except TypeError as err:
                raise TokenError(f"{self.path}: token #{i} is malformed: {err}") from err
        return out

    def tokens(self) -> list[TokenInfo]:
        self._reload_if_changed()
        return sorted(self._by_hash.values(), key=lambda t: (t.created, t.name))

    def verify(self, token: str | None) -> TokenInfo | None:
        """The token's record, or None for a missing, unknown or revoked token."""
        if not token:
            return None
        self._reload_if_changed()
        # a dictionary lookup by hash: the secret itself is never compared byte by byte
        return self._by_hash.get(hash_token(token.strip()))

    # -- writing ------------------------------------------------------------------------------

    def _write(self, tokens: list[TokenInfo]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body: dict[str, Any] = {"version": _VERSION, "tokens": [asdict(t) for t in tokens]}
        fd, tmp = tempfile.mkstemp(prefix=".auth_tokens.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(body, f, indent=2)
                f.write("\n")
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._stamp = None  # force a reload on the next read
        self._by_hash = {}

    def create(
        self,
        name: str,
        now: datetime,
        *,
        user_id: str | None = None,
        replace: bool = False,
        scope: str = "admin",
    ) -> str:
        """Make a new token named `name` and return it; only its hash is stored."""
        from .scopes import SCOPES

        name = name.strip()
        if not name:
            raise TokenError("a token needs a name (--name)")
        if scope not in SCOPES:
            raise TokenError(f"no scope {scope!r} (scopes: {', '.join(SCOPES)})")
        current = self._read()
        same = [t for t in current if t.name == name]
        if same and not replace:
            raise TokenError(f"a token named {name!r} exists already (revoke it, or --replace)")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        info = TokenInfo(
            id=secrets.token_hex(8),
            name=name,
            user_id=user_id or name,
            token_hash=hash_token(token),
            created=now.isoformat(),
            scope=scope,
        )
        self._write([t for t in current if t.name != name] + [info])
        return token

    def revoke(self, name_or_id: str) -> list[TokenInfo]:
        """Remove the tokens with this name or id; returns what was removed."""
        current = self._read()
        gone = [t for t in current if name_or_id in (t.name, t.id)]
        if gone:
            self._write([t for t in current if t not in gone])
        return gone
