"""Issue 20: tokens can be scoped. A read token looks (states, history, templates,
subscriptions) and changes nothing; a voice token also speaks (its actions are its user's);
admin (the default, and every older token) does everything."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from hearthmind.api.tokens import TokenError

from .conftest import ApiEnv

pytestmark = pytest.mark.timeout(120)


async def test_a_read_token_looks_and_changes_nothing(api: ApiEnv) -> None:
    token = api.store.create("tablet", api.hub.clock.now(), scope="read")
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=api.url, headers=headers) as http:
        assert (await http.get("/api/states")).status_code == 200
        r = await http.post("/api/template", json={"template": "{{ 1 + 1 }}"})
        assert r.status_code == 200 and r.text == "2"
        r = await http.post("/api/services/light/turn_on", json={"entity_id": "light.kitchen"})
        assert r.status_code == 403 and "read" in r.json()["message"]
        assert (await http.post("/api/events/x", json={})).status_code == 403
    assert api.commands == []
    async with websockets.connect(api.ws_url) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "auth", "access_token": token}))
        assert json.loads(await ws.recv())["type"] == "auth_ok"
        await ws.send(json.dumps({"id": 1, "type": "get_states"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["success"]
        call = {"id": 2, "type": "call_service", "domain": "light", "service": "turn_on",
                "target": {"entity_id": "light.kitchen"}}  # fmt: skip
        await ws.send(json.dumps(call))
        answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert not answer["success"] and answer["error"]["code"] == "unauthorized"
    assert api.commands == []


async def test_a_voice_token_speaks_but_calls_no_service(api: ApiEnv) -> None:
    token = api.store.create("satellite", api.hub.clock.now(), user_id="bob", scope="voice")
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=api.url, headers=headers, timeout=60) as http:
        r = await http.post("/api/hearthmind/voice/say", json={"text": "what time is it"})
        assert r.status_code == 200, r.text
        r = await http.post("/api/services/light/turn_on", json={"entity_id": "light.kitchen"})
        assert r.status_code == 403


async def test_admin_is_the_default_and_scopes_are_checked(api: ApiEnv) -> None:
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
        r = await http.post("/api/services/light/turn_on", json={"entity_id": "light.kitchen"})
        assert r.status_code == 200
    with pytest.raises(TokenError, match="no scope"):
        api.store.create("x", api.hub.clock.now(), scope="root")
