"""HA's conversation API: `POST /api/conversation/process` answers in HA's shape and keeps
the thread by `conversation_id` ("turn it off" after "turn on the kitchen light")."""

from __future__ import annotations

import httpx

from hearthmind.core import Origin

from .conftest import ApiEnv


async def test_a_conversation_in_home_assistants_shape(api: ApiEnv) -> None:
    named = {"friendly_name": "Kitchen Light"}
    api.hub.states.async_set("light.kitchen", "off", named, api.hub.context(Origin.SENSOR))
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers, timeout=60) as client:
        first = await client.post(
            "/api/conversation/process", json={"text": "turn on the kitchen light"}
        )
        assert first.status_code == 200, first.text
        body = first.json()
        assert body["response"]["response_type"] == "action_done"
        success = body["response"]["data"]["success"]
        assert [(t["type"], t["id"]) for t in success] == [("entity", "light.kitchen")]
        assert body["response"]["speech"]["plain"]["speech"]
        cid = body["conversation_id"]
        assert isinstance(cid, str) and cid
        second = await client.post(
            "/api/conversation/process", json={"text": "turn it off", "conversation_id": cid}
        )
        assert second.json()["conversation_id"] == cid
        state = api.hub.states.get("light.kitchen")
        assert state is not None and state.state == "off", second.text
        assert state.context.origin is Origin.VOICE and state.context.user_id == "alice"

        fresh = await client.post("/api/conversation/process", json={"text": "turn it on"})
        answer = fresh.json()
        assert answer["conversation_id"] != cid and answer["continue_conversation"] is True
        assert answer["response"]["response_type"] == "query_answer"
        assert api.hub.states.get("light.kitchen").state == "off"  # type: ignore[union-attr]

        unknown = await client.post(
            "/api/conversation/process", json={"text": "purple monkey dishwasher"}
        )
        assert unknown.json()["response"]["data"]["code"] == "no_intent_match"


async def test_bad_requests_get_clear_answers(api: ApiEnv) -> None:
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as client:
        anonymous = await client.post("/api/conversation/process", json={"text": "hi"})
        french = await client.post(
            "/api/conversation/process",
            json={"text": "allume la lumière", "language": "fr"},
            headers=api.headers,
        )
        no_text = await client.post("/api/conversation/process", json={}, headers=api.headers)
    assert anonymous.status_code == 401
    assert french.status_code == 400 and "English" in french.json()["message"]
    assert no_text.status_code == 400 and "text" in no_text.json()["message"]


async def test_a_relative_request_asked_back_and_undone(api: ApiEnv) -> None:
    """ "Two degrees warmer in the den" with two thermostats there: the hub asks which (HA's
    continue_conversation), the next turn answers, and "undo" puts the set-point back."""
    from hearthmind.voice.fixtures import populate_hub

    populate_hub(
        api.hub,
        {
            "areas": [{"name": "Den", "id": "den"}],
            "entities": [
                {"name": "Den Thermostat", "id": "climate.den", "area": "den", "state": "heat",
                 "attributes": {"temperature": 20}},
                {"name": "Den Radiator", "id": "climate.den_radiator", "area": "den",
                 "state": "heat", "attributes": {"temperature": 18}},
            ],
        },
    )  # fmt: skip

    def set_point(entity_id: str) -> object:
        state = api.hub.states.get(entity_id)
        return state.attributes.get("temperature") if state is not None else None

    async with httpx.AsyncClient(base_url=api.url, headers=api.headers, timeout=60) as client:
        url = "/api/conversation/process"
        asked = (await client.post(url, json={"text": "two degrees warmer in the den"})).json()
        assert asked["continue_conversation"] is True
        assert asked["response"]["response_type"] == "query_answer"
        assert asked["response"]["speech"]["plain"]["speech"] == (
            "Which one, the Den Thermostat or the Den Radiator?"
        )
        cid = asked["conversation_id"]
        done = (
            await client.post(url, json={"text": "the radiator", "conversation_id": cid})
        ).json()
        assert done["response"]["response_type"] == "action_done", done
        assert [t["id"] for t in done["response"]["data"]["success"]] == ["climate.den_radiator"]
        assert (
            "Raised the Den Radiator to 20 degrees" in done["response"]["speech"]["plain"]["speech"]
        )
        assert set_point("climate.den_radiator") == 20 and set_point("climate.den") == 20
        undone = (await client.post(url, json={"text": "undo", "conversation_id": cid})).json()
        assert undone["response"]["response_type"] == "action_done", undone
        assert set_point("climate.den_radiator") == 18


def add_rooms_and_a_satellite(api: ApiEnv) -> None:
    """Two kitchen lights, a bedroom light, and a satellite device in the kitchen."""
    from hearthmind.core.registry import Device
    from hearthmind.voice.fixtures import populate_hub

    populate_hub(
        api.hub,
        {
            "areas": [{"name": "Kitchen", "id": "kitchen"}, {"name": "Bedroom", "id": "bedroom"}],
            "entities": [
                {"name": "Ceiling Light", "id": "light.kitchen_ceiling", "area": "kitchen"},
                {"name": "Counter Light", "id": "light.kitchen_counter", "area": "kitchen"},
                {"name": "Bedside Lamp", "id": "light.bedside", "area": "bedroom"},
            ],
        },
    )
    api.hub.registries.add_device(Device("sat_kitchen", "Kitchen Satellite", area_id="kitchen"))


async def test_the_satellites_device_is_where_the_speaker_is(api: ApiEnv) -> None:
    """HA's `device_id`: its area is the speaker's, so "the lights" are the kitchen's only."""
    add_rooms_and_a_satellite(api)
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers, timeout=60) as client:
        r = await client.post(
            "/api/conversation/process",
            json={"text": "turn on the lights", "device_id": "sat_kitchen"},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["response"]["response_type"] == "action_done", body
        done = {t["id"] for t in body["response"]["data"]["success"]}
        assert done == {"light.kitchen_ceiling", "light.kitchen_counter"}
        on = {s.entity_id for s in api.hub.states.async_all("light") if s.state == "on"}
        assert on == {"light.kitchen_ceiling", "light.kitchen_counter"}
        # "and the bedroom?" follows the same thread elsewhere
        cid = body["conversation_id"]
        r = await client.post(
            "/api/conversation/process",
            json={"text": "and the bedroom", "conversation_id": cid, "device_id": "sat_kitchen"},
        )
        assert api.hub.states.require("light.bedside").state == "on", r.text


async def test_an_unknown_device_is_a_counted_400(api: ApiEnv) -> None:
    add_rooms_and_a_satellite(api)
    before = api.hub.health.counts["unknown_device"]
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers, timeout=60) as client:
        unknown = await client.post(
            "/api/conversation/process",
            json={"text": "turn on the lights", "device_id": "sat_attic"},
        )
        not_a_string = await client.post(
            "/api/conversation/process", json={"text": "turn on the lights", "device_id": 7}
        )
    assert unknown.status_code == 400 and "sat_attic" in unknown.json()["message"]
    assert api.hub.health.counts["unknown_device"] == before + 1
    assert not_a_string.status_code == 400 and "device_id" in not_a_string.json()["message"]
    assert api.commands == [] and not any(
        s.state == "on" for s in api.hub.states.async_all("light")
    )
