"""Wyoming transcripts are turns of a conversation: spoken to by the wyoming package's own
client over a real socket on 127.0.0.1, one connection per transcript as Home Assistant's
Wyoming conversation agent makes them, so what carries a thread from one transcript to the
next is the satellite's address or the context's `conversation_id`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from wyoming.asr import Transcript
from wyoming.client import AsyncClient
from wyoming.handle import Handled, NotHandled

from hearthmind.api.wyoming import WyomingVoiceServer
from hearthmind.core import Hub
from hearthmind.voice import conversations_for
from hearthmind.voice.intents import GrammarIntentRecognizer
from hearthmind.voice.pipeline import VoicePipeline


@pytest.fixture
async def pipeline(hub: Hub, recognizer: GrammarIntentRecognizer) -> AsyncIterator[VoicePipeline]:
    voice = VoicePipeline(hub, recognizer)
    yield voice
    voice.close()


@pytest.fixture
async def server(pipeline: VoicePipeline) -> AsyncIterator[WyomingVoiceServer]:
    srv = WyomingVoiceServer(pipeline, "127.0.0.1", 0)
    await srv.start()
    yield srv
    await srv.stop()


async def say(
    server: WyomingVoiceServer, text: str, **context: Any
) -> tuple[bool, str, dict[str, Any]]:
    """One transcript on a connection of its own: handled?, the answer, the reply's context."""
    async with AsyncClient.from_uri(server.uri) as client:
        await client.write_event(Transcript(text=text, context=context or None).event())
        event = await client.read_event()
    assert event is not None
    if Handled.is_type(event.type):
        handled = Handled.from_event(event)
        return True, handled.text or "", handled.context or {}
    assert NotHandled.is_type(event.type), event
    refused = NotHandled.from_event(event)
    return False, refused.text or "", refused.context or {}


def state_of(hub: Hub, entity_id: str) -> str:
    return hub.states.require(entity_id).state


async def test_turn_it_off_after_turn_on_from_the_same_satellite(
    hub: Hub, server: WyomingVoiceServer
) -> None:
    handled, speech, reply = await say(server, "turn on the kitchen light", user_id="mina")
    assert handled and "Kitchen Light" in speech
    assert state_of(hub, "light.kitchen") == "on"
    handled, speech, second = await say(server, "turn it off")
    assert handled and "Kitchen Light" in speech, speech
    assert state_of(hub, "light.kitchen") == "off"
    assert second["conversation_id"] == reply["conversation_id"]  # the satellite's own thread

    # a thread named by the context: its own "it", nothing to do with the satellite's
    handled, speech, other = await say(server, "turn it on", conversation_id="ha-01")
    assert handled and speech == "Which device do you mean?"  # asked back, nothing done
    assert other["conversation_id"] == "ha-01"
    assert state_of(hub, "light.kitchen") == "off"
    handled, speech, _ = await say(server, "turn on the office light", conversation_id="ha-02")
    handled, speech, _ = await say(server, "turn it off", conversation_id="ha-02")
    assert handled and "Office Light" in speech
    assert state_of(hub, "light.office") == "off" and state_of(hub, "light.kitchen") == "off"


async def test_a_question_answered_in_the_next_transcript(
    hub: Hub, server: WyomingVoiceServer
) -> None:
    handled, speech, _ = await say(server, "the living room lamp")
    assert not handled and state_of(hub, "light.living_room_lamp") == "off"  # alone: no request
    handled, speech, _ = await say(server, "turn on")
    assert handled and speech == "Which device do you mean?"
    handled, speech, _ = await say(server, "the living room lamp")
    assert handled and "Living Room Lamp" in speech, speech
    assert state_of(hub, "light.living_room_lamp") == "on"


async def test_unsafe_requests_are_still_refused(hub: Hub, server: WyomingVoiceServer) -> None:
    handled, _, _ = await say(server, "lock the front door")
    assert handled and state_of(hub, "lock.front_door") == "locked"
    for text in ("unlock the front door", "unlock it", "undo"):
        handled, speech, _ = await say(server, text)
        assert not handled and "app" in speech, (text, speech)
        assert state_of(hub, "lock.front_door") == "locked", text
    handled, speech, _ = await say(server, "open the garage door")
    assert not handled and state_of(hub, "cover.garage_door") == "closed", speech


async def test_the_satellites_room(hub: Hub, pipeline: VoicePipeline) -> None:
    """The server's configured area is the speaker's when a transcript names none; a
    transcript's own `area` comes first."""
    srv = WyomingVoiceServer(pipeline, "127.0.0.1", 0, area="kitchen")
    await srv.start()
    try:
        handled, speech, _ = await say(srv, "turn on the lights")
        assert handled, speech
        on = {s.entity_id for s in hub.states.async_all("light") if s.state == "on"}
        assert on == {"light.kitchen", "light.office"}  # the office light was on already
        assert state_of(hub, "light.living_room_lamp") == "off"
        handled, speech, _ = await say(srv, "turn on the lights", area="living_room")
        assert handled and state_of(hub, "light.living_room_lamp") == "on", speech
    finally:
        await srv.stop()


async def test_one_set_of_conversations_for_the_hub(
    hub: Hub, server: WyomingVoiceServer, pipeline: VoicePipeline
) -> None:
    """The thread a Wyoming transcript started is the one HA's conversation API (and the voice
    API) continue with its id: one set of conversations per hub."""
    _, _, reply = await say(server, "turn on the coffee maker", conversation_id="kitchen-sat")
    conversations = conversations_for(hub, pipeline)
    assert conversations is conversations_for(hub, pipeline)
    turn = await conversations.process("turn it off", "kitchen-sat")
    assert turn.result.answer.handled and state_of(hub, "switch.coffee_maker") == "off"
    assert reply["conversation_id"] == "kitchen-sat"


async def test_the_wyoming_section_takes_an_area(tmp_path: Path) -> None:
    from hearthmind.api.wyoming import DATA_KEY
    from hearthmind.bootstrap import SetupOptions, async_setup_hub
    from hearthmind.core import ConfigError, load_config
    from hearthmind.voice import VoiceConfig

    (tmp_path / "configuration.yaml").write_text(
        "voice:\n  stt: none\n  tts: none\n  vad: none\n"
        "  wyoming:\n    port: 0\n    area: kitchen\n"
    )
    hub = await async_setup_hub(
        tmp_path, SetupOptions(record=False), components=["voice", "wyoming"]
    )
    try:
        assert hub.data[DATA_KEY].area == "kitchen"
    finally:
        await hub.async_stop()
    (tmp_path / "configuration.yaml").write_text("voice:\n  wyoming:\n    area: ''\n")
    with pytest.raises(ConfigError, match=r"voice\.wyoming\.area"):
        load_config(tmp_path).section("voice", VoiceConfig)


async def test_odd_transcripts_are_answered(hub: Hub, server: WyomingVoiceServer) -> None:
    """Empty text, a context of the wrong shape, text that is no string: an answer each, and
    the connection goes on."""
    from wyoming.event import Event

    async with AsyncClient.from_uri(server.uri) as client:
        for data in (
            {"text": ""},
            {"text": "turn on the kitchen light", "context": {"conversation_id": 5, "area": []}},
            {"text": 42, "context": "kitchen"},
        ):
            await client.write_event(Event(type="transcript", data=data))
            event = await client.read_event()
            assert event is not None and event.type in ("handled", "not-handled"), data
    assert state_of(hub, "light.kitchen") == "on"
