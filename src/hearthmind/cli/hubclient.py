"""The running hub of a configuration folder, as the command line finds it: the address it
wrote (`.storage/hub.json`) and the token it keeps for the command line (`.storage/cli_token`,
0600), or what `--url` / `--token` (HEARTHMIND_TOKEN) say. One hub owns the devices; the
commands talk to it rather than starting a second one behind its back.

Plain urllib: the command line starts fast, and this is a handful of requests."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hearthmind.core import read_hub_address
from hearthmind.core.instance import read_kept_token

PROBE_TIMEOUT = 3.0
CALL_TIMEOUT = 120.0  # a first voice request loads its models on the hub


class HubRequestError(Exception):
    """The hub answered with an error (the message is its own)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RunningHub:
    url: str
    token: str

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        data: bytes | None = None,
        timeout: float = CALL_TIMEOUT,
    ) -> Any:
        payload = (
            data if data is not None else (None if body is None else json.dumps(body).encode())
        )
        headers = {"Authorization": f"Bearer {self.token}"}
        if data is None and body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.url.rstrip("/") + path, data=payload, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(
                request, timeout=timeout, context=_tls_context(self.url)
            ) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            raise HubRequestError(err.code, http_message(err)) from err
        return json.loads(raw) if raw else None

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, body)


def _tls_context(url: str) -> ssl.SSLContext | None:
    """A hub on this machine serving TLS (`http: ssl_certificate`) often has a certificate
    made for its network name, or self-signed: over the loopback there is no one in between
    to check for, so the command line does not refuse it; any other host is verified."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def http_message(err: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(err.read() or b"{}")
        if isinstance(body, dict) and body.get("message"):
            return f"HTTP {err.code}: {body['message']}"
    except (ValueError, OSError):
        pass
    return f"HTTP {err.code} {err.reason}"


def hub_address(folder: Path, url: str | None = None) -> str | None:
    """Where the folder's hub answers: `--url`, else what the running hub wrote."""
    return url or read_hub_address(folder)


def find_running_hub(
    folder: Path, url: str | None = None, token: str | None = None
) -> RunningHub | None:
    """The folder's running hub if one answers, with a token it accepts; None if none does."""
    base = hub_address(folder, url)
    token = token or read_kept_token(folder, "cli")
    if base is None or token is None:
        return None
    hub = RunningHub(base, token)
    try:
        hub.request("GET", "/api/", timeout=PROBE_TIMEOUT)
    except HubRequestError as err:
        if err.status == 401:  # a hub answers but refuses the token: that is worth saying
            raise HubRequestError(
                401,
                f"the hub at {base} refused the token ({err}); create one with "
                f"`hearthmind token create -c {folder} --name NAME` and pass --token",
            ) from err
        return None
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return hub


def no_hub_message(folder: Path, url: str | None = None) -> str:
    """Said when no hub answers for the folder: where it looked, how to start one."""
    address = hub_address(folder, url)
    looked = f"nothing answers at {address}" if address else "none has said where it listens"
    return (
        f"no running hub for {folder} ({looked}): start one with `hearthmind run -c {folder}` "
        f"or `hearthmind demo -c {folder}`"
    )
