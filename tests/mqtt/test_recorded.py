"""Nothing recorded is lost: good reports interleaved with bad ones and a broker restart all
reach the recorder (a real SQLite file), in order, with their causes; the bad ones are
counted and never recorded."""

from __future__ import annotations

import json
from pathlib import Path

import aiomqtt
import pytest

from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.integrations.mqtt import DATA_KEY as MQTT_KEY
from hearthmind.recorder import open_engine, state_history
from tests.fixtures.mosquitto import MosquittoServer, mosquitto_binary

from .conftest import announce, settled, wait_for

pytestmark = pytest.mark.skipif(mosquitto_binary() is None, reason="mosquitto not installed")


async def test_good_reports_recorded_through_bad_input_and_restart(tmp_path: Path) -> None:
    with MosquittoServer() as broker:
        (tmp_path / "configuration.yaml").write_text(
            f"mqtt:\n  broker: {broker.url}\n  reconnect_min_delay: 0.2\n"
        )
        hub = await async_setup_hub(
            tmp_path, SetupOptions(record=True), components=["recorder", "mqtt"]
        )
        good: list[str] = []
        try:
            async with aiomqtt.Client(broker.host, broker.port) as device:
                await announce(
                    device,
                    "sensor",
                    "meter",
                    {"name": "Meter", "stat_t": "meter", "val_tpl": "{{ value_json.kwh }}"},
                )
                await wait_for(lambda: hub.states.get("sensor.meter") is not None)
                await settled(hub.data[MQTT_KEY])
                for n in range(20):
                    good.append(str(n))
                    await device.publish("meter", json.dumps({"kwh": n}))
                    await device.publish("meter", b"\x00garbage" if n % 2 else b'{"watts": 1}')
                await wait_for(lambda: hub.states.require("sensor.meter").state == "19")
            broker.stop()
            await wait_for(lambda: not hub.data[MQTT_KEY].connection.connected)
            broker.start()
            await wait_for(lambda: hub.data[MQTT_KEY].connection.connected, timeout=10)
            await settled(hub.data[MQTT_KEY])
            async with aiomqtt.Client(broker.host, broker.port) as device:
                for n in range(20, 30):
                    good.append(str(n))
                    await device.publish("meter", json.dumps({"kwh": n}))
                await wait_for(lambda: hub.states.require("sensor.meter").state == "29")
            assert hub.health["mqtt_bad_payload"] == 20
        finally:
            await hub.async_stop()
    rows = state_history(open_engine(str(tmp_path / "hearthmind.db")), "sensor.meter")
    assert [r.state for r in rows] == ["unknown", *good]
    assert {r.origin for r in rows} == {"sensor"}
