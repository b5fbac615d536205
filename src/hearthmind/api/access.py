"""The tokens a running hub keeps for the people at its own machine: one the command line uses
(so `hearthmind call`, `say`, `states` ... reach the running hub with no --token), and the
demo's (printed with the status page's address, and kept across restarts so a bookmarked page
stays signed in).

Each is stored beside the token store, readable by its owner only (0600), as a file a person
could also read to use the API by hand. The store keeps only hashes; these files hold usable
secrets, which is why they never leave the configuration directory and are owner-only. A
token that no longer verifies (revoked, the store replaced) is made anew."""

from __future__ import annotations

import contextlib
import os
from datetime import datetime
from pathlib import Path

from hearthmind.core.instance import kept_token_path, read_kept_token

from .tokens import TokenError, TokenStore

CLI_TOKEN_NAME = "cli"
DEMO_TOKEN_NAME = "demo"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    os.chmod(tmp, 0o600)  # whatever the umask
    os.replace(tmp, path)


def kept_token(store: TokenStore, config_dir: Path, name: str, now: datetime) -> str:
    """The token kept in `<config>/.storage/<name>_token` if the store still accepts it; else
    a new one (replacing a token of that name), written there with owner-only permissions."""
    token = read_kept_token(config_dir, name)
    with contextlib.suppress(TokenError):
        if token is not None and store.verify(token) is not None:
            return token
    token = store.create(name, now, replace=True)
    _write_private(kept_token_path(config_dir, name), token)
    return token
