"""The learned fallback measured through the whole pipeline (grammar first, then the fallback),
on data no held-out figure depends on: 5-fold cross-validation over HWU64's iot sentences
(the fallback trained on the other four folds each time) and, with --choose, the "choose" half
of SLURP's iot devel split (the fallback trained on all of HWU64, as the benchmark does).

    .venv/bin/python bench/voice_fallback_cv.py [--folds 5] [--seed 0] [--choose]
                                                [--confidence 0.8 0.6] [--failures FILE]

Each sentence's outcome is worked out once with the fallback acting on any guess and once
with it silent, so any pair of confidences (any device; lights) is scored without running
the grammar again (`score`); bench/voice_slurp.py chooses the pair on these outcomes. A
sentence counts right when its SLURP label (bench/voice.py `to_slurp`) is the gold one;
"wrong" counts the sentences on which the hub would act on the wrong thing ("none" is not
wrong, only not right). The held-out half of SLURP devel is never read here."""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from hearthmind.core import Hub  # noqa: E402
from hearthmind.voice.fixtures import populate_hub  # noqa: E402
from hearthmind.voice.home import HomeVocabulary  # noqa: E402
from hearthmind.voice.intents import (  # noqa: E402
    FallbackIntentClassifier,
    GrammarIntentRecognizer,
    IntentMatch,
)
from hearthmind.voice.pipeline import (  # noqa: E402
    FALLBACK_MIN_CONFIDENCE,
    FALLBACK_MIN_CONFIDENCE_LIGHTS,
    VoicePipeline,
)
from voice import (  # noqa: E402
    DATA,
    SLURP_TO_OURS,
    bench_fixtures,
    read_jsonl,
    slurp_half,
    slurp_label,
    to_slurp,
)

TRAIN = DATA / "slurp-iot" / "hwu64-iot-train.jsonl"
DEVEL = DATA / "slurp-iot" / "devel.jsonl"
NEVER = (2.0, 2.0)  # confidences no guess reaches: the fallback stays silent
ALWAYS = (0.0, 0.0)

Examples = list[tuple[str, str]]
MakeFallback = Callable[[Examples], FallbackIntentClassifier]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One sentence: its gold SLURP label and what the pipeline makes of it."""

    sentence: str
    want: str
    silent: str  # the SLURP label with the fallback silent (the grammar's, or "none")
    guess: str | None  # the label when the fallback acts (None: it has no guess to act on)
    confidence: float  # the fallback's confidence in that guess
    lights: bool  # whether the guess is about lights only (the gentler confidence applies)
    detail: str = ""  # the intent and slots acted on, for the failure list

    def label(self, pair: tuple[float, float]) -> str:
        if self.guess is None or self.confidence < pair[1 if self.lights else 0]:
            return self.silent
        return self.guess


def examples(rows: Sequence[dict[str, Any]]) -> Examples:
    return [
        (r["sentence"], SLURP_TO_OURS[slurp_label(r["intent"])])
        for r in rows
        if slurp_label(r["intent"]) in SLURP_TO_OURS
    ]


def make_pipeline() -> tuple[VoicePipeline, HomeVocabulary]:
    """The benchmark's pipeline and home (HA's test fixtures), without a fallback yet."""
    hub = Hub()
    populate_hub(hub, bench_fixtures(DATA / "ha-intents-tests-en"))
    pipeline = VoicePipeline(hub, GrammarIntentRecognizer(), fallback=None)
    return pipeline, pipeline.home()


def _describe(match: IntentMatch | None) -> str:
    if match is None:
        return "-"
    return f"{match.source} {match.intent} {dict(match.slots)} {dict(match.unmatched) or ''}"


def outcomes(
    pipeline: VoicePipeline,
    home: HomeVocabulary,
    rows: Sequence[dict[str, Any]],
    fallback: FallbackIntentClassifier,
) -> list[Outcome]:
    """Each row's outcome with this fallback (see the module's docstring)."""
    pipeline.fallback = fallback
    found = []
    for row in rows:
        pipeline.fallback_min_confidence = ALWAYS
        acting, _ = pipeline.understand(row["sentence"], home)
        want = slurp_label(row["intent"])
        if acting is None or acting.source != "classifier":
            label = to_slurp(acting, home)
            found.append(Outcome(row["sentence"], want, label, None, 0.0, False, _describe(acting)))
            continue
        pipeline.fallback_min_confidence = NEVER
        silent, _ = pipeline.understand(row["sentence"], home)
        lights = acting.intent in ("HubLightStep", "HassLightSet") or (
            acting.slots.get("domain") == "light"
        )
        found.append(
            Outcome(
                row["sentence"],
                want,
                to_slurp(silent, home),
                to_slurp(acting, home),
                acting.confidence,
                lights,
                f"{_describe(acting)} | silent: {_describe(silent)}",
            )
        )
    pipeline.fallback_min_confidence = (FALLBACK_MIN_CONFIDENCE, FALLBACK_MIN_CONFIDENCE_LIGHTS)
    return found


def hwu_cv(
    pipeline: VoicePipeline,
    home: HomeVocabulary,
    make: MakeFallback = lambda ex: FallbackIntentClassifier().fit(ex),
    *,
    folds: int = 5,
    seed: int = 0,
) -> list[Outcome]:
    """HWU64 iot in `folds` folds (shuffled by `seed`), each scored by a fallback trained on
    the others; the grammar is the same throughout."""
    rows = read_jsonl(TRAIN)
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    found: list[Outcome] = []
    for k in range(folds):
        test = set(order[k::folds])
        fallback = make(examples([r for i, r in enumerate(rows) if i not in test]))
        found += outcomes(pipeline, home, [rows[i] for i in sorted(test)], fallback)
    return found


def choose_half(
    pipeline: VoicePipeline,
    home: HomeVocabulary,
    make: MakeFallback = lambda ex: FallbackIntentClassifier().fit(ex),
) -> list[Outcome]:
    """The "choose" half of SLURP iot devel (only its rows are read), the fallback trained on
    all of HWU64."""
    rows = [r for r in read_jsonl(DEVEL) if slurp_half(r["sentence"]) == "choose"]
    return outcomes(pipeline, home, rows, make(examples(read_jsonl(TRAIN))))


def score(found: Sequence[Outcome], pair: tuple[float, float]) -> tuple[int, int]:
    """(right, wrong) at these confidences; the rest are "none"."""
    labels = [(o.label(pair), o.want) for o in found]
    right = sum(got == want for got, want in labels)
    wrong = sum(got != want and got != "none" for got, want in labels)
    return right, wrong


def report(name: str, found: Sequence[Outcome], pair: tuple[float, float]) -> str:
    right, wrong = score(found, pair)
    return f"{name}: {right}/{len(found)} = {right / len(found):.1%} right, {wrong} wrong at {pair}"


def failures(found: Sequence[Outcome], pair: tuple[float, float]) -> list[str]:
    return [
        f"{o.want:20} {o.label(pair):20} {o.confidence:.2f} {o.sentence!r}  {o.detail}"
        for o in found
        if o.label(pair) != o.want
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="shuffles HWU64 into folds")
    parser.add_argument("--choose", action="store_true", help="also the choose half of SLURP")
    parser.add_argument(
        "--confidence",
        type=float,
        nargs=2,
        default=(FALLBACK_MIN_CONFIDENCE, FALLBACK_MIN_CONFIDENCE_LIGHTS),
        metavar=("ANY", "LIGHTS"),
    )
    parser.add_argument("--failures", type=Path, help="write the sentences got wrong here")
    args = parser.parse_args()
    pair = (args.confidence[0], args.confidence[1])
    pipeline, home = make_pipeline()
    found = hwu_cv(pipeline, home, folds=args.folds, seed=args.seed)
    print(report(f"HWU64 {args.folds}-fold CV", found, pair))
    kinds = Counter((o.want, o.label(pair)) for o in found if o.label(pair) != o.want)
    for (want, got), n in kinds.most_common(12):
        print(f"  {n:3} {want} -> {got}")
    lines = ["# HWU64 cross-validation", *failures(found, pair)]
    if args.choose:
        chosen = choose_half(pipeline, home)
        print(report("SLURP devel, choose half", chosen, pair))
        lines += ["", "# SLURP devel, choose half", *failures(chosen, pair)]
    pipeline.close()
    if args.failures:
        args.failures.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
