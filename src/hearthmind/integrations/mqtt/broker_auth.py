"""Credentials for the embedded broker: without them anyone on the machine could publish a
device's state or a discovery config (a new switch), and the hub would take it as the
device's word. The hub generates a user and password on first start, keeps them owner-only
in `<config>/.storage/mqtt_embedded.json`, uses them for its own clients (the integration,
the simulated home's bridge) and says where they are; devices on this machine use the same.

The broker checks them with `broker_plugin.CredentialsAuthPlugin` (amqtt, an optional
package, is imported only there)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

CREDENTIALS_FILE = ".storage/mqtt_embedded.json"
USERNAME = "hearthmind"


def embedded_credentials(config_dir: Path) -> tuple[str, str, Path]:
    """(user, password, file): read, or made on first start (0600)."""
    path = config_dir / CREDENTIALS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return str(data["username"]), str(data["password"]), path
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none yet (or unreadable): make new ones
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"username": USERNAME, "password": password}, f)
    return USERNAME, password, path
