"""The agent through the real API server on 127.0.0.1: REST under /api/hearthmind/agent,
Home Assistant's own /api/services/switch/turn_off on the off switch, WebSocket commands and
events (subscribe_events agent_action / agent_suggestion with an unmodified HA client), and
`hearthmind agent ...` on the command line against the running hub."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hass_client import HomeAssistantClient
from hass_client.exceptions import FailedCommand
from typer.testing import CliRunner

from hearthmind.agent.events import SWITCH_ENTITY_ID
from hearthmind.api import ApiConfig, ApiServer, TokenStore, async_serve
from hearthmind.cli import app

from .home import Home
from .test_agent import ROUTINE, trained

pytestmark = pytest.mark.timeout(240)


@dataclass
class Served:
    home: Home
    server: ApiServer
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def ws_url(self) -> str:
        return self.server.url.replace("http://", "ws://") + "/api/websocket"

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.server.url, headers=self.headers)

    async def cli(self, *args: str) -> Any:
        """`hearthmind agent ...` in a thread (it blocks on HTTP; the hub serves here)."""
        argv = ["agent", *args, "-c", str(self.home.config_dir)]
        argv += ["--url", self.server.url, "--token", self.token]
        return await asyncio.to_thread(CliRunner().invoke, app, argv)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    home = await trained(tmp_path)
    server = await async_serve(home.hub, ApiConfig(port=0))
    token = TokenStore(tmp_path).create("t", home.clock.now(), user_id="ana", replace=True)
    yield Served(home, server, token)
    await server.async_stop()
    await home.hub.async_stop()


async def test_rest_lists_routines_sets_levels_and_undoes(served: Served) -> None:
    home = served.home
    async with served.client() as client:
        status = (await client.get("/api/hearthmind/agent")).json()
        assert status["enabled"] and status["policy"] == "ladder" and status["model"] == "markov"
        assert status["levels"]["act"] >= 1
        routines = (await client.get("/api/hearthmind/agent/routines")).json()
        hall = next(r for r in routines if r["routine_id"] == ROUTINE)
        assert hall["level"] == "act" and hall["person"] == "ana"
        assert hall["evidence"]["hit_rate"] == 1.0 and "Hall light on" in hall["sentence"]
        one = await client.get(f"/api/hearthmind/agent/routines/{ROUTINE}")
        assert one.json() == hall
        missing = await client.get("/api/hearthmind/agent/routines/light.nope:on@day")
        assert missing.status_code == 404 and "no routine" in missing.json()["message"]

        await home.morning(10, ana_acts=False)
        actions = (await client.get("/api/hearthmind/agent/actions")).json()
        assert actions[0]["routine_id"] == ROUTINE and actions[0]["status"] == "done"
        undone = await client.post(f"/api/hearthmind/agent/actions/{actions[0]['action_id']}/undo")
        assert undone.status_code == 200 and undone.json()["message"].startswith("undone")
        assert home.state("light.hall") == "off"
        again = await client.post(f"/api/hearthmind/agent/actions/{actions[0]['action_id']}/undo")
        assert again.status_code == 409 and "already undone" in again.json()["message"]
        # the undo was the token's user's, as the recorder and the agent see it
        light = home.hub.states.get("light.hall")
        assert light is not None and light.context.user_id == "ana"
        assert light.context.parent_id == actions[0]["action_id"]

        level = await client.post(
            f"/api/hearthmind/agent/routines/{ROUTINE}/level", json={"level": "suggest"}
        )
        assert level.status_code == 200 and level.json()["level"] == "suggest"
        assert level.json()["set_by"] == "ana"
        bad = await client.post(
            f"/api/hearthmind/agent/routines/{ROUTINE}/level", json={"level": "always"}
        )
        assert bad.status_code == 400 and "level" in bad.json()["message"]
        lock = await client.post(
            "/api/hearthmind/agent/routines/lock.front_door:unlocked@morning/level",
            json={"level": "act"},
        )
        assert lock.status_code == 404  # never seen: no such routine

        await home.morning(11, ana_acts=False)
        open_ = (await client.get("/api/hearthmind/agent/suggestions")).json()
        assert len(open_) == 1 and open_[0]["routine_id"] == ROUTINE
        answer = await client.post(
            f"/api/hearthmind/agent/suggestions/{open_[0]['suggestion_id']}/answer",
            json={"answer": "yes"},
        )
        assert answer.status_code == 200 and "because ana said yes" in answer.json()["message"]
        assert home.state("light.hall") == "on"
        late = await client.post(
            f"/api/hearthmind/agent/suggestions/{open_[0]['suggestion_id']}/answer",
            json={"answer": "no"},
        )
        assert late.status_code == 409 and "already answered" in late.json()["message"]

        forbid = await client.post(f"/api/hearthmind/agent/routines/{ROUTINE}/forbid")
        assert forbid.json()["level"] == "off"
        opt = await client.post("/api/hearthmind/agent/opt_out", json={"opted_out": True})
        assert opt.json() == {"person": "ana", "opted_out": True}
        no_token = await httpx.AsyncClient(base_url=served.server.url).get("/api/hearthmind/agent")
        assert no_token.status_code == 401


async def test_the_off_switch_over_rest_and_home_assistants_own_service(served: Served) -> None:
    home = served.home
    async with served.client() as client:
        off = await client.post(
            "/api/services/switch/turn_off", json={"entity_id": SWITCH_ENTITY_ID}
        )
        assert off.status_code == 200 and off.json()[0]["state"] == "off"
        assert not home.agent.enabled
        state = (await client.get(f"/api/states/{SWITCH_ENTITY_ID}")).json()
        assert state["state"] == "off" and state["context"]["user_id"] == "ana"
        commands = len(home.commands)
        await home.morning(10, ana_acts=False)
        assert len(home.commands) == commands
        on = await client.post("/api/hearthmind/agent/on")
        assert on.json() == {"enabled": True}
        await home.morning(11, ana_acts=False)
        assert len(home.commands) == commands + 1
        assert (await client.post("/api/hearthmind/agent/off")).json() == {"enabled": False}


async def test_websocket_commands_and_events(served: Served) -> None:
    home = served.home
    async with HomeAssistantClient(served.ws_url, served.token) as ws:
        actions: asyncio.Queue[Any] = asyncio.Queue()
        asked: asyncio.Queue[Any] = asyncio.Queue()
        await ws.subscribe_events(actions.put_nowait, "agent_action")
        await ws.subscribe_events(asked.put_nowait, "agent_suggestion")
        status = await ws.send_command("hearthmind/agent")
        assert status["enabled"]
        routines = await ws.send_command("hearthmind/agent/routines")
        assert any(r["routine_id"] == ROUTINE and r["level"] == "act" for r in routines)

        await home.morning(10, ana_acts=False)
        event = await asyncio.wait_for(actions.get(), 10)
        assert event["event_type"] == "agent_action"
        assert event["data"]["routine_id"] == ROUTINE and event["context"]["origin"] == "agent"
        assert event["data"]["explanation"].startswith("I turned on the Hall light")

        undone = await ws.send_command("hearthmind/agent/undo")
        assert undone["message"].startswith("undone")
        level = await ws.send_command(
            "hearthmind/agent/set_level", routine_id=ROUTINE, level="suggest"
        )
        assert level["level"] == "suggest"
        await home.morning(11, ana_acts=False)
        suggestion = await asyncio.wait_for(asked.get(), 10)
        assert suggestion["data"]["routine_id"] == ROUTINE and suggestion["data"]["expires"] > 0
        listed = await ws.send_command("hearthmind/agent/suggestions")
        assert [s["suggestion_id"] for s in listed] == [suggestion["data"]["suggestion_id"]]
        said = await ws.send_command(
            "hearthmind/agent/answer", suggestion_id=listed[0]["suggestion_id"], answer="no"
        )
        assert "declined" in said["message"]
        with pytest.raises(FailedCommand, match="no routine"):
            await ws.send_command("hearthmind/agent/forbid", routine_id="light.nope:on@day")
        with pytest.raises(FailedCommand, match="no suggestion"):
            await ws.send_command("hearthmind/agent/answer", suggestion_id="x", answer="yes")
        off = await ws.send_command("hearthmind/agent/switch", on=False)
        assert off == {"enabled": False}
        done = await ws.send_command("hearthmind/agent/actions")
        assert done[0]["status"] == "undone"


async def test_the_command_line_against_the_running_hub(served: Served) -> None:
    home = served.home
    shown = await served.cli("list")
    assert shown.exit_code == 0, shown.output
    assert ROUTINE in shown.output and "act" in shown.output
    status = await served.cli()
    assert status.exit_code == 0 and "agent on (ladder policy, model markov)" in status.output
    await home.morning(10, ana_acts=False)
    listed = await served.cli("actions")
    assert "I turned on the Hall light" in listed.output
    undone = await served.cli("undo")
    assert undone.exit_code == 0 and "undone" in undone.output
    assert home.state("light.hall") == "off"
    again = await served.cli("undo", home.agent.last_action().action_id)  # type: ignore[union-attr]
    assert again.exit_code == 2 and "already undone" in again.output
    level = await served.cli("level", ROUTINE, "suggest")
    assert level.exit_code == 0 and f"{ROUTINE}: suggest" in level.output
    bad = await served.cli("level", ROUTINE, "sometimes")
    assert bad.exit_code == 2 and "off, observe, suggest or act" in bad.output
    await home.morning(11, ana_acts=False)
    open_ = await served.cli("suggestions", "--json")
    import json

    suggestion = json.loads(open_.output)[0]
    answered = await served.cli("answer", suggestion["suggestion_id"], "yes")
    assert answered.exit_code == 0 and "because ana said yes" in answered.output
    unknown = await served.cli("answer", "nope", "yes")
    assert unknown.exit_code == 2 and "no suggestion 'nope'" in unknown.output
    off = await served.cli("off")
    assert off.exit_code == 0 and not home.agent.enabled
    on = await served.cli("on")
    assert on.exit_code == 0 and home.agent.enabled
    forbid = await served.cli("forbid", ROUTINE)
    assert forbid.exit_code == 0 and home.agent.unit(ROUTINE).level == "off"


async def test_without_a_running_hub_the_command_line_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["agent", "list", "-c", str(tmp_path), "--url", "http://127.0.0.1:9", "--token", "x"]
    )
    assert result.exit_code == 1 and "no running hub" in result.output
