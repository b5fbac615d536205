"""Voice test fixtures: models load once per session; each test gets its own real hub with a
small home whose devices obey the core's domain services."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hearthmind.core import Clock, Hub, Person
from hearthmind.voice.audio import AudioClip, load_audio
from hearthmind.voice.fixtures import populate_hub
from hearthmind.voice.intents import GrammarIntentRecognizer
from hearthmind.voice.pipeline import VoicePipeline

from .conversing import Talk, make_talk

HOME: dict[str, Any] = {
    "areas": [
        {"name": "Kitchen", "id": "kitchen"},
        {"name": "Living Room", "id": "living_room"},
        {"name": "Office", "id": "office"},
        {"name": "Garage", "id": "garage"},
        {"name": "Entrance", "id": "entrance"},
    ],
    "entities": [
        {"name": "Kitchen Light", "id": "light.kitchen", "area": "kitchen", "state": "off"},
        {"name": "Living Room Lamp", "id": "light.living_room_lamp", "area": "living_room"},
        {"name": "Office Light", "id": "light.office", "area": "office", "state": "on"},
        {"name": "Coffee Maker", "id": "switch.coffee_maker", "area": "kitchen"},
        {"name": "Front Door", "id": "lock.front_door", "area": "entrance", "state": "unlocked"},
        {
            "name": "Garage Door",
            "id": "cover.garage_door",
            "area": "garage",
            "state": "closed",
            "attributes": {"device_class": "garage"},
        },
        {
            "name": "Thermostat",
            "id": "climate.thermostat",
            "area": "living_room",
            "state": "heat",
            "attributes": {"current_temperature": 20.5},
        },
    ],
}


def make_hub(clock: Clock | None = None) -> Hub:
    hub = Hub(clock=clock)
    populate_hub(hub, HOME)
    hub.add_person(Person("mina", "Mina Okafor", user_id="mina"))
    return hub


@pytest.fixture
def hub() -> Hub:
    return make_hub()


@pytest.fixture(scope="session")
def recognizer() -> GrammarIntentRecognizer:
    return GrammarIntentRecognizer()


@pytest.fixture(scope="session")
def whisper() -> Any:
    from hearthmind.voice.stt.whisper import WhisperStt

    return WhisperStt()


@pytest.fixture(scope="session")
def vad() -> Any:
    from hearthmind.voice.vad import SileroVad

    return SileroVad()


@pytest.fixture(scope="session")
def piper() -> Any:
    from hearthmind.voice.tts import PiperTts

    return PiperTts(deterministic=True)  # the same audio every run: no flaky round trips


@pytest.fixture(scope="session")
def espeak() -> Any:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    from hearthmind.voice.tts import EspeakTts

    return EspeakTts()


@pytest.fixture
async def pipeline(hub: Hub, recognizer: GrammarIntentRecognizer) -> AsyncIterator[VoicePipeline]:
    """Text only (no speech models)."""
    p = VoicePipeline(hub, recognizer, correct_transcripts=False)
    yield p
    p.close()


@pytest.fixture
async def speech_pipeline(
    hub: Hub, recognizer: GrammarIntentRecognizer, whisper: Any, vad: Any, espeak: Any
) -> AsyncIterator[VoicePipeline]:
    p = VoicePipeline(hub, recognizer, stt=whisper, vad=vad, tts=espeak)
    yield p
    p.close()


@pytest.fixture(scope="session")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Path]]:
    """spoken(text, rate=16000) -> a WAV file of espeak-ng saying it, resampled with sox."""
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.skip("espeak-ng and sox are needed to make test audio")
    folder = tmp_path_factory.mktemp("spoken")
    counter = iter(range(10_000))

    def make(text: str, rate: int = 16000, channels: int = 1) -> Path:
        n = next(counter)
        raw = folder / f"raw{n}.wav"
        out = folder / f"clip{n}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), text], check=True)
        subprocess.run(
            ["sox", str(raw), "-r", str(rate), "-c", str(channels), str(out), "pad", "0.3", "0.5"],
            check=True,
        )
        return out

    yield make


def clip_of(path: Path) -> AudioClip:
    return load_audio(path)


@pytest.fixture
async def talk(recognizer: GrammarIntentRecognizer) -> AsyncIterator[Talk]:
    """A conversation with the richer home of conversing.py (the speaker in the living room)."""
    found = make_talk(recognizer)
    yield found
    found.talk.pipeline.close()
