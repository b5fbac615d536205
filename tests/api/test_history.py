"""History and origins read from a real recorder (SQLite file), in Home Assistant's shapes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from homeassistant_api import AsyncClient

from .conftest import ApiEnv

pytestmark = pytest.mark.timeout(60)


async def test_history_through_the_HA_client(recorded_api: ApiEnv) -> None:
    api = recorded_api
    start = datetime.now(UTC) - timedelta(minutes=1)
    async with AsyncClient(api.url + "/api", api.token) as client:
        for service in ("turn_on", "turn_off", "turn_on"):
            await client.trigger_service("light", service, entity_id="light.kitchen")
        kitchen = await client.get_entity(entity_id="light.kitchen")
        assert kitchen is not None
        histories = [
            h async for h in client.get_entity_histories(entities=(kitchen,), start_timestamp=start)
        ]
    assert len(histories) == 1 and histories[0].entity_id == "light.kitchen"
    states = [s.state for s in histories[0].states]
    assert states == ["off", "on", "off", "on"]  # the initial state, then the three calls
    assert histories[0].states[-1].attributes["friendly_name"] == "Kitchen"


async def test_history_options_and_errors(recorded_api: ApiEnv) -> None:
    api = recorded_api
    hub = api.hub
    ctx = hub.context("sensor")
    hub.states.async_set("sensor.living_temperature", "22.0", {"unit": "°C"}, ctx)
    hub.states.async_set("sensor.living_temperature", "22.5", {"unit": "°C"}, ctx)
    hub.states.async_set("sensor.living_temperature", "23.0", {"unit": "°C"}, ctx)
    start = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
        r = await http.get(
            f"/api/history/period/{start}",
            params={
                "filter_entity_id": "sensor.living_temperature,light.hall",
                "minimal_response": "",
                "no_attributes": "",
            },
        )
        assert r.status_code == 200, r.text
        lists = r.json()
        assert [items[0]["entity_id"] for items in lists] == [
            "sensor.living_temperature",
            "light.hall",
        ]
        temps = lists[0]
        assert [i["state"] for i in temps] == ["21.5", "22.0", "22.5", "23.0"]
        assert "entity_id" not in temps[1] and temps[-1]["attributes"] == {}
        later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        r = await http.get(f"/api/history/period/{later}", params={"end_time": start})
        assert r.status_code == 400 and "after the start" in r.json()["message"]
        r = await http.get("/api/history/period/yesterday-ish")
        assert r.status_code == 400 and "invalid time" in r.json()["message"]


async def test_origins_count_who_did_what(recorded_api: ApiEnv) -> None:
    api = recorded_api
    hub = api.hub
    hub.states.async_set("light.hall", "on", {}, hub.context("physical", user_id="bob"))
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
        for _ in range(2):
            r = await http.post("/api/services/switch/toggle", json={"entity_id": "switch.coffee"})
            assert r.status_code == 200
        r = await http.get("/api/hearthmind/origins")
        assert r.status_code == 200, r.text
        body = r.json()
    assert body["states"]["app"] == 2 and body["states"]["physical"] == 1
    assert body["states"]["sensor"] == 5  # the initial states of the test home
    assert body["human_state_changes"] == 3
    assert body["events"]["app"] == 2  # the two call_service events


async def test_without_a_recorder_history_is_503(api: ApiEnv) -> None:
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
        for path in ("/api/history/period", "/api/hearthmind/origins"):
            r = await http.get(path)
            assert r.status_code == 503 and "recorder is off" in r.json()["message"]
    await asyncio.sleep(0)


async def test_health_shows_the_recorder_and_ws_history(recorded_api: ApiEnv) -> None:
    import json

    import websockets

    api = recorded_api
    start = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    api.hub.states.async_set("light.hall", "on", {}, api.hub.context("physical"))
    async with websockets.connect(api.ws_url) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "auth", "access_token": api.token}))
        await ws.recv()
        await ws.send(
            json.dumps(
                {
                    "id": 1,
                    "type": "history/history_during_period",
                    "start_time": start,
                    "entity_ids": ["light.hall"],
                }
            )
        )
        msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert msg["success"] is True
    assert [s["state"] for s in msg["result"]["light.hall"]] == ["off", "on"]
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
        body = (await http.get("/api/hearthmind/health")).json()
    recorder = body["recorder"]
    assert recorder["committed_states"] >= 6 and recorder["lost"] == 0


async def test_logbook_says_who_did_what(recorded_api: ApiEnv) -> None:
    api = recorded_api
    hub = api.hub
    start = datetime.now(UTC) - timedelta(minutes=1)
    hub.states.async_set("light.hall", "on", {}, hub.context("physical", user_id="bob"))
    hub.states.async_set("light.hall", "on", {"brightness": 3}, hub.context("sensor"))
    async with AsyncClient(api.url + "/api", api.token) as client:
        await client.trigger_service("light", "turn_off", entity_id="light.hall")
        entries = [
            e
            async for e in client.get_logbook_entries(
                filter_entities="light.hall", start_timestamp=start
            )
        ]
    # the attribute-only change is not an entry; each entry names its cause
    assert [(e.state, e.entity_id) for e in entries] == [
        ("off", "light.hall"),
        ("on", "light.hall"),
        ("off", "light.hall"),
    ]
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
        raw = (
            await http.get(f"/api/logbook/{start.isoformat()}", params={"entity": "light.hall"})
        ).json()
    assert [(e["context_origin"], e["context_user_id"]) for e in raw] == [
        ("sensor", None),
        ("physical", "bob"),
        ("app", "alice"),
    ]


async def test_check_config(api: ApiEnv, tmp_path: Path) -> None:
    async with AsyncClient(api.url + "/api", api.token) as client:
        assert await client.check_api_config() is True
        (tmp_path / "configuration.yaml").write_text("hearthmind:\n  name: [unclosed\n")
        assert await client.check_api_config() is False
        (tmp_path / "configuration.yaml").write_text("api:\n  port: -3\n")
        async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
            body = (await http.post("/api/config/core/check_config")).json()
    assert body["result"] == "invalid"
    assert "configuration.yaml, line 2: api.port" in body["errors"]


async def test_history_of_a_thousand_entities_in_one_request(recorded_api: ApiEnv) -> None:
    """A request line as long as Home Assistant takes (a thousand entity ids, ~18 KB): the
    state of each at the start time, found through the recorder's per-entity index."""
    api = recorded_api
    hub = api.hub
    ids = [f"sensor.bench_{i:04d}" for i in range(1000)]
    for i, entity_id in enumerate(ids):
        hub.states.async_set(entity_id, str(i), None, hub.context("sensor"))
    hub.states.async_set(ids[7], "changed", None, hub.context("sensor"))
    recorder = hub.data["recorder"]
    await recorder.async_flush()
    start = datetime.now(UTC)
    hub.states.async_set(ids[9], "later", None, hub.context("sensor"))
    end = (start + timedelta(minutes=1)).isoformat()
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
        r = await http.get(
            f"/api/history/period/{start.isoformat()}",
            params={"filter_entity_id": ",".join(ids), "end_time": end},
        )
        assert r.status_code == 200, r.text[:300]
        assert len(str(r.request.url)) > 16_384
        lists = r.json()
    assert [items[0]["entity_id"] for items in lists] == ids
    states = {items[0]["entity_id"]: [s["state"] for s in items] for items in lists}
    assert states[ids[0]] == ["0"] and states[ids[999]] == ["999"]
    assert states[ids[7]] == ["changed"] and states[ids[9]] == ["9", "later"]
    # the start state is reported at the start time, as HA does
    assert datetime.fromisoformat(lists[0][0]["last_updated"]) == start
