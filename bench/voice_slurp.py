"""Choose the learned fallback's confidences on one half of SLURP's iot devel split; the other
half (bench/voice.py's `slurp_heldout`) is reported and looked at by no choice.

    .venv/bin/python bench/voice_slurp.py

The halves go by a hash of the sentence (bench/voice.py `slurp_half`). Over a grid of the two
confidences (any device; lights), the choice is the strictest pair within one standard error
of the most right intents on the "choose" half: a guess the hub acts on should be a sure one.
The chosen pair goes into src/hearthmind/voice/pipeline.py (FALLBACK_MIN_CONFIDENCE,
FALLBACK_MIN_CONFIDENCE_LIGHTS) by hand, with this command beside it."""

from __future__ import annotations

import itertools
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from hearthmind.core import Hub  # noqa: E402
from hearthmind.voice.fixtures import populate_hub  # noqa: E402
from hearthmind.voice.intents import GrammarIntentRecognizer  # noqa: E402
from hearthmind.voice.pipeline import (  # noqa: E402
    FALLBACK_MIN_CONFIDENCE,
    FALLBACK_MIN_CONFIDENCE_LIGHTS,
    VoicePipeline,
)
from voice import (  # noqa: E402
    DATA,
    bench_fixtures,
    read_jsonl,
    slurp_half,
    slurp_label,
    to_slurp,
    train_fallback,
)

GRID = [round(0.05 * i, 2) for i in range(4, 17)]  # 0.20 .. 0.80


def main() -> None:
    hub = Hub()
    populate_hub(hub, bench_fixtures(DATA / "ha-intents-tests-en"))
    fallback = train_fallback(DATA / "slurp-iot" / "hwu64-iot-train.jsonl")
    pipeline = VoicePipeline(hub, GrammarIntentRecognizer(), fallback=fallback)
    home = pipeline.home()
    rows = [
        r
        for r in read_jsonl(DATA / "slurp-iot" / "devel.jsonl")
        if slurp_half(r["sentence"]) == "choose"
    ]
    scores: dict[tuple[float, float], int] = {}
    for pair in itertools.product(GRID, GRID):
        pipeline.fallback_min_confidence = pair
        scores[pair] = sum(
            to_slurp(pipeline.understand(r["sentence"], home)[0], home) == slurp_label(r["intent"])
            for r in rows
        )
    best = max(scores.values())
    p = best / len(rows)
    se = math.sqrt(p * (1 - p) / len(rows)) * len(rows)
    near = [pair for pair, right in scores.items() if right >= best - se]
    chosen = max(near, key=lambda pair: (pair[0] + pair[1], pair))  # the strictest
    now = (FALLBACK_MIN_CONFIDENCE, FALLBACK_MIN_CONFIDENCE_LIGHTS)
    print(f"choose half: {len(rows)} sentences; most right {best} ({p:.3f})")
    print(f"in the code {now}: {scores.get(now, 'not on the grid')} right")
    print(f"chosen (strictest within one standard error): {chosen}: {scores[chosen]} right")
    pipeline.close()


if __name__ == "__main__":
    main()
