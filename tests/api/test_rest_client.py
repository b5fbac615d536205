"""Home Assistant's own REST client library (`homeassistant-api`, unmodified) against our API."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from homeassistant_api import AsyncClient, Client, State
from homeassistant_api.errors import RequestError, UnauthorizedError

from hearthmind.api import ApiConfig
from hearthmind.core import Device

from .conftest import ApiEnv, start_env

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
        # a hub without the routines component: a clear 404, not a crash
        r = await http.get("/api/hearthmind/predictions")
        assert r.status_code == 404 and "routines are not learned" in r.json()["message"]
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


async def test_bad_bodies_are_refused_and_counted(tmp_path: Path) -> None:
    api = await start_env(tmp_path, config=ApiConfig(port=0, max_body_bytes=2048))
    try:
        async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
            r = await http.post("/api/services/light/turn_on", content=b"{not json")
            assert r.status_code == 400 and "Data should be valid JSON" in r.json()["message"]
            r = await http.post("/api/services/light/turn_on", json=["light.kitchen"])
            assert r.status_code == 400 and "JSON object" in r.json()["message"]
            r = await http.post("/api/services/light/turn_on", json={"entity_id": 5})
            assert r.status_code == 400 and "entity_id must be a string" in r.json()["message"]
            r = await http.post(
                "/api/services/light/turn_on",
                json={"entity_id": "light.kitchen", "x": "y" * 5000},
            )
            assert r.status_code == 413 and "over 2048 bytes" in r.json()["message"]
            r = await http.post("/api/events/ring", content=b"[1, 2]")
            assert r.status_code == 400
            r = await http.get("/api/")  # still serving
            assert r.status_code == 200
        assert api.hub.health.counts["api_bad_request"] == 4
        assert api.commands == []
    finally:
        await api.hub.async_stop()


async def test_a_device_target_reaches_its_entities(api: ApiEnv) -> None:
    api.hub.registries.add_device(
        Device("coffee_corner", "Coffee corner", entity_ids=["switch.coffee", "light.hall"])
    )
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
        r = await http.post("/api/services/light/turn_on", json={"device_id": "coffee_corner"})
        assert r.status_code == 200 and [s["entity_id"] for s in r.json()] == ["light.hall"]
        r = await http.post(
            "/api/services/homeassistant/turn_off", json={"device_id": "coffee_corner"}
        )
        assert sorted(s["entity_id"] for s in r.json()) == ["light.hall", "switch.coffee"]
        assert sorted(c[:2] for c in api.commands[-2:]) == [
            ("turn_off", "light.hall"),
            ("turn_off", "switch.coffee"),
        ]
        r = await http.post("/api/services/light/turn_on", json={"device_id": "garage"})
        assert r.status_code == 400 and r.json()["message"] == "unknown device: garage"
    assert api.hub.health.counts["unknown_device"] == 1


async def test_templates_render_with_the_hubs_states(api: ApiEnv) -> None:
    async with AsyncClient(api.url + "/api", api.token) as client:
        text = await client.get_rendered_template(
            "{{ states('sensor.living_temperature') | float + 1 }} {{ is_state('light.hall', 'off') }}"
        )
        assert text == "22.5 True"
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
        r = await http.post("/api/template", json={"template": "{{ 1 / 0 }}"})
        assert r.status_code == 400 and "ZeroDivisionError" in r.json()["message"]
        r = await http.post("/api/template", json={"template": "{{ ().__class__ }}"})
        assert r.status_code == 400 or "class" not in r.text
        r = await http.post("/api/template", json={"template": "{% if %}"})
        assert r.status_code == 400 and "invalid template" in r.json()["message"]
    assert api.hub.health.counts["api_template_errors"] >= 2
