"""The embedded broker (amqtt) that the hub starts when no broker is configured, bound to
127.0.0.1 only: devices on the same machine (the simulated home) use it; real devices on
the network want a real broker such as Mosquitto, configured with `mqtt: broker: URL`."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

_LOGGER = logging.getLogger(__name__)
STOP_TIMEOUT = 10.0  # seconds the embedded broker gets to stop

EMBEDDED_HOST = "127.0.0.1"


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = EMBEDDED_HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class EmbeddedBroker:
    """amqtt's broker in the hub's own event loop; `port` 0 picks a free port."""

    def __init__(
        self,
        port: int = 1883,
        host: str = EMBEDDED_HOST,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.host = host
        # (user, password) a client must give; None: anonymous clients too (tests, or
        # `mqtt: embedded_allow_anonymous: true`)
        self.credentials = credentials
        if port and not port_is_free(host, port):
            # several hubs side by side (demo --port N): the first gets the usual port
            chosen = free_port(host)
            _LOGGER.warning("port %s:%d is taken; the embedded broker uses %d", host, port, chosen)
            port = chosen
        self.port = port or free_port(host)
        self._broker: Any = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    async def async_start(self) -> None:
        from amqtt.broker import Broker

        # loggers of amqtt are chatty at INFO for each client; keep them to warnings
        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.WARNING)
        if self.credentials is None:
            auth: dict[str, Any] = {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
            }
        else:
            user, password = self.credentials
            auth = {
                "hearthmind.integrations.mqtt.broker_plugin.CredentialsAuthPlugin": {
                    "username": user,
                    "password": password,
                }
            }
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": auth,
        }
        self._broker = Broker(config)
        await self._broker.start()
        _LOGGER.info("embedded MQTT broker listening on %s", self.url)

    async def async_stop(self) -> None:
        if self._broker is not None:
            broker, self._broker = self._broker, None
            # amqtt's shutdown can wait forever on a client session it is tearing down (seen
            # under load: its broadcast loop cancelled, the hub's stop hanging past a test's
            # 180 s); the broker holds nothing to save, so it gets a bounded time and no more
            try:
                await asyncio.wait_for(broker.shutdown(), STOP_TIMEOUT)
            except TimeoutError:
                _LOGGER.warning("embedded MQTT broker did not stop within %.0f s", STOP_TIMEOUT)
