"""The simulated home over MQTT: its devices are discovered like real ones, a service call
reaches the device as an MQTT command and comes back as its state with the caller's
context; through Mosquitto (configured) and through the embedded broker (the default)."""

from __future__ import annotations

import json
from pathlib import Path

import aiomqtt
import pytest

from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.core import Origin
from hearthmind.integrations.mqtt import DATA_KEY as MQTT_KEY
from hearthmind.integrations.mqtt import MqttIntegration
from hearthmind.integrations.simulator import get_home
from hearthmind.integrations.simulator.records import EntityChange
from tests.fixtures.mosquitto import MosquittoServer

from .conftest import TopicSpy, wait_for


@pytest.mark.parametrize("broker", ["mosquitto", "embedded"])
async def test_simulated_home_over_mqtt(
    broker: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    config = "hearthmind:\n  name: Test home\n"
    if broker == "mosquitto":
        server: MosquittoServer = request.getfixturevalue("mosquitto")
        config += f"mqtt:\n  broker: {server.url}\n  discovery_prefix: sim_{tmp_path.name}\n"
    else:
        config += "mqtt:\n  embedded_port: 0\n"
    (tmp_path / "configuration.yaml").write_text(config)
    hub = await async_setup_hub(
        tmp_path,
        SetupOptions(record=False, home="single", seed=3, mqtt=True),
        components=["mqtt", "simulator"],
    )
    try:
        integration = hub.data[MQTT_KEY]
        assert isinstance(integration, MqttIntegration)
        home = get_home(hub)
        assert home is not None
        # every MQTT-able device was discovered before the hub started; the TV stays in process
        assert "light.kitchen" in integration.entities
        assert "cover.living_room" in integration.entities
        assert "media_player.tv" not in integration.entities
        assert hub.states.get("media_player.tv") is not None
        assert hub.registries.area_of("light.kitchen") is not None

        settings = integration.connection.settings
        # the embedded broker admits only the hub's credentials (issue 20)
        async with aiomqtt.Client(
            settings.host, settings.port, username=settings.username, password=settings.password
        ) as spy:
            topic = integration.entities["light.kitchen"].config.command_topic
            assert topic.startswith("hearthmind_sim/") and topic.endswith("/light/kitchen/set")
            commands = await TopicSpy(spy).start(topic)
            # what the simulated device itself applied, with the cause it was bound to (the
            # residents' ground truth needs it: which hub change someone undid)
            applied: list[EntityChange] = []
            unsubscribe = home.subscribe(applied.append)
            ctx = hub.context(Origin.VOICE, user_id="alex")
            for service, want in (("turn_on", "on"), ("turn_off", "off")):
                await hub.services.async_call(
                    "light", service, {"entity_id": "light.kitchen"}, context=ctx
                )
                await wait_for(lambda want=want: hub.states.require("light.kitchen").state == want)
                state = hub.states.require("light.kitchen")
                assert state.context.id == ctx.id and state.context.user_id == "alex"
                assert home.state("light.kitchen")[0] == want
            unsubscribe()
            kitchen = [c for c in applied if c.entity_id == "light.kitchen"]
            assert [c.state for c in kitchen] == ["on", "off"]
            assert all(c.context.id == ctx.id for c in kitchen)
            await wait_for(lambda: len(commands.on(topic)) == 2)
            assert [json.loads(p)["state"] for p in commands.on(topic)] == ["ON", "OFF"]
            commands.stop()

        await hub.services.async_call(
            "cover",
            "set_cover_position",
            {"entity_id": "cover.living_room", "position": 30},
            context=hub.context(Origin.APP),
        )
        await wait_for(
            lambda: hub.states.require("cover.living_room").attributes.get("current_position") == 30
        )
        assert not [p for p in hub.health.recent if p.counter.startswith("mqtt_bad")]
    finally:
        await hub.async_stop()
