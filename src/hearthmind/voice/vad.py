"""Voice activity: Silero's ONNX model through onnxruntime, webrtcvad as the light fallback.

Silero's model file ships inside the faster-whisper and silero-vad packages; a user may point
`model_path` at their own copy."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from .audio import SAMPLE_RATE, AudioClip, pcm16_from_float
from .stages import SpeechSegment


def bundled_silero_model() -> Path:
    for package, relative in (
        ("faster_whisper", "assets/silero_vad_v6.onnx"),
        ("silero_vad", "data/silero_vad.onnx"),
    ):
        spec = importlib.util.find_spec(package)
        if spec and spec.origin:
            candidate = Path(spec.origin).parent / relative
            if candidate.is_file():
                return candidate
    raise FileNotFoundError(
        "no Silero VAD model found: install hearthmind[voice] (faster-whisper ships it) "
        "or set voice.vad.model_path"
    )


def _segments(
    flags: list[bool], frame_seconds: float, min_speech: float, max_gap: float
) -> list[SpeechSegment]:
    """Runs of speech frames, merged across short gaps, dropping blips shorter than min_speech."""
    segments: list[SpeechSegment] = []
    start: int | None = None
    for i, speech in enumerate([*flags, False]):
        if speech and start is None:
            start = i
        elif not speech and start is not None:
            seg = SpeechSegment(start * frame_seconds, i * frame_seconds)
            if segments and seg.start - segments[-1].end <= max_gap:
                segments[-1] = SpeechSegment(segments[-1].start, seg.end)
            else:
                segments.append(seg)
            start = None
    return [s for s in segments if s.end - s.start >= min_speech]


class SileroVad:
    """Silero VAD v5/v6 (ONNX): 512-sample windows at 16 kHz with a recurrent state."""

    name = "silero"

    def __init__(
        self,
        model_path: Path | None = None,
        threshold: float = 0.5,
        min_speech: float = 0.25,
        max_gap: float = 0.5,
    ) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(model_path or bundled_silero_model()),
            sess_options=options,
            providers=["CPUExecutionProvider"],
        )
        self.threshold = threshold
        self.min_speech = min_speech
        self.max_gap = max_gap

    def probabilities(self, clip: AudioClip) -> list[float]:
        """Speech probability per 32 ms window."""
        samples = clip.resampled(SAMPLE_RATE).samples
        window, context_size = 512, 64
        usable = len(samples) - len(samples) % window
        if usable == 0:
            return []
        names = {i.name for i in self.session.get_inputs()}
        if {"h", "c"} <= names:
            # faster-whisper's export: all windows at once, each with its 64-sample context
            batched = samples[:usable].reshape(-1, window)
            context = np.roll(batched[:, -context_size:].copy(), 1, axis=0)
            context[0] = 0
            x = np.concatenate([context, batched], axis=1).astype(np.float32)
            h = np.zeros((1, 1, 128), dtype=np.float32)
            c = np.zeros((1, 1, 128), dtype=np.float32)
            out = self.session.run(None, {"input": x, "h": h, "c": c})[0]
            return [float(v) for v in np.asarray(out).reshape(-1)]
        # silero-vad's own export: one window at a time with a recurrent state
        state = np.zeros((2, 1, 128), dtype=np.float32)
        ctx = np.zeros((1, context_size), dtype=np.float32)
        rate = np.array(SAMPLE_RATE, dtype=np.int64)
        probs: list[float] = []
        for offset in range(0, usable, window):
            x = np.concatenate([ctx, samples[offset : offset + window].reshape(1, -1)], axis=1)
            out, state = self.session.run(None, {"input": x, "state": state, "sr": rate})
            ctx = x[:, -context_size:]
            probs.append(float(np.asarray(out).reshape(-1)[0]))
        return probs

    def speech_segments(self, clip: AudioClip) -> list[SpeechSegment]:
        flags = [p >= self.threshold for p in self.probabilities(clip)]
        return _segments(flags, 512 / SAMPLE_RATE, self.min_speech, self.max_gap)


class WebRtcVad:
    """Google's WebRTC VAD (webrtcvad-wheels): tiny and fast, less exact in noise."""

    name = "webrtc"

    def __init__(self, aggressiveness: int = 2, min_speech: float = 0.25, max_gap: float = 0.5):
        import webrtcvad

        self.vad = webrtcvad.Vad(aggressiveness)
        self.min_speech = min_speech
        self.max_gap = max_gap

    def speech_segments(self, clip: AudioClip) -> list[SpeechSegment]:
        pcm = pcm16_from_float(clip.resampled(SAMPLE_RATE).samples)
        frame_bytes = 2 * SAMPLE_RATE * 30 // 1000
        flags = [
            bool(self.vad.is_speech(pcm[i : i + frame_bytes], SAMPLE_RATE))
            for i in range(0, len(pcm) - frame_bytes + 1, frame_bytes)
        ]
        return _segments(flags, 0.03, self.min_speech, self.max_gap)


def trim_to_speech(clip: AudioClip, segments: list[SpeechSegment], pad: float = 0.2) -> AudioClip:
    """The clip from the first speech to the last, with a little padding."""
    if not segments:
        return clip
    start = max(0, int((segments[0].start - pad) * clip.rate))
    end = min(len(clip.samples), int((segments[-1].end + pad) * clip.rate))
    return AudioClip(clip.samples[start:end], clip.rate)
