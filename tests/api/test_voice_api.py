"""Voice over the API: a typed command is done with the voice origin and the speaker's id;
a sentence naming no known device does nothing and says so; junk audio is refused clearly."""

from __future__ import annotations

from typing import Any

import httpx

from hearthmind.core import Origin

from .conftest import ApiEnv


async def test_say_turns_on_a_light_as_voice_of_the_token_user(api: ApiEnv) -> None:
    named = {"friendly_name": "Kitchen Light"}
    api.hub.states.async_set("light.kitchen", "off", named, api.hub.context(Origin.SENSOR))
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers, timeout=60) as client:
        r = await client.post(
            "/api/hearthmind/voice/say", json={"text": "turn on the kitchen light"}
        )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["handled"] is True
    assert [a["entity_ids"] for a in body["actions"]] == [["light.kitchen"]]
    state = api.hub.states.get("light.kitchen")
    assert state is not None and state.state == "on"
    assert state.context.origin is Origin.VOICE and state.context.user_id == "alice"


async def test_say_unknown_device_does_nothing(api: ApiEnv) -> None:
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers, timeout=60) as client:
        r = await client.post(
            "/api/hearthmind/voice/say", json={"text": "turn on the sauna heater"}
        )
        bad = await client.post("/api/hearthmind/voice/say", json={"words": 1})
    assert r.status_code == 200
    assert r.json()["handled"] is False and r.json()["speech"]
    assert api.commands == []
    assert bad.status_code == 400 and "text" in bad.json()["message"]


async def test_listen_refuses_junk_audio_and_needs_a_token(api: ApiEnv) -> None:
    async with httpx.AsyncClient(base_url=api.url, timeout=60) as client:
        r = await client.post(
            "/api/hearthmind/voice/listen", content=b"not a wav file", headers=api.headers
        )
        anonymous = await client.post("/api/hearthmind/voice/say", json={"text": "hi"})
    assert r.status_code == 400 and r.json()["message"]
    assert anonymous.status_code == 401
    assert api.commands == []


async def test_the_speaker_is_the_tokens_user_never_the_bodys(api: ApiEnv) -> None:
    """Issue 20, finding 5: a token for alice cannot speak as bob."""
    named = {"friendly_name": "Kitchen Light"}
    api.hub.states.async_set("light.kitchen", "off", named, api.hub.context(Origin.SENSOR))
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers, timeout=60) as client:
        r = await client.post(
            "/api/hearthmind/voice/say",
            json={"text": "turn on the kitchen light", "user_id": "bob"},
        )
        listen = await client.post(
            "/api/hearthmind/voice/listen", params={"user_id": "bob"}, content=b"RIFF"
        )
        same = await client.post(
            "/api/hearthmind/voice/say",
            json={"text": "turn on the kitchen light", "user_id": "alice"},
        )
    assert r.status_code == 403 and "alice" in r.json()["message"], r.text
    assert listen.status_code == 403, listen.text
    assert same.status_code == 200, same.text
    state = api.hub.states.get("light.kitchen")
    assert state is not None and state.context.user_id == "alice"


async def test_say_keeps_a_conversation(api: ApiEnv) -> None:
    """A typed command is a turn of a conversation: "turn it off" with its id follows up."""
    named = {"friendly_name": "Kitchen Light"}
    api.hub.states.async_set("light.kitchen", "off", named, api.hub.context(Origin.SENSOR))
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers, timeout=60) as client:
        url = "/api/hearthmind/voice/say"
        first = (await client.post(url, json={"text": "turn on the kitchen light"})).json()
        assert first["handled"] is True and first["continue_conversation"] is False
        assert api.hub.states.require("light.kitchen").state == "on"
        cid = first["conversation_id"]
        second = await client.post(url, json={"text": "turn it off", "conversation_id": cid})
        assert second.json()["handled"] is True, second.text
        assert api.hub.states.require("light.kitchen").state == "off"
        bad = await client.post(url, json={"text": "turn it on", "conversation_id": 3})
    assert bad.status_code == 400 and "conversation_id" in bad.json()["message"]


class _ScriptedStt:
    """A speech-to-text stand-in that hears the next sentence of a script (the recording is
    real WAV; what it says is given), so the API's audio path is tested without a model."""

    name = "scripted"

    def __init__(self, sentences: list[str]) -> None:
        self.sentences = list(sentences)

    def transcribe(self, clip: Any, *, hints: list[str] | None = None) -> Any:
        from hearthmind.voice import Transcript

        return Transcript(self.sentences.pop(0), self.name, clip.seconds)


async def test_listen_is_a_turn_of_the_conversation(api: ApiEnv) -> None:
    """A recorded follow-up ("turn it off") acts on what the typed turn before it did."""
    import io
    import wave

    from hearthmind.voice import DATA_KEY, GrammarIntentRecognizer, VoicePipeline

    named = {"friendly_name": "Kitchen Light"}
    api.hub.states.async_set("light.kitchen", "off", named, api.hub.context(Origin.SENSOR))
    stt = _ScriptedStt(["turn it off"])
    pipeline = VoicePipeline(api.hub, GrammarIntentRecognizer(), stt=stt)
    api.hub.data[DATA_KEY] = pipeline
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(b"\x00\x10" * 16000)
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers, timeout=60) as client:
        said = await client.post(
            "/api/hearthmind/voice/say", json={"text": "turn on the kitchen light"}
        )
        cid = said.json()["conversation_id"]
        heard = await client.post(
            "/api/hearthmind/voice/listen",
            params={"conversation_id": cid},
            content=buffer.getvalue(),
        )
    pipeline.close()
    assert heard.status_code == 200, heard.text
    body = heard.json()
    assert body["heard"] == "turn it off" and body["conversation_id"] == cid
    assert [a["entity_ids"] for a in body["actions"]] == [["light.kitchen"]]
    state = api.hub.states.get("light.kitchen")
    assert state is not None and state.state == "off" and state.context.origin is Origin.VOICE


async def test_names_taught_in_conversation_are_listed_and_forgotten(api: ApiEnv) -> None:
    named = {"friendly_name": "Kitchen Light"}
    api.hub.states.async_set("light.kitchen", "off", named, api.hub.context(Origin.SENSOR))
    async with httpx.AsyncClient(base_url=api.url, headers=api.headers, timeout=60) as client:
        asked = await client.post(
            "/api/hearthmind/voice/say", json={"text": "turn on the big light"}
        )
        cid = asked.json()["conversation_id"]
        assert asked.json()["continue_conversation"] is True
        await client.post(
            "/api/hearthmind/voice/say",
            json={"text": "the kitchen light", "conversation_id": cid},
        )
        listed = await client.get("/api/hearthmind/voice/names")
        gone = await client.delete("/api/hearthmind/voice/names/big light")
        again = await client.delete("/api/hearthmind/voice/names/big light")
        after = await client.post(
            "/api/hearthmind/voice/say", json={"text": "turn off the big light"}
        )
    assert [(n["said"], n["entity_id"]) for n in listed.json()["names"]] == [
        ("big light", "light.kitchen")
    ]
    assert gone.status_code == 200 and again.status_code == 404
    assert after.json()["actions"] == []  # forgotten: asked about again, nothing done
