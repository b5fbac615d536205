"""Existing Home Assistant WebSocket clients, unmodified: `hass-client` (aiohttp) and
`homeassistant-api`'s WebsocketClient, against /api/websocket."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from hass_client import HomeAssistantClient
from hass_client.exceptions import AuthenticationFailed, FailedCommand
from homeassistant_api import WebsocketClient

from tests.waiting import wait_for

from .conftest import ApiEnv

pytestmark = pytest.mark.timeout(30)


async def test_hass_client_lists_states_and_switches_a_light(api: ApiEnv) -> None:
    async with HomeAssistantClient(api.ws_url, api.token) as client:
        assert client.version == "2024.3.3"
        states = await client.get_states()
        assert {s["entity_id"] for s in states} >= {"light.kitchen", "switch.coffee"}
        config = await client.get_config()
        assert config["location_name"] == "Home"
        services = await client.get_services()
        assert "turn_on" in services["light"]

        seen: asyncio.Queue[Any] = asyncio.Queue()
        unsubscribe = await client.subscribe_events(seen.put_nowait, "state_changed")
        result = await client.call_service(
            "light", "turn_on", {"brightness": 80}, target={"entity_id": "light.hall"}
        )
        assert result["context"]["origin"] == "app" and result["context"]["user_id"] == "alice"
        event = await asyncio.wait_for(seen.get(), 5)
        assert event["event_type"] == "state_changed"
        assert event["data"]["entity_id"] == "light.hall"
        assert event["data"]["new_state"]["state"] == "on"
        assert event["data"]["new_state"]["attributes"]["brightness"] == 80
        assert event["context"]["id"] == result["context"]["id"]
        unsubscribe()  # the client sends unsubscribe_events in the background
        await wait_for(lambda: not _sessions_subscriptions(api), what="the unsubscription")

        with pytest.raises(FailedCommand, match=r"unknown entity: light\.attic"):
            await client.call_service("light", "turn_on", target={"entity_id": "light.attic"})
        entities = await client.get_entity_registry()
        assert any(e["entity_id"] == "light.hall" and e["platform"] == "test" for e in entities)

        changes: asyncio.Queue[Any] = asyncio.Queue()
        await client.subscribe_entities(changes.put_nowait, ["switch.coffee"])
        first = await asyncio.wait_for(changes.get(), 5)
        assert first["a"]["switch.coffee"]["s"] == "off"
        await client.call_service("switch", "turn_on", target={"entity_id": "switch.coffee"})
        change = await asyncio.wait_for(changes.get(), 5)
        assert change["c"]["switch.coffee"]["+"]["s"] == "on"
        api.hub.states.async_set("switch.coffee", "on", {}, api.hub.context("physical"))
        change = await asyncio.wait_for(changes.get(), 5)
        assert change["c"]["switch.coffee"]["-"] == {"a": ["friendly_name"]}
    assert api.hub.states.require("light.hall").state == "on"


def _sessions_subscriptions(api: ApiEnv) -> list[int]:
    return [sub for s in api.server.rt.sessions for sub in s.subscriptions]


async def test_hass_client_refused_with_a_bad_token(api: ApiEnv) -> None:
    client = HomeAssistantClient(api.ws_url, "hm_wrong")
    with pytest.raises(AuthenticationFailed):
        await client.connect()
    await client.disconnect()
    assert api.hub.health.counts["api_unauthorized"] == 1


async def test_homeassistant_api_websocket_client_and_trigger(api: ApiEnv) -> None:
    """The sync client runs in a thread (it blocks); the hub keeps running in this loop."""

    def drive() -> tuple[int, dict[str, Any], str]:
        with WebsocketClient(api.ws_url, api.token) as ws:  # auth + supported_features
            # the client's own figure lies within the time this thread saw the call take: a
            # pong that never came, or a figure in the wrong unit, fails here
            before = time.perf_counter_ns()
            latency_ms = ws.ping_latency()
            took_ms = (time.perf_counter_ns() - before) / 1e6
            assert 0 < latency_ms <= took_ms
            states = ws.get_states()
            with ws.listen_trigger("state", entity_id="binary_sensor.hall_motion", to="on") as trig:
                # something else (a sensor, here the test's loop) changes the motion sensor
                loop.call_soon_threadsafe(motion_on)
                variables = next(iter(trig))
            ws.trigger_service("light", "toggle", entity_id="light.kitchen")
            return len(states), variables, ws.get_state(entity_id="light.kitchen").state

    def motion_on() -> None:
        api.hub.states.async_set("binary_sensor.hall_motion", "on", {}, api.hub.context("sensor"))

    loop = asyncio.get_running_loop()
    n_states, variables, light = await asyncio.to_thread(drive)
    assert n_states == 5
    trigger = variables["trigger"]
    assert trigger["platform"] == "state" and trigger["entity_id"] == "binary_sensor.hall_motion"
    assert trigger["from_state"]["state"] == "off" and trigger["to_state"]["state"] == "on"
    assert light == "on"


async def test_subscribe_trigger_refuses_a_bad_trigger(api: ApiEnv) -> None:
    async with HomeAssistantClient(api.ws_url, api.token) as client:
        with pytest.raises(FailedCommand, match="unknown trigger platform 'telepathy'"):
            await client.send_command("subscribe_trigger", trigger={"platform": "telepathy"})
        with pytest.raises(FailedCommand, match="needs 'entity_id'"):
            await client.send_command("subscribe_trigger", trigger={"platform": "state"})
        assert (await client.get_config())["location_name"] == "Home"  # still answering
    assert api.hub.health.counts["ws_invalid_message"] == 2


async def test_render_template_over_websocket(api: ApiEnv) -> None:
    def drive() -> str:
        with WebsocketClient(api.ws_url, api.token) as ws:
            return ws.get_rendered_template("hall {{ states('light.hall') }}")

    assert await asyncio.to_thread(drive) == "hall off"


async def test_render_template_follows_the_states(api: ApiEnv) -> None:
    """Like HA: the first result, then a new one whenever the rendered text changes."""
    async with HomeAssistantClient(api.ws_url, api.token) as client:
        results: asyncio.Queue[Any] = asyncio.Queue()
        await client.subscribe(
            lambda msg: results.put_nowait(msg["event"]),
            "render_template",
            template="hall is {{ states('light.hall') }}",
        )
        assert (await asyncio.wait_for(results.get(), 5))["result"] == "hall is off"
        ctx = api.hub.context("sensor")
        api.hub.states.async_set("sensor.living_temperature", "19", {}, ctx)  # no new text
        await client.call_service("light", "turn_on", target={"entity_id": "light.hall"})
        update = await asyncio.wait_for(results.get(), 5)
        assert update["result"] == "hall is on" and update["listeners"]["all"] is True
        assert results.empty()
