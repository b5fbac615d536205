"""Choose the learned fallback's confidences on data no reported figure depends on: the
"choose" half of SLURP's iot devel split together with HWU64's iot sentences in 5-fold
cross-validation (bench/voice_fallback_cv.py); the other half of SLURP devel (bench/voice.py's
`slurp_heldout`) is reported and looked at by no choice.

    .venv/bin/python bench/voice_slurp.py

The SLURP halves go by a hash of the sentence (bench/voice.py `slurp_half`). Both sets run
through the whole pipeline (grammar first, then the fallback). Over a grid of the two
confidences (any device; lights), each pair scores +1 for a sentence understood right and -2
for one the hub would act on wrongly ("none", not understood, scores 0: a wrong action costs
the hub twice what a request it leaves alone does). The choice is the strictest pair whose
score is within one standard error of the best, pooled over the two sets (997 sentences; the
63 of the choose half alone tie over most of the grid): a guess the hub acts on should be a
sure one. The chosen pair goes into src/hearthmind/voice/pipeline.py (FALLBACK_MIN_CONFIDENCE,
FALLBACK_MIN_CONFIDENCE_LIGHTS) by hand, with this command beside it."""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from hearthmind.voice.pipeline import (  # noqa: E402
    FALLBACK_MIN_CONFIDENCE,
    FALLBACK_MIN_CONFIDENCE_LIGHTS,
)
from voice_fallback_cv import Outcome, choose_half, hwu_cv, make_pipeline, report  # noqa: E402

GRID = [round(0.05 * i, 2) for i in range(4, 20)]  # 0.20 .. 0.95
WRONG_COST = 2  # a wrong action counts against as much as two right ones count for


def utility(found: Sequence[Outcome], pair: tuple[float, float]) -> tuple[int, float]:
    """The pair's score (right - WRONG_COST * wrong) and its standard error."""
    values = [
        1 if got == o.want else (0 if got == "none" else -WRONG_COST)
        for o in found
        for got in [o.label(pair)]
    ]
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return sum(values), spread * math.sqrt(len(values))


def choose(found: Sequence[Outcome]) -> tuple[tuple[float, float], int, int]:
    """The strictest pair within one standard error of the best score: (pair, its score,
    the best score)."""
    scores = {pair: utility(found, pair) for pair in itertools.product(GRID, GRID)}
    best, error = max(scores.values())
    near = [pair for pair, (u, _) in scores.items() if u >= best - error]
    chosen = max(near, key=lambda pair: (pair[0] + pair[1], pair))
    return chosen, scores[chosen][0], best


def main() -> None:
    pipeline, home = make_pipeline()
    cv = hwu_cv(pipeline, home)
    chosen_half = choose_half(pipeline, home)
    pipeline.close()
    pair, score, best = choose([*cv, *chosen_half])
    now = (FALLBACK_MIN_CONFIDENCE, FALLBACK_MIN_CONFIDENCE_LIGHTS)
    print(f"score = right - {WRONG_COST} x wrong over both sets; best {best}")
    for name, at in (("in the code", now), ("chosen (strictest within one SE)", pair)):
        print(f"{name} {at}: score {utility([*cv, *chosen_half], at)[0]}")
        print("  " + report("HWU64 5-fold CV", cv, at))
        print("  " + report("SLURP devel, choose half", chosen_half, at))
    print(f"chosen: {pair} (score {score})")


if __name__ == "__main__":
    main()
