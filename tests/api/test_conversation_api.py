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
