"""Voice: wake word, voice activity, speech to text, intents and text to speech, each a small
protocol with backends (all offline, from packages that carry their models), and warm short
answers. `build_pipeline` wires the configured backends; `async_setup` makes it a component."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from hearthmind.core import DataKey, Hub, SetupOptions, register_section

from .actions import IntentHandler, ServiceAction, VoiceAnswer
from .audio import AudioClip, AudioError, load_audio
from .config import VoiceConfig
from .home import HomeVocabulary
from .intents import FallbackIntentClassifier, GrammarIntentRecognizer, IntentMatch
from .pipeline import VoicePipeline, VoiceResult
from .sources import ExplanationSource, FeedbackSink, RoutineSource
from .stages import SpeechToText, TextToSpeech, Transcript, VoiceActivityDetector, WakeWordDetector

if TYPE_CHECKING:
    from .conversation import Conversations

_LOGGER = logging.getLogger(__name__)
DOMAIN = "voice"  # its configuration.yaml section
DATA_KEY: DataKey[VoicePipeline] = DataKey(DOMAIN)
# the hub's conversations, one set shared by every way in (HA's conversation API, Wyoming)
CONVERSATIONS: DataKey[Conversations] = DataKey("voice_conversations")
register_section(DOMAIN, VoiceConfig)

__all__ = [
    "AudioClip",
    "AudioError",
    "ExplanationSource",
    "FallbackIntentClassifier",
    "FeedbackSink",
    "GrammarIntentRecognizer",
    "HomeVocabulary",
    "IntentHandler",
    "IntentMatch",
    "RoutineSource",
    "ServiceAction",
    "SpeechToText",
    "TextToSpeech",
    "Transcript",
    "VoiceActivityDetector",
    "VoiceAnswer",
    "VoiceConfig",
    "VoicePipeline",
    "VoiceResult",
    "WakeWordDetector",
    "async_setup",
    "build_pipeline",
    "conversations_for",
    "load_audio",
]


def conversations_for(hub: Hub, pipeline: VoicePipeline) -> Conversations:
    """The hub's one set of conversations, on `pipeline` (the configured one, when the hub has
    a `voice:` section): HA's conversation API and the Wyoming server both take their turns
    here, so a conversation id means the same thread whichever way it comes in. Made on first
    use; made anew (the threads forgotten) only if asked for with another pipeline."""
    from .conversation import Conversations

    conversations = hub.data.get(CONVERSATIONS)
    if conversations is None or conversations.pipeline is not pipeline:
        conversations = Conversations(pipeline)
        hub.data[CONVERSATIONS] = conversations
    return conversations


def build_stt(config: VoiceConfig) -> SpeechToText | None:
    if config.stt in ("pocketsphinx", "whisper+pocketsphinx"):
        from .stt.sphinx import PocketsphinxStt

        sphinx = PocketsphinxStt(config.sphinx_model_dir)
        if config.stt == "pocketsphinx":
            return sphinx
        from .stt.whisper import WhisperStt

        return WhisperStt(config.stt_model_dir, proposer=sphinx)
    if config.stt == "whisper":
        from .stt.whisper import WhisperStt

        return WhisperStt(config.stt_model_dir)
    if config.stt == "wyoming":
        if not config.stt_uri:
            raise ValueError("voice.stt is wyoming but voice.stt_uri is not set")
        from .wyoming import WyomingStt

        return WyomingStt(config.stt_uri)
    return None


def build_tts(config: VoiceConfig) -> TextToSpeech | None:
    if config.tts == "piper":
        from .tts import default_tts

        return default_tts(config.tts_model)
    if config.tts == "espeak":
        from .tts import EspeakTts

        return EspeakTts()
    if config.tts == "wyoming":
        if not config.tts_uri:
            raise ValueError("voice.tts is wyoming but voice.tts_uri is not set")
        from .wyoming import WyomingTts

        return WyomingTts(config.tts_uri)
    return None


def build_vad(config: VoiceConfig) -> VoiceActivityDetector | None:
    if config.vad == "silero":
        from .vad import SileroVad

        return SileroVad(config.vad_model)
    if config.vad == "webrtc":
        from .vad import WebRtcVad

        return WebRtcVad()
    return None


def load_examples(path: Any) -> list[tuple[str, str]]:
    """JSONL lines {"text": ..., "label": "HassTurnOn/light"} (or "intent" for plain intents)."""
    examples = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                examples.append((str(row["text"]), str(row.get("label") or row["intent"])))
    return examples


def build_pipeline(
    hub: Hub,
    config: VoiceConfig | None = None,
    *,
    stt: bool = True,
    tts: bool = True,
    wake: bool = False,
) -> VoicePipeline:
    """A pipeline with the configured backends (each stage may be left out)."""
    config = config or VoiceConfig()
    fallback = None
    if config.fallback_examples:
        fallback = FallbackIntentClassifier().fit(load_examples(config.fallback_examples))
    detector = None
    if wake and config.wake_words:
        from .wake import OpenWakeWordDetector

        detector = OpenWakeWordDetector(tuple(config.wake_words), tuple(config.wake_models))
    return VoicePipeline(
        hub,
        GrammarIntentRecognizer(config.language, config.sentence_dirs),
        stt=build_stt(config) if stt else None,
        tts=build_tts(config) if tts else None,
        vad=build_vad(config) if stt else None,
        wake=detector,
        fallback=fallback,
        correct_transcripts=config.correct_transcripts,
        rescore_with_audio=config.rescore_with_audio,
        max_seconds=config.max_seconds,
    )


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Voice as a hub component: only when configuration.yaml has a `voice:` section. (Its
    `wyoming:` server is set up after it, by api/wyoming.py, and stopped before it.)"""
    if DOMAIN not in hub.config.raw:
        return
    config = hub.config.section(DOMAIN, VoiceConfig)
    # loading models takes seconds: off the event loop
    pipeline = await asyncio.to_thread(build_pipeline, hub, config, wake=bool(config.wyoming))
    hub.data[DATA_KEY] = pipeline

    async def stop() -> None:
        pipeline.close()

    hub.async_on_stop(stop)
