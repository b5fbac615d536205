"""Choose the limits of the Whisper snapping rule (stt/rescore.py) on the development set.

    .venv/bin/python bench/voice_dev.py                 # sweep; prints the choice
    .venv/bin/python bench/voice_dev.py --margins       # the recorded clips' margins (tests)
    .venv/bin/python bench/voice_dev.py --write-sentences   # re-sample the sentence file

The sweep runs whisper+pocketsphinx once over the development set (bench/voice_devset.py),
weighing both stages on every clip (`WhisperStt(weigh_all=True)`), so that `decide` can be
replayed on Whisper's scores under every limit of a grid without running Whisper again. Each
grid point gets the right actions of `whisper` (near sentences only) and
`whisper+pocketsphinx` (then the proposals) added up. The choice is the strictest point
within one standard error of the most (the one-standard-error rule): the most alone sat on the
grid's loose edge (a looser agreed loss has no chatter on the development set to cost it
anything). `--samples N` sets how many sentences per grammar template Whisper's near index
holds (whisper.GRAMMAR_SAMPLES was chosen by the best right actions among 8, 16, 32, 64). The recorded clips are never read by the sweep.

`--margins` prints, for the recorded clips, how far each decision of the rule was from its
limits under the chosen limits: the tests keep to clips whose margins are wide (see
tests/voice/test_stt_sphinx.py), because a score near a limit can fall either way on another
CPU."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import pickle
import random
import re
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from hearthmind.voice.pipeline import HALLUCINATIONS, VoicePipeline  # noqa: E402
from hearthmind.voice.stt.rescore import Limits, Weighed, decide  # noqa: E402
from hearthmind.voice.stt.whisper import Snap  # noqa: E402
from voice_devset import SENTENCES  # noqa: E402
from voice_speech import (  # noqa: E402
    SATELLITE_AREA,
    Item,
    action_key,
    console,
    dev_items,
    is_right,
    make_pipeline,
    make_stt,
    reference_action,
    run_items,
    speech_items,
)

DATA = Path(os.environ.get("HEARTHMIND_DATA", REPO.parent / "shared" / "data"))
GRID = {
    "max_loss": [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0],
    "floor": [-2.0, -3.0, -3.5, -4.0, -4.5, -5.0, -6.0, -7.0],
    "margin": [0.0, 0.25, 0.5, 0.75, 1.0],
    "agreed_max_loss": [1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0],
    "agreed_floor": [-3.5, -4.5, -5.5, -6.5, -7.5],
}
# stricter first: less loss allowed, higher floors, wider margins
# how far a score may move on another CPU (int8 kernels differ) and leave a decision alone:
# a recorded clip whose outcome changes when the limits move this far is borderline
SHIFT = 0.5
STRICT = {"max_loss": 1, "floor": -1, "margin": -1, "agreed_max_loss": 1, "agreed_floor": -1}
# what people put on lists, for the free-text items of the list intents (written by hand;
# no recorded clip's item among them)
LIST_ITEMS = [
    "bananas", "oat milk", "coffee beans", "dish soap", "bread", "tomatoes", "rice",
    "batteries", "orange juice", "call the plumber", "water the plants", "pay the rent",
]  # fmt: skip

CHATTER = [
    "my brother likes football",
    "the weather was lovely yesterday",
    "I think the cat is hungry",
    "purple elephants dance at noon",
    "did you remember to call your mother",
    "we should paint the fence green next summer",
    "that film was far too long",
    "pass me the salt please",
    "I left my keys at the office",
    "the train was late again this morning",
    "can you believe how expensive eggs are",
    "she plays the violin beautifully",
    "let's go for a walk after dinner",
    "my phone battery is almost empty",
    "the children are building a sandcastle",
    "I need to finish this report by friday",
    "how was your holiday in spain",
    "the garden needs watering",
    "he forgot his umbrella on the bus",
    "this soup could use more pepper",
]


class Replay:
    """A development clip's outcome under any limits: its reference, and what the hub does
    with each transcript the rule may return."""

    def __init__(self, row: dict[str, Any], actions: dict[str, Any], want: Any) -> None:
        self.row = row
        self.snap: Snap | None = row.get("snap")
        self.actions = actions  # transcript -> action key (None: nothing)
        self.want = want
        self.no_command = bool(row.get("no_command"))

    def right(self, limits: Limits, proposals: bool) -> tuple[bool, bool]:
        """(right, acted wrongly) for `whisper` (proposals False) or the combined backend."""
        if self.snap is None:  # no speech heard: no limit decides
            right = bool(self.row["right_action"])
            return right, bool(self.row.get("acted")) and not right
        snap = self.snap if proposals else Snap(self.snap.heard, self.snap.near, None)
        got = self.actions[snap.outcome(limits)]
        right = is_right(self.want, got, self.no_command)
        return right, got is not None and not right


def action_of(pipeline: VoicePipeline, text: str, area: str | None = SATELLITE_AREA) -> Any:
    """What the hub does with a transcript (as handle_audio would, after the STT)."""
    if " ".join(re.sub(r"[^\w' ]", " ", text.casefold()).split()) in HALLUCINATIONS:
        return None
    match, _ = pipeline.understand(text, pipeline.home(), area=area, from_speech=True)
    return action_key(pipeline, match)


def weighed_texts(snap: Snap) -> list[str]:
    found = [snap.heard]
    for weighed in (snap.near, snap.proposed):
        if weighed is not None:
            found += [o.text for o in weighed.options]
    return list(dict.fromkeys(found))


async def collect(items: list[Item], ha_dir: Path, samples: int | None = None) -> list[Replay]:
    stt = make_stt("whisper+pocketsphinx", weigh_all=True, samples=samples)
    pipeline = make_pipeline(stt, ha_dir)
    rows = await run_items(
        pipeline, items, "dev set (whisper+pocketsphinx, weighing all)", len(items)
    )
    replays = []
    for item, row in zip(items, rows, strict=True):
        snap = row.get("snap")
        actions = {t: action_of(pipeline, t) for t in weighed_texts(snap)} if snap else {}
        replays.append(Replay(row, actions, reference_action(pipeline, item)))
    pipeline.close()
    return replays


def tally(replays: list[Replay], limits: Limits) -> tuple[int, int, int, int]:
    """(right alone, right combined, wrong acts alone, wrong acts combined)."""
    out = [0, 0, 0, 0]
    for replay in replays:
        for k, proposals in enumerate((False, True)):
            right, wrong = replay.right(limits, proposals)
            out[k] += right
            out[2 + k] += wrong
    return out[0], out[1], out[2], out[3]


def sweep(replays: list[Replay]) -> tuple[Limits, dict[tuple[float, ...], tuple[int, ...]]]:
    """The strictest limits whose right actions are within one standard error of the best
    (the one-standard-error rule): where the development set cannot tell limits apart, the
    stricter ones act on less. Strictness adds up each limit's rank on its grid, in STRICT's
    direction; ties go to more right actions, then fewer wrong acts."""
    names = list(GRID)
    results: dict[tuple[float, ...], tuple[int, ...]] = {}
    for values in itertools.product(*(GRID[n] for n in names)):
        results[values] = tally(replays, Limits(**dict(zip(names, values, strict=True))))
    top = max(results, key=lambda v: results[v][0] + results[v][1])
    n = len(replays)
    # the binomial standard error of each backend's count at the best point, added up
    se = math.sqrt(sum(k * (n - k) / n for k in results[top][:2]))
    enough = [v for v in results if sum(results[v][:2]) >= sum(results[top][:2]) - se]

    def strictness(values: tuple[float, ...]) -> int:
        ranks = 0
        for name, value in zip(names, values, strict=True):
            grid = sorted(GRID[name], key=lambda x: STRICT[name] * x, reverse=True)
            ranks += grid.index(value)  # 0 loosest
        return ranks

    def key(values: tuple[float, ...]) -> tuple[float, ...]:
        alone, combined, wrong_alone, wrong_combined = results[values]
        return (-strictness(values), -(alone + combined), wrong_alone + wrong_combined)

    best = min(enough, key=key)
    console.print(
        f"best {sum(results[top][:2])} right actions (both backends) at {top}; one standard "
        f"error {se:.1f}: {len(enough)} grid points within it"
    )
    return Limits(**dict(zip(names, best, strict=True))), results


def describe(weighed: Weighed | None, limits: Limits) -> str:
    if weighed is None or not weighed.options:
        return "-"
    best = weighed.options[0]
    loss_limit, floor = (
        (limits.agreed_max_loss, limits.agreed_floor)
        if best.agreed
        else (limits.max_loss, limits.floor)
    )
    loss = weighed.heard_score - best.score
    rivals = [best.score - o.score for o in weighed.options[1:] if o.action != best.action]
    parts = [
        f"best {best.text!r}{' (agreed)' if best.agreed else ''} {best.score:.2f}",
        f"loss {loss:.2f} vs {loss_limit}",
        f"floor gap {best.score - floor:+.2f}",
    ]
    if rivals and not best.agreed:
        parts.append(f"rival gap {min(rivals):.2f} vs {limits.margin}")
    return "; ".join(parts) + f" -> {'taken' if decide(weighed, limits) else 'refused'}"


def shifted(limits: Limits, by: tuple[float, ...]) -> Limits:
    return Limits(
        limits.max_loss + by[0],
        limits.floor + by[1],
        max(0.0, limits.margin + by[2]),
        limits.agreed_max_loss + by[3],
        limits.agreed_floor + by[4],
    )


async def margins(ha_dir: Path, speech_dir: Path, tests_home: bool, say: list[str]) -> None:
    """Every recorded clip: what Whisper heard, how each stage of the rule weighed it, and
    whether its outcome holds with every limit moved by SHIFT either way (CLEAR) or not."""
    hub, area = None, SATELLITE_AREA
    if tests_home:  # the hub and room of tests/voice (conftest.make_hub, no satellite room)
        sys.path.insert(0, str(REPO))
        from tests.voice.conftest import make_hub

        hub, area = make_hub(), None
    items = speech_items(speech_dir)
    if say:  # sentences Piper says, as the tests' `piper` fixture does (no noise drawn)
        from hearthmind.voice.tts import PiperTts

        piper = PiperTts(deterministic=True)
        items = [Item(f"piper/{t}", t, False, clip=piper.synthesize(t)) for t in say]
    stt = make_stt("whisper+pocketsphinx", weigh_all=True)
    pipeline = make_pipeline(stt, ha_dir, hub=hub)
    rows = await run_items(pipeline, items, "recorded clips", len(items), area)
    limits = Limits()
    for row in rows:
        snap: Snap | None = row.get("snap")
        verdict = "kept as heard (no limit decides)"
        if snap is not None and (snap.near or snap.proposed):
            outcomes = {
                action_of(pipeline, snap.outcome(shifted(limits, by)), area)
                for by in itertools.product((-SHIFT, SHIFT), repeat=5)
            }
            verdict = "CLEAR" if len(outcomes) == 1 else "BORDERLINE"
        print(f"{row['file']}: right={row['right_action']} got={row['got']} {verdict}")
        print(f"    raw {row.get('heard_raw')!r} -> {row.get('heard')!r}")
        if snap is not None and (snap.near or snap.proposed):
            print(f"    near:     {describe(snap.near, limits)}")
            print(f"    proposed: {describe(snap.proposed, limits)}")
    pipeline.close()


def write_sentences(
    ha_dir: Path, speech_dir: Path, per_intent: int = 3, seed: int = 16, add: bool = False
) -> None:
    """Commands sampled from the benchmark home's grammar (those the hub can do), never a
    recorded clip's transcript; then the chatter above. With `add`, the file is kept as it is
    and only intents the hub has learnt to do since (none of its lines does them) get their
    sentences, appended (so every earlier line keeps its voices, which go by line number)."""
    from hearthmind.voice.phrases import GrammarSampler
    from voice_speech import normalise_words

    pipeline = make_pipeline(None, ha_dir)
    home = pipeline.home()
    taken = {" ".join(normalise_words(i.expected)) for i in speech_items(speech_dir)}
    sampler = GrammarSampler(
        pipeline.recognizer.intents, pipeline.recognizer.slot_lists(home), seed
    )
    rng = random.Random(seed)
    lines = [
        "# The voice development set's sentences (bench/voice_dev.py --write-sentences, seed "
        f"{seed}): kind<TAB>text",
    ]
    covered: set[str] = set()
    if add:
        lines = SENTENCES.read_text(encoding="utf-8").rstrip("\n").split("\n")
        for line in lines:
            kind, _, text = line.partition("\t")
            if kind == "command":
                taken.add(" ".join(normalise_words(text)))
                want = reference_action(pipeline, Item("", text, False))
                if want is not None:
                    covered.add(want[0])
        lines.append(f"# appended by --add-intents, seed {seed + 1}: intents the hub does since")
        rng = random.Random(seed + 1)
        sampler = GrammarSampler(
            pipeline.recognizer.intents,
            pipeline.recognizer.slot_lists(home),
            seed + 1,
            wildcards={"shopping_list_item": LIST_ITEMS, "todo_list_item": LIST_ITEMS},
        )
    for intent, sentences in sorted(sampler.sample_by_intent(2).items()):
        if intent not in pipeline.handler.supported_intents or intent in covered:
            continue
        rng.shuffle(sentences)
        kept = 0
        for sentence in sentences:
            text = " ".join(sentence.split())
            key = " ".join(normalise_words(text))
            if kept >= per_intent or key in taken:
                continue
            taken.add(key)  # once each
            want = reference_action(pipeline, Item("", text, False))
            if want is not None and want[0] == intent:
                lines.append(f"command\t{text}")
                kept += 1
    if not add:
        lines += [f"none\t{text}" for text in CHATTER]
    SENTENCES.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pipeline.close()
    print(f"{len(lines) - 1} sentences written to {SENTENCES}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ha-tests", type=Path, default=DATA / "ha-intents-tests-en")
    parser.add_argument("--speech", type=Path, default=DATA / "speech")
    parser.add_argument("--limit", type=int, help="only the first N sentences")
    parser.add_argument("--json", type=Path, default=REPO / "bench" / "out" / "voice_dev.json")
    parser.add_argument(
        "--reuse", action="store_true", help="replay the last run's scores (new grid only)"
    )
    parser.add_argument(
        "--samples", type=int, help="sentences per grammar template in Whisper's near index"
    )
    parser.add_argument("--margins", action="store_true")
    parser.add_argument(
        "--tests-home", action="store_true", help="with --margins: the home of tests/voice"
    )
    parser.add_argument(
        "--say", action="append", default=[], help="with --margins: Piper's speech instead"
    )
    parser.add_argument("--write-sentences", action="store_true")
    parser.add_argument(
        "--add-intents",
        action="store_true",
        help="append sentences for intents the hub does that no line of the file does yet",
    )
    args = parser.parse_args()
    if args.write_sentences or args.add_intents:
        write_sentences(args.ha_tests, args.speech, add=args.add_intents)
        return
    if args.margins:
        asyncio.run(margins(args.ha_tests, args.speech, args.tests_home, args.say))
        return
    cache = args.json.with_suffix(f".{args.samples or 'default'}.replays.pickle")
    if args.reuse and cache.exists():  # Whisper's scores from the last run, unchanged
        replays = pickle.loads(cache.read_bytes())
    else:
        replays = asyncio.run(collect(dev_items(args.limit), args.ha_tests, args.samples))
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(replays))
    chosen, results = sweep(replays)
    now = Limits()
    for label, limits in (("limits in the code", now), ("chosen on the dev set", chosen)):
        alone, combined, wrong_alone, wrong_combined = tally(replays, limits)
        console.print(
            f"{label}: {limits}\n    whisper {alone}/{len(replays)} right "
            f"({wrong_alone} wrong acts), whisper+pocketsphinx {combined}/{len(replays)} "
            f"({wrong_combined} wrong acts)"
        )
    for replay in replays:
        for proposals in (False, True):
            right, _ = replay.right(chosen, proposals)
            if not right:
                snap = replay.snap
                if snap is not None and not proposals:
                    snap = Snap(snap.heard, snap.near, None)
                heard = snap.outcome(chosen) if snap else replay.row.get("heard")
                console.print(
                    f"  wrong ({'combined' if proposals else 'whisper'}): {replay.row['file']} "
                    f"{replay.row['expected']!r} -> {heard!r}"
                )
    print(json.dumps({"chosen": {n: getattr(chosen, n) for n in GRID}, "clips": len(replays)}))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "chosen": {n: getattr(chosen, n) for n in GRID},
                "grid": [[list(k), list(v)] for k, v in results.items()],
                "clips": len(replays),
            }
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
