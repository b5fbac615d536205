"""Issue 20, finding 3: sockets that never authenticate cannot keep a real client out, and
bad tokens from one address are refused for a while (as Home Assistant's ip_ban)."""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
import websockets

from hearthmind.api import ApiConfig
from tests.waiting import wait_for

from .conftest import start_env

pytestmark = pytest.mark.timeout(120)


async def test_idle_unauthenticated_sockets_do_not_keep_a_client_out(tmp_path: Path) -> None:
    config = ApiConfig(port=0, max_connections=20, max_unauthenticated_per_client=8)
    api = await start_env(tmp_path, config=config)
    try:
        async with AsyncExitStack() as stack:
            idle = []
            for _ in range(40):  # connected, never authenticating
                ws = await stack.enter_async_context(websockets.connect(api.ws_url))
                assert json.loads(await ws.recv())["type"] == "auth_required"
                idle.append(ws)
            await wait_for(
                lambda: len(api.server.rt.pending) <= 8, what="idle sockets closed down to 8"
            )
            async with websockets.connect(api.ws_url) as ws:
                assert json.loads(await ws.recv())["type"] == "auth_required"
                await ws.send(json.dumps({"type": "auth", "access_token": api.token}))
                assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "auth_ok"
                await ws.send(json.dumps({"id": 1, "type": "ping"}))
                assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "pong"
        assert api.hub.health.counts["ws_unauthenticated_closed"] >= 32
    finally:
        await api.hub.async_stop()


async def test_bad_tokens_from_one_address_are_refused_for_a_while(tmp_path: Path) -> None:
    config = ApiConfig(port=0, login_attempts_threshold=5)
    api = await start_env(tmp_path, config=config)
    try:
        async with httpx.AsyncClient(base_url=api.url) as http:
            ok = await http.get("/api/", headers=api.headers)
            assert ok.status_code == 200
            for n in range(5):
                bad = await http.get("/api/", headers={"Authorization": f"Bearer guess{n}"})
                assert bad.status_code == 401
            # now even the right token waits: the address is refused unchecked
            blocked = await http.get("/api/", headers=api.headers)
            assert blocked.status_code == 429, blocked.text
            assert "too many failed logins" in blocked.json()["message"]
        async with websockets.connect(api.ws_url) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "auth", "access_token": api.token}))
            answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert answer["type"] == "auth_invalid" and "too many" in answer["message"]
        assert api.hub.health.counts["api_login_blocked"] == 2
    finally:
        await api.hub.async_stop()
