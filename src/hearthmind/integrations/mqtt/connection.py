"""One connection to an MQTT broker, driven by the hub's event loop.

paho-mqtt does the protocol; this module gives it the event loop (the socket is watched with
`add_reader`, writes are flushed once per loop iteration however many messages were
published in it), which is what makes thousands of messages per second cheap.

It reconnects with exponential back-off when the broker goes away, and keeps every message
published while disconnected in an outbox that is sent, in order, as soon as the broker is
back: no command is lost to a broker restart (up to `outbox_limit`, beyond which each
dropped message is counted as `mqtt_dropped`)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.reasoncodes import ReasonCode

from hearthmind.core import HealthCounters

_LOGGER = logging.getLogger(__name__)

# (topic, payload, retained): `retained` marks a stored message replayed on subscribing
MessageCallback = Callable[[str, bytes, bool], None]
SUBSCRIBE_BATCH = 200  # topics per SUBSCRIBE packet
READ_BATCH = 16  # packets read per wake-up of the event loop
_CORK: int | None = getattr(socket, "TCP_CORK", None)
RECV_SIZE = 32768  # bytes read from the socket at once


class _BufferedClient(paho.Client):
    """paho reads each packet with several `recv` calls (the command byte, each length
    byte, then the rest): a few system calls per message. This reads what the socket holds
    in one call and serves paho's small reads from that buffer. (It overrides paho's
    `_sock_recv`; paho is pinned below 3 for that reason, and the MQTT tests cover it.)"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_buffer = bytearray()

    def queued_packets(self) -> int:
        return len(self._out_packet)

    def _sock_recv(self, bufsize: int) -> bytes:
        buffer = self.read_buffer
        if not buffer:
            data = super()._sock_recv(RECV_SIZE)
            if len(data) <= bufsize:
                return data  # also b"" (the broker closed the connection)
            buffer += data
        chunk = bytes(buffer[:bufsize])
        del buffer[:bufsize]
        return chunk


@dataclass(frozen=True, slots=True)
class BrokerSettings:
    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = None
    tls: bool = False
    ca_certs: str | None = None
    certfile: str | None = None
    keyfile: str | None = None
    tls_insecure: bool = False
    keepalive: int = 60

    @property
    def url(self) -> str:
        """For messages: never shows the password."""
        scheme = "mqtts" if self.tls else "mqtt"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


class MqttConnection:
    def __init__(
        self,
        settings: BrokerSettings,
        client_id: str,
        on_message: MessageCallback,
        health: HealthCounters,
        clock_ts: Callable[[], float],
        *,
        on_connect: Callable[[], None] | None = None,
        outbox_limit: int = 10_000,
        min_backoff: float = 0.1,
        max_backoff: float = 30.0,
    ) -> None:
        self.settings = settings
        self._on_message_cb = on_message
        self._on_connect_cb = on_connect
        self._health = health
        self._clock_ts = clock_ts
        self._outbox: collections.deque[tuple[str, bytes | str, int, bool]] = collections.deque()
        self._outbox_limit = outbox_limit
        self._min_backoff = min_backoff
        self._max_backoff = max_backoff
        self._topics: dict[str, int] = {}  # subscribed topic -> qos
        self._to_subscribe: dict[str, int] = {}
        self._to_unsubscribe: set[str] = set()
        # SUBSCRIBE packets the broker has not acknowledged yet: until it has, a message
        # published on those topics (not retained) does not reach us
        self._unacked: set[int] = set()
        self._subscribed = asyncio.Event()
        self._sub_flush_scheduled = False
        self._write_scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._sock: socket.socket | None = None
        self._task: asyncio.Task[None] | None = None
        self._misc_task: asyncio.Task[None] | None = None
        self._session_over: asyncio.Future[str] | None = None
        self._stopping = False
        self.connected = False
        self.connected_event = asyncio.Event()
        # set once the first attempt has an outcome (connected, refused or unreachable)
        self.first_attempt_done = asyncio.Event()
        self.connect_count = 0
        self._client = self._make_client(client_id)

    # -- public API ---------------------------------------------------------------------------

    async def async_start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._task = self._loop.create_task(self._run(), name=f"mqtt {self.settings.url}")
        self._misc_task = self._loop.create_task(self._misc(), name="mqtt keepalive")

    async def async_wait_connected(self, seconds: float, *, first_attempt: bool = False) -> bool:
        """Wait up to `seconds` for the broker; with `first_attempt`, stop waiting as soon
        as the first attempt failed (the hub goes on and keeps retrying)."""
        event = self.first_attempt_done if first_attempt else self.connected_event
        try:
            async with asyncio.timeout(seconds):
                await event.wait()
        except TimeoutError:
            return False
        return self.connected

    async def async_wait_subscribed(self, seconds: float) -> bool:
        """Wait up to `seconds` until the broker has acknowledged every subscription asked
        for so far (e.g. the state topics of entities just discovered)."""
        try:
            async with asyncio.timeout(seconds):
                await self._subscribed.wait()
        except TimeoutError:
            return False
        return True

    async def async_stop(self) -> None:
        self._stopping = True
        if self.connected:
            self._flush_writes()
            self._client.disconnect()
            self._flush_writes()
        for task in (self._task, self._misc_task):
            if task is not None:
                task.cancel()
        for task in (self._task, self._misc_task):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task  # stopping: whatever it raised no longer matters
        self._forget_socket()

    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def outbox_size(self) -> int:
        return len(self._outbox)

    def publish(self, topic: str, payload: bytes | str, qos: int = 0, retain: bool = False) -> None:
        """Send now if connected, else keep it for when the broker is back."""
        if self.connected and not self._outbox:
            info = self._client.publish(topic, payload, qos, retain)
            if info.rc == MQTTErrorCode.MQTT_ERR_SUCCESS:
                return
        if len(self._outbox) >= self._outbox_limit:
            self._health.problem(
                "mqtt_dropped",
                f"MQTT outbox full ({self._outbox_limit} messages while {self.settings.url} "
                f"is unreachable): dropped a message to {topic}",
                self._clock_ts(),
            )
            return
        self._outbox.append((topic, payload, qos, retain))

    def subscribe(self, topic: str, qos: int = 0) -> None:
        if topic in self._topics:
            return
        self._topics[topic] = qos
        self._to_unsubscribe.discard(topic)
        self._to_subscribe[topic] = qos
        self._subscribed.clear()
        self._schedule_sub_flush()

    def unsubscribe(self, topic: str) -> None:
        if self._topics.pop(topic, None) is None:
            return
        self._to_subscribe.pop(topic, None)
        self._to_unsubscribe.add(topic)
        self._schedule_sub_flush()

    # -- connection loop ----------------------------------------------------------------------

    def _make_client(self, client_id: str) -> _BufferedClient:
        s = self.settings
        client = _BufferedClient(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=True,
            protocol=paho.MQTTv311,
        )
        if s.username is not None:
            client.username_pw_set(s.username, s.password)
        if s.tls:
            client.tls_set(
                ca_certs=s.ca_certs,
                certfile=s.certfile,
                keyfile=s.keyfile,
                cert_reqs=ssl.CERT_NONE if s.tls_insecure else ssl.CERT_REQUIRED,
            )
            client.tls_insecure_set(s.tls_insecure)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        client.on_socket_open = self._on_socket_open
        client.on_socket_close = self._on_socket_close
        client.on_socket_register_write = self._on_register_write
        client.on_socket_unregister_write = self._on_unregister_write
        # paho's own queue is bounded by us (the outbox), not by it
        client.max_queued_messages_set(0)
        return client

    async def _run(self) -> None:
        assert self._loop is not None
        delay = self._min_backoff
        while not self._stopping:
            self._session_over = self._loop.create_future()
            try:
                # connect() resolves the name and opens the socket (and TLS): blocking work
                await self._loop.run_in_executor(
                    None,
                    self._client.connect,
                    self.settings.host,
                    self.settings.port,
                    self.settings.keepalive,
                )
            except (OSError, ssl.SSLError, ValueError) as err:
                self._health.problem(
                    "mqtt_connect_failed",
                    f"cannot connect to MQTT broker {self.settings.url}: {err}",
                    self._clock_ts(),
                )
                self._session_over.cancel()
                self.first_attempt_done.set()
                await asyncio.sleep(delay)  # network back-off is wall time, not hub time
                delay = min(delay * 2, self._max_backoff)
                continue
            reason = await self._session_over
            self.first_attempt_done.set()
            if self.stopping:
                break
            if reason == "lost the connection":
                delay = self._min_backoff  # a working session: start the back-off afresh
            self._health.problem(
                "mqtt_disconnects",
                f"MQTT broker {self.settings.url}: {reason}; reconnecting in {delay:.1f} s",
                self._clock_ts(),
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_backoff)

    async def _misc(self) -> None:
        # keep-alive pings, and noticing a broker that stopped answering
        while True:
            await asyncio.sleep(1.0)
            if self._sock is not None:
                self._client.loop_misc()

    # -- paho callbacks (event loop thread, except socket open during connect) ----------------

    def _on_connect(
        self,
        client: paho.Client,
        userdata: Any,
        flags: Any,
        reason: ReasonCode,
        properties: Any,
    ) -> None:
        if reason.is_failure:
            self._end_session(f"refused the connection: {reason}")
            return
        self.connected = True
        self.connect_count += 1
        self.connected_event.set()
        self.first_attempt_done.set()
        _LOGGER.info("connected to MQTT broker %s", self.settings.url)
        self._to_subscribe = dict(self._topics)  # a clean session: subscribe everything again
        self._to_unsubscribe.clear()
        self._flush_subscriptions()
        while self._outbox and self.connected:
            topic, payload, qos, retain = self._outbox[0]
            info = self._client.publish(topic, payload, qos, retain)
            if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                break
            self._outbox.popleft()
        if self._on_connect_cb is not None:
            self._on_connect_cb()

    def _on_disconnect(
        self,
        client: paho.Client,
        userdata: Any,
        flags: Any,
        reason: ReasonCode,
        properties: Any,
    ) -> None:
        was = self.connected
        self.connected = False
        self.connected_event.clear()
        self._unacked.clear()  # a clean session: on_connect subscribes everything again
        if self._topics:
            self._subscribed.clear()
        self._end_session(
            "lost the connection"
            if was
            else f"closed the connection before accepting it ({reason})"
        )

    def _on_subscribe(
        self, client: paho.Client, userdata: Any, mid: int, reasons: Any, properties: Any
    ) -> None:
        self._unacked.discard(mid)
        self._note_settled()

    def _note_settled(self) -> None:
        if not self._unacked and not self._to_subscribe and self.connected:
            self._subscribed.set()

    def _end_session(self, reason: str) -> None:
        fut = self._session_over
        if fut is not None and not fut.done():
            fut.set_result(reason)

    def _on_message(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        try:
            topic = message.topic
        except UnicodeDecodeError:
            self._health.problem(
                "mqtt_bad_payload", "a message with a topic that is not UTF-8", self._clock_ts()
            )
            return
        self._on_message_cb(topic, bytes(message.payload), bool(message.retain))

    def _call_in_loop(self, fn: Callable[[], None]) -> None:
        assert self._loop is not None
        if threading.get_ident() == self._loop_thread:
            fn()
        else:
            self._loop.call_soon_threadsafe(fn)

    def _on_socket_open(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        # paho leaves Nagle's algorithm on: an automation's small command would then wait for
        # the broker's delayed ACK of the previous one (up to 40 ms on Linux). Commands that
        # go out together are still sent as one segment (see _flush_writes' cork).
        with contextlib.suppress(OSError, AttributeError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def watch() -> None:
            assert self._loop is not None
            self._client.read_buffer.clear()  # nothing of the old connection carries over
            self._sock = sock
            self._loop.add_reader(sock, self._read)

        self._call_in_loop(watch)

    def _on_socket_close(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        self._call_in_loop(self._forget_socket)

    def _forget_socket(self) -> None:
        if self._sock is not None and self._loop is not None:
            self._loop.remove_reader(self._sock)
            self._loop.remove_writer(self._sock)
        self._sock = None

    def _on_register_write(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        if not self._write_scheduled:
            self._write_scheduled = True
            self._call_in_loop(self._schedule_write)

    def _schedule_write(self) -> None:
        assert self._loop is not None
        self._loop.call_soon(self._flush_writes)

    def _on_unregister_write(self, client: paho.Client, userdata: Any, sock: Any) -> None:
        def unwatch() -> None:
            if self._loop is not None and sock is not None:
                self._loop.remove_writer(sock)

        self._call_in_loop(unwatch)

    def _read(self) -> None:
        # one recv fills the buffer; paho takes a packet per call: go on while whole packets
        # may be buffered, at most READ_BATCH, then send the answers they caused (automations'
        # commands) at once, before reading more
        client = self._client
        try:
            for _ in range(READ_BATCH):
                if client.loop_read() != MQTTErrorCode.MQTT_ERR_SUCCESS:
                    return
                if not client.read_buffer:
                    return
            # packets left in the buffer: the socket may never wake us for them, so come back
            if self._loop is not None and self._sock is not None:
                self._loop.call_soon(self._read)
        finally:
            if self._write_scheduled:
                self._flush_writes()

    def _flush_writes(self) -> None:
        self._write_scheduled = False
        sock = self._sock
        if sock is None:
            return
        # several packets: let the kernel send them as one segment (one wake-up of the
        # broker instead of one per message); a single packet goes out as it is
        cork = _CORK if self._client.queued_packets() > 1 and not self.settings.tls else None
        if cork is not None:
            sock.setsockopt(socket.IPPROTO_TCP, cork, 1)
        try:
            self._client.loop_write()
        finally:
            if cork is not None and self._sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, cork, 0)
        if self._client.want_write() and self._loop is not None and self._sock is not None:
            # the socket is full: let the loop tell us when it drains
            self._loop.add_writer(self._sock, self._flush_writes)

    def _schedule_sub_flush(self) -> None:
        if self._sub_flush_scheduled or not self.connected or self._loop is None:
            return
        self._sub_flush_scheduled = True
        self._loop.call_soon(self._flush_subscriptions)

    def _flush_subscriptions(self) -> None:
        self._sub_flush_scheduled = False
        if not self.connected:
            return
        if self._to_unsubscribe:
            topics = list(self._to_unsubscribe)
            self._to_unsubscribe.clear()
            for i in range(0, len(topics), SUBSCRIBE_BATCH):
                self._client.unsubscribe(topics[i : i + SUBSCRIBE_BATCH])
        if self._to_subscribe:
            items = list(self._to_subscribe.items())
            self._to_subscribe.clear()
            for i in range(0, len(items), SUBSCRIBE_BATCH):
                rc, mid = self._client.subscribe(items[i : i + SUBSCRIBE_BATCH])
                if rc == MQTTErrorCode.MQTT_ERR_SUCCESS and mid is not None:
                    self._unacked.add(mid)
        self._note_settled()
