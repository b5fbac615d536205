"""A broker that goes away and comes back: the loss is counted and named, commands given
meanwhile are kept and sent once the broker is back, and reports flow again."""

from __future__ import annotations

import asyncio
import json

import aiomqtt
import pytest

from hearthmind.core import Origin
from tests.fixtures.mosquitto import MosquittoServer, mosquitto_binary

from .conftest import TopicSpy, announce, settled, start_hub, wait_for

pytestmark = pytest.mark.skipif(mosquitto_binary() is None, reason="mosquitto not installed")


async def test_broker_restart_keeps_commands() -> None:
    with MosquittoServer() as broker:
        hub, integration = await start_hub(
            broker.url, reconnect_min_delay=1.0, reconnect_max_delay=2.0
        )
        try:
            async with aiomqtt.Client(broker.host, broker.port) as device:
                await announce(
                    device,
                    "switch",
                    "heater",
                    {"name": "Heater", "cmd_t": "heater/set", "stat_t": "heater/state"},
                )
                await wait_for(lambda: hub.states.get("switch.heater") is not None)

            broker.stop()
            await wait_for(lambda: not integration.connection.connected, what="disconnect")
            await wait_for(lambda: hub.health["mqtt_disconnects"] >= 1)
            message = next(p.message for p in hub.health.recent if p.counter == "mqtt_disconnects")
            assert broker.url in message and "lost the connection" in message

            # commands while the broker is away are kept, not lost
            ctx = hub.context(Origin.VOICE, user_id="sam")
            for service in ("turn_on", "turn_off", "turn_on"):
                await hub.services.async_call(
                    "switch", service, {"entity_id": "switch.heater"}, context=ctx
                )
            assert integration.connection.outbox_size == 3

            broker.start()  # the hub retries one second after the loss
            async with aiomqtt.Client(broker.host, broker.port) as device:
                commands = await TopicSpy(device).start("heater/set")
                await wait_for(lambda: len(commands.on("heater/set")) == 3, timeout=10)
                assert commands.on("heater/set") == ["ON", "OFF", "ON"]
                assert integration.connection.outbox_size == 0
                # the retained discovery comes again: same entity, no duplicate
                await settled(integration)  # subscribed again after the reconnect
                await device.publish("heater/state", "ON")
                await wait_for(lambda: hub.states.require("switch.heater").state == "on")
                assert hub.states.require("switch.heater").context.id == ctx.id
                assert len(hub.states.entity_ids("switch")) == 1
                commands.stop()
        finally:
            await hub.async_stop()


async def test_unreachable_broker_is_counted_and_hub_runs() -> None:
    with MosquittoServer() as broker:
        port = broker.port
    hub, integration = await start_hub(
        f"mqtt://127.0.0.1:{port}", reconnect_min_delay=0.05, reconnect_max_delay=0.1
    )
    try:
        await wait_for(lambda: hub.health["mqtt_connect_failed"] >= 2)
        message = next(p.message for p in hub.health.recent if p.counter == "mqtt_connect_failed")
        assert f"127.0.0.1:{port}" in message
        assert hub.running
        # nothing is subscribed while no broker answers, and waiting for it says so
        assert not await integration.connection.async_wait_subscribed(0.1)
        await asyncio.sleep(0)
    finally:
        await hub.async_stop()


async def test_wrong_password_is_refused_by_name() -> None:
    with MosquittoServer(passwords={"hub": "right"}) as broker:
        hub, integration = await start_hub(
            f"mqtt://hub:wrong@{broker.host}:{broker.port}",
            reconnect_min_delay=0.05,
            reconnect_max_delay=0.1,
        )
        try:
            await wait_for(lambda: hub.health["mqtt_disconnects"] >= 1)
            message = next(p.message for p in hub.health.recent if p.counter == "mqtt_disconnects")
            assert "Not authorized" in message or "refused" in message, message
            assert "wrong" not in message  # the password never shows
        finally:
            await hub.async_stop()
        hub, integration = await start_hub(f"mqtt://hub:right@{broker.host}:{broker.port}")
        try:
            assert integration.connection.connected
            async with aiomqtt.Client(
                broker.host, broker.port, username="hub", password="right"
            ) as device:
                await device.publish(
                    "homeassistant/binary_sensor/m/config",
                    json.dumps({"name": "Motion", "stat_t": "m"}),
                )
                await wait_for(lambda: hub.states.get("binary_sensor.motion") is not None)
        finally:
            await hub.async_stop()


async def test_tls_with_user_and_password() -> None:
    with MosquittoServer(passwords={"hub": "s3cret"}, tls=True) as broker:
        hub, integration = await start_hub(
            f"mqtts://hub:s3cret@{broker.host}:{broker.port}", ca_certs=str(broker.ca_certs)
        )
        try:
            assert integration.connection.connected
            assert integration.connection.settings.tls
        finally:
            await hub.async_stop()
        # a broker whose certificate the hub does not trust: refused, counted, named
        hub, integration = await start_hub(
            f"mqtts://hub:s3cret@{broker.host}:{broker.port}",
            reconnect_min_delay=0.05,
            reconnect_max_delay=0.1,
        )
        try:
            assert not integration.connection.connected
            await wait_for(lambda: hub.health["mqtt_connect_failed"] >= 1)
            message = next(
                p.message for p in hub.health.recent if p.counter == "mqtt_connect_failed"
            )
            assert "CERTIFICATE_VERIFY_FAILED" in message and broker.url.split("//")[1] in message
        finally:
            await hub.async_stop()


async def test_socket_has_nagle_off() -> None:
    """A small command must leave at once, not wait for the broker's delayed ACK of the
    previous one (Nagle's algorithm, which paho leaves on: up to 40 ms per command)."""
    import socket

    with MosquittoServer() as broker:
        hub, integration = await start_hub(broker.url)
        try:
            await wait_for(lambda: integration.connection.connected, what="connection")
            sock = integration.connection._sock
            assert sock is not None
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        finally:
            await hub.async_stop()
