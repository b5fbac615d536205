"""A Wyoming server over TCP (loopback by default) in front of the voice pipeline: a face of
the hub beside the HTTP API, for Home Assistant and wyoming-satellite devices. A component of
its own, set up after voice when its `voice: wyoming:` section is there (and stopped first).

Per connection: `describe` -> `info`; `transcribe` + audio -> `transcript`; `detect` + audio
-> `detection` / `not-detected`; `transcript` -> `handled` / `not-handled` (the hub acts);
`synthesize` -> audio. Bad audio is answered with an `error` event, never a dropped socket.

A `transcript` is a turn of a conversation (voice/conversation.py, the hub's one set, shared
with HA's conversation API), so "turn it off" after "turn on the kitchen light" and the answer
to the hub's "Which device do you mean?" work across transcripts. Its thread is the context's
`conversation_id` (HA's Wyoming conversation agent sends it), else one per satellite, known by
its address (HA opens a new connection for each transcript); the reply's context carries the
id. The speaker's room is the context's `area`, else the server's configured `area`. A question
asked back is `handled` (its text is the question)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from hearthmind.core import DataKey, Hub, SetupOptions
from hearthmind.voice import DATA_KEY as VOICE_KEY
from hearthmind.voice import DOMAIN as VOICE
from hearthmind.voice import VoiceConfig, conversations_for
from hearthmind.voice.audio import AudioClip, AudioError, clip_from_pcm16
from hearthmind.voice.pipeline import VoicePipeline

_LOGGER = logging.getLogger(__name__)
DATA_KEY: DataKey[WyomingVoiceServer] = DataKey("wyoming")
ATTRIBUTION = {"name": "Hearthmind", "url": "https://github.com/hearthmind"}
CHUNK_SAMPLES = 1024


def _info(pipeline: VoicePipeline) -> Any:
    from wyoming.info import (
        AsrModel,
        AsrProgram,
        Attribution,
        HandleModel,
        HandleProgram,
        Info,
        TtsProgram,
        TtsVoice,
        WakeModel,
        WakeProgram,
    )

    by = Attribution(**ATTRIBUTION)
    info = Info(
        handle=[
            HandleProgram(
                name="hearthmind",
                attribution=by,
                installed=True,
                description="Hearthmind intents (hassil + Home Assistant sentences + the hub's own)",
                version=None,
                models=[
                    HandleModel(
                        name="hearthmind-intents",
                        attribution=by,
                        installed=True,
                        description=None,
                        version=None,
                        languages=[pipeline.recognizer.language],
                    )
                ],
                supports_home_control=True,
            )
        ]
    )
    if pipeline.stt is not None:
        info.asr = [
            AsrProgram(
                name=f"hearthmind-{pipeline.stt.name}",
                attribution=by,
                installed=True,
                description="Hearthmind speech to text",
                version=None,
                models=[
                    AsrModel(
                        name=pipeline.stt.name,
                        attribution=by,
                        installed=True,
                        description=None,
                        version=None,
                        languages=["en"],
                    )
                ],
            )
        ]
    if pipeline.tts is not None:
        info.tts = [
            TtsProgram(
                name=f"hearthmind-{pipeline.tts.name}",
                attribution=by,
                installed=True,
                description="Hearthmind text to speech",
                version=None,
                voices=[
                    TtsVoice(
                        name=pipeline.tts.name,
                        attribution=by,
                        installed=True,
                        description=None,
                        version=None,
                        languages=["en"],
                    )
                ],
            )
        ]
    if pipeline.wake is not None:
        info.wake = [
            WakeProgram(
                name="hearthmind-openwakeword",
                attribution=by,
                installed=True,
                description="openWakeWord models",
                version=None,
                models=[
                    WakeModel(
                        name=name,
                        attribution=by,
                        installed=True,
                        description=None,
                        version=None,
                        languages=["en"],
                        phrase=name.replace("_", " "),
                    )
                    for name in pipeline.wake.names
                ],
            )
        ]
    return info


class WyomingVoiceServer:
    def __init__(
        self,
        pipeline: VoicePipeline,
        host: str = "127.0.0.1",
        port: int = 10700,
        area: str | None = None,
    ):
        self.pipeline = pipeline
        self.host = host
        self.port = port
        self.area = area  # the satellites' room when a transcript names none
        self._server: asyncio.AbstractServer | None = None
        self._handlers: set[asyncio.Task[Any]] = set()

    @property
    def uri(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connection, self.host, self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])
        _LOGGER.info("Wyoming server on %s", self.uri)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for task in list(self._handlers):
            task.cancel()
        if self._handlers:
            await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
        handler = _Handler(self.pipeline, reader, writer, self.area)
        try:
            await handler.run()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if task is not None:
                self._handlers.discard(task)


class _Handler:
    def __init__(
        self,
        pipeline: VoicePipeline,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        area: str | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.reader = reader
        self.writer = writer
        self.area = area
        peer = writer.get_extra_info("peername")
        # the satellite's own conversation when its transcripts carry no id: by its address
        self.satellite = f"wyoming:{peer[0] if isinstance(peer, tuple) and peer else 'local'}"
        self.mode = "transcribe"
        self.audio = bytearray()
        self.rate = 16000
        self.width = 2
        self.channels = 1
        self.context: dict[str, Any] | None = None

    async def write(self, eventable: Any) -> None:
        from wyoming.event import async_write_event

        await async_write_event(eventable.event(), self.writer)

    async def run(self) -> None:
        from wyoming.event import async_read_event

        try:
            while True:
                event = await async_read_event(self.reader)
                if event is None:
                    break
                if not await self.handle(event):
                    break
        finally:
            self.writer.close()

    async def error(self, text: str, code: str) -> None:
        from wyoming.error import Error

        self.pipeline.hub.health.problem(
            "wyoming_bad_request", text, self.pipeline.hub.clock.timestamp()
        )
        await self.write(Error(text=text, code=code))

    async def handle(self, event: Any) -> bool:
        from wyoming.asr import Transcribe, Transcript
        from wyoming.audio import AudioChunk, AudioStart, AudioStop
        from wyoming.info import Describe
        from wyoming.tts import Synthesize
        from wyoming.wake import Detect

        if Describe.is_type(event.type):
            await self.write(_info(self.pipeline))
        elif Transcribe.is_type(event.type):
            self.mode = "transcribe"
            self.context = Transcribe.from_event(event).context
        elif Detect.is_type(event.type):
            self.mode = "detect"
        elif AudioStart.is_type(event.type):
            start = AudioStart.from_event(event)
            self.rate, self.width, self.channels = start.rate, start.width, start.channels
            self.audio = bytearray()
        elif AudioChunk.is_type(event.type):
            chunk = AudioChunk.from_event(event)
            self.audio.extend(chunk.audio)
            limit = self.pipeline.max_seconds * self.rate * self.width * self.channels
            if len(self.audio) > 2 * limit:  # keep memory bounded; transcribe() refuses it
                del self.audio[: len(self.audio) - int(2 * limit)]
        elif AudioStop.is_type(event.type):
            await self.audio_done()
        elif Transcript.is_type(event.type):
            await self.handle_transcript(Transcript.from_event(event))
        elif Synthesize.is_type(event.type):
            await self.synthesize(Synthesize.from_event(event).text)
        return True

    def clip(self) -> AudioClip:
        if self.width != 2:
            raise AudioError(f"I need 16-bit audio, got {8 * self.width}-bit.")
        return clip_from_pcm16(bytes(self.audio), self.rate, self.channels)

    async def audio_done(self) -> None:
        from wyoming.asr import Transcript
        from wyoming.wake import Detection, NotDetected

        try:
            clip = self.clip()
            if self.mode == "detect":
                wake = self.pipeline.wake
                if wake is None:
                    await self.error("no wake word models are set up", "no_wake")
                    return
                found = await asyncio.to_thread(wake.detect, clip)
                if found is None:
                    await self.write(NotDetected())
                else:
                    await self.write(
                        Detection(name=found.name, timestamp=int(found.seconds * 1000))
                    )
                return
            transcript = await asyncio.to_thread(self.pipeline.transcribe, clip)
            await self.write(Transcript(text=transcript.text, language="en"))
        except AudioError as err:
            await self.error(str(err), "bad_audio")
        finally:
            self.audio = bytearray()

    async def handle_transcript(self, transcript: Any) -> None:
        from wyoming.handle import Handled, NotHandled

        context = transcript.context if isinstance(transcript.context, dict) else {}
        conversations = conversations_for(self.pipeline.hub, self.pipeline)
        turn = await conversations.process(
            transcript.text[:1000] if isinstance(transcript.text, str) else "",
            _text(context.get("conversation_id")) or self.satellite,
            user_id=_text(context.get("user_id")),
            area=_text(context.get("area")) or self.area,
            from_speech=True,
        )
        speech, reply = turn.result.speech, {"conversation_id": turn.conversation_id}
        if turn.result.answer.handled or turn.asked:
            await self.write(Handled(text=speech, context=reply))
        else:
            await self.write(NotHandled(text=speech, context=reply))

    async def synthesize(self, text: str) -> None:
        from wyoming.audio import AudioChunk, AudioStart, AudioStop

        clip = await self.pipeline.speak(text)
        if clip is None:
            await self.error("no text-to-speech backend is set up", "no_tts")
            return
        pcm = clip.to_pcm16()
        await self.write(AudioStart(rate=clip.rate, width=2, channels=1))
        step = CHUNK_SAMPLES * 2
        for offset in range(0, len(pcm), step):
            await self.write(
                AudioChunk(rate=clip.rate, width=2, channels=1, audio=pcm[offset : offset + step])
            )
        await self.write(AudioStop())


def _text(value: Any) -> str | None:
    """A context value that is a non-empty string, or None (a satellite may send anything)."""
    return value if isinstance(value, str) and value.strip() else None


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Serve the voice pipeline over Wyoming when `voice: wyoming:` is configured."""
    pipeline = hub.data.get(VOICE_KEY)
    if pipeline is None:
        return
    config = hub.config.section(VOICE, VoiceConfig)
    if config.wyoming is None:
        return
    wyoming = config.wyoming
    server = WyomingVoiceServer(pipeline, wyoming.host, wyoming.port, wyoming.area)
    await server.start()
    hub.data[DATA_KEY] = server
    hub.async_on_stop(server.stop)
