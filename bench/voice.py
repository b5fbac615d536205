"""Voice benchmark: intents on Home Assistant's English tests and SLURP iot, and speech to
action on recorded commands, per speech-to-text backend.

    .venv/bin/python bench/voice.py [--json FILE] [--slurp FILE] [--ha-tests DIR]
                                    [--speech DIR] [--backends whisper,pocketsphinx,...]
                                    [--no-markdown]

SLURP -> Hearthmind intent mapping (documented in docs/BENCHMARKS.md, "Voice"):
    iot_hue_lighton   -> HassTurnOn  (a light)       iot_hue_lightoff -> HassTurnOff (a light)
    iot_wemo_on       -> HassTurnOn  (a plug/switch) iot_wemo_off     -> HassTurnOff (a plug/switch)
    iot_hue_lightchange -> HassLightSet (colour)     iot_hue_lightdim -> HubLightStep down
    iot_hue_lightup   -> HubLightStep up             iot_cleaning     -> HassVacuumStart
    iot_coffee        -> HubMakeCoffee
and back: HassLightSet with a brightness counts as lightdim at <= 50 % and lightup above.
The learned fallback trains on HWU64's iot sentences (never on SLURP devel/test).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import re
import resource
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from hearthmind.core import Hub  # noqa: E402
from hearthmind.voice.fixtures import home_from_fixtures, populate_hub  # noqa: E402
from hearthmind.voice.home import HomeVocabulary  # noqa: E402
from hearthmind.voice.intents import (  # noqa: E402
    FallbackIntentClassifier,
    GrammarIntentRecognizer,
    IntentMatch,
)
from hearthmind.voice.intents.classifier import intent_label  # noqa: E402
from hearthmind.voice.phrases import words_to_digits  # noqa: E402
from hearthmind.voice.pipeline import VoicePipeline  # noqa: E402

console = Console(stderr=True)
DATA = Path(os.environ.get("HEARTHMIND_DATA", REPO.parent / "shared" / "data"))
HOME_EXTRAS = Path(__file__).with_name("voice_home.yaml")
# the room the listening device (satellite) stands in, as Home Assistant's voice satellites
# report theirs: "pause", "what's the temperature" mean the ones in this room
SATELLITE_AREA = "living_room_id"

SLURP_TO_OURS = {
    "iot_hue_lighton": "HassTurnOn/light",
    "iot_hue_lightoff": "HassTurnOff/light",
    "iot_wemo_on": "HassTurnOn/device",
    "iot_wemo_off": "HassTurnOff/device",
    "iot_hue_lightchange": "HassLightSet/color",
    "iot_hue_lightdim": "HubLightStep/down",
    "iot_hue_lightup": "HubLightStep/up",
    "iot_cleaning": "HassVacuumStart",
    "iot_coffee": "HubMakeCoffee",
}
OURS_TO_SLURP = {v: k for k, v in SLURP_TO_OURS.items()}


def progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def load_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def bench_fixtures(ha_dir: Path) -> dict[str, Any]:
    """HA's test home plus our extras, merged (areas and entities appended)."""
    fixtures = load_yaml(ha_dir / "_fixtures.yaml") if (ha_dir / "_fixtures.yaml").exists() else {}
    extras = load_yaml(HOME_EXTRAS)
    merged = {k: list(fixtures.get(k) or []) for k in ("floors", "areas", "entities")}
    for key in ("areas", "entities"):
        merged[key] += list(extras.get(key) or [])
    return merged


# -- HA's English test sentences ---------------------------------------------------------------


def slots_match(expected: dict[str, Any], match: IntentMatch) -> bool:
    """HA's own rule: every spoken slot expected (lists = any of), every expected slot present."""
    got = {k: v for k, v in match.slots.items() if k in expected or k not in match.context_slots}
    for name, value in got.items():
        want = expected.get(name)
        if want is None:
            return False
        if isinstance(want, list):
            ok = set(want) <= set(value) if isinstance(value, list) else value in want
        elif isinstance(value, list):
            ok = want in value
        else:
            ok = want == value
        if not ok:
            return False
    return all(name in got for name in expected)


def score_ha_tests(pipeline: VoicePipeline, ha_dir: Path) -> dict[str, Any]:
    fixtures_path = ha_dir / "_fixtures.yaml"
    base = (
        home_from_fixtures(load_yaml(fixtures_path)) if fixtures_path.exists() else HomeVocabulary()
    )
    cases: list[tuple[str, str, dict[str, Any], str | None, HomeVocabulary, str]] = []
    for path in sorted(ha_dir.rglob("*.yaml")):
        if path.name.startswith("_"):
            continue
        doc = load_yaml(path)
        in_folder = path.parent != ha_dir
        home = (
            home_from_fixtures(doc, base)
            if any(doc.get(k) for k in ("areas", "entities", "floors"))
            else base
        )
        for test in doc.get("tests") or []:
            if in_folder:  # the folder names the intent; slots sit on the test itself
                intent = {"name": path.parent.name, "slots": test.get("slots") or {}}
                context_area = base.areas[0].name if base.areas else None
                context_area = (test.get("context") or {}).get("area", context_area)
            else:
                intent = test["intent"]
                context_area = (intent.get("context") or {}).get("area")
            for sentence in test.get("sentences") or []:
                cases.append(
                    (
                        sentence,
                        intent["name"],
                        intent.get("slots") or {},
                        context_area,
                        home,
                        str(path.relative_to(ha_dir)),
                    )
                )
    right = 0
    failures: list[dict[str, Any]] = []
    with progress() as bar:
        task = bar.add_task("HA test sentences", total=len(cases))
        for sentence, name, slots, area, home, file in cases:
            match, _ = pipeline.understand(sentence, home, area=area)
            ok = (
                match is not None
                and not match.unmatched
                and match.intent == name
                and slots_match(slots, match)
            )
            right += ok
            if not ok:
                failures.append(
                    {
                        "file": file,
                        "sentence": sentence,
                        "expected": [name, slots],
                        "got": [match.intent, match.slots] if match else None,
                    }
                )
            bar.advance(task)
    return {"accuracy": right / max(1, len(cases)), "sentences": len(cases), "failures": failures}


# -- SLURP iot ---------------------------------------------------------------------------------


def slurp_label(label: str) -> str:
    return label if label.startswith("iot_") else f"iot_{label}"


def to_slurp(match: IntentMatch | None, home: HomeVocabulary) -> str:
    if match is None or (match.unmatched and match.intent not in ("HassTurnOn", "HassTurnOff")):
        return "none"
    if (
        match.intent == "HassLightSet"
        and "brightness" in match.slots
        and "color" not in match.slots
    ):
        ours = "HubLightStep/down" if float(match.slots["brightness"]) <= 50 else "HubLightStep/up"
    else:
        ours = intent_label(match.intent, {**match.slots, **match.unmatched}, home)
    return OURS_TO_SLURP.get(ours, ours)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def train_fallback(train_path: Path) -> FallbackIntentClassifier:
    rows = read_jsonl(train_path)
    examples = [
        (r["sentence"], SLURP_TO_OURS[slurp_label(r["intent"])])
        for r in rows
        if slurp_label(r["intent"]) in SLURP_TO_OURS
    ]
    return FallbackIntentClassifier().fit(examples)


def score_slurp(pipeline: VoicePipeline, slurp_path: Path, home: HomeVocabulary) -> dict[str, Any]:
    rows = read_jsonl(slurp_path)
    right = 0
    failures = []
    with progress() as bar:
        task = bar.add_task("SLURP iot", total=len(rows))
        for row in rows:
            match, _ = pipeline.understand(row["sentence"], home)
            got = to_slurp(match, home)
            ok = got == slurp_label(row["intent"])
            right += ok
            if not ok:
                failures.append(
                    {"sentence": row["sentence"], "expected": row["intent"], "got": got}
                )
            bar.advance(task)
    return {"accuracy": right / max(1, len(rows)), "sentences": len(rows), "failures": failures}


# -- speech ------------------------------------------------------------------------------------


def speech_items(speech_dir: Path) -> list[tuple[Path, str]]:
    """(audio file, expected words) from every sub-folder with a transcripts.tsv."""
    items: list[tuple[Path, str]] = []
    for tsv in sorted(speech_dir.glob("*/transcripts.tsv")):
        with tsv.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                text = row.get("expected_text", row.get("text_after_wake_word", row.get("text")))
                if text is None or not row.get("file"):
                    continue
                items.append((tsv.parent / row["file"], text.strip()))
    return items


def normalise_words(text: str) -> list[str]:
    return re.sub(r"[^\w' ]", " ", words_to_digits(text)).split()


def word_errors(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[:], i
        for j, h in enumerate(hyp, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (r != h))
    return row[-1]


def action_key(pipeline: VoicePipeline, match: IntentMatch | None) -> Any:
    """What the hub would do: the intent and its spoken slots, or None (nothing)."""
    if match is None or match.unmatched or match.intent not in pipeline.handler.supported_intents:
        return None
    slots = []
    for k, v in sorted(match.spoken_slots.items()):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        slots.append((k, str(v).casefold()))
    return (match.intent, tuple(slots))


def make_stt(backend: str) -> Any:
    if backend == "whisper":
        from hearthmind.voice.stt.whisper import WhisperStt

        return WhisperStt()
    if backend == "pocketsphinx":
        from hearthmind.voice.stt.sphinx import PocketsphinxStt

        return PocketsphinxStt()
    if backend == "whisper+pocketsphinx":
        from hearthmind.voice.stt.sphinx import PocketsphinxStt
        from hearthmind.voice.stt.whisper import WhisperStt

        return WhisperStt(proposer=PocketsphinxStt())
    if backend.startswith("wyoming="):  # a remote Wyoming asr server: wyoming=tcp://host:port
        from hearthmind.integrations.wyoming import WyomingStt

        return WyomingStt(backend.split("=", 1)[1])
    raise SystemExit(f"unknown speech backend {backend!r}")


def speech_worker(backend: str, speech_dir: str, ha_dir: str) -> dict[str, Any]:
    """One backend, in its own process (so its peak memory is its own)."""
    return asyncio.run(_speech_worker(backend, Path(speech_dir), Path(ha_dir)))


async def _speech_worker(backend: str, speech_dir: Path, ha_dir: Path) -> dict[str, Any]:
    from hearthmind.voice.audio import AudioError, load_audio
    from hearthmind.voice.vad import SileroVad

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load_before = os.getloadavg()[0]
    hub = Hub()
    populate_hub(hub, bench_fixtures(ha_dir))
    stt = make_stt(backend)
    pipeline = VoicePipeline(hub, GrammarIntentRecognizer(), stt=stt, vad=SileroVad())
    home = pipeline.home()
    if hasattr(stt, "prepare"):
        stt.prepare(pipeline.recognizer, home)
    pipeline.corrector(home)  # built once per home, before the first command
    items = speech_items(speech_dir)
    rows = []
    errors = words = 0
    stt_seconds = audio_seconds = 0.0
    with progress() as bar:
        task = bar.add_task(f"speech ({backend})", total=len(items))
        for path, expected in items:
            reference, _ = (
                pipeline.understand(expected, home, area=SATELLITE_AREA)
                if expected
                else (None, None)
            )
            want = action_key(pipeline, reference)
            try:
                clip = load_audio(path)
            except AudioError as err:
                rows.append({"file": path.name, "error": str(err)})
                bar.advance(task)
                continue
            result = await pipeline.handle_audio(clip, area=SATELLITE_AREA)
            got = action_key(pipeline, result.match)
            heard = result.transcript.text if result.transcript else ""
            if expected:
                errors += word_errors(normalise_words(expected), normalise_words(heard))
                words += len(normalise_words(expected))
            stt_ms = result.timings_ms.get("stt", 0.0)
            stt_seconds += stt_ms / 1000
            audio_seconds += clip.seconds
            rows.append(
                {
                    "file": f"{path.parent.name}/{path.name}",
                    "expected": expected,
                    "heard": heard,
                    "understood_as": result.understood_as,
                    "right_action": got == want,
                    "reference_action": want is not None,
                    "ms": result.timings_ms.get("end_of_speech_to_action", stt_ms),
                    "answer": result.speech,
                }
            )
            bar.advance(task)
    pipeline.close()
    timed = [r["ms"] for r in rows if "ms" in r]
    q = statistics.quantiles(timed, n=20) if len(timed) >= 2 else timed * 19
    return {
        "wer": errors / max(1, words),
        "right_action": sum(r.get("right_action", False) for r in rows) / max(1, len(rows)),
        "p50_ms": statistics.median(timed) if timed else float("nan"),
        "p95_ms": q[18] if q else float("nan"),
        "rtf": stt_seconds / max(1e-9, audio_seconds),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_mb": rss_before / 1024,
        # the machine's 1-minute load average before and after: latency taken on a busy
        # machine (other jobs on the same cores) reads high
        "load_avg": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "clips": len(rows),
        "clips_with_no_reference_action": sum(not r.get("reference_action", True) for r in rows),
        "rows": rows,
    }


# -- report ------------------------------------------------------------------------------------


def markdown(result: dict[str, Any], command: str) -> str:
    lines = [
        "## Voice",
        "",
        f"Command: `{command}` (2 shared CPU cores; timings are noisy).",
        "",
        "| benchmark | figure |",
        "|---|---|",
    ]
    if "ha_tests" in result:
        r = result["ha_tests"]
        lines.append(
            f"| HA English intent tests, intent + slots | {r['accuracy']:.1%} of {r['sentences']} (target >= 98 %) |"
        )
    if "slurp_iot" in result:
        r = result["slurp_iot"]
        lines.append(
            f"| SLURP iot devel, intent | {r['accuracy']:.1%} of {r['sentences']} (target >= 90 %; SF-ID on gold text: 84 %) |"
        )
    lines += [
        "",
        "| STT backend | WER | right action | end of speech -> action p50 / p95 | RTF | peak RSS | load avg (before, after) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in result.get("speech", {}).items():
        load = r.get("load_avg") or ["?", "?"]
        lines.append(
            f"| {name} | {r['wer']:.1%} | {r['right_action']:.1%} of {r['clips']} | "
            f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f} ms | {r['rtf']:.3f} | {r['peak_rss_mb']:.0f} MB | "
            f"{load[0]}, {load[1]} |"
        )
    lines += [
        "",
        "Backends: `whisper` is Whisper tiny.en (int8, CTranslate2) whose transcript, when it "
        "is no sentence of the home, is snapped to a near grammar sentence that Whisper itself "
        "scores best against the audio (stt/rescore.py). `pocketsphinx` is pocketsphinx's "
        "en-us model with a trigram language model trained on sentences sampled from the "
        "home's grammar (about as many per intent; stt/sphinx.py, stt/ngram.py) and "
        "pronunciations from its CMU dictionary, split compounds or espeak-ng "
        "(stt/pronounce.py). `whisper+pocketsphinx` is Whisper first; only when neither its "
        "transcript nor a near sentence will do, pocketsphinx's reading (with Whisper's "
        "numbers) is proposed, and taken when Whisper's own score of it is at most 2.5 below "
        "its free transcript (two recognisers agree; its own near sentences may fall only 1.0 "
        "below). Those limits were read off these clips' scores (a misheard command scored "
        "1.5-2.4 below, speech that is no command 5-10 below), so the sealed holdout is the "
        "real test of them. The load average is the machine's (other jobs share the 2 "
        "cores): latency taken at a load above 1 reads high.",
        "",
        "Speech clips: every sub-folder of ../shared/data/speech with a transcripts.tsv "
        "(speech-to-phrase-en, rhasspy-wake-en, voice2json-test). The right action is the intent "
        "and spoken slots the hub acts on for the reference transcript (nothing, for the "
        "out-of-vocabulary clips and the bare wake word). Time runs from the end of the "
        "recording (speech end plus its trailing silence; no end-point wait) to the service "
        "call. WER counts the spoken wake word as errors in rhasspy-wake-en. Picovoice coffee "
        "clips have no transcripts and are not scored yet.",
        "",
        "SLURP -> Hearthmind intents (scored back the same way; HassLightSet with only a "
        "brightness counts as dim at <= 50 %, else up). The learned fallback trains on HWU64 "
        "iot (slurp-iot/hwu64-iot-train.jsonl), never on SLURP:",
        "",
        "| SLURP | Hearthmind |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in SLURP_TO_OURS.items()),
        "",
        "`/light` means a light, `/device` any other switchable device (plug, fan, TV).",
        "",
    ]
    return "\n".join(lines)


def write_markdown_section(text: str, path: Path) -> None:
    """Replace the '## Voice' section of docs/BENCHMARKS.md (other sections untouched)."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    # ends at the next section or at another section's marker (`<!-- routines:start -->`)
    pattern = re.compile(r"^## Voice\n.*?(?=^## |^<!-- |\Z)", re.S | re.M)
    new = pattern.sub(text + "\n", old) if pattern.search(old) else old.rstrip() + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--ha-tests", type=Path, default=DATA / "ha-intents-tests-en")
    parser.add_argument("--slurp", type=Path, default=DATA / "slurp-iot" / "devel.jsonl")
    parser.add_argument("--train", type=Path, default=DATA / "slurp-iot" / "hwu64-iot-train.jsonl")
    parser.add_argument("--speech", type=Path, default=DATA / "speech")
    parser.add_argument(
        "--backends",
        default="whisper,pocketsphinx,whisper+pocketsphinx",
        help="comma-separated STT backends (also wyoming=tcp://host:port)",
    )
    parser.add_argument("--skip", default="", help="comma-separated: ha,slurp,speech")
    parser.add_argument("--no-markdown", action="store_true", help="leave docs/BENCHMARKS.md alone")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    result: dict[str, Any] = {}

    hub = Hub()
    fixtures = bench_fixtures(args.ha_tests)
    populate_hub(hub, fixtures)
    fallback = train_fallback(args.train) if args.train.exists() else None
    pipeline = VoicePipeline(hub, GrammarIntentRecognizer(), fallback=fallback)
    home = pipeline.home()

    if "ha" not in skip and args.ha_tests.is_dir():
        result["ha_tests"] = score_ha_tests(pipeline, args.ha_tests)
        console.print(f"HA tests: {result['ha_tests']['accuracy']:.3f}")
    if "slurp" not in skip and args.slurp.exists():
        result["slurp_iot"] = score_slurp(pipeline, args.slurp, home)
        console.print(f"SLURP iot: {result['slurp_iot']['accuracy']:.3f}")
    pipeline.close()
    if "speech" not in skip and args.speech.is_dir():
        result["speech"] = {}
        ctx = get_context("spawn")
        for backend in filter(None, args.backends.split(",")):
            with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
                figures = pool.submit(
                    speech_worker, backend, str(args.speech), str(args.ha_tests)
                ).result()
            result["speech"][backend] = figures
            console.print(
                f"speech {backend}: WER {figures['wer']:.3f}, right action {figures['right_action']:.3f}, "
                f"p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms"
            )

    summary = {
        k: (
            {kk: vv for kk, vv in v.items() if kk not in ("failures", "rows")}
            if k != "speech"
            else {b: {kk: vv for kk, vv in f.items() if kk != "rows"} for b, f in v.items()}
        )
        for k, v in result.items()
    }
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    if not args.no_markdown:
        shown = [a for i, a in enumerate(sys.argv[1:]) if a != "--json" and sys.argv[i] != "--json"]
        command = "python bench/voice.py " + " ".join(shown)
        write_markdown_section(markdown(result, command.strip()), REPO / "docs" / "BENCHMARKS.md")


if __name__ == "__main__":
    main()
