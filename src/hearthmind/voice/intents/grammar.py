"""The grammar recogniser: hassil over Home Assistant's English sentences plus our own
sentence files (what HA's set lacks, and the hub's own intents), matched against the home's
own names. A user adds sentence files with `sentence_dirs`."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from hearthmind.voice.home import HomeVocabulary

from .match import IntentMatch

_LOGGER = logging.getLogger(__name__)

SENTENCES_DIR = Path(__file__).resolve().parent.parent / "sentences"
# our own sentences carry this metadata key, so where they and HA's both match, ours win:
# they are the more specific ones ("dim the kitchen lights to 50 percent")
HUB_METADATA_KEY = "hub_sentence"
MISSING = "<missing>"


def load_intents_dict(
    language: str = "en",
    sentence_dirs: Iterable[Path] = (),
    include_home_assistant: bool = True,
) -> dict[str, Any]:
    """HA's intents for the language, merged with ours and the user's sentence files."""
    from hassil.util import merge_dict

    merged: dict[str, Any] = {"language": language, "intents": {}}
    if include_home_assistant:
        from home_assistant_intents import get_intents

        ha = get_intents(language)
        if ha is None:
            raise ValueError(f"home-assistant-intents has no sentences for language {language!r}")
        merged = json.loads(json.dumps(ha))  # a private copy: merge_dict mutates
    for directory in [SENTENCES_DIR / language, *sentence_dirs]:
        for path in sorted(Path(directory).glob("*.yaml")):
            with path.open(encoding="utf-8") as handle:
                merge_dict(merged, yaml.safe_load(handle) or {})
    return merged


class GrammarIntentRecognizer:
    """Matches whole sentences against templates; exact, fast, explainable."""

    def __init__(
        self,
        language: str = "en",
        sentence_dirs: Iterable[Path] = (),
        include_home_assistant: bool = True,
    ) -> None:
        from hassil import Intents

        self.language = language
        self.intents_dict = load_intents_dict(language, sentence_dirs, include_home_assistant)
        self.intents = Intents.from_dict(self.intents_dict)
        self._lists_key: tuple[Any, ...] | None = None
        self._lists: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def home_key(self) -> tuple[Any, ...] | None:
        """Identifies the home the current slot lists were built for."""
        return self._lists_key

    @property
    def intent_names(self) -> list[str]:
        return sorted(self.intents.intents)

    def slot_lists(self, home: HomeVocabulary) -> dict[str, Any]:
        """hassil slot lists (area, floor, name) for this home; cached until the home changes."""
        from hassil import TextSlotList

        key = (
            tuple((a.id, a.names) for a in home.areas),
            tuple((f.id, f.names) for f in home.floors),
            tuple((e.entity_id, e.names, e.area_id) for e in home.entities),
        )
        with self._lock:
            if key != self._lists_key:
                names = [
                    (name, name, entity.context())
                    for entity in home.entities
                    for name in entity.names
                ]
                self._lists = {
                    "area": TextSlotList.from_strings(
                        [n for a in home.areas for n in a.names], allow_template=False
                    ),
                    "floor": TextSlotList.from_strings(
                        [n for f in home.floors for n in f.names], allow_template=False
                    ),
                    "name": TextSlotList.from_tuples(names, allow_template=False),
                }
                self._lists_key = key
            return self._lists

    def recognize(
        self,
        text: str,
        home: HomeVocabulary,
        *,
        context_area: str | None = None,
        allow_unknown: bool = True,
    ) -> IntentMatch | None:
        """The best match; with `allow_unknown`, also a sentence of the right shape that names
        something this home lacks (then `unmatched` says which words)."""
        from hassil import recognize_best

        clean = clean_text(text)
        if not clean:
            return None
        lists = self.slot_lists(home)
        context: dict[str, Any] = {}
        if context_area:
            area = home.area(context_area)
            context["area"] = area.name if area else context_area
        kwargs: dict[str, Any] = {
            "slot_lists": lists,
            "intent_context": context,
            "language": self.language,
            "best_metadata_key": HUB_METADATA_KEY,
            "best_slot_name": "name",
        }
        result = recognize_best(clean, self.intents, **kwargs)
        if result is None:
            # "turn on the standing lights": people pluralise a device's name; read the plural
            # as the name only when the sentence as said matched nothing (so "the kitchen
            # lights", an area's lights, keeps its meaning)
            singular = singular_names(clean, home)
            if singular != clean:
                result = recognize_best(singular, self.intents, **kwargs)
        if result is not None:
            return _to_match(result, clean)
        if not allow_unknown:
            return None
        # A sentence of the right shape naming something this home does not have: find it,
        # so the answer can say which name was not known ("I don't know a device called ...").
        return self._unknown_name(clean, kwargs)

    def _unknown_name(self, clean: str, kwargs: dict[str, Any]) -> IntentMatch | None:
        from hassil import recognize_all

        kwargs = {k: v for k, v in kwargs.items() if not k.startswith("best_")}
        best: tuple[tuple[int, int, int], Any, dict[str, str]] | None = None
        order = {"area": 0, "name": 1, "floor": 2}
        for i, result in enumerate(
            recognize_all(clean, self.intents, allow_unmatched_entities=True, **kwargs)
        ):
            if i >= 300:  # enough: the candidates come roughly best first
                break
            unmatched: dict[str, str] = {}
            usable = True
            for entity in result.unmatched_entities_list:
                text = str(getattr(entity, "text", "")).strip()
                if entity.name not in order or text in ("", MISSING) or entity.name in unmatched:
                    usable = False
                    break
                unmatched[entity.name] = text
            if not usable or not unmatched:
                continue
            rank = (
                len(unmatched),
                sum(len(t) for t in unmatched.values()),
                min(order[n] for n in unmatched),
            )
            if best is None or rank < best[0]:
                best = (rank, result, unmatched)
        if best is None:
            return None
        match = _to_match(best[1], clean)
        return IntentMatch(
            match.intent,
            match.slots,
            match.context_slots,
            {k: _strip_article(v) for k, v in best[2].items()},
            match.response_key,
            "grammar",
            0.5,
            clean,
        )


def _plurals(word: str) -> tuple[str, ...]:
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return (word[:-1] + "ies",)
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return (word + "es",)
    return (word + "s",)


def singular_names(text: str, home: HomeVocabulary) -> str:
    """`text` with each plural of a whole device name ("standing lights") read as the name
    ("standing light"); names compared case-folded, longest first."""
    lowered = text.casefold()
    for name in sorted(
        {n.casefold() for e in home.entities for n in e.names}, key=len, reverse=True
    ):
        head, _, last = name.rpartition(" ")
        for plural in _plurals(last):
            said = f"{head} {plural}" if head else plural
            if said not in lowered:
                continue
            lowered = re.sub(rf"\b{re.escape(said)}\b", name, lowered)
    return lowered if lowered != text.casefold() else text


def _strip_article(text: str) -> str:
    words = text.split()
    while words and words[0].lower() in ("the", "my", "our", "a", "an"):
        words = words[1:]
    return " ".join(words) or text


def clean_text(text: str) -> str:
    """Speech-to-text output and typed text alike: trimmed, final punctuation dropped."""
    text = " ".join(text.replace("\u2019", "'").split())
    return text.strip(" .!?,;:").strip()


def _to_match(result: Any, text: str) -> IntentMatch:
    slots: dict[str, Any] = {}
    from_context: set[str] = set()
    for entity in result.entities_list:
        slots[entity.name] = entity.value
        if not entity.text and entity.text_span is None and not entity.is_wildcard:
            from_context.add(entity.name)
    return IntentMatch(
        intent=result.intent.name,
        slots=slots,
        context_slots=frozenset(from_context),
        response_key=result.response,
        source="grammar",
        confidence=1.0,
        text=text,
    )
