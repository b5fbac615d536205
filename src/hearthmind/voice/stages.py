"""The pipeline's stages as small protocols; each has interchangeable backends.

wake word -> voice activity -> speech to text -> intent (intents/) -> text to speech."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from .audio import AudioClip


@dataclass(frozen=True, slots=True)
class SpeechSegment:
    start: float  # seconds
    end: float


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    backend: str
    seconds: float  # audio length transcribed
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class WakeDetection:
    name: str  # e.g. "okay_nabu"
    seconds: float  # where in the clip it fired
    probability: float


@runtime_checkable
class WakeWordDetector(Protocol):
    names: tuple[str, ...]

    def detect(self, clip: AudioClip) -> WakeDetection | None:
        """The first wake word heard in the clip, if any."""
        ...


@runtime_checkable
class VoiceActivityDetector(Protocol):
    name: str

    def speech_segments(self, clip: AudioClip) -> list[SpeechSegment]:
        """Where in the clip someone speaks (empty: silence or noise only)."""
        ...


@runtime_checkable
class SpeechToText(Protocol):
    name: str

    def transcribe(self, clip: AudioClip, *, hints: list[str] | None = None) -> Transcript:
        """The words in a 16 kHz mono clip; `hints` are names likely to be said."""
        ...


@runtime_checkable
class TextToSpeech(Protocol):
    name: str

    def synthesize(self, text: str) -> AudioClip:
        """Spoken audio for the text."""
        ...
