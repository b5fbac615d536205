"""Wake words with openWakeWord models through pyopen-wakeword (TFLite, bundled models:
okay_nabu, hey_jarvis, hey_mycroft, alexa, hey_rhasspy). A user may add `.tflite` models of
their own by path."""

from __future__ import annotations

import threading
from pathlib import Path

from .audio import SAMPLE_RATE, AudioClip, pcm16_from_float
from .stages import WakeDetection

CHUNK_SAMPLES = 1280  # 80 ms, openWakeWord's step


class OpenWakeWordDetector:
    """Streams a clip through the feature and wake-word models; fires above `threshold`."""

    def __init__(
        self,
        names: tuple[str, ...] = ("okay_nabu",),
        model_paths: tuple[Path, ...] = (),
        threshold: float = 0.5,
    ) -> None:
        from pyopen_wakeword import Model, OpenWakeWord

        builtin = {m.value: m for m in Model}
        self._models = []
        for name in names:
            if name not in builtin:
                raise ValueError(f"unknown wake word {name!r}: choose from {sorted(builtin)}")
            self._models.append(OpenWakeWord.from_builtin(builtin[name]))
        for path in model_paths:
            self._models.append(OpenWakeWord.from_model(path))
        self.names = tuple(m.id for m in self._models)
        self.threshold = threshold
        self._lock = threading.Lock()

    def detect(self, clip: AudioClip) -> WakeDetection | None:
        from pyopen_wakeword import OpenWakeWordFeatures

        pcm = pcm16_from_float(clip.resampled(SAMPLE_RATE).samples)
        step = CHUNK_SAMPLES * 2
        with self._lock:
            features = OpenWakeWordFeatures.from_builtin()
            for model in self._models:
                model.reset()
            try:
                for offset in range(0, len(pcm) - step + 1, step):
                    for embedding in features.process_streaming(pcm[offset : offset + step]):
                        for model in self._models:
                            for prob in model.process_streaming(embedding):
                                if prob >= self.threshold:
                                    seconds = (offset + step) / 2 / SAMPLE_RATE
                                    return WakeDetection(model.id, seconds, float(prob))
            finally:
                features.close()
        return None
