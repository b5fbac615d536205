"""Issue 20, finding 1 through the API: a runaway template sent to `POST /api/template` or
the WebSocket `render_template` fails alone (400, counted), and the hub answers other
requests while it renders."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from .conftest import ApiEnv

pytestmark = pytest.mark.timeout(120)

NESTED = (
    "{% for i in range(100000) %}{% for j in range(100000) %}{% for k in range(100000) %}"
    "{% endfor %}{% endfor %}{% endfor %}"
)


async def test_health_answers_while_a_runaway_template_renders(api: ApiEnv) -> None:
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers, timeout=60) as http:
        rendering = asyncio.create_task(http.post("/api/template", json={"template": NESTED}))
        answered_meanwhile = 0
        while not rendering.done():
            r = await http.get("/api/hearthmind/health")
            assert r.status_code == 200
            answered_meanwhile += not rendering.done()
        r = await rendering
        assert r.status_code == 400 and "over budget" in r.json()["message"], r.text
        assert answered_meanwhile >= 1
        # it failed alone: the next template renders
        r = await http.post("/api/template", json={"template": "{{ 6 * 7 }}"})
        assert r.status_code == 200 and r.text == "42"
    assert api.hub.health.counts["templates_over_budget"] == 1
    assert api.hub.health.counts["api_template_errors"] == 1


async def test_a_runaway_websocket_template_is_an_error(api: ApiEnv) -> None:
    async with websockets.connect(api.ws_url) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "auth", "access_token": api.token}))
        await ws.recv()
        await ws.send(json.dumps({"id": 1, "type": "render_template", "template": NESTED}))
        await ws.send(json.dumps({"id": 2, "type": "ping"}))
        first = json.loads(await asyncio.wait_for(ws.recv(), 30))
        assert first == {"id": 2, "type": "pong"}  # answered while the template renders
        failed = json.loads(await asyncio.wait_for(ws.recv(), 30))
        assert failed["id"] == 1 and not failed["success"]
        assert "over budget" in failed["error"]["message"]
