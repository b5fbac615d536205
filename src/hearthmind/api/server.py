"""Serving the API with uvicorn inside the hub's own event loop (no thread, no second loop):
handlers touch the hub directly, as Home Assistant's do."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import socket
import ssl
from collections.abc import Generator

import uvicorn

from hearthmind.core import HearthmindError

from .app import build_app
from .runtime import ApiRuntime
from .websocket.connection import CLOSE_GOING_AWAY

_LOGGER = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT = 5.0


class ApiStartError(HearthmindError):
    """The API cannot listen (port taken, bad address): said in one line, not a traceback."""

    counter = "api_start_errors"


MAX_REQUEST_LINE = 24_570


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handlers: the hub's command owns Ctrl-C and SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    """Bind before serving, so a taken port is a clear error here (uvicorn would exit the
    process) and port 0 gives a free port whose number we know."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio sets TCP_NODELAY only on sockets that do, and without it
    # every answer waits ~40 ms for a delayed ACK (Nagle)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise ApiStartError(
            f"the API cannot listen on {host}:{port}: {err.strerror or err} ({_hint(err)})"
        ) from err
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _hint(err: OSError) -> str:
    """What to change: the port when another program has it, else the address (a name that
    does not resolve, or an address that is not this machine's)."""
    if err.errno in (errno.EADDRINUSE, errno.EACCES):
        return "another program has the port? set http: server_port, or --port"
    return (
        "not an address of this machine: set http: server_host (or api: host) to one of its "
        "addresses, 0.0.0.0 for all, or 127.0.0.1"
    )


def check_tls(certificate: str, key: str) -> None:
    """Load the certificate and key as the server will, so that a missing file or one that
    is not PEM is said with its name and the setting to change (uvicorn says only
    `PEM lib (_ssl.c:3905)`)."""
    for path, setting in ((certificate, "ssl_certificate"), (key, "ssl_key")):
        if not os.access(path, os.R_OK):
            reason = "no such file" if not os.path.exists(path) else "not readable"
            raise ApiStartError(f"the API's TLS files: {path}: {reason} (http: {setting})")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certificate, key)
    except (ssl.SSLError, ValueError) as err:
        raise ApiStartError(
            f"the API's TLS files: {certificate} and {key} are not a PEM certificate and its "
            f"private key ({getattr(err, 'reason', None) or err}; http: ssl_certificate, ssl_key)"
        ) from err


class ApiServer:
    def __init__(self, rt: ApiRuntime) -> None:
        self.rt = rt
        self.host = rt.config.host
        self.port = rt.config.port
        self._socket: socket.socket | None = None
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "https" if self.rt.config.tls else "http"
        return f"{scheme}://{host}:{self.port}"

    async def async_start(self) -> None:
        cfg = self.rt.config
        if cfg.tls is not None:
            check_tls(*cfg.tls)
        self._socket = bind(cfg.host, cfg.port)
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(
            build_app(self.rt),
            lifespan="off",
            log_level="warning",
            access_log=False,
            # websockets' sans-I/O protocol (uvicorn >= 0.35), not the deprecated legacy one
            ws="websockets-sansio",
            # frames over this are cut off by the protocol (close 1009); up to it, the session
            # answers an oversized message with an error and keeps the connection
            ws_max_size=cfg.max_message_bytes * 4,
            timeout_graceful_shutdown=int(SHUTDOWN_TIMEOUT),
            server_header=False,
            # a request line as long as Home Assistant takes (its MAX_LINE_SIZE): a history
            # request naming a thousand entities is about 18 KB, over h11's 16 KiB default
            h11_max_incomplete_event_size=MAX_REQUEST_LINE,
            # TLS from `http:` ssl_certificate / ssl_key, as Home Assistant serves it
            ssl_certfile=cfg.tls[0] if cfg.tls else None,
            ssl_keyfile=cfg.tls[1] if cfg.tls else None,
        )
        self._server = _EmbeddedServer(config)
        self._task = asyncio.get_running_loop().create_task(
            self._server.serve(sockets=[self._socket]), name="api-server"
        )
        while not self._server.started:
            if self._task.done():
                err = self._task.exception()
                raise ApiStartError(f"the API server did not start: {err!r}")
            await asyncio.sleep(0.01)
        _LOGGER.info("API listening on %s", self.url)

    async def async_stop(self) -> None:
        for session in list(self.rt.sessions):
            session.close_soon(CLOSE_GOING_AWAY, "hub stopping")
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), SHUTDOWN_TIMEOUT * 2)
            except Exception as err:  # a timeout included: stop regardless
                _LOGGER.warning("API server stop: %r", err)
                self._task.cancel()
        if self._socket is not None:
            self._socket.close()
