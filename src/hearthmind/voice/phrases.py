"""Snap a rough transcript to the nearest sentence this home can understand.

A small speech model mishears names ("cancel all tigers", "the incubi"). Speech-to-phrase
systems avoid that by only recognising sentences the home's grammar can produce; we get most
of that benefit after the fact: sample many sentences from the grammar with this home's own
names, and replace a transcript by its nearest sample (character n-gram cosine) when the two
are close. Numbers are kept from the transcript, so "set a timer for 7 minutes" never turns
into a sampled "5 minutes"."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hearthmind.voice.home import HomeVocabulary, normalize_name

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
NUMBER = "9"  # the placeholder every number becomes for matching


@dataclass(frozen=True, slots=True)
class Correction:
    text: str  # the corrected sentence, with the transcript's own numbers
    score: float  # cosine similarity in [0, 1]
    original: str


def words_to_digits(text: str) -> str:
    """'set a timer for five minutes' -> 'set a timer for 5 minutes' (0-999, 'twenty five')."""
    out: list[str] = []
    for word in normalize_name(text.replace("%", " percent")).split():
        value = NUMBER_WORDS.get(word)
        if value is None:
            out.append(word)
            continue
        if out and out[-1].isdigit():
            prev = int(out[-1])
            if prev % 10 == 0 and 20 <= prev % 100 <= 90 and value < 10:
                out[-1] = str(prev + value)  # "twenty five", "one hundred twenty five"
                continue
            if value == 100 and 0 < prev < 10:
                out[-1] = str(prev * 100)
                continue
            if prev >= 100 and prev % 100 == 0 and value < 100:
                out[-1] = str(prev + value)  # "one hundred five"
                continue
        out.append(str(value))
    return " ".join(out)


_ONES = [w for w, v in sorted(NUMBER_WORDS.items(), key=lambda x: x[1]) if v < 20]
_TENS = {v: w for w, v in NUMBER_WORDS.items() if v % 10 == 0 and 20 <= v <= 90}


def number_to_words(value: int) -> str:
    """37 -> 'thirty seven', 250 -> 'two hundred fifty' (as people say numbers to a hub)."""
    if value < 0:
        return "minus " + number_to_words(-value)
    if value < 20:
        return _ONES[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return _TENS[tens * 10] + ("" if not ones else " " + _ONES[ones])
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return _ONES[hundreds] + " hundred" + ("" if not rest else " " + number_to_words(rest))
    thousands, rest = divmod(value, 1000)
    return number_to_words(thousands) + " thousand" + (" " + number_to_words(rest) if rest else "")


def digits_to_words(text: str) -> str:
    """'set a timer for 5 minutes' -> 'set a timer for five minutes'; '2.5' -> 'two point
    five'; '50%' -> 'fifty percent'. The inverse of `words_to_digits` for 0-999."""

    def spoken(found: re.Match[str]) -> str:
        whole, _, fraction = found.group(0).partition(".")
        words = number_to_words(int(whole))
        if fraction:
            words += " point " + " ".join(_ONES[int(d)] for d in fraction)
        return f" {words} "

    text = text.replace("%", " percent ")
    return " ".join(re.sub(r"\d+(?:\.\d+)?", spoken, text).split())


_LEADING_CLAUSE = re.compile(r"^([^.,!?;:]{1,30})[.,!?;:]\s*(.+)$")
_ADDRESS = re.compile(r"^(hey|hi|ok|okay|yo)\s+\w+[\s,.!]+(.+)$", re.IGNORECASE)
# words that change what a sentence asks: never cut them off
_KEEP = re.compile(
    r"\b(no|not|don't|do|never|stop|why|what|how|when|who|which|is|are|can't)\b", re.I
)


def sentence_variants(text: str) -> list[str]:
    """The sentence, then without a leading address: "Okay Rhasspy, turn on ...", "hey olly
    dim ..." (wake words the hub heard as words). A cut part that could change the meaning
    ("don't", "why") is never cut."""
    text = text.strip()
    out = [text]
    current = text
    for _ in range(2):  # "Okay, Rhasspy. Turn on ..." has two leading clauses
        clause = _LEADING_CLAUSE.match(current)
        if not clause or len(clause.group(1).split()) > 3 or _KEEP.search(clause.group(1)):
            break
        current = clause.group(2)
        out.append(current)
    address = _ADDRESS.match(text)
    if address:
        out.append(address.group(2))
    seen: list[str] = []
    for v in out:
        if v and v not in seen:
            seen.append(v)
    return seen


# words whose opposite must never be snapped in: "turn on" is never corrected to "turn off"
OPPOSITES = (
    ({"on"}, {"off"}),
    ({"open", "opened"}, {"close", "closed", "shut"}),
    ({"lock", "locked"}, {"unlock", "unlocked"}),
    ({"up", "increase", "raise", "brighten", "brighter"}, {"down", "decrease", "lower", "dim", "dimmer", "darker"}),
    ({"start", "resume", "unpause"}, {"stop", "cancel", "pause"}),
)  # fmt: skip


def flips_meaning(said: set[str], candidate: set[str]) -> bool:
    for one, other in OPPOSITES:
        if (said & one and candidate & other and not candidate & one) or (
            said & other and candidate & one and not candidate & other
        ):
            return True
    return False


def matching_key(text: str) -> tuple[str, list[str]]:
    """The text with numbers as placeholders, and the numbers in order."""
    digits = words_to_digits(text)
    numbers = re.findall(r"\d+(?:\.\d+)?", digits)
    return re.sub(r"\d+(?:\.\d+)?", NUMBER, digits), numbers


class GrammarSampler:
    """Random sentences from hassil templates, with this home's names in the slots."""

    def __init__(
        self,
        intents: Any,
        lists: dict[str, Any],
        seed: int = 0,
        wildcards: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.intents = intents
        self.lists = {**intents.slot_lists, **lists}
        self.rng = random.Random(seed)
        self._forced: dict[str, Any] = {}
        # free-text slots ("add {item} to my list") are sampled only from values given here
        self.wildcards = dict(wildcards or {})

    @staticmethod
    def _values(slot_list: Any, list_name: str, domains: set[str] | None) -> list[Any]:
        values = list(getattr(slot_list, "values", []) or [])
        if list_name == "name" and domains:
            values = [v for v in values if (v.context or {}).get("domain") in domains]
        return values

    def sample(self, per_template: int = 6, skip_intents: Iterable[str] = ()) -> list[str]:
        """`per_template` random sentences per template, plus one per name and per area the
        template can take, so every device and room of the home is in some sentence."""
        by_intent = self.sample_by_intent(per_template, skip_intents)
        return [sentence for sentences in by_intent.values() for sentence in sentences]

    def sample_by_intent(
        self, per_template: int = 6, skip_intents: Iterable[str] = ()
    ) -> dict[str, list[str]]:
        """As `sample`, grouped by intent name."""
        skip = set(skip_intents)
        grouped: dict[str, list[str]] = {}
        for intent in self.intents.intents.values():
            if intent.name in skip:
                continue
            out = grouped.setdefault(intent.name, [])
            for data in intent.data:
                rules = {**self.intents.expansion_rules, **data.expansion_rules}
                lists = {**self.lists, **data.slot_lists}
                domains = _domains(data.requires_context.get("domain"))
                for sentence in data.sentences:
                    free = set(sentence.list_names(rules)) & data.wildcard_list_names
                    if free - set(self.wildcards):
                        continue  # free text ("play {search_query}") with no values to use
                    names = set(sentence.list_names(rules))
                    forced: list[dict[str, Any]] = [{} for _ in range(per_template)]
                    for list_name in ("name", "area"):
                        if list_name in names:
                            for value in self._values(lists.get(list_name), list_name, domains):
                                forced += [{list_name: value}, {list_name: value}]
                    for force in forced:
                        self._forced = force
                        text = self._expand(sentence.expression, rules, lists, domains)
                        if text is not None:
                            out.append(" ".join(text.split()))
        self._forced = {}
        return grouped

    def _expand(
        self, expr: Any, rules: dict[str, Any], lists: dict[str, Any], domains: set[str] | None
    ) -> str | None:
        from hassil.expression import (
            Alternative,
            Group,
            ListReference,
            Permutation,
            RuleReference,
            TextChunk,
        )
        from hassil.intents import RangeSlotList, TextSlotList

        if isinstance(expr, TextChunk):
            return str(expr.text)
        if isinstance(expr, Alternative):
            # people leave optional words out more often than not: favour the short form
            if expr.is_optional and self.rng.random() < 0.6:
                return ""
            choice = self.rng.choice(expr.items) if expr.items else None
            return "" if choice is None else self._expand(choice, rules, lists, domains)
        if isinstance(expr, Permutation):
            items = list(expr.items)
            self.rng.shuffle(items)
            parts = [self._expand(i, rules, lists, domains) for i in items]
            return None if any(p is None for p in parts) else " ".join(p or "" for p in parts)
        if isinstance(expr, Group):
            parts = [self._expand(i, rules, lists, domains) for i in expr.items]
            return None if any(p is None for p in parts) else "".join(p or "" for p in parts)
        if isinstance(expr, RuleReference):
            rule = rules.get(expr.rule_name)
            return None if rule is None else self._expand(rule.expression, rules, lists, domains)
        if isinstance(expr, ListReference):
            slot_list = lists.get(expr.list_name)
            if expr.list_name in self.wildcards and not isinstance(slot_list, TextSlotList):
                return self.rng.choice(list(self.wildcards[expr.list_name]))
            if isinstance(slot_list, RangeSlotList):
                return str(self.rng.randrange(slot_list.start, slot_list.stop + 1, slot_list.step))
            if isinstance(slot_list, TextSlotList):
                forced = self._forced.get(expr.list_name)
                values = self._values(slot_list, expr.list_name, domains)
                if not values:
                    return None
                value = forced if forced is not None else self.rng.choice(values)
                return self._expand(value.text_in, rules, lists, domains)
            return None
        return None


def _domains(value: Any) -> set[str] | None:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple | set):
        return {str(v) for v in value}
    return None


class PhraseCorrector:
    """Nearest grammar sentence to a transcript, when near enough."""

    def __init__(
        self, sentences: Iterable[str], min_score: float = 0.45, min_ratio: float = 0.75
    ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        keys = sorted({matching_key(s)[0] for s in sentences if s.strip()})
        if not keys:
            raise ValueError("no sentences to correct towards")
        self.keys = keys
        self.min_score = min_score
        self.min_ratio = min_ratio
        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True
        )
        self._matrix = self._vectorizer.fit_transform(keys)

    @classmethod
    def for_home(
        cls, recognizer: Any, home: HomeVocabulary, per_template: int = 8, seed: int = 0, **kw: Any
    ) -> PhraseCorrector:
        sampler = GrammarSampler(recognizer.intents, recognizer.slot_lists(home), seed)
        return cls(sampler.sample(per_template), **kw)

    def correct(self, transcript: str) -> Correction | None:
        found = self.candidates(transcript, limit=1)
        return found[0] if found else None

    def candidates(
        self, transcript: str, limit: int = 5, min_ratio: float | None = None
    ) -> list[Correction]:
        """The nearest sentences, best first, that pass the closeness checks.

        N-gram cosine finds a shortlist fast; an edit-distance ratio over the characters
        then orders it, as it weighs every letter in place ("moves lighting" is one letter
        run away from "mood lighting", not from "bed light lighting")."""
        from difflib import SequenceMatcher

        key, numbers = matching_key(transcript)
        if not key:
            return []
        sims = (self._matrix @ self._vectorizer.transform([key]).T).toarray().ravel()
        shortlist = [int(i) for i in sims.argsort()[::-1][:300] if sims[int(i)] >= self.min_score]
        said = set(key.split())
        scored = sorted(
            (
                (SequenceMatcher(None, key, self.keys[i], autojunk=False).ratio(), i)
                for i in shortlist
                if not flips_meaning(said, set(self.keys[i].split()))
            ),
            reverse=True,
        )
        out: list[Correction] = []
        for ratio_score, best in scored:
            if (
                ratio_score < (self.min_ratio if min_ratio is None else min_ratio)
                or len(out) >= limit
            ):
                break
            candidate = self.keys[best]
            words = candidate.split()
            if sum(w == NUMBER for w in words) != len(numbers):
                continue  # the transcript's numbers do not fit this sentence
            it = iter(numbers)
            text = " ".join(next(it) if w == NUMBER else w for w in words)
            out.append(Correction(text, ratio_score, transcript))
        return out
