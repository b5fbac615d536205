"""Snap a misheard command to a sentence of the home's grammar, chosen by the audio itself.

Whisper tiny mishears short commands and unusual names ("what's the wedding", "the incubi").
When the free transcript is no sentence the home understands, the nearest grammar sentences
(by spelling and by a rough sound key) are read back to Whisper, forced, against the same
audio; the one it finds most likely replaces the transcript only when it is clearly better
than every rival that would do something else, and not far below Whisper's own reading.
Nothing here turns "on" into "off" or "lock" into "unlock": those rivals are never offered."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hearthmind.voice.phrases import NUMBER, flips_meaning, matching_key

# mean log-probability per token (Whisper forced to read a sentence against the audio).
# Chosen on the development set only (speech made offline; no recorded clip), by
#     .venv/bin/python bench/voice_dev.py
# which replays this rule on Whisper's scores over a grid and takes the strictest limits
# within one standard error of the most right actions (docs/BENCHMARKS.md, "Voice").
MAX_LOSS = 3.5  # a candidate may score this much below Whisper's own transcript
FLOOR = -5.0  # and must score at least this
MARGIN = 1.0  # and beat any rival that does something else by this much
# when a second recogniser bound to the home's sentences (pocketsphinx) heard a sentence that
# does the same thing, two different models agree: that reading needs no margin over rivals,
# and has limits of its own
AGREED_MAX_LOSS = 2.0
AGREED_FLOOR = -3.5
SHORTLIST = 60  # sentences nearest by spelling, and as many by sound, to rank
CANDIDATES = 6  # sentences read back to Whisper (each costs about 25 ms on 2 cores)
Scorer = Callable[[list[str]], "list[float] | None"]
Understands = Callable[[str], "Any | None"]  # a sentence -> what it would do, or None


def sound_key(text: str) -> str:
    """A rough consonant skeleton, so that words that sound alike spell alike ("cab" and
    "cap", "dime" and "time"): voiced and unvoiced pairs merge, vowels after the first
    letter of a word go."""
    words = []
    for word in re.sub(r"[^a-z0-9 ]", "", text.casefold()).split():
        w = word.replace("ph", "f").replace("th", "0").replace("ck", "k").replace("sh", "s")
        w = w.translate(str.maketrans("bdgvzcqx", "ptkfskkk"))
        out = w[0] if w[0] in "aeiou" else ""
        for ch in w:
            if ch in "aeiouyhw" or (out and out[-1] == ch):
                continue
            out += ch
        words.append(out or w[:1])
    return " ".join(words)


def _plain(text: str) -> str:
    return matching_key(text.replace("'", ""))[0]


@dataclass(frozen=True, slots=True)
class Choice:
    text: str
    score: float
    heard_score: float


@dataclass(frozen=True, slots=True)
class Limits:
    """The rule's limits (see `decide`); the defaults are the module's, chosen on the
    development set (bench/voice_dev.py)."""

    max_loss: float = MAX_LOSS
    floor: float = FLOOR
    margin: float = MARGIN
    agreed_max_loss: float = AGREED_MAX_LOSS
    agreed_floor: float = AGREED_FLOOR


@dataclass(frozen=True, slots=True)
class Option:
    """A sentence that would do `action`, and Whisper's score of it against the audio."""

    text: str
    action: Any
    agreed: bool  # a second recogniser proposed a sentence with the same action
    score: float


@dataclass(frozen=True, slots=True)
class Weighed:
    """What `decide` chooses from: Whisper's score of its own transcript, and the options,
    best first."""

    heard: str
    heard_score: float
    options: tuple[Option, ...]


class GrammarRescorer:
    """The home's sentences, indexed by spelling and by sound, for `choose`."""

    def __init__(self, sentences: Sequence[str], names: Sequence[str] = ()) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        keys = sorted({_plain(s) for s in sentences if s.strip()})
        if not keys:
            raise ValueError("no sentences to rescore towards")
        self.keys = keys
        # the home's names as written ("EcoBee"), longest first, for `as_spoken`
        self.names = {n.casefold(): n for n in sorted(set(names), key=len, reverse=True) if n}
        self._sounds = [sound_key(k) for k in keys]
        # each key as people write it ("what's", not "whats"), to be read back to Whisper
        self._spoken: dict[str, str] = {}
        for sentence in sentences:
            self._spoken.setdefault(_plain(sentence), " ".join(sentence.split()))
        self._spelling = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self._spelling_matrix = self._spelling.fit_transform(keys)
        self._sound = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        self._sound_matrix = self._sound.fit_transform(self._sounds)

    def candidates(self, heard: str) -> list[str]:
        """Near sentences, with the transcript's own numbers, never of opposite meaning.

        A cosine over character n-grams of the spelling and of the sound key finds a
        shortlist fast; an edit-distance ratio (the better of spelling and sound) orders it."""
        from difflib import SequenceMatcher

        key, numbers = matching_key(heard.replace("'", ""))
        if not key:
            return []
        sound = sound_key(key)
        shortlist: set[int] = set()
        for vectorizer, matrix, query in (
            (self._spelling, self._spelling_matrix, key),
            (self._sound, self._sound_matrix, sound),
        ):
            sims = (matrix @ vectorizer.transform([query]).T).toarray().ravel()
            shortlist.update(int(i) for i in sims.argsort()[::-1][:SHORTLIST] if sims[int(i)] > 0)
        said = set(key.split())

        def closeness(candidate: str, candidate_sound: str) -> float:
            return max(
                SequenceMatcher(None, key, candidate, autojunk=False).ratio(),
                SequenceMatcher(None, sound, candidate_sound, autojunk=False).ratio(),
            )

        ranked = sorted((closeness(self.keys[i], self._sounds[i]), self.keys[i]) for i in shortlist)
        out: list[str] = []
        for _, candidate in reversed(ranked):
            words = candidate.split()
            if flips_meaning(said, set(words)) or sum(w == NUMBER for w in words) != len(numbers):
                continue
            it = iter(numbers)
            text = " ".join(next(it) if w == NUMBER else w for w in words)
            out.append(self._spoken.get(candidate, candidate) if not numbers else text)
            if len(out) >= CANDIDATES:
                break
        return out

    def weigh(
        self,
        heard: str,
        score: Scorer,
        understands: Understands,
        proposals: Sequence[str] = (),
        understands_proposal: Understands | None = None,
    ) -> Weighed | None:
        """Whisper's scores of its own transcript and of each sentence that would do
        something: the near sentences, and `proposals`, sentences another recogniser heard in
        the same audio (the home's constrained decoder). None when no sentence would do
        anything or the audio cannot be scored."""
        found: list[tuple[str, Any]] = []
        agreed: list[Any] = []
        for i, candidate in enumerate([*proposals, *self.candidates(heard)]):
            is_proposal = i < len(proposals)
            judge = (understands_proposal or understands) if is_proposal else understands
            action = judge(candidate)
            if action is None:
                continue
            if is_proposal:
                agreed.append(action)
            if candidate not in (c for c, _ in found):
                found.append((candidate, action))
        if not found:
            return None
        scores = score([heard, *(as_spoken(c, self.names, like=heard) for c, _ in found)])
        if scores is None:
            return None
        options = [
            Option(text, action, action in agreed, s)
            for s, (text, action) in zip(scores[1:], found, strict=True)
        ]
        options.sort(key=lambda o: -o.score)
        return Weighed(heard, scores[0], tuple(options))

    def choose(
        self,
        heard: str,
        score: Scorer,
        understands: Understands,
        proposals: Sequence[str] = (),
        understands_proposal: Understands | None = None,
        limits: Limits | None = None,
    ) -> Choice | None:
        """The grammar sentence the audio supports best, or None when none clearly does
        (`weigh`, then `decide`)."""
        weighed = self.weigh(heard, score, understands, proposals, understands_proposal)
        return None if weighed is None else decide(weighed, limits or Limits())


def decide(weighed: Weighed, limits: Limits) -> Choice | None:
    """The rule, on scores alone: the best-scored option is taken when it is not more than
    `max_loss` below Whisper's own transcript, reaches `floor`, and beats every option that
    does something else by `margin`; an option whose action a second recogniser proposed
    (agreed) uses the `agreed_*` limits and needs no margin."""
    if not weighed.options:
        return None
    best = weighed.options[0]
    max_loss, floor = (
        (limits.agreed_max_loss, limits.agreed_floor)
        if best.agreed
        else (limits.max_loss, limits.floor)
    )
    if best.score < weighed.heard_score - max_loss or best.score < floor:
        return None  # nothing this home knows sounds like what was said
    margin = 0.0 if best.agreed else limits.margin
    for rival in weighed.options[1:]:
        if rival.action != best.action and best.score - rival.score < margin:
            return None  # two readings that do different things: do not guess
    return Choice(best.text, best.score, weighed.heard_score)


# the grammar writes some contractions without the apostrophe; Whisper never does
CONTRACTIONS = {"whats": "what's", "hows": "how's", "wheres": "where's", "whos": "who's",
                "dont": "don't", "im": "I'm", "its": "it's", "thats": "that's"}  # fmt: skip
QUESTION_WORDS = frozenset({"what", "what's", "whats", "is", "are", "how", "how's", "when", "who",
                            "which", "where", "why", "do", "does", "can", "could", "did"})  # fmt: skip


def as_spoken(text: str, names: dict[str, str], like: str = "") -> str:
    """A sentence as Whisper writes one, in the style of its own transcript `like`: all in
    lower case when that is, else names in their own case and a capital; a full stop or a
    question mark when that has one. So the scores of the two compare fairly."""
    text = " ".join(CONTRACTIONS.get(w, w) for w in text.split())
    if not text:
        return text
    like = like.strip()
    if like and like == like.casefold():
        return text.casefold() + ("" if like[-1].isalnum() else "?" if _asks(text) else ".")
    for lower, proper in names.items():
        if lower in text:
            text = re.sub(rf"\b{re.escape(lower)}\b", proper, text)
    end = "?" if _asks(text) else "."
    return text[0].upper() + text[1:] + ("" if text[-1] in ".?!" else end)


def _asks(text: str) -> bool:
    return text.split()[0].casefold() in QUESTION_WORDS
