"""How sure the learned fallback must be before the conversation layer asks "Did you mean:
...?" about a guess it is not sure enough to act on (voice/unsure.py, ASK_MIN_CONFIDENCE).

    .venv/bin/python bench/voice_ask_floor.py

On the development data of bench/voice_fallback_cv.py (HWU64 iot in 5-fold cross-validation
and the "choose" half of SLURP devel; the held-out half is never read), among the sentences
the grammar leaves to the fallback and the fallback is below its confidence to act: for each
floor, how many guesses would be asked about and how many of those are right. The floor is the
lowest at which at least 60 % of the questions asked would be right (a question about a wrong
guess costs a "no", a question not asked costs the request)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hearthmind.voice.pipeline import (
    FALLBACK_MIN_CONFIDENCE,
    FALLBACK_MIN_CONFIDENCE_LIGHTS,
)
from voice_fallback_cv import choose_half, hwu_cv, make_pipeline

WANTED = 0.6
GRID = [round(0.05 * i, 2) for i in range(2, 14)]  # 0.10 .. 0.65


def main() -> None:
    pipeline, home = make_pipeline()
    found = hwu_cv(pipeline, home) + choose_half(pipeline, home)
    pipeline.close()
    act = (FALLBACK_MIN_CONFIDENCE, FALLBACK_MIN_CONFIDENCE_LIGHTS)
    unsure = [
        o
        for o in found
        if o.silent == "none" and o.guess is not None and o.confidence < act[1 if o.lights else 0]
    ]
    print(f"{len(found)} sentences; {len(unsure)} left to a guess below the confidence to act")
    chosen = None
    for floor in GRID:
        asked = [o for o in unsure if o.confidence >= floor]
        right = sum(o.guess == o.want for o in asked)
        share = right / len(asked) if asked else 0.0
        print(f"floor {floor:.2f}: {len(asked)} asked, {right} right ({share:.0%})")
        if chosen is None and asked and share >= WANTED:
            chosen = floor
    print(f"chosen: the lowest floor with >= {WANTED:.0%} of questions right: {chosen}")


if __name__ == "__main__":
    main()
