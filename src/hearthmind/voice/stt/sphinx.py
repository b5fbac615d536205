"""Pocketsphinx, constrained to the home's own sentences: small, fast, and never hears a word
the home does not use.

`prepare` samples sentences from the intent grammar with this home's names (areas, devices,
the hub's own sentences), spells numbers as words, trains a small back-off trigram model on
them (stt/ngram.py) and writes a dictionary for their words (stt/pronounce.py). The decoder
then only has a few hundred words to choose from (bench/voice.py measures its speed: 0.07
to 0.16 of real time on 2 shared cores).

A decoder that can only hear the home's words also hears them in speech that is no command
at all ("play the Beatles" comes out as some command), and pocketsphinx's scores do not tell
the two apart well. Used alone, it suits small machines that accept that. Paired with
Whisper (WhisperStt(proposer=...)), it proposes a sentence when Whisper's own transcript is
none of the home's, and Whisper's reading of the audio decides."""

from __future__ import annotations

import math
import random
import re
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

from hearthmind.voice.audio import SAMPLE_RATE, AudioClip, pcm16_from_float
from hearthmind.voice.home import HomeVocabulary
from hearthmind.voice.phrases import digits_to_words
from hearthmind.voice.stages import Transcript

from .ngram import BackoffLanguageModel
from .pronounce import Pronouncer

SENTENCES_PER_TEMPLATE = 8
SENTENCES_PER_INTENT = 600
PAD_SECONDS = 0.3  # of silence around the clip
PAUSE_FRAMES = 25  # a silence this long between words ends a clause ("okay nabu. turn on")
# pocketsphinx's three passes (tree search, flat-lexicon search, lattice best path) are kept:
# without the last two it decodes in about half the time but adds stray short words
# ("pause timer in"), which cost more right actions than the time is worth
DECODER_OPTIONS: dict[str, Any] = {}


def bundled_sphinx_model() -> Path:
    """The en-us acoustic model and CMU dictionary inside the pocketsphinx wheel."""
    try:
        from pocketsphinx import get_model_path
    except ImportError as err:
        raise FileNotFoundError(
            "no pocketsphinx: install hearthmind[voice] or set voice.sphinx_model_dir to a "
            "Sphinx acoustic model directory"
        ) from err
    return Path(get_model_path()) / "en-us"


def spoken_words(sentence: str) -> list[str]:
    """A sentence as the words someone says: lower case, numbers spelt out, no punctuation
    but the apostrophes of contractions."""
    text = digits_to_words(sentence.casefold().replace("\u2019", "'"))
    text = re.sub(r"[^a-z0-9' ]+", " ", text.replace("-", " "))
    return [w.strip("'") for w in text.split() if w.strip("'")]


def home_corpus(
    recognizer: Any, home: HomeVocabulary, per_intent: int = SENTENCES_PER_INTENT, seed: int = 0
) -> list[str]:
    """Sentences to learn the home's language from, about as many for each intent.

    Sampled as they come, the grammar would be mostly state queries ("is the X on" for
    every X and every way to ask): the decoder would then hear a question in every command.
    Each intent gets `per_intent` sentences instead (more samples of a small intent, a
    random subset of a big one), and every name of the home is a sentence of its own, so
    none is unheard of."""
    from hearthmind.voice.phrases import GrammarSampler

    lists = recognizer.slot_lists(home)
    grouped = GrammarSampler(recognizer.intents, lists, seed=seed).sample_by_intent(
        SENTENCES_PER_TEMPLATE
    )
    rng = random.Random(seed)
    corpus: list[str] = []
    for intent, sentences in sorted(grouped.items()):
        if not sentences:
            continue  # only free text ("add {item} to my list"): nothing to learn from
        if len(sentences) < per_intent:
            times = math.ceil(SENTENCES_PER_TEMPLATE * per_intent / len(sentences))
            others = [name for name in grouped if name != intent]
            sampler = GrammarSampler(recognizer.intents, lists, seed=seed + 1)
            sentences += sampler.sample(times, skip_intents=others)
        corpus += rng.sample(sentences, per_intent) if len(sentences) > per_intent else sentences
    corpus += [n for a in home.areas for n in a.names]
    corpus += [n for e in home.entities for n in e.names]
    return corpus


class PocketsphinxStt:
    """A `SpeechToText` that hears only the home's sentences (call `prepare` first)."""

    name = "pocketsphinx"

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        dictionary: Path | None = None,
        order: int = 3,
        language_weight: float = 6.5,
        draw: int = 0,
        **decoder_options: Any,
    ) -> None:
        model = model_dir or bundled_sphinx_model()
        self.acoustic_model = model / "en-us" if (model / "en-us" / "mdef").exists() else model
        self.dictionary_path = dictionary or _find_dictionary(model)
        self.order = order
        self.language_weight = language_weight
        # any pocketsphinx option (beam, wbeam, fwdflat, bestpath, ...) may be given
        self.decoder_options = {**DECODER_OPTIONS, **decoder_options}
        self._pronouncer: Pronouncer | None = None
        self._decoder: Any = None
        self._lock = threading.Lock()
        self._workdir = tempfile.TemporaryDirectory(prefix="hearthmind-sphinx-")
        self.unpronounceable: list[str] = []
        self.vocabulary: set[str] = set()
        self._prepared_for: Any = None
        self.draw = draw  # the seed of the language model's sample of the grammar

    # -- the home's language -------------------------------------------------------------

    def prepare(self, recognizer: Any, home: HomeVocabulary) -> None:
        """Learn this home's sentences (a few seconds, once per set of names)."""
        recognizer.slot_lists(home)
        key = (id(recognizer), recognizer.home_key)
        if key != self._prepared_for:
            self.prepare_sentences(home_corpus(recognizer, home, seed=self.draw))
            self._prepared_for = key

    def prepare_sentences(self, sentences: list[str]) -> None:
        """Build the decoder for exactly these sentences (and what an n-gram makes of them)."""
        from pocketsphinx import Config, Decoder

        if self._pronouncer is None:
            self._pronouncer = Pronouncer.from_file(self.dictionary_path)
        corpus = [spoken_words(s) for s in sentences]
        corpus = [words for words in corpus if words]
        dictionary, missing = self._pronouncer.dictionary_text({w for s in corpus for w in s})
        # a sentence with a word nobody can pronounce cannot be heard: leave it out
        if missing:
            gone = set(missing)
            corpus = [s for s in corpus if not gone & set(s)]
        model = BackoffLanguageModel(corpus, order=self.order)
        workdir = Path(self._workdir.name)
        lm_path = model.write(workdir / "home.arpa")
        dict_path = workdir / "home.dict"
        dict_path.write_text(dictionary, encoding="utf-8")
        config = Config(
            hmm=str(self.acoustic_model),
            dict=str(dict_path),
            lm=str(lm_path),
            samprate=SAMPLE_RATE,
            lw=self.language_weight,
            loglevel="FATAL",
            **self.decoder_options,
        )
        decoder = Decoder(config)
        with self._lock:
            self._decoder = decoder
            self.unpronounceable = missing
            self.vocabulary = {w for s in corpus for w in s}

    # -- hearing -------------------------------------------------------------------------

    def transcribe(self, clip: AudioClip, *, hints: list[str] | None = None) -> Transcript:
        if self._decoder is None:
            raise RuntimeError("PocketsphinxStt.prepare(recognizer, home) must run first")
        audio = clip.resampled(SAMPLE_RATE).samples
        if not len(audio):
            return Transcript("", self.name, 0.0)
        # pocketsphinx settles its noise and mean estimates on the silence before the first
        # word: without it, a clip cut tight hears "are on" for "turn on"
        quiet = np.zeros(int(PAD_SECONDS * SAMPLE_RATE), dtype=np.float32)
        pcm = pcm16_from_float(np.concatenate([quiet, np.asarray(audio, np.float32), quiet]))
        with self._lock:
            text = _decode(self._decoder, pcm)
        return Transcript(text, self.name, clip.seconds)


def _decode(decoder: Any, pcm: bytes) -> str:
    """The best path's words (fillers and silences left out)."""
    decoder.start_utt()
    decoder.process_raw(pcm, no_search=False, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    if hyp is None:
        return ""
    # a long pause is a clause break, as Whisper writes it ("Okay Rhasspy. Turn on ..."), so
    # a wake word heard as words can be told from the command
    parts: list[str] = []
    for seg in decoder.seg():
        word = str(seg.word or "")
        if word.startswith(("<", "[", "+")) or word == "":
            long_pause = seg.end_frame - seg.start_frame >= PAUSE_FRAMES
            if long_pause and parts and not parts[-1].endswith("."):
                parts[-1] += "."
            continue
        parts.append(re.sub(r"\(\d+\)$", "", word))
    return " ".join(parts).rstrip(".")


def _find_dictionary(model: Path) -> Path:
    for candidate in (model / "cmudict-en-us.dict", model.parent / "cmudict-en-us.dict"):
        if candidate.is_file():
            return candidate
    found = sorted(model.glob("*.dict"))
    if not found:
        raise FileNotFoundError(f"no pronunciation dictionary (*.dict) in {model}")
    return found[0]
