"""A WebSocket client that sends junk, floods, or does not read: each gets a clear error or is
disconnected, it is counted, and the hub and the server keep serving everyone else."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import websockets
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.asyncio.client import ClientConnection
from websockets.sync.client import connect

from hearthmind.api import ApiConfig
from hearthmind.api.websocket.ratelimit import TokenBucket
from tests.waiting import wait_for

from .conftest import ApiEnv, start_env

pytestmark = pytest.mark.timeout(60)


@asynccontextmanager
async def authed(api: ApiEnv, **kwargs: Any) -> AsyncIterator[ClientConnection]:
    async with websockets.connect(api.ws_url, **kwargs) as ws:
        assert json.loads(await ws.recv())["type"] == "auth_required"
        await ws.send(json.dumps({"type": "auth", "access_token": api.token}))
        assert json.loads(await ws.recv())["type"] == "auth_ok"
        yield ws


async def reply(ws: ClientConnection) -> dict[str, Any]:
    msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert isinstance(msg, dict)
    return msg


async def still_serving(ws: ClientConnection, msg_id: int) -> None:
    await ws.send(json.dumps({"id": msg_id, "type": "ping"}))
    assert await reply(ws) == {"id": msg_id, "type": "pong"}


@pytest.mark.parametrize(
    ("frame", "code", "words", "counter"),
    [
        ("this is not json", "invalid_format", "not valid JSON", "ws_invalid_json"),
        ("[1, 2, 3]", "invalid_format", "JSON object", "ws_invalid_message"),
        ('"just a string"', "invalid_format", "JSON object", "ws_invalid_message"),
        ('{"type": "ping"}', "invalid_format", "'id'", "ws_invalid_message"),
        ('{"id": "seven", "type": "ping"}', "invalid_format", "'id'", "ws_invalid_message"),
        ('{"id": 5}', "invalid_format", "no 'type'", "ws_invalid_message"),
        ('{"id": 5, "type": "make_coffee"}', "unknown_command", "make_coffee", "ws_unknown_command"),
        ('{"id": 5, "type": "call_service", "domain": "light"}', "invalid_format", "service: Field required", "ws_invalid_message"),
        ('{"id": 5, "type": "get_states", "extra": 1}', "invalid_format", "extra", "ws_invalid_message"),
        ('{"id": 5, "type": "call_service", "domain": "light", "service": "turn_on", "service_data": {"entity_id": "light.kitchen", "brightness": "max"}}', "invalid_format", "brightness", "invalid_service_data"),
        ('{"id": 5, "type": "unsubscribe_events", "subscription": 99}', "not_found", "Subscription 99", None),
    ],
)  # fmt: skip
async def test_junk_gets_a_clear_error_and_the_connection_stays(
    api: ApiEnv, frame: str, code: str, words: str, counter: str | None
) -> None:
    async with authed(api) as ws:
        await ws.send(frame)
        msg = await reply(ws)
        assert msg["type"] == "result" and msg["success"] is False
        assert msg["error"]["code"] == code
        assert words in msg["error"]["message"]
        await still_serving(ws, 100)
    if counter is not None:
        assert api.hub.health.counts[counter] == 1


async def test_ids_must_increase_and_binary_frames_are_refused(api: ApiEnv) -> None:
    async with authed(api) as ws:
        await still_serving(ws, 10)
        await ws.send(json.dumps({"id": 10, "type": "ping"}))
        assert (await reply(ws))["error"]["code"] == "id_reuse"
        await ws.send(b"\x00\x01binary")
        assert "binary" in (await reply(ws))["error"]["message"]
        await still_serving(ws, 11)


async def test_an_oversized_message_is_refused_then_a_huge_one_cut_off(tmp_path: Path) -> None:
    api = await start_env(tmp_path, config=ApiConfig(port=0, max_message_bytes=4096))
    try:
        async with authed(api) as ws:
            await ws.send(json.dumps({"id": 1, "type": "ping", "pad": "x" * 5000}))
            msg = await reply(ws)
            assert "over the limit of 4096" in msg["error"]["message"]
            await still_serving(ws, 2)
        async with authed(api, max_size=None) as ws:
            await ws.send(json.dumps({"id": 1, "type": "ping", "pad": "x" * 40_000}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await reply(ws)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
        await wait_for(lambda: api.hub.health.counts["ws_oversized"] == 2, what="2 oversized")
        async with authed(api) as ws:  # the server serves the next client as before
            await still_serving(ws, 1)
    finally:
        await api.hub.async_stop()


async def test_a_flood_is_refused_then_disconnected(tmp_path: Path) -> None:
    api = await start_env(
        tmp_path, config=ApiConfig(port=0, rate_limit_per_second=50, rate_limit_burst=20)
    )
    # The limiter's clock stands still, so the bucket never refills during the flood however
    # slowly this machine sends: exactly the burst is answered. Refilling is tested below.
    api.server.rt.monotonic = lambda: 0.0
    try:
        async with authed(api) as flood:
            for i in range(1, 200):
                await flood.send(json.dumps({"id": i, "type": "ping"}))
            answers: list[dict[str, Any]] = []
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    answers.append(await reply(flood))
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        pongs = [a for a in answers if a.get("type") == "pong"]
        limited = [a for a in answers if a.get("error", {}).get("code") == "rate_limited"]
        assert len(pongs) == 20 and len(limited) == 1
        assert "over 50 per second" in limited[0]["error"]["message"]
        counts = api.hub.health.counts
        assert counts["ws_rate_limited"] == 1 and counts["ws_flood_disconnect"] == 1
        async with authed(api) as calm:  # another client is served normally
            await still_serving(calm, 1)
    finally:
        await api.hub.async_stop()


def test_the_bucket_refills_at_its_rate_up_to_its_burst() -> None:
    bucket = TokenBucket(rate=50, burst=20)
    assert all(bucket.take(0.0) for _ in range(20)) and not bucket.take(0.0)
    assert bucket.take(0.02) and not bucket.take(0.02)  # 20 ms at 50/s: one token back
    assert sum(bucket.take(100.0) for _ in range(30)) == 20  # a long quiet: the burst only


async def test_a_client_that_does_not_read_is_disconnected(tmp_path: Path) -> None:
    api = await start_env(tmp_path, config=ApiConfig(port=0, max_pending_messages=50))
    hub = api.hub
    try:
        async with authed(api) as slow:
            await slow.send(json.dumps({"id": 1, "type": "subscribe_events"}))
            assert (await reply(slow))["success"] is True
            # 500 state changes in one go: the writer never gets a turn, the queue overflows
            ctx = hub.context("sensor")
            for i in range(500):
                hub.states.async_set("sensor.living_temperature", str(i), {}, ctx)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(slow.recv(), 5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
            assert "pending" in closed.value.rcvd.reason
        assert hub.health.counts["ws_slow_consumer"] == 1
        assert hub.states.require("sensor.living_temperature").state == "499"
        # its session, and its subscription with it, goes once the server has closed it
        await wait_for(lambda: not api.server.rt.sessions, what="the slow session to end")
        async with authed(api) as ws:
            await still_serving(ws, 1)
    finally:
        await hub.async_stop()


async def test_auth_failures(api: ApiEnv) -> None:
    async with websockets.connect(api.ws_url) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "auth", "access_token": "hm_forged"}))
        msg = json.loads(await ws.recv())
        assert msg == {"type": "auth_invalid", "message": "Invalid access token or password"}
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    async with websockets.connect(api.ws_url) as ws:
        await ws.recv()
        await ws.send(json.dumps({"id": 1, "type": "get_states"}))  # commands before auth
        msg = json.loads(await ws.recv())
        assert msg["type"] == "auth_invalid" and "access_token" in msg["message"]
    assert api.hub.health.counts["api_unauthorized"] == 2


async def test_coalesced_messages_when_asked(api: ApiEnv) -> None:
    async with authed(api) as ws:
        await ws.send(
            json.dumps(
                {"id": 1, "type": "supported_features", "features": {"coalesce_messages": 1}}
            )
        )
        assert (await reply(ws))["success"] is True
        for i in range(2, 12):
            await ws.send(json.dumps({"id": i, "type": "ping"}))
        got: list[dict[str, Any]] = []
        frames = 0
        while len(got) < 10:
            data = json.loads(await asyncio.wait_for(ws.recv(), 5))
            frames += 1
            got.extend(data if isinstance(data, list) else [data])
        assert [m["id"] for m in got] == list(range(2, 12))
        assert all(m["type"] == "pong" for m in got)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
commands = st.fixed_dictionaries(
    {},
    optional={
        "id": st.integers(-5, 10**6) | st.text(max_size=5),
        "type": st.sampled_from(
            [
                "ping",
                "call_service",
                "subscribe_events",
                "subscribe_trigger",
                "get_states",
                "unsubscribe_events",
                "fire_event",
                "junk",
                "",
            ]
        ),
        "domain": st.sampled_from(["light", "switch", "x"]) | st.text(max_size=5),
        "service": st.sampled_from(["turn_on", "toggle", "nope"]),
        "service_data": json_values,
        "target": json_values,
        "trigger": json_values,
        "subscription": json_values,
        "event_type": json_values,
    },
)
frames = st.lists(
    st.text(max_size=40) | json_values.map(json.dumps) | commands.map(json.dumps),
    min_size=1,
    max_size=15,
)


@pytest.fixture(scope="module")
def threaded_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiEnv]:
    """One hub and server in a thread of their own, so that hypothesis can send many
    examples to them quickly from a plain (blocking) client."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    path = tmp_path_factory.mktemp("hypothesis_api")
    env = asyncio.run_coroutine_threadsafe(start_env(path), loop).result(30)
    yield env
    asyncio.run_coroutine_threadsafe(env.hub.async_stop(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


@settings(max_examples=60, deadline=None)
@given(batch=frames)
def test_random_messages_never_break_the_server(threaded_api: ApiEnv, batch: list[str]) -> None:
    """Whatever arrives, the connection serves on and the hub keeps running: a ping sent after
    the batch is answered (answers and events come in order, so the pong comes last)."""
    api = threaded_api
    with connect(api.ws_url) as ws:
        assert json.loads(ws.recv(5))["type"] == "auth_required"
        ws.send(json.dumps({"type": "auth", "access_token": api.token}))
        assert json.loads(ws.recv(5))["type"] == "auth_ok"
        for frame in batch:
            ws.send(frame)
        ws.send(json.dumps({"id": 10**7, "type": "ping"}))
        while True:
            msg = json.loads(ws.recv(5))
            if isinstance(msg, dict) and msg.get("id") == 10**7 and msg.get("type") == "pong":
                break
    assert api.hub.running


async def test_connections_over_the_limit_are_refused(tmp_path: Path) -> None:
    api = await start_env(tmp_path, config=ApiConfig(port=0, max_connections=2))
    try:
        async with authed(api) as first, authed(api) as second:
            async with websockets.connect(api.ws_url) as third:
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await asyncio.wait_for(third.recv(), 5)
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
            await still_serving(first, 1)
            await still_serving(second, 1)
        assert api.hub.health.counts["ws_too_many_connections"] == 1
    finally:
        await api.hub.async_stop()


async def test_a_client_that_never_authenticates_is_dropped(tmp_path: Path) -> None:
    api = await start_env(tmp_path, config=ApiConfig(port=0, auth_timeout=0.3))
    try:
        async with websockets.connect(api.ws_url) as silent:
            assert json.loads(await silent.recv())["type"] == "auth_required"
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(silent.recv(), 5)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
            assert "auth" in closed.value.rcvd.reason
        assert api.hub.health.counts["api_unauthorized"] == 1
        assert not api.server.rt.sessions
    finally:
        await api.hub.async_stop()
