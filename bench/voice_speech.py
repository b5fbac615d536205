"""Speech to action, per speech-to-text backend: the recorded clips (reported) and the
development set (bench/voice_devset.py, on which limits are chosen), scored the same way.

A clip's action is right when the hub did what it asks: the intent and spoken slots the hub
acts on for its reference transcript. A command the hub cannot do is never right (nothing
happening is no success); nothing happening is right only for speech that is no command (the
out-of-vocabulary clips, the bare wake word, the development set's chatter). WER is taken
twice: on the recogniser's own words before any snapping to the grammar (`wer_raw`), and on
the sentence the hub understood (`wer_snapped`)."""

from __future__ import annotations

import asyncio
import csv
import os
import re
import resource
import statistics
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from rich.console import Console  # noqa: E402
from rich.progress import (  # noqa: E402
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from hearthmind.voice.audio import AudioClip  # noqa: E402
from hearthmind.voice.intents import IntentMatch  # noqa: E402
from hearthmind.voice.phrases import words_to_digits  # noqa: E402
from hearthmind.voice.pipeline import VoicePipeline  # noqa: E402
from hearthmind.voice.stt.rescore import Limits  # noqa: E402

console = Console(stderr=True)
HOME_EXTRAS = REPO / "bench" / "voice_home.yaml"
# the room the listening device (satellite) stands in, as Home Assistant's voice satellites
# report theirs: "pause", "what's the temperature" mean the ones in this room
SATELLITE_AREA = "living_room_id"
# recorded clips with a transcript that is no command: right when nothing is done
NO_COMMAND_CLIPS = {
    "voice2json-test/hey_mycroft.wav": "the wake word alone, no command after it",
}


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


@dataclass(frozen=True, slots=True)
class Item:
    name: str  # folder/file, or dev/NNN-voice
    expected: str  # the reference transcript ("" for speech that is no command)
    no_command: bool
    path: Path | None = None  # a recording
    clip: AudioClip | None = None  # or speech made here


def speech_items(speech_dir: Path) -> list[Item]:
    """Every recording with a transcript (sub-folders with a transcripts.tsv)."""
    items: list[Item] = []
    for tsv in sorted(speech_dir.glob("*/transcripts.tsv")):
        with tsv.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                text = row.get("expected_text", row.get("text_after_wake_word", row.get("text")))
                if text is None or not row.get("file"):
                    continue
                name = f"{tsv.parent.name}/{row['file']}"
                no_command = not text.strip() or name in NO_COMMAND_CLIPS
                items.append(Item(name, text.strip(), no_command, path=tsv.parent / row["file"]))
    return items


def dev_items(limit: int | None = None) -> list[Item]:
    from voice_devset import dev_clips

    return [Item(c.name, c.expected, c.no_command, clip=c.clip) for c in dev_clips(limit=limit)]


def normalise_words(text: str) -> list[str]:
    return re.sub(r"[^\w' ]", " ", words_to_digits(text)).casefold().split()


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


def is_right(want: Any, got: Any, no_command: bool) -> bool:
    """Nothing done is right only for speech that is no command; a command is right only
    when the hub can do it and did exactly that."""
    if no_command:
        return got is None
    return want is not None and got == want


def make_stt(
    backend: str,
    limits: Limits | None = None,
    weigh_all: bool = False,
    samples: int | None = None,
    draw: int = 0,
) -> Any:
    """A speech backend; `draw` seeds the random samples of the grammar that Whisper's
    near-sentence index and pocketsphinx's language model are built from (0 in the hub)."""
    extra: dict[str, Any] = {} if samples is None else {"grammar_samples": samples}
    if backend == "whisper":
        from hearthmind.voice.stt.whisper import WhisperStt

        return WhisperStt(limits=limits, draw=draw, **extra)
    if backend == "pocketsphinx":
        from hearthmind.voice.stt.sphinx import PocketsphinxStt

        return PocketsphinxStt(draw=draw)
    if backend == "whisper+pocketsphinx":
        from hearthmind.voice.stt.sphinx import PocketsphinxStt
        from hearthmind.voice.stt.whisper import WhisperStt

        return WhisperStt(
            proposer=PocketsphinxStt(draw=draw),
            limits=limits,
            weigh_all=weigh_all,
            draw=draw,
            **extra,
        )
    if backend.startswith("wyoming="):  # a remote Wyoming asr server: wyoming=tcp://host:port
        from hearthmind.voice.wyoming import WyomingStt

        return WyomingStt(backend.split("=", 1)[1])
    raise SystemExit(f"unknown speech backend {backend!r}")


def make_pipeline(
    stt: Any, ha_dir: Path, fixtures: dict[str, Any] | None = None, hub: Any = None
) -> VoicePipeline:
    from hearthmind.core import Hub
    from hearthmind.voice.fixtures import populate_hub
    from hearthmind.voice.intents import GrammarIntentRecognizer
    from hearthmind.voice.vad import SileroVad

    if hub is None:
        hub = Hub()
        populate_hub(hub, bench_fixtures(ha_dir) if fixtures is None else fixtures)
    pipeline = VoicePipeline(hub, GrammarIntentRecognizer(), stt=stt, vad=SileroVad())
    home = pipeline.home()
    if hasattr(stt, "prepare"):
        stt.prepare(pipeline.recognizer, home)
    pipeline.corrector(home)  # built once per home, before the first command
    return pipeline


def reference_action(pipeline: VoicePipeline, item: Item, area: str | None = SATELLITE_AREA) -> Any:
    if item.no_command or not item.expected:
        return None
    match, _ = pipeline.understand(item.expected, pipeline.home(), area=area)
    return action_key(pipeline, match)


async def run_clip(
    pipeline: VoicePipeline, item: Item, area: str | None = SATELLITE_AREA
) -> dict[str, Any]:
    """One clip through the whole pipeline; the row the figures are made from."""
    from hearthmind.voice.audio import AudioError, load_audio

    want = reference_action(pipeline, item, area)
    try:
        clip = item.clip if item.clip is not None else load_audio(item.path or Path())
    except AudioError as err:
        return {"file": item.name, "error": str(err), "right_action": False}
    stt = pipeline.stt
    if hasattr(stt, "last_snap"):
        stt.last_snap = None
    result = await pipeline.handle_audio(clip, area=area)
    got = action_key(pipeline, result.match)
    heard = result.transcript.text if result.transcript else ""
    snap = getattr(stt, "last_snap", None)
    raw = snap.heard if snap is not None else heard  # before Whisper's own snapping
    stt_ms = result.timings_ms.get("stt", 0.0)
    return {
        "file": item.name,
        "expected": item.expected,
        "no_command": item.no_command,
        "heard_raw": raw,
        "heard": heard,
        "understood_as": result.understood_as,
        "right_action": is_right(want, got, item.no_command),
        "reference_action": want is not None,
        "acted": got is not None,
        "ms": result.timings_ms.get("end_of_speech_to_action", stt_ms),
        "stt_ms": stt_ms,
        "seconds": clip.seconds,
        "answer": result.speech,
        "snap": snap,
        "got": got,
    }


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Right actions and the two WERs of a set of rows (only commands count for WER)."""
    errors_raw = errors_snapped = words = 0
    for row in rows:
        if row.get("no_command", True) or "heard" not in row:
            continue
        ref = normalise_words(row["expected"])
        snapped = row["understood_as"] or row["heard"]
        errors_raw += word_errors(ref, normalise_words(row["heard_raw"]))
        errors_snapped += word_errors(ref, normalise_words(snapped))
        words += len(ref)
    commands = [r for r in rows if not r.get("no_command", False)]
    return {
        "right_action": sum(r["right_action"] for r in rows) / max(1, len(rows)),
        "wer_raw": errors_raw / max(1, words),
        "wer_snapped": errors_snapped / max(1, words),
        "clips": len(rows),
        "commands": len(commands),
        "commands_the_hub_cannot_do": sum(not r.get("reference_action", True) for r in commands),
        "wrong_acts": sum(r.get("acted", False) and not r["right_action"] for r in rows),
    }


async def run_items(
    pipeline: VoicePipeline,
    items: Iterable[Item],
    label: str,
    total: int,
    area: str | None = SATELLITE_AREA,
) -> list[dict[str, Any]]:
    rows = []
    with progress() as bar:
        task = bar.add_task(label, total=total)
        for item in items:
            rows.append(await run_clip(pipeline, item, area))
            bar.advance(task)
    return rows


def speech_worker(
    backend: str, speech_dir: str, ha_dir: str, dev: bool, draw: int = 0
) -> dict[str, Any]:
    """One backend, in its own process (so its peak memory is its own)."""
    return asyncio.run(_speech_worker(backend, Path(speech_dir), Path(ha_dir), dev, draw))


async def _speech_worker(
    backend: str, speech_dir: Path, ha_dir: Path, dev: bool, draw: int = 0
) -> dict[str, Any]:
    from voice_devset import CHOSEN_ON

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    load_before = os.getloadavg()[0]
    pipeline = make_pipeline(make_stt(backend, draw=draw), ha_dir)
    items = speech_items(speech_dir)
    rows = await run_items(pipeline, items, f"speech ({backend})", len(items))
    load_after = os.getloadavg()[0]
    dev_rows: list[dict[str, Any]] = []
    if dev:
        found = dev_items()
        dev_rows = await run_items(pipeline, found, f"dev set ({backend})", len(found))
    pipeline.close()
    timed = [r["ms"] for r in rows if "ms" in r]
    q = statistics.quantiles(timed, n=20) if len(timed) >= 2 else timed * 19
    stt_s = sum(r.get("stt_ms", 0.0) for r in rows) / 1000
    audio_s = sum(r.get("seconds", 0.0) for r in rows)
    reported = figures(rows)
    dev_figures = figures(dev_rows) if dev_rows else {}
    for row in [*rows, *dev_rows]:
        row.pop("snap", None)
        row["got"] = str(row.get("got"))
    return {
        **reported,
        "dev_right_action": dev_figures.get("right_action", float("nan")),
        "dev": dev_figures,
        # pocketsphinx alone has no limit of the snapping rule; its decoder options were set
        # earlier (stt/sphinx.py), and it is scored on the development set all the same
        "chosen_on": CHOSEN_ON
        if backend.startswith("whisper")
        else f"no limit chosen for this backend; {CHOSEN_ON}",
        "reported_on": "every recorded clip with a transcript under ../shared/data/speech "
        "(none used for any choice of limit)",
        "p50_ms": statistics.median(timed) if timed else float("nan"),
        "p95_ms": q[18] if q else float("nan"),
        "rtf": stt_s / max(1e-9, audio_s),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_before_mb": rss_before / 1024,
        # the machine's 1-minute load average before and after the timed clips: latency
        # taken on a busy machine (other jobs on the same cores) reads high
        "load_avg": [round(load_before, 2), round(load_after, 2)],
        "clips_with_no_reference_action": sum(not r.get("reference_action", True) for r in rows),
        "rows": rows,
        "dev_rows": dev_rows,
    }
