"""The exchange over a real HTTP server on 127.0.0.1: a hotel chain's hub and a person's home
hub, each serving the real API (uvicorn), paired with a key; a profile fetched, applied, and
learned data sent home over HTTP; forged messages refused with their status and counted; the
profile seen, exported, edited and deleted over REST and with the `hearthmind profile` command."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from hearthmind.api import ApiConfig, ApiServer, TokenStore, async_serve
from hearthmind.cli import app as cli_app
from hearthmind.core import Hub, Origin, load_config
from hearthmind.core.clock import RealClock
from hearthmind.integrations.simulator.spaces.layouts import SimArea, build_hotel
from hearthmind.spaces import SpacesHub
from hearthmind.spaces.exchange import HttpTransport, pair, seal
from hearthmind.spaces.profile import Activity, ContextSet

from .conftest import ana_profile


@dataclass
class Served:
    home: SpacesHub
    hotel: SpacesHub
    home_server: ApiServer
    hotel_server: ApiServer
    token: str
    rooms: list[SimArea]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    hubs, servers = {}, {}
    for name in ("home", "hotel"):
        folder = tmp_path / name
        folder.mkdir()
        hub = Hub(load_config(folder), RealClock(), seed=3)
        servers[name] = await async_serve(hub, ApiConfig(port=0))
        await hub.async_start()
        hubs[name] = hub
    urls = {"home-ana": servers["home"].url, "hotel": servers["hotel"].url}
    home = SpacesHub(hubs["home"], "home-ana", HttpTransport(urls))
    hotel = SpacesHub(hubs["hotel"], "hotel", HttpTransport(urls))
    rooms = build_hotel(hotel.hub, "hotel", rooms=2, seed=1)
    home.add_profile(ana_profile())
    pair(home.keys, hotel.keys)
    token = TokenStore(tmp_path / "home").create("t", hubs["home"].clock.now(), user_id="ana")
    yield Served(home, hotel, servers["home"], servers["hotel"], token, rooms)
    for hub in hubs.values():
        await hub.async_stop()


async def test_a_hotel_fetches_a_profile_over_http_and_sends_learning_home(
    served: Served,
) -> None:
    room = served.rooms[0]
    assert room.climate is not None
    stay = await served.hotel.async_arrive(room.area_id, "ana", "home-ana")
    assert stay.view is not None and room.climate.setpoint != 17.0
    assert "media" not in stay.categories
    room.climate.set_by(
        served.hotel.hub.context(Origin.PHYSICAL, "ana"), "set_temperature", {"temperature": 23.5}
    )
    result = await served.hotel.async_depart(room.area_id)
    assert result["learned_sent"]
    prefs = served.home.profiles["ana"].preferences
    learned = [
        v for (ctx, _, key), v in prefs.items() if ctx == ContextSet.TRAVEL and key == "temperature"
    ]
    assert [v.value for v in learned] == [23.5]


async def test_forged_messages_are_refused_over_http(served: Served) -> None:
    url = served.home_server.url + "/api/hearthmind/spaces/exchange"
    good = seal(
        served.hotel.keys,
        "home-ana",
        "profile_request",
        {"subject": "ana", "kind": "hotel_room"},
        0.0,
        "h-1",
    )
    unsigned = dict(good, nonce="h-2")
    del unsigned["signature"]
    tampered = dict(good, body={"subject": "ana", "kind": "home"})
    stranger = dict(good, issuer="stranger")
    newer = dict(good, version=9)
    async with httpx.AsyncClient() as client:
        for envelope, status in ((unsigned, 401), (tampered, 401), (stranger, 403), (newer, 422)):
            reply = await client.post(url, json=envelope)
            assert reply.status_code == status, reply.text
        assert (await client.post(url, content=b"{not json")).status_code == 400
        ok = await client.post(url, json=good)
        assert ok.status_code == 200 and ok.json()["type"] == "profile"
        assert (await client.post(url, json=good)).status_code == 409  # the same one again
    health = served.home.hub.health
    for counter in (
        "spaces_unsigned",
        "spaces_bad_signature",
        "spaces_unknown_peer",
        "spaces_newer_version",
        "spaces_replayed",
    ):
        assert health[counter] == 1, counter
    assert served.home.profiles["ana"].name == "Ana"  # nothing of it changed


async def test_a_person_sees_edits_exports_and_deletes_their_profile(
    served: Served, tmp_path: Path
) -> None:
    base = served.home_server.url + "/api/hearthmind/profiles"
    await served.hotel.async_arrive(served.rooms[0].area_id, "ana", "home-ana")
    async with httpx.AsyncClient(headers=served.headers) as client:
        shown = (await client.get(f"{base}/ana")).json()
        assert shown["shared_with"] == [{"peer": "hotel", "kind": "hotel_room"}]
        day = shown["preferences"]["home"]["day"]["temperature"]
        assert day["source"] == "learned:home:h" and day["confidence"] == 0.9
        edit = {"context": "travel", "activity": "sleep", "key": "temperature", "value": 18}
        assert (await client.post(f"{base}/ana", json=edit)).status_code == 200
        bad = {"context": "travel", "activity": "sleep", "key": "temperature", "value": 80}
        refused = await client.post(f"{base}/ana", json=bad)
        assert refused.status_code == 400 and "outside" in refused.text
        assert (await client.get(f"{base}/nobody")).status_code == 404
    value = served.home.profiles["ana"].preferences[
        (ContextSet.TRAVEL, Activity.SLEEP, "temperature")
    ]
    assert value.value == 18.0 and value.source == "edited"
    out = tmp_path / "ana.json"
    common = ["--url", served.home_server.url, "--token", served.token, "-c", str(tmp_path)]
    runner = CliRunner()
    result = await asyncio.to_thread(
        runner.invoke, cli_app, ["profile", "export", "ana", "-o", str(out), *common]
    )
    assert result.exit_code == 0, result.output
    exported = json.loads(out.read_text())
    assert exported["format"] == "hearthmind.profile" and exported["version"] == 1
    result = await asyncio.to_thread(
        runner.invoke, cli_app, ["profile", "delete", "ana", "--yes", *common]
    )
    assert result.exit_code == 0, result.output
    assert "reached: hotel" in result.output
    assert "ana" not in served.home.profiles
    assert served.rooms[0].area_id not in served.hotel.stays  # the hotel forgot her too


async def test_a_suggested_profile_is_answered_over_rest(served: Served) -> None:
    served.hotel.applier.level = "suggest"
    room = served.rooms[1]
    assert room.climate is not None
    stay = await served.hotel.async_arrive(room.area_id, "ana", "home-ana")
    base = served.hotel_server.url + "/api/hearthmind/spaces/applications"
    token = TokenStore(Path(served.hotel.hub.config.config_dir)).create(
        "t", served.hotel.hub.clock.now(), user_id="ana"
    )
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as client:
        (listed,) = (await client.get(base)).json()
        assert listed["status"] == "suggested" and room.climate.setpoint == 17.0
        reply = await client.post(f"{base}/{stay.applications[-1]}/accept", json={})
        assert reply.status_code == 200 and reply.json()["status"] == "applied"
        assert room.climate.setpoint != 17.0
        again = await client.post(f"{base}/{stay.applications[-1]}/decline", json={})
        assert again.status_code == 409 and "not suggested" in again.text
        assert (await client.post(f"{base}/nope/accept", json={})).status_code == 409


async def test_hearthmind_spaces_lists_who_stays_where(served: Served, tmp_path: Path) -> None:
    await served.hotel.async_arrive(served.rooms[0].area_id, "ana", "home-ana")
    token = TokenStore(Path(served.hotel.hub.config.config_dir)).create(
        "cli", served.hotel.hub.clock.now(), user_id="staff"
    )
    common = ["--url", served.hotel_server.url, "--token", token, "-c", str(tmp_path)]
    runner = CliRunner()
    listed = await asyncio.to_thread(runner.invoke, cli_app, ["spaces", "--json", *common])
    assert listed.exit_code == 0, listed.output
    (hotel,) = json.loads(listed.output)
    stays = [a["stay"] for a in hotel["areas"] if a["stay"]]
    assert hotel["kind"] == "hotel_room" and [s["person"] for s in stays] == ["ana"]
    shown = await asyncio.to_thread(runner.invoke, cli_app, ["spaces", "applications", *common])
    assert shown.exit_code == 0 and "For ana in Room 101" in shown.output
