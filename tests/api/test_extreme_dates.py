"""Issue 20, finding 6: the first and the last dates there are get a 400 naming the date or
an empty answer, never a 500 (OverflowError), over REST and the WebSocket."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from .conftest import ApiEnv

pytestmark = pytest.mark.timeout(60)

EXTREMES = ["9999-12-31T23:59:59", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+05:00",
            "0001-01-01T00:00:00", "9999-12-31T23:59:59-14:00"]  # fmt: skip


@pytest.mark.parametrize("when", EXTREMES)
async def test_extreme_dates_are_never_a_500(recorded_api: ApiEnv, when: str) -> None:
    api = recorded_api
    api.hub.config.core.time_zone = "Pacific/Kiritimati"  # UTC+14: the first date overflows
    paths = [
        f"/api/history/period/{when}",
        f"/api/history/period/2024-01-01T00:00:00?end_time={when}",
        f"/api/logbook/{when}",
        f"/api/logbook/2024-01-01T00:00:00?end_time={when}",
        f"/api/hearthmind/origins?start_time={when}",
        f"/api/hearthmind/origins?end_time={when}",
        f"/api/hearthmind/why/light.kitchen?at={when}",
    ]
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
        for path in paths:
            r = await http.get(path)
            assert r.status_code in (200, 400), (path, r.status_code, r.text)
            if r.status_code == 400:
                message = r.json()["message"]
                assert when[:19] in message or "after the start" in message, (path, message)


async def test_extreme_dates_over_the_websocket(recorded_api: ApiEnv) -> None:
    api = recorded_api
    async with websockets.connect(api.ws_url) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "auth", "access_token": api.token}))
        await ws.recv()
        for n, when in enumerate(EXTREMES, start=1):
            await ws.send(
                json.dumps(
                    {
                        "id": n,
                        "type": "history/history_during_period",
                        "start_time": when,
                        "entity_ids": ["light.kitchen"],
                    }
                )
            )
            answer = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert answer["id"] == n
            assert answer["success"] or answer["error"]["code"] == "invalid_format", answer
