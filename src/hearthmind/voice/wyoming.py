"""A remote Wyoming STT or TTS server as a backend of the voice pipeline (the client side of
the protocol; the hub's own Wyoming server, a face like the API, is api/wyoming.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np

from .audio import SAMPLE_RATE, AudioClip, AudioError, float_from_pcm16
from .stages import Transcript

CHUNK_SAMPLES = 1024


async def _read_until(client: Any, wanted: tuple[str, ...], wait: float) -> Any:
    from wyoming.error import Error

    while True:
        event = await asyncio.wait_for(client.read_event(), wait)
        if event is None:
            raise ConnectionError("the Wyoming server closed the connection")
        if Error.is_type(event.type):
            raise AudioError(Error.from_event(event).text)
        if event.type in wanted:
            return event


class WyomingStt:
    """Speech to text on a Wyoming `asr` server (e.g. wyoming-faster-whisper, or another hub)."""

    def __init__(self, uri: str, timeout: float = 30.0) -> None:
        self.uri = uri
        self.timeout = timeout
        self.name = f"wyoming:{uri}"

    def transcribe(self, clip: AudioClip, *, hints: list[str] | None = None) -> Transcript:
        # called from a worker thread (the pipeline runs STT off the event loop)
        return asyncio.run(self.async_transcribe(clip))

    async def async_transcribe(self, clip: AudioClip) -> Transcript:
        from wyoming.asr import Transcribe
        from wyoming.asr import Transcript as WyTranscript
        from wyoming.audio import AudioChunk, AudioStart, AudioStop
        from wyoming.client import AsyncClient

        pcm = clip.resampled(SAMPLE_RATE).to_pcm16()
        async with AsyncClient.from_uri(self.uri) as client:
            await client.write_event(Transcribe(language="en").event())
            await client.write_event(AudioStart(rate=SAMPLE_RATE, width=2, channels=1).event())
            step = CHUNK_SAMPLES * 2
            for offset in range(0, len(pcm), step):
                chunk = AudioChunk(
                    rate=SAMPLE_RATE, width=2, channels=1, audio=pcm[offset : offset + step]
                )
                await client.write_event(chunk.event())
            await client.write_event(AudioStop().event())
            event = await _read_until(client, ("transcript",), self.timeout)
        return Transcript(WyTranscript.from_event(event).text, self.name, clip.seconds)


class WyomingTts:
    """Text to speech on a Wyoming `tts` server (e.g. wyoming-piper, or another hub)."""

    def __init__(self, uri: str, timeout: float = 30.0) -> None:
        self.uri = uri
        self.timeout = timeout
        self.name = f"wyoming:{uri}"

    def synthesize(self, text: str) -> AudioClip:
        return asyncio.run(self.async_synthesize(text))

    async def async_synthesize(self, text: str) -> AudioClip:
        from wyoming.audio import AudioChunk, AudioStart
        from wyoming.client import AsyncClient
        from wyoming.tts import Synthesize

        pcm = bytearray()
        rate, channels = SAMPLE_RATE, 1
        async with AsyncClient.from_uri(self.uri) as client:
            await client.write_event(Synthesize(text=text).event())
            while True:
                event = await _read_until(
                    client, ("audio-start", "audio-chunk", "audio-stop"), self.timeout
                )
                if AudioStart.is_type(event.type):
                    start = AudioStart.from_event(event)
                    rate, channels = start.rate, start.channels
                elif AudioChunk.is_type(event.type):
                    pcm.extend(AudioChunk.from_event(event).audio)
                else:
                    break
        samples = float_from_pcm16(bytes(pcm), channels) if pcm else np.zeros(0, np.float32)
        return AudioClip(samples, rate)
