""" "Why did this change?" from the recorded Context chain, through the real API server over a
real recorder (SQLite file): a person at the switch, a real automation on a sensor's change,
the agent (with its agent_action event), a device on its own, an app call; REST and WebSocket;
unknown entities and entities with no recorded change."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from hass_client import HomeAssistantClient
from hass_client.exceptions import FailedCommand
from typer.testing import CliRunner, Result

from hearthmind.agent.events import EVENT_AGENT_ACTION
from hearthmind.automations import get_manager
from hearthmind.cli import app
from hearthmind.core import Origin, Person, write_hub_address
from hearthmind.core.instance import kept_token_path
from tests.waiting import wait_for

from .conftest import ApiEnv, start_env

pytestmark = pytest.mark.timeout(60)

ZONE = "Europe/Amsterdam"
MOTION_RULE = {
    "id": "hall_motion",
    "alias": "Hall motion light",
    "triggers": [{"trigger": "state", "entity_id": "binary_sensor.hall_motion", "to": "on"}],
    "actions": [{"action": "light.turn_on", "target": {"entity_id": "light.hall"}}],
}


@pytest.fixture
async def home(tmp_path: Path) -> AsyncIterator[ApiEnv]:
    # a home in Amsterdam: the answer's times are in its zone, whatever the server's is
    (tmp_path / "configuration.yaml").write_text(
        f"homeassistant:\n  name: Home\n  time_zone: {ZONE}\n", encoding="utf-8"
    )
    env = await start_env(tmp_path, record=True)
    env.hub.add_person(Person("alice", "Alice", "alice"))
    result = await get_manager(env.hub).async_add_rules([MOTION_RULE])
    assert result.ok, result
    yield env
    await env.hub.async_stop()


async def _why(http: httpx.AsyncClient, entity_id: str, **params: object) -> httpx.Response:
    return await http.get(f"/api/hearthmind/why/{entity_id}", params=params)


async def test_why_names_each_cause(home: ApiEnv) -> None:
    hub = home.hub
    # a person at the wall switch
    hub.states.async_set("switch.coffee", "on", {}, hub.context(Origin.PHYSICAL, "alice"))
    # a device on its own: the motion sensor, whose change runs the real automation
    hub.states.async_set("binary_sensor.hall_motion", "on", {}, hub.context(Origin.SENSOR))
    await wait_for(lambda: hub.states.require("light.hall").state == "on", what="the rule")
    # the agent: a service call in a Context whose parent is the routine run, and its event
    run = hub.context(Origin.AGENT)
    acting = hub.context(Origin.AGENT, parent=run)
    hub.bus.async_fire(
        EVENT_AGENT_ACTION,
        {
            "action_id": "a1",
            "routine_id": "light.kitchen:on@morning",
            "person": "alice",
            "entity_id": "light.kitchen",
            "service": "light.turn_on",
            "service_data": {},
            "explanation": "On weekdays around 06:40 you turn on the kitchen light (38 of 41 days). "
            "Say 'don't do that again' to stop it.",
        },
        acting,
    )
    await hub.services.async_call(
        "light", "turn_on", target={"entity_id": "light.kitchen"}, context=acting
    )
    async with httpx.AsyncClient(base_url=home.url, headers=home.headers) as http:
        r = await _why(http, "switch.coffee")
        assert r.status_code == 200, r.text
        coffee = r.json()
        assert coffee["origin"] == "physical" and coffee["by"] == "Alice"
        assert coffee["state"] == "on" and coffee["previous_state"] == "off"
        assert coffee["sentence"].startswith("Alice turned switch.coffee on by hand")
        changed = datetime.fromisoformat(coffee["changed_at"])
        # the home's offset, not UTC's
        assert changed.utcoffset() == changed.astimezone(ZoneInfo(ZONE)).utcoffset()
        assert f"at {changed:%H:%M} on" in coffee["sentence"]

        r = await _why(http, "light.hall")
        hall = r.json()
        assert hall["origin"] == "automation" and hall["by"] == "automation 'Hall motion light'"
        sentence = hall["sentence"]
        assert "The automation 'Hall motion light' (automation.hall_motion)" in sentence
        assert "turned Hall on" in sentence  # the device's friendly name
        assert "on its trigger (state of binary_sensor.hall_motion)" in sentence
        assert "after binary_sensor.hall_motion became on (the device itself)" in sentence
        assert [link["origin"] for link in hall["chain"]] == ["automation", "sensor"]
        assert hall["chain"][0]["parent_id"] == hall["chain"][1]["context_id"]

        r = await _why(http, "light.kitchen")
        kitchen = r.json()
        assert kitchen["origin"] == "agent"
        assert kitchen["by"] == "agent routine light.kitchen:on@morning"
        assert kitchen["sentence"].startswith(
            "Hearthmind's agent turned Kitchen on at "
        ) and kitchen["sentence"].endswith(
            "for the routine light.kitchen:on@morning of Alice: On weekdays around 06:40 "
            "you turn on the kitchen light (38 of 41 days). Say 'don't do that again' to stop it."
        )
        # the routine run left no row of its own: the chain ends there, saying so
        assert [link["origin"] for link in kitchen["chain"]] == ["agent", "unknown"]
        assert kitchen["chain"][1]["context_id"] == run.id

        # an action a person said yes to: the Context names who
        yes = hub.context(Origin.AGENT, "alice", parent=run)
        hub.bus.async_fire(
            EVENT_AGENT_ACTION,
            {
                "action_id": "a2",
                "routine_id": "switch.coffee:off@day",
                "person": "alice",
                "entity_id": "switch.coffee",
                "service": "switch.turn_off",
                "service_data": {},
                "explanation": "",
                "suggestion_id": "s1",
            },
            yes,
        )
        await hub.services.async_call(
            "switch", "turn_off", target={"entity_id": "switch.coffee"}, context=yes
        )
        r = await _why(http, "switch.coffee")
        assert r.json()["sentence"].endswith(
            "for the routine switch.coffee:off@day of Alice, when Alice said yes."
        )

        r = await _why(http, "binary_sensor.hall_motion")
        motion = r.json()
        assert motion["origin"] == "sensor" and motion["by"] == "the device"
        assert motion["sentence"].endswith("no person, rule or agent caused it.")
        assert len(motion["chain"]) == 1
        # a new reading of the same state: said as such
        hub.states.async_set(
            "binary_sensor.hall_motion", "on", {"battery": 90}, hub.context("sensor")
        )
        r = await _why(http, "binary_sensor.hall_motion")
        assert (
            "binary_sensor.hall_motion's attributes changed (still on) at" in r.json()["sentence"]
        )


async def test_last_changes_a_time_an_app_call_and_bad_input(home: ApiEnv) -> None:
    hub = home.hub
    async with httpx.AsyncClient(base_url=home.url, headers=home.headers) as http:
        r = await http.post("/api/services/light/turn_on", json={"entity_id": "light.kitchen"})
        assert r.status_code == 200
        hub.states.async_set("light.kitchen", "off", {}, hub.context(Origin.VOICE, "bob"))

        r = await _why(http, "light.kitchen", last=3)
        assert r.status_code == 200, r.text
        body = r.json()
        changes = body["changes"]
        assert [c["origin"] for c in changes] == ["voice", "app", "sensor"]  # newest first
        assert body["sentence"] == changes[0]["sentence"]
        assert changes[0]["by"] == "bob"  # no person record: the user id
        assert "by voice" in changes[0]["sentence"]
        assert changes[1]["by"] == "Alice" and "from the app" in changes[1]["sentence"]
        assert changes[1]["chain"][0]["what"][0] == "called light.turn_on on light.kitchen"

        # the change in force at a time: the app's, before the voice change
        app_time = changes[1]["changed_at"]
        r = await _why(http, "light.kitchen", at=app_time)
        assert r.json()["origin"] == "app"
        # a time without an offset is the home's
        naive = datetime.fromisoformat(app_time).replace(tzinfo=None).isoformat()
        assert (await _why(http, "light.kitchen", at=naive)).json()["origin"] == "app"

        r = await _why(http, "light.attic")
        assert r.status_code == 404 and "unknown entity light.attic" in r.json()["message"]
        r = await _why(http, "not-an-entity")
        assert r.status_code == 400 and "not an entity id" in r.json()["message"]
        r = await _why(http, "light.kitchen", last=0)
        assert r.status_code == 400
        r = await _why(http, "light.kitchen", at="soon")
        assert r.status_code == 400 and "invalid time" in r.json()["message"]

        # gone from the hub, but recorded: the removal is its last change
        hub.states.async_remove("sensor.living_temperature", hub.context(Origin.APP, "alice"))
        r = await _why(http, "sensor.living_temperature")
        assert r.status_code == 200 and r.json()["state"] is None
        assert r.json()["sentence"].startswith(
            "Alice removed sensor.living_temperature from the app, at "
        )

        # a rule's change whose run left no automation_triggered: still a rule, said plainly
        hub.states.async_set("switch.coffee", "on", {}, hub.context(Origin.AUTOMATION))
        r = await _why(http, "switch.coffee")
        assert r.json()["by"] == "an automation"
        assert r.json()["sentence"].startswith("An automation turned switch.coffee on at ")

        hub.states.async_set("switch.coffee", "off", {}, hub.context(Origin.AGENT))
        r = await _why(http, "switch.coffee")
        assert r.json()["sentence"].endswith(
            "no agent_action was recorded with it, so which routine is not known."
        )

        # known to the hub, nothing recorded up to that time: says so
        before = datetime.fromisoformat(changes[-1]["changed_at"]).replace(year=2000)
        r = await _why(http, "light.kitchen", at=before.isoformat())
        body = r.json()
        assert r.status_code == 200 and body["changes"] == [] and body["origin"] is None
        assert body["sentence"].startswith("light.kitchen has no recorded change up to ")
        assert body["sentence"].endswith("(it is off now).")


async def test_the_websocket_command(home: ApiEnv) -> None:
    hub = home.hub
    hub.states.async_set("switch.coffee", "on", {}, hub.context(Origin.PHYSICAL, "alice"))
    async with HomeAssistantClient(home.ws_url, home.token) as client:
        result = await client.send_command("hearthmind/why", entity_id="switch.coffee")
        assert result["by"] == "Alice" and result["origin"] == "physical"
        with pytest.raises(FailedCommand, match=r"unknown entity light\.attic"):
            await client.send_command("hearthmind/why", entity_id="light.attic")


async def test_the_command_line_asks_the_running_hub(home: ApiEnv, tmp_path: Path) -> None:
    """`hearthmind why` finds the folder's hub where it said it serves, with the token it keeps
    for the command line, and answers with the hub's words (run in a thread: the hub serves
    from this test's event loop)."""
    hub = home.hub
    write_hub_address(tmp_path, home.url)
    kept = kept_token_path(tmp_path, "cli")
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(home.token, encoding="utf-8")
    hub.states.async_set("switch.coffee", "on", {}, hub.context(Origin.PHYSICAL, "alice"))

    def hm(*args: str) -> Result:
        return CliRunner().invoke(app, [*args, "-c", str(tmp_path)])

    result = await asyncio.to_thread(hm, "why", "switch.coffee")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Alice turned switch.coffee on by hand, at the device")
    assert f"(from the hub at {home.url})" in result.output
    result = await asyncio.to_thread(hm, "why", "light.attic")
    assert result.exit_code == 2 and "unknown entity light.attic" in result.output


async def test_without_a_recorder_it_says_there_is_no_history(api: ApiEnv) -> None:
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers) as http:
        r = await _why(http, "light.kitchen")
    assert r.status_code == 503 and "the recorder is off" in r.json()["message"]
