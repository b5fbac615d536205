"""The speech part of the Voice section of docs/BENCHMARKS.md (bench/voice.py writes it)."""

from __future__ import annotations

from typing import Any

from hearthmind.voice.stt import rescore
from hearthmind.voice.stt.whisper import GRAMMAR_SAMPLES
from voice_devset import VOICES, read_sentences
from voice_speech import NO_COMMAND_CLIPS


def speech_markdown(speech: dict[str, Any]) -> list[str]:
    sentences = read_sentences()
    commands = sum(kind == "command" for kind, _ in sentences)
    lines = [
        "",
        "| STT backend | right action, reported clips | wrong acts | right action, development "
        "set | WER raw / snapped (reported) | end of speech -> action p50 / p95 | RTF | peak RSS "
        "| load avg (before, after) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in speech.items():
        load = r.get("load_avg") or ["?", "?"]
        dev = r.get("dev") or {}
        lines.append(
            f"| {name} | {r['right_action']:.1%} of {r['clips']} | {r.get('wrong_acts', '?')} | "
            f"{r['dev_right_action']:.1%} of {dev.get('clips', 0)} | "
            f"{r['wer_raw']:.1%} / {r['wer_snapped']:.1%} | "
            f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f} ms | {r['rtf']:.3f} | "
            f"{r['peak_rss_mb']:.0f} MB | {load[0]}, {load[1]} |"
        )
    misses = _misses(speech.get("whisper+pocketsphinx") or {})
    no_command = ", ".join(f"`{k}` ({v})" for k, v in NO_COMMAND_CLIPS.items())
    lines += [
        "",
        "**Which clips choose, which are reported.** Every limit of the speech backends below "
        "was chosen on the development set only: "
        f"{len(sentences)} sentences in bench/voice_dev_sentences.tsv ({commands} commands "
        "sampled once, seeded, from this home's grammar, none equal to a recorded clip's "
        "transcript; the list intents' sentences appended later with items written by hand, "
        f"`bench/voice_dev.py --add-intents`; and {len(sentences) - commands} sentences that "
        "are no command), each "
        f"spoken in three of {len(VOICES)} voices made offline (Piper en_US-joe-medium at "
        "three speeds and with white noise at 20 and 10 dB SNR; espeak-ng en-us, en-gb+f3, "
        "en-029+m3, slow noisy en-gb-scotland; bench/voice_devset.py). The right action on "
        "the reported clips is taken on every recording with a transcript under "
        "../shared/data/speech (speech-to-phrase-en, rhasspy-wake-en, voice2json-test), none "
        "of which was used to choose any limit. They are not pristine all the same: the "
        "grammar, this home's names (bench/voice_home.yaml) and the design of the combined "
        "backend were worked out earlier while these recordings were the only test, and a "
        "held-out figure cannot undo that; only new recordings could. The Picovoice coffee "
        "orders are in neither set: they have no transcript, and what they ask (sizes, "
        "roasts, milk) is more than the hub's coffee maker can do.",
        "",
        "**The limits** (stt/rescore.py; mean log-probability per token, Whisper forced to "
        f"read a sentence against the audio): a near grammar sentence may score at most "
        f"{rescore.MAX_LOSS} below Whisper's free transcript, at least {rescore.FLOOR}, and "
        f"{rescore.MARGIN} above any rival that does something else; a sentence whose action "
        f"pocketsphinx also heard may fall {rescore.AGREED_MAX_LOSS} below, down to "
        f"{rescore.AGREED_FLOOR}. Chosen by `.venv/bin/python bench/voice_dev.py`, which runs "
        "the development set once, keeps Whisper's scores, replays the rule over a grid of "
        "limits, and takes the strictest limits whose right actions (of `whisper` and "
        "`whisper+pocketsphinx` together) are within one standard error of the most (the "
        "plain most sat on the grid's loose edge: a looser agreed limit had no chatter on the "
        "development set to cost it anything). The number of sentences sampled per grammar "
        f"template for Whisper's near-sentence index ({GRAMMAR_SAMPLES}) was chosen the same "
        "way, among 8, 16, 32 and 64 (`bench/voice_dev.py --samples N`). Before, these limits were "
        "read off the reported clips themselves (then 100 % of them right for "
        "whisper+pocketsphinx, with a scoring that also counted a command the hub cannot do "
        "as right when nothing happened). pipeline.py's RESCORE_* limits belong to "
        "`rescore_with_audio`, which is off in every backend here. Not re-chosen: the "
        "pipeline's spelling snap (SNAP_MARGIN and the phrase corrector's ratios) and "
        "pocketsphinx's decoder options, set earlier on these recordings. Nor were the "
        "limits chosen again after the list sentences were appended to the development set; "
        "its figure fell with them, because Whisper's near-sentence index holds no free-text "
        "items, so a misheard item (\u201cadd bananas to list\u201d) has nothing to snap to.",
        "",
        *misses,
        "**Right action** is the intent and spoken slots the hub acts on for the reference "
        "transcript. A command the hub cannot do is wrong whatever happens (nothing happening "
        "is no success); nothing happening is right only for speech that is no command: the "
        f"out-of-vocabulary clips (empty transcript), {no_command}, and the development set's "
        "chatter. WER raw is on the recogniser's own words before any snapping to the "
        "grammar; WER snapped is on the sentence the hub understood (commands only; it counts "
        "the spoken wake word as errors in rhasspy-wake-en). Time runs from the end of the "
        "recording (speech end plus its trailing silence; no end-point wait) to the service "
        "call, on the reported clips only. The load average is the machine's (other jobs "
        "share the 2 cores): latency taken at a load above 1 reads high.",
        "",
        "Backends: `whisper` is Whisper tiny.en (int8, CTranslate2) whose transcript, when it "
        "is no sentence of the home, is snapped to a near grammar sentence that Whisper itself "
        "scores best against the audio (stt/rescore.py). `pocketsphinx` is pocketsphinx's "
        "en-us model with a trigram language model trained on sentences sampled from the "
        "home's grammar (about as many per intent; stt/sphinx.py, stt/ngram.py) and "
        "pronunciations from its CMU dictionary, split compounds or espeak-ng "
        "(stt/pronounce.py). `whisper+pocketsphinx` is Whisper first; only when neither its "
        "transcript nor a near sentence will do, pocketsphinx's reading (with Whisper's "
        "numbers) is proposed, and Whisper's own score of it decides (the agreed limits "
        "above).",
        "",
    ]
    return lines


# reported clips whose errors, seen in an earlier run, led to a change of the hub: the figure
# on them is no longer held out, and the docs give it with and without them
SEEN_BY_A_CHANGE = {
    "add apples to my Shopping List.wav": "the hub had no lists; HA's shopping list and "
    "to-do intents and the todo services were added (their sentences are HA's own, and the "
    "development set got 36 clips of them)",
    "turn on Standing Light.wav": "Whisper heard 'standing lights'; a device's name said in "
    "the plural is now read as the name when the sentence as said matches nothing (a rule "
    "with no limit to choose)",
}


def _seen(figures: dict[str, Any]) -> list[str]:
    rows = figures.get("rows", [])
    seen = [r for r in rows if r["file"].split("/")[-1] in SEEN_BY_A_CHANGE]
    if not seen:
        return []
    rest = [r for r in rows if r not in seen]
    right = sum(bool(r.get("right_action")) for r in rest)
    why = "; ".join(
        f"`{r['file'].split('/')[-1]}` ({SEEN_BY_A_CHANGE[r['file'].split('/')[-1]]}, now "
        + ("right" if r.get("right_action") else "still wrong")
        + ")"
        for r in seen
    )
    return [
        f"**Reported clips that have been looked at.** {len(seen)} reported clips were wrong "
        f"in an earlier run and their errors led to a change of the hub: {why}. Neither "
        "change has a limit read off these clips, but they are no longer held out: without "
        f"them whisper+pocketsphinx is right on {right} of {len(rest)} "
        f"({right / max(len(rest), 1):.1%}).",
        "",
    ]


def _misses(figures: dict[str, Any]) -> list[str]:
    """The combined backend's wrong reported clips, for the reader to weigh the figure."""
    wrong = [r for r in figures.get("rows", []) if not r.get("right_action")]
    if not wrong:
        return _seen(figures)
    items = "; ".join(
        f"`{r['file'].split('/')[-1]}` heard as \u201c{r.get('heard_raw', '')}\u201d, "
        + ("did the wrong thing" if r.get("acted") else "nothing done")
        + ("" if r.get("reference_action", True) else " (the hub cannot do this command)")
        for r in wrong
    )
    return [
        f"**What whisper+pocketsphinx gets wrong on the reported clips** ({len(wrong)} "
        f"wrong): {items}. Limits that would get some of these right were not taken: they "
        "would have to be read off these clips.",
        "",
        *_seen(figures),
    ]
