"""Audio in: speech made by espeak-ng and Piper, the real recorded clips, and bad input."""

from __future__ import annotations

import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from hearthmind.core import EVENT_STATE_CHANGED, Event, Hub
from hearthmind.voice.audio import AudioClip, AudioError, load_audio
from hearthmind.voice.pipeline import VoicePipeline


def write_wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def test_load_audio_refuses_bad_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        load_audio(empty)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(AudioError, match="can't read"):
        load_audio(junk)
    long = write_wav(tmp_path / "long.wav", np.zeros(600 * 8000, np.float32), rate=8000)
    with pytest.raises(AudioError, match="600 seconds"):
        load_audio(long)
    with pytest.raises(AudioError, match="can't find"):
        load_audio(tmp_path / "missing.wav")


def test_load_audio_resamples_to_16k_mono(spoken: Callable[..., Path]) -> None:
    clip = load_audio(spoken("hello", rate=44100, channels=2))
    assert clip.rate == 16000 and clip.samples.ndim == 1 and clip.seconds > 0.5


async def test_spoken_command_turns_on_the_light(
    hub: Hub, speech_pipeline: VoicePipeline, spoken: Callable[..., Path]
) -> None:
    result = await speech_pipeline.handle_audio(
        load_audio(spoken("turn on the kitchen light")), user_id="mina"
    )
    assert "kitchen" in result.heard.lower()
    assert hub.states.require("light.kitchen").state == "on"
    assert hub.states.require("light.kitchen").context.user_id == "mina"
    assert result.timings_ms["end_of_speech_to_action"] > 0


async def test_wrong_sample_rate_is_resampled(
    hub: Hub, speech_pipeline: VoicePipeline, spoken: Callable[..., Path]
) -> None:
    clip = load_audio(spoken("turn on the living room lamp", rate=8000), rate=8000)
    assert clip.rate == 8000  # handed over at 8 kHz (telephone quality); the pipeline resamples
    seen = _changes(hub)
    result = await speech_pipeline.handle_audio(clip)
    changed = {e.data["entity_id"] for e in seen}
    # understood, or at least nothing else done by mistake, and a clear answer either way
    assert changed <= {"light.living_room_lamp"}, (result.heard, result.understood_as)
    assert result.speech


async def test_piper_speech_round_trip(
    hub: Hub, speech_pipeline: VoicePipeline, piper: object
) -> None:
    from hearthmind.voice.tts import PiperTts

    assert isinstance(piper, PiperTts)
    spoken = piper.synthesize("Turn on the living room lamp.")
    assert spoken.rate == 22050 and spoken.seconds > 0.8
    result = await speech_pipeline.handle_audio(spoken)
    assert hub.states.require("light.living_room_lamp").state == "on", result.heard


def _changes(hub: Hub) -> list[Event]:
    seen: list[Event] = []
    hub.bus.async_listen(EVENT_STATE_CHANGED, seen.append)
    return seen


async def test_silence_noise_and_clipping_do_nothing(
    hub: Hub, speech_pipeline: VoicePipeline, spoken: Callable[..., Path]
) -> None:
    seen = _changes(hub)
    silence = await speech_pipeline.handle_audio(AudioClip(np.zeros(32000, np.float32)))
    assert silence.answer.error == "bad_audio" and "silent" in silence.speech
    rng = np.random.default_rng(7)
    noise = AudioClip((rng.standard_normal(48000) * 0.2).astype(np.float32))
    heard_noise = await speech_pipeline.handle_audio(noise)
    assert not heard_noise.answer.handled
    empty = await speech_pipeline.handle_audio(AudioClip(np.zeros(0, np.float32)))
    assert "empty" in empty.speech
    too_long = await speech_pipeline.handle_audio(AudioClip(np.zeros(16000 * 600, np.float32)))
    assert "600 seconds" in too_long.speech
    nan = await speech_pipeline.handle_audio(AudioClip(np.full(16000, np.nan, np.float32)))
    assert nan.answer.error == "bad_audio"
    assert seen == []  # nothing was done by mistake
    # clipped speech: counted, and still understood when the words survive
    clip = load_audio(spoken("turn on the kitchen light"))
    loud = AudioClip(np.clip(clip.samples * 20, -1, 1).astype(np.float32), clip.rate)
    await speech_pipeline.handle_audio(loud)
    assert hub.health["voice_clipped_audio"] >= 1


async def test_spoken_answer(speech_pipeline: VoicePipeline) -> None:
    result = await speech_pipeline.handle_text("what time is it", speak=True)
    assert result.audio is not None and result.audio.seconds > 0.5
    assert result.audio.to_wav()[:4] == b"RIFF"


async def test_real_recorded_clips(
    shared_data: Path, hub: Hub, speech_pipeline: VoicePipeline
) -> None:
    """Human recordings from ../shared/data/speech: the office lights go off; the
    out-of-vocabulary clips change nothing."""
    folder = shared_data / "speech" / "speech-to-phrase-en"
    result = await speech_pipeline.handle_audio(
        load_audio(folder / "turn off lights in the Office.wav")
    )
    assert hub.states.require("light.office").state == "off", result.heard
    seen = _changes(hub)
    for name in ("oov_1.wav", "oov_3.wav", "oov_4.wav"):
        oov = await speech_pipeline.handle_audio(load_audio(folder / name))
        assert not oov.answer.actions, (name, oov.heard)
    assert seen == []


async def test_whisper_scores_what_was_said(whisper: object, piper: object) -> None:
    """Whisper forced to read candidate sentences: the one said scores best."""
    from hearthmind.voice.stt.whisper import WhisperStt
    from hearthmind.voice.tts import PiperTts

    assert isinstance(whisper, WhisperStt) and isinstance(piper, PiperTts)
    clip = piper.synthesize("Set a timer for ten minutes.").resampled(16000)
    whisper.transcribe(clip)
    scores = whisper.rescore(
        clip, ["Set a timer for ten minutes.", "Cancel all timers.", "Good night."]
    )
    assert scores is not None and scores[0] == max(scores)
    assert whisper.rescore(AudioClip(np.zeros(10, np.float32)), ["x"]) is None  # not the last clip


async def test_pipeline_can_rescore_with_audio(
    hub: Hub, recognizer: object, whisper: object, vad: object, spoken: Callable[..., Path]
) -> None:
    from hearthmind.voice.intents import GrammarIntentRecognizer

    assert isinstance(recognizer, GrammarIntentRecognizer)
    pipeline = VoicePipeline(hub, recognizer, stt=whisper, vad=vad, rescore_with_audio=True)  # type: ignore[arg-type]
    result = await pipeline.handle_audio(load_audio(spoken("turn on the kitchen light")))
    assert hub.states.require("light.kitchen").state == "on", result.heard
    pipeline.close()
