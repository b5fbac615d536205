"""Audio clips as the pipeline passes them: mono float32 samples in [-1, 1] with a rate.

Loading checks what a person might hand the hub (an empty file, ten minutes of audio,
stereo at 44.1 kHz, clipped recordings) and says what is wrong in words."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from hearthmind.core import HearthmindError

SAMPLE_RATE = 16000  # every stage works at 16 kHz mono, as Whisper, Silero and Wyoming do
MAX_SECONDS = 30.0  # a spoken command; longer input is refused, not transcribed for minutes
Samples = npt.NDArray[np.float32]


class AudioError(HearthmindError):
    """Audio the pipeline cannot use; the message is fit to say to a person."""

    counter = "voice_bad_audio"


@dataclass(frozen=True, slots=True)
class AudioClip:
    samples: Samples  # mono float32 in [-1, 1]
    rate: int = SAMPLE_RATE

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0

    def to_pcm16(self) -> bytes:
        return pcm16_from_float(self.samples)

    def to_wav(self) -> bytes:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(self.rate)
            out.writeframes(self.to_pcm16())
        return buf.getvalue()

    def resampled(self, rate: int = SAMPLE_RATE) -> AudioClip:
        return AudioClip(resample(self.samples, self.rate, rate), rate)

    @property
    def clipped_share(self) -> float:
        """Share of samples at full scale: above a percent or so, the recording is clipped."""
        if not len(self.samples):
            return 0.0
        return float(np.mean(np.abs(self.samples) >= 0.999))

    @property
    def rms(self) -> float:
        if not len(self.samples):
            return 0.0
        return float(np.sqrt(np.mean(np.square(self.samples, dtype=np.float64))))


def pcm16_from_float(samples: Samples) -> bytes:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def float_from_pcm16(data: bytes, channels: int = 1) -> Samples:
    if len(data) % (2 * channels):
        data = data[: len(data) - len(data) % (2 * channels)]
    samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype(np.float32)
    return samples


def resample(samples: Samples, rate_in: int, rate_out: int) -> Samples:
    """Band-limited resampling (polyphase when scipy is there, else windowed-sinc-free linear)."""
    if rate_in == rate_out or not len(samples):
        return samples.astype(np.float32, copy=False)
    try:
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(rate_in, rate_out)
        out = resample_poly(samples, rate_out // g, rate_in // g)
        return np.asarray(out, dtype=np.float32)
    except ImportError:  # pragma: no cover - scipy comes with scikit-learn
        n_out = round(len(samples) * rate_out / rate_in)
        x_old = np.linspace(0.0, 1.0, num=len(samples), endpoint=False)
        x_new = np.linspace(0.0, 1.0, num=n_out, endpoint=False)
        return np.interp(x_new, x_old, samples).astype(np.float32)


def clip_from_pcm16(data: bytes, rate: int, channels: int = 1) -> AudioClip:
    return AudioClip(float_from_pcm16(data, channels), rate)


def load_audio(
    source: Path | str | bytes, *, max_seconds: float = MAX_SECONDS, rate: int = SAMPLE_RATE
) -> AudioClip:
    """A WAV/FLAC/OGG file (or its bytes) as 16 kHz mono; AudioError says what is wrong."""
    import soundfile

    name = "the recording" if isinstance(source, bytes) else Path(source).name
    if not isinstance(source, bytes):
        path = Path(source)
        if not path.is_file():
            raise AudioError(f"I can't find the audio file {path}.")
        if path.stat().st_size == 0:
            raise AudioError(f"{name} is empty: there is nothing to listen to.")
    try:
        handle = soundfile.SoundFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (RuntimeError, soundfile.LibsndfileError) as err:
        raise AudioError(f"I can't read {name} as audio ({err}).") from err
    with handle:
        if handle.frames == 0 or handle.samplerate <= 0:
            raise AudioError(f"{name} is empty: there is nothing to listen to.")
        seconds = handle.frames / handle.samplerate
        if seconds > max_seconds:
            raise AudioError(
                f"{name} is {seconds:.0f} seconds long; I listen to commands of at most "
                f"{max_seconds:.0f} seconds."
            )
        data = handle.read(dtype="float32", always_2d=True)
        source_rate = handle.samplerate
    mono = data.mean(axis=1).astype(np.float32)
    return AudioClip(resample(mono, source_rate, rate), rate)
