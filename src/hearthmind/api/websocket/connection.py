"""One WebSocket client, Home Assistant's protocol
(https://developers.home-assistant.io/docs/api/websocket/): `auth_required`, then `auth` with a
token, then commands `{"id": n, "type": ...}` answered by `result` messages and, for
subscriptions, `event` messages with the subscription's id.

A client cannot hurt the hub: junk (not JSON, not an object, no id, unknown type, too big) gets
an error result naming the problem and is counted; a flood is cut by a per-connection rate
limit; a client that does not read its messages is disconnected once too many are queued
(as Home Assistant does), so one slow client never holds the hub's memory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect

from hearthmind.api.auth import Unauthorized, check_token
from hearthmind.api.jsonutil import dumps_text, loads
from hearthmind.api.operations import HA_API_VERSION, ApiError
from hearthmind.api.runtime import ApiRuntime
from hearthmind.api.scopes import allows_command
from hearthmind.api.tokens import TokenInfo

from . import agent as _agent_commands  # noqa: F401  (registers its commands)
from . import messages
from .ratelimit import TokenBucket

_LOGGER = logging.getLogger(__name__)

CLOSE_POLICY = 1008  # RFC 6455: policy violation (flooding, too slow)
CLOSE_TOO_BIG = 1009
CLOSE_GOING_AWAY = 1001
CLOSE_TRY_AGAIN = 1013
MAX_COALESCED = 128  # messages joined into one frame when the client asked for coalescing
MAX_INFLIGHT = 64  # service calls running at once for one client; more wait their turn


class WebSocketSession:
    """Reads, checks and dispatches one client's messages; writes its answers in order."""

    def __init__(self, rt: ApiRuntime, ws: WebSocket) -> None:
        self.rt = rt
        self.hub = rt.hub
        self.ws = ws
        self.token: TokenInfo | None = None
        self.subscriptions: dict[int, Callable[[], None]] = {}
        self.coalesce = False
        self._config = rt.config
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._last_id = 0
        self._bucket = TokenBucket(
            self._config.rate_limit_per_second, self._config.rate_limit_burst
        )
        self._refused_in_a_row = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._inflight = asyncio.Semaphore(MAX_INFLIGHT)
        self._closing = False
        self._close_task: asyncio.Task[None] | None = None
        self._writes_closed = False
        self.peer = f"{ws.client.host}:{ws.client.port}" if ws.client else "unknown client"

    # -- the lifecycle --------------------------------------------------------------------

    async def run(self) -> None:
        await self.ws.accept()
        authenticated = len(self.rt.sessions) - len(self.rt.pending)
        if authenticated >= self._config.max_connections:
            self._problem(
                "ws_too_many_connections",
                f"refused: {authenticated} connections open already",
            )
            await self._close(CLOSE_TRY_AGAIN, "too many connections")
            return
        self.rt.sessions.add(self)
        self._wait_for_auth()
        writer: asyncio.Task[None] | None = None
        try:
            await self.ws.send_text(
                dumps_text({"type": "auth_required", "ha_version": HA_API_VERSION})
            )
            self.token = await self._authenticate()
            self.rt.pending.pop(self, None)
            if self.token is None:
                return
            if len(self.rt.sessions) - len(self.rt.pending) > self._config.max_connections:
                self._problem("ws_too_many_connections", "refused after auth: all places taken")
                await self._close(CLOSE_TRY_AGAIN, "too many connections")
                return
            await self.ws.send_text(dumps_text({"type": "auth_ok", "ha_version": HA_API_VERSION}))
            writer = asyncio.create_task(self._writer(), name=f"ws-writer {self.peer}")
            await self._reader()
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass  # the client went away; nothing to answer
        finally:
            self._closing = True
            for unsubscribe in self.subscriptions.values():
                unsubscribe()
            self.subscriptions.clear()
            for task in (*self._tasks, *([writer] if writer else [])):
                task.cancel()
            if self._close_task is not None:
                # let the close frame (with its reason) go out before the connection ends
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self._close_task, 2.0)
            self.rt.pending.pop(self, None)
            self.rt.sessions.discard(self)

    def _wait_for_auth(self) -> None:
        """Join the sessions waiting for their auth message. Over the limits (in all, per
        address), the oldest waiting one goes: a real client authenticates within
        milliseconds, so sockets left idle are the ones closed, and a new client gets in."""
        host = self.ws.client.host if self.ws.client else "unknown"
        same = [s for s, h in self.rt.pending.items() if h == host]
        oldest: WebSocketSession | None = None
        if len(same) >= self._config.max_unauthenticated_per_client:
            oldest = same[0]
        elif len(self.rt.pending) >= self._config.max_unauthenticated:
            oldest = next(iter(self.rt.pending))
        if oldest is not None:
            del self.rt.pending[oldest]
            oldest._problem("ws_unauthenticated_closed", "closed: newer connections waiting")
            oldest.close_soon(CLOSE_TRY_AGAIN, "too many connections waiting to authenticate")
        self.rt.pending[self] = host

    async def _authenticate(self) -> TokenInfo | None:
        try:
            async with asyncio.timeout(self._config.auth_timeout):
                frame = await self.ws.receive()
        except TimeoutError:
            self._problem("api_unauthorized", "no auth message in time")
            await self._close(CLOSE_POLICY, "no auth message in time")
            return None
        if frame["type"] == "websocket.disconnect":
            return None
        text = frame.get("text")
        try:
            msg = loads(text) if text is not None else None
        except ValueError:
            msg = None
        token = msg.get("access_token") if isinstance(msg, dict) else None
        if not isinstance(msg, dict) or msg.get("type") != "auth" or not isinstance(token, str):
            self._problem("api_unauthorized", "first message was not {type: auth, access_token}")
            await self._send_auth_invalid(
                'the first message must be {"type": "auth", "access_token": "<token>"}'
            )
            return None
        try:
            host = self.ws.client.host if self.ws.client else None
            return check_token(self.rt, token, f"WebSocket {self.peer}", host)
        except Unauthorized:
            await self._send_auth_invalid("Invalid access token or password")
            return None
        except ApiError as err:  # too many failed logins from this address
            await self._send_auth_invalid(err.message)
            return None

    async def _send_auth_invalid(self, message: str) -> None:
        with contextlib.suppress(Exception):
            await self.ws.send_text(dumps_text({"type": "auth_invalid", "message": message}))
        await self._close(CLOSE_POLICY, "authentication failed")

    async def _close(self, code: int, reason: str, flush: bool = False) -> None:
        self._closing = True
        if flush:  # let the client read why (the answers already queued) before closing
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._queue.join(), 1.0)
        self._writes_closed = True
        with contextlib.suppress(Exception):
            await self.ws.close(code, reason[:120])

    def close_soon(self, code: int, reason: str, *, flush: bool = False) -> None:
        """Close from a callback (a full queue, the hub stopping); the reader then sees the
        disconnect and cleans up."""
        if self._closing:
            return
        self._closing = True
        self._close_task = asyncio.get_running_loop().create_task(self._close(code, reason, flush))

    # -- reading --------------------------------------------------------------------------

    async def _reader(self) -> None:
        now = self.rt.monotonic or asyncio.get_running_loop().time
        while True:
            frame = await self.ws.receive()
            if frame["type"] == "websocket.disconnect":
                code = frame.get("code")
                if code == CLOSE_TOO_BIG:
                    self._problem(
                        "ws_oversized",
                        f"a message over {self._config.max_message_bytes * 4} bytes: "
                        "connection closed by the server",
                    )
                return
            if self._closing:
                continue  # closing: what still arrives is not answered
            if not self._bucket.take(now()):
                self._refuse_flood()
                continue
            self._refused_in_a_row = 0
            text = frame.get("text")
            if text is None:
                self._error(
                    None, "invalid_format", "binary frames are not accepted: send JSON text"
                )
                self._problem("ws_invalid_message", "binary frame")
                continue
            self._handle_text(text)

    def _refuse_flood(self) -> None:
        self._refused_in_a_row += 1
        limit = self._config.rate_limit_per_second
        if self._refused_in_a_row == 1:
            self._problem("ws_rate_limited", f"over {limit:g} messages/s: messages refused")
            self._error(
                None,
                "rate_limited",
                f"too many messages: over {limit:g} per second; messages are being refused",
            )
        if self._refused_in_a_row > self._config.rate_limit_burst:
            # the client ignores the error and keeps flooding: let it go
            self._problem("ws_flood_disconnect", "kept flooding after being refused")
            self.close_soon(CLOSE_POLICY, "rate limit exceeded", flush=True)

    def _handle_text(self, text: str) -> None:
        size = len(text)
        if size > self._config.max_message_bytes:
            self._problem("ws_oversized", f"message of {size} bytes refused")
            self._error(
                None,
                "invalid_format",
                f"message of {size} bytes is over the limit of {self._config.max_message_bytes}",
            )
            return
        try:
            msg = loads(text)
        except ValueError as err:
            self._problem("ws_invalid_json", f"{err}: {text[:60]!r}")
            self._error(None, "invalid_format", f"message is {err}")
            return
        if not isinstance(msg, dict):
            self._problem("ws_invalid_message", f"not an object: {text[:60]!r}")
            self._error(
                None, "invalid_format", 'a message must be a JSON object {"id": n, "type": ...}'
            )
            return
        raw_id = msg.get("id")
        msg_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
        type_ = msg.get("type")
        if msg_id is None or msg_id <= 0:
            self._problem("ws_invalid_message", f"no positive integer id: {text[:60]!r}")
            self._error(
                None, "invalid_format", "Message incorrectly formatted: 'id' must be an integer > 0"
            )
            return
        if not isinstance(type_, str):
            self._problem("ws_invalid_message", f"no type: {text[:60]!r}")
            self._error(msg_id, "invalid_format", "Message incorrectly formatted: no 'type'")
            return
        if msg_id <= self._last_id:
            self._problem("ws_invalid_message", f"id {msg_id} not increasing")
            self._error(msg_id, "id_reuse", "Identifier values have to increase.")
            return
        self._last_id = msg_id
        command = messages.COMMANDS.get(type_)
        if command is None:
            self._problem("ws_unknown_command", f"unknown command {type_[:40]!r}")
            self._error(msg_id, "unknown_command", f"Unknown command: {type_[:80]}.")
            return
        scope = self.token.scope if self.token is not None else "read"
        if not allows_command(scope, type_):
            self._problem("api_forbidden", f"{type_}: a {scope} token")
            self._error(msg_id, "unauthorized", f"this token may only {scope}: not {type_}")
            return
        fields = {k: v for k, v in msg.items() if k not in ("id", "type")}
        try:
            params = command.schema.model_validate(fields)
        except ValidationError as err:
            reason = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'message'}: {e['msg']}"
                for e in err.errors()
            )
            self._problem("ws_invalid_message", f"{type_}: {reason}")
            self._error(msg_id, "invalid_format", f"{type_}: {reason}")
            return
        task = asyncio.get_running_loop().create_task(self._run(command, msg_id, params))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, command: messages.Command, msg_id: int, params: Any) -> None:
        try:
            if command.slow:
                async with self._inflight:
                    await command.handler(self, msg_id, params)
            else:
                await command.handler(self, msg_id, params)
        except ApiError as err:
            if not err.counted and err.status != 404:
                self._problem("ws_command_errors", f"{command.name}: {err.message}")
            self._error(msg_id, err.code, err.message)
        except asyncio.CancelledError:
            raise
        except Exception as err:
            _LOGGER.exception("WebSocket command %s failed", command.name)
            self._problem("ws_command_errors", f"{command.name} failed: {err!r}")
            self._error(msg_id, "unknown_error", f"{command.name} failed: {err}")

    # -- writing --------------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        """Queue a message; a client with too many unread messages is disconnected."""
        if self._writes_closed:
            return
        if self._queue.qsize() >= self._config.max_pending_messages:
            if self._closing:
                return
            self._problem(
                "ws_slow_consumer",
                f"client unable to keep up: {self._queue.qsize()} messages pending; disconnected",
            )
            self.close_soon(CLOSE_POLICY, "too many pending messages")
            return
        self._queue.put_nowait(dumps_text(message))

    def result(self, msg_id: int, result: Any = None) -> None:
        self.send({"id": msg_id, "type": "result", "success": True, "result": result})

    def _error(self, msg_id: int | None, code: str, message: str) -> None:
        self.send(
            {
                "id": msg_id,
                "type": "result",
                "success": False,
                "error": {"code": code, "message": message},
            }
        )

    async def _writer(self) -> None:
        try:
            await self._write_forever()
        except (WebSocketDisconnect, RuntimeError, OSError):
            self._writes_closed = True  # the client is gone; the reader sees it too

    async def _write_forever(self) -> None:
        queue = self._queue
        while True:
            text = await queue.get()
            taken = 1
            if self.coalesce and not queue.empty():
                batch = [text]
                while not queue.empty() and len(batch) < MAX_COALESCED:
                    batch.append(queue.get_nowait())
                text = "[" + ",".join(batch) + "]"
                taken = len(batch)
            await self.ws.send_text(text)
            for _ in range(taken):
                queue.task_done()

    def _problem(self, counter: str, message: str) -> None:
        self.hub.health.problem(
            counter, f"WebSocket {self.peer}: {message}", self.hub.clock.timestamp()
        )
