"""The `voice:` section of configuration.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class WyomingServe(BaseModel):
    model_config = ConfigDict(extra="forbid")
    host: str = "127.0.0.1"
    port: int = Field(default=10700, ge=0, le=65535)
    area: str | None = Field(default=None, min_length=1)  # the satellites' room (an area id)


class VoiceConfig(BaseModel):
    """Every stage can point at a model directory of the user's own."""

    model_config = ConfigDict(extra="forbid")
    language: Literal["en"] = "en"
    # whisper+pocketsphinx: Whisper, and when its transcript is no sentence of the home,
    # pocketsphinx (bound to the home's sentences) proposes one for Whisper to score
    stt: Literal["whisper", "pocketsphinx", "whisper+pocketsphinx", "wyoming", "none"] = "whisper"
    stt_model_dir: Path | None = None  # a CTranslate2 Whisper model
    sphinx_model_dir: Path | None = None  # a Sphinx acoustic model (en-us from pocketsphinx)
    stt_uri: str | None = None  # tcp://host:port of a Wyoming asr server
    tts: Literal["piper", "espeak", "wyoming", "none"] = "piper"
    tts_model: Path | None = None  # a Piper .onnx voice (its .onnx.json beside it)
    tts_uri: str | None = None
    vad: Literal["silero", "webrtc", "none"] = "silero"
    vad_model: Path | None = None  # a Silero VAD .onnx
    wake_words: list[str] = Field(default_factory=lambda: ["okay_nabu"])
    wake_models: list[Path] = Field(default_factory=list)  # extra openWakeWord .tflite files
    sentence_dirs: list[Path] = Field(default_factory=list)  # hassil YAML files of your own
    fallback_examples: Path | None = None  # JSONL {"text", "label"} to train the fallback
    correct_transcripts: bool = True  # snap rough transcripts to the home's sentences
    rescore_with_audio: bool = False  # let Whisper score the snapped candidates (slower)
    max_seconds: float = Field(default=30.0, gt=0, le=600)
    area: str | None = None  # the room of the hub's own microphone
    wyoming: WyomingServe | None = None  # serve Wyoming when set
