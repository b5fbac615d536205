"""The Wyoming server, spoken to by the wyoming package's own client over a real socket, and
the Wyoming client backends pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncClient
from wyoming.error import Error
from wyoming.event import Event
from wyoming.handle import Handled, NotHandled
from wyoming.info import Describe, Info
from wyoming.tts import Synthesize
from wyoming.wake import Detect, Detection, NotDetected

from hearthmind.api.wyoming import WyomingVoiceServer
from hearthmind.core import Hub
from hearthmind.voice.audio import AudioClip, load_audio
from hearthmind.voice.intents import GrammarIntentRecognizer
from hearthmind.voice.pipeline import VoicePipeline
from hearthmind.voice.wyoming import WyomingStt, WyomingTts


@pytest.fixture(scope="session")
def wake() -> Any:
    from hearthmind.voice.wake import OpenWakeWordDetector

    return OpenWakeWordDetector(("okay_nabu", "hey_mycroft"))


@pytest.fixture
async def server(
    hub: Hub, recognizer: GrammarIntentRecognizer, whisper: Any, vad: Any, espeak: Any, wake: Any
) -> AsyncIterator[WyomingVoiceServer]:
    pipeline = VoicePipeline(hub, recognizer, stt=whisper, vad=vad, tts=espeak, wake=wake)
    srv = WyomingVoiceServer(pipeline, "127.0.0.1", 0)
    await srv.start()
    yield srv
    await srv.stop()
    pipeline.close()


async def send_audio(client: AsyncClient, clip: AudioClip) -> None:
    pcm = clip.resampled(16000).to_pcm16()
    await client.write_event(AudioStart(rate=16000, width=2, channels=1).event())
    for i in range(0, len(pcm), 2048):
        await client.write_event(
            AudioChunk(rate=16000, width=2, channels=1, audio=pcm[i : i + 2048]).event()
        )
    await client.write_event(AudioStop().event())


async def read(client: AsyncClient) -> Event:
    event = await client.read_event()
    assert event is not None
    return event


async def test_describe(server: WyomingVoiceServer) -> None:
    async with AsyncClient.from_uri(server.uri) as client:
        await client.write_event(Describe().event())
        info = Info.from_event(await read(client))
    assert info.asr and info.tts and info.handle and info.wake
    assert {m.name for m in info.wake[0].models} == {"okay_nabu", "hey_mycroft"}


async def test_transcribe_then_handle(
    hub: Hub, server: WyomingVoiceServer, spoken: Callable[..., Path]
) -> None:
    async with AsyncClient.from_uri(server.uri) as client:
        await client.write_event(Transcribe(language="en").event())
        await send_audio(client, load_audio(spoken("turn on the kitchen light")))
        text = Transcript.from_event(await read(client)).text
        assert "kitchen" in text.lower()
        await client.write_event(Transcript(text=text, context={"user_id": "mina"}).event())
        event = await read(client)
    assert Handled.is_type(event.type), event
    assert "Kitchen Light" in (Handled.from_event(event).text or "")
    state = hub.states.require("light.kitchen")
    assert state.state == "on" and state.context.user_id == "mina"


async def test_not_handled_and_bad_audio(server: WyomingVoiceServer) -> None:
    async with AsyncClient.from_uri(server.uri) as client:
        await client.write_event(Transcript(text="purple monkey dishwasher").event())
        event = await read(client)
        assert NotHandled.is_type(event.type)
        assert "didn't understand" in (NotHandled.from_event(event).text or "")
        # an empty recording: an error event, and the connection stays usable
        await client.write_event(Transcribe().event())
        await client.write_event(AudioStart(rate=16000, width=2, channels=1).event())
        await client.write_event(AudioStop().event())
        error = await read(client)
        assert Error.is_type(error.type) and "empty" in Error.from_event(error).text
        await client.write_event(Describe().event())
        assert Info.is_type((await read(client)).type)


async def test_synthesize(server: WyomingVoiceServer) -> None:
    async with AsyncClient.from_uri(server.uri) as client:
        await client.write_event(Synthesize(text="Good morning, Mina.").event())
        start = AudioStart.from_event(await read(client))
        audio = bytearray()
        while True:
            event = await read(client)
            if AudioStop.is_type(event.type):
                break
            audio.extend(AudioChunk.from_event(event).audio)
    assert start.width == 2 and len(audio) > start.rate  # more than half a second


async def test_wake_word(
    shared_data: Path, server: WyomingVoiceServer, spoken: Callable[..., Path]
) -> None:
    async with AsyncClient.from_uri(server.uri) as client:
        await client.write_event(Detect(names=["hey_mycroft"]).event())
        await send_audio(
            client, load_audio(shared_data / "speech" / "voice2json-test" / "hey_mycroft.wav")
        )
        found = await read(client)
        assert Detection.is_type(found.type)
        assert Detection.from_event(found).name == "hey_mycroft"
        await client.write_event(Detect().event())
        await send_audio(client, load_audio(spoken("what time is it")))
        assert NotDetected.is_type((await read(client)).type)


async def test_remote_backends(
    server: WyomingVoiceServer, recognizer: GrammarIntentRecognizer, spoken: Callable[..., Path]
) -> None:
    """A second hub that listens and speaks through the first one's Wyoming server."""
    from .conftest import make_hub

    other = make_hub()
    remote = VoicePipeline(
        other, recognizer, stt=WyomingStt(server.uri), tts=WyomingTts(server.uri)
    )
    result = await remote.handle_audio(
        load_audio(spoken("turn on the living room lamp")), speak=True
    )
    assert other.states.require("light.living_room_lamp").state == "on", result.heard
    assert result.audio is not None and result.audio.seconds > 0.5
    remote.close()


async def test_the_hub_serves_wyoming_when_its_voice_section_asks(tmp_path: Path) -> None:
    """Set up from configuration.yaml as a component of its own, after voice; stopped with the
    hub, before the pipeline it serves closes."""
    from hearthmind.api.wyoming import DATA_KEY
    from hearthmind.bootstrap import SetupOptions, async_setup_hub

    (tmp_path / "configuration.yaml").write_text(
        "voice:\n  stt: none\n  tts: none\n  vad: none\n  wyoming:\n    port: 0\n"
    )
    hub = await async_setup_hub(
        tmp_path, SetupOptions(record=False), components=["voice", "wyoming"]
    )
    try:
        server = hub.data[DATA_KEY]
        assert isinstance(server, WyomingVoiceServer) and server.port > 0
        async with AsyncClient.from_uri(server.uri) as client:
            await client.write_event(Describe().event())
            info = Info.from_event(await read(client))
            assert info.handle and info.handle[0].name == "hearthmind"
    finally:
        await hub.async_stop()
    with pytest.raises(OSError):
        async with AsyncClient.from_uri(server.uri) as client:
            await client.write_event(Describe().event())
