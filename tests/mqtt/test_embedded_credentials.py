"""Issue 20, finding 4: the embedded broker admits only the credentials the hub generated on
its first start (kept 0600 in the configuration folder, used by the hub's own clients);
anyone else on the machine is refused."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import aiomqtt
import pytest

from hearthmind.bootstrap import SetupOptions
from hearthmind.core import Hub, load_config
from hearthmind.integrations.mqtt import DATA_KEY as MQTT_KEY
from hearthmind.integrations.mqtt import async_setup
from hearthmind.integrations.mqtt.broker_auth import CREDENTIALS_FILE

from .conftest import wait_for

pytestmark = pytest.mark.timeout(60)


async def start(folder: Path, extra: str = "") -> Hub:
    (folder / "configuration.yaml").write_text(f"mqtt:\n  embedded_port: 0\n{extra}")
    hub = Hub(load_config(folder))
    await async_setup(hub, SetupOptions())
    await hub.async_start()
    return hub


async def test_only_the_generated_credentials_get_in(tmp_path: Path) -> None:
    hub = await start(tmp_path)
    try:
        integration = hub.data[MQTT_KEY]
        assert integration.connection.connected  # the hub's own client has them
        path = tmp_path / CREDENTIALS_FILE
        assert not path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)
        saved = json.loads(path.read_text())
        host, port = integration.broker.host, integration.broker.port
        with pytest.raises(aiomqtt.MqttError):
            async with aiomqtt.Client(host, port) as intruder:
                await intruder.publish("homeassistant/switch/x/config", "{}")
        with pytest.raises(aiomqtt.MqttError):
            async with aiomqtt.Client(host, port, username=saved["username"], password="guess"):
                pass
        config = {"name": "Lamp", "unique_id": "lamp1", "command_topic": "lamp/set",
                  "state_topic": "lamp/state"}  # fmt: skip
        async with aiomqtt.Client(
            host, port, username=saved["username"], password=saved["password"]
        ) as device:
            await device.publish("homeassistant/switch/lamp1/config", json.dumps(config))
            await wait_for(lambda: hub.states.get("switch.lamp") is not None, what="the switch")
    finally:
        await hub.async_stop()
    # the next start keeps the same credentials (devices were given them)
    hub = await start(tmp_path)
    try:
        assert json.loads((tmp_path / CREDENTIALS_FILE).read_text()) == saved
    finally:
        await hub.async_stop()


async def test_anonymous_clients_only_when_configured(tmp_path: Path) -> None:
    hub = await start(tmp_path, "  embedded_allow_anonymous: true\n")
    try:
        broker = hub.data[MQTT_KEY].broker
        async with aiomqtt.Client(broker.host, broker.port) as device:
            await device.publish("anything", "1")
        assert not (tmp_path / CREDENTIALS_FILE).exists()
    finally:
        await hub.async_stop()
