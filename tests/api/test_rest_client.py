"""Home Assistant's own REST client library (`homeassistant-api`, unmodified) against our API."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from homeassistant_api import AsyncClient, Client, State
from homeassistant_api.errors import RequestError, UnauthorizedError

from .conftest import ApiEnv

pytestmark = pytest.mark.timeout(30)


async def test_sync_client_reads_and_switches_a_light(api: ApiEnv) -> None:
    def drive() -> tuple[bool, int, str, list[str], str]:
        with Client(api.url + "/api", api.token) as client:  # checks GET /api/ on entry
            running = client.check_api_running()
            states = client.get_states()
            domains = client.get_domains()
            light = client.get_domain("light")
            assert light is not None
            changed = light.turn_on(entity_id="light.kitchen", brightness=120)
            after = client.get_state(entity_id="light.kitchen")
            names = sorted(domains)
            assert isinstance(changed, tuple)
            return running, len(states), after.state, names, str(changed)

    running, n_states, light_state, domains, changed = await asyncio.to_thread(drive)
    assert running
    assert n_states == 5
    assert light_state == "on"
    assert {"light", "switch", "homeassistant"} <= set(domains)
    assert "light.kitchen" in changed
    # the device got the command with the token's user as an app-origin context
    service, entity_id, data, ctx = api.commands[-1]
    assert (service, entity_id, data["brightness"]) == ("turn_on", "light.kitchen", 120)
    assert ctx.origin == "app" and ctx.user_id == "alice"
    state = api.hub.states.require("light.kitchen")
    assert state.attributes["brightness"] == 120 and state.context.user_id == "alice"


async def test_async_client_services_states_and_events(api: ApiEnv) -> None:
    async with AsyncClient(api.url + "/api", api.token) as client:
        config = await client.get_config()
        assert config["location_name"] == "Home" and "time_zone" in config
        changed = await client.trigger_service("switch", "toggle", entity_id="switch.coffee")
        assert [s.entity_id for s in changed] == ["switch.coffee"]
        assert changed[0].state == "on"
        entity = await client.get_entity(entity_id="sensor.living_temperature")
        assert entity is not None and entity.state.state == "21.5"
        # setting a state directly (HA's POST /api/states), as a sensor script would
        new = await client.set_state(
            State(entity_id="sensor.outside", state="4.5", attributes={"unit": "°C"})
        )
        assert new.state == "4.5"
        assert api.hub.states.require("sensor.outside").context.origin == "app"
        fired: list[str] = []
        api.hub.bus.async_listen("doorbell", lambda e: fired.append(e.context.user_id or ""))
        message = await client.fire_event("doorbell", button="front")
        assert message == "Event doorbell fired."
        assert fired == ["alice"]
        events = await client.get_events()
        assert any(e.event == "doorbell" for e in events)


async def test_client_errors_are_HA_errors(api: ApiEnv) -> None:
    async with AsyncClient(api.url + "/api", api.token) as client:
        with pytest.raises(RequestError, match=r"unknown entity: light\.cellar"):
            await client.trigger_service("light", "turn_on", entity_id="light.cellar")
        with pytest.raises(RequestError, match="brightness"):
            await client.trigger_service(
                "light", "turn_on", entity_id="light.kitchen", brightness=999
            )
        with pytest.raises(RequestError, match="unknown service"):
            await client.trigger_service("light", "explode", entity_id="light.kitchen")
    with pytest.raises(UnauthorizedError):
        async with AsyncClient(api.url + "/api", "hm_not-a-token") as bad:
            await bad.get_states()
    counts = api.hub.health.counts
    assert counts["unknown_entity"] == 1 and counts["invalid_service_data"] == 1
    assert counts["unknown_service"] == 1 and counts["api_unauthorized"] >= 1
    assert api.hub.states.require("light.kitchen").state == "off"


async def test_raw_rest_shapes(api: ApiEnv) -> None:
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
        r = await http.get("/api/states/light.nowhere")
        assert r.status_code == 404 and r.json() == {"message": "Entity not found."}
        r = await http.post("/api/states/sensor.new", json={"state": "1"})
        assert r.status_code == 201 and r.headers["location"] == "/api/states/sensor.new"
        r = await http.post("/api/states/sensor.new", json={"state": "2"})
        assert r.status_code == 200 and r.json()["state"] == "2"
        r = await http.post("/api/states/Not An Id", json={"state": "1"})
        assert r.status_code == 400 and "Invalid entity ID" in r.json()["message"]
        r = await http.post("/api/states/sensor.new", json={"attributes": {}})
        assert r.status_code == 400 and r.json()["message"] == "No state specified."
        r = await http.post("/api/events/state_changed", json={})
        assert r.status_code == 400 and "hub's own" in r.json()["message"]
        r = await http.post("/api/services/light/turn_on?return_response", json={})
        assert r.status_code == 400 and "does not support responses" in r.json()["message"]
        r = await http.get("/api/services")
        light = next(d for d in r.json() if d["domain"] == "light")
        assert "brightness" in light["services"]["turn_on"]["fields"]
        r = await http.get("/api/hearthmind/health")
        body = r.json()
        assert body["counters"]["events"] > 0 and body["entities"] == 6
        r = await http.get("/openapi.json")  # the schema names our routes
        paths = r.json()["paths"]
        assert "/api/services/{domain}/{service}" in paths and "/api/hearthmind/health" in paths
        r = await http.delete("/api/states/sensor.new")
        assert r.status_code == 200 and "sensor.new" not in api.hub.states
        r = await http.get("/")
        assert r.status_code == 200 and "Hearthmind" in r.text
