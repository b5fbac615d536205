"""Fixtures for the MQTT tests: a hub connected to a real broker (Mosquitto or the embedded
amqtt one), and a device-side client (aiomqtt, an independent MQTT implementation)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiomqtt
import pytest

from hearthmind.core import Hub
from hearthmind.integrations.mqtt import (
    EmbeddedBroker,
    MqttConfig,
    MqttIntegration,
    async_start_mqtt,
)
from tests.fixtures.mosquitto import MosquittoServer
from tests.waiting import wait_for

__all__ = ["wait_for"]


@pytest.fixture(params=["mosquitto", "embedded"])
async def broker_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """Each test that takes this runs against real Mosquitto and against amqtt."""
    if request.param == "mosquitto":
        server: MosquittoServer = request.getfixturevalue("mosquitto")
        yield server.url
        return
    broker = EmbeddedBroker(port=0)
    await broker.async_start()
    try:
        yield broker.url
    finally:
        await broker.async_stop()


async def start_hub(url: str, **options: Any) -> tuple[Hub, MqttIntegration]:
    hub = Hub()
    config = MqttConfig(broker=url, **options)
    integration = await async_start_mqtt(hub, config)
    await hub.async_start()
    return hub, integration


PREFIX = "homeassistant"


@pytest.fixture
def prefix() -> str:
    """A discovery prefix of the test's own: retained configs of other tests on the shared
    Mosquitto do not leak into it."""
    return f"ha_{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def hub_mqtt(broker_url: str, prefix: str) -> AsyncIterator[tuple[Hub, MqttIntegration]]:
    hub, integration = await start_hub(broker_url, discovery_prefix=prefix)
    try:
        yield hub, integration
    finally:
        await hub.async_stop()


def _host_port(url: str) -> tuple[str, int]:
    hostport = url.split("://", 1)[1]
    host, port = hostport.rsplit(":", 1)
    return host, int(port)


@pytest.fixture
async def device(broker_url: str) -> AsyncIterator[aiomqtt.Client]:
    host, port = _host_port(broker_url)
    async with aiomqtt.Client(host, port) as client:
        yield client


async def settled(integration: MqttIntegration) -> None:
    """Waits until the broker has acknowledged every subscription the hub asked for (the
    state topics of entities it just discovered, or all of them after a reconnect): a state a
    device publishes before that, not retained, is lost, as with any MQTT client."""
    assert await integration.connection.async_wait_subscribed(5.0), "subscriptions not acked"


async def announce(
    client: aiomqtt.Client,
    component: str,
    object_id: str,
    config: dict[str, Any],
    prefix: str = PREFIX,
) -> None:
    await client.publish(
        f"{prefix}/{component}/{object_id}/config", json.dumps(config), retain=True
    )


class TopicSpy:
    """Collects what the hub publishes on some topics (a device's view of its commands)."""

    def __init__(self, client: aiomqtt.Client) -> None:
        self.client = client
        self.messages: list[tuple[str, str]] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self, *topics: str) -> TopicSpy:
        for topic in topics:
            await self.client.subscribe(topic)
        self._task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        with contextlib.suppress(aiomqtt.MqttError):  # the test closed the client
            async for message in self.client.messages:
                payload = message.payload
                text = payload.decode() if isinstance(payload, bytes | bytearray) else str(payload)
                self.messages.append((message.topic.value, text))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def on(self, topic: str) -> list[str]:
        return [p for t, p in self.messages if t == topic]
