"""Devices as people name them: every name and alias of the home's entities, with the everyday
words for the same thing ("the standing lamp" for the Standing Light, "the washing machine"
for the Washer), and the words said before a kind of device that tell one apart ("the right
curtain", "the ceiling light").

Those words narrow: "close the right curtain" is the one curtain whose name says right, never
both; a word that no device of the kind has in its name is no device this home knows, and the
request is not acted on (issue 25's blind set)."""

from __future__ import annotations

import re

from .home import HomeVocabulary, NamedEntity, normalize_name
from .words import ACTION_WORDS, KIND_PATTERN, SWITCH_VERB

# a word of a name and what else people call it: generic English, no house's own words
NAME_SWAPS = (
    ("light", "lamp"), ("lamp", "light"), ("tv", "television"), ("tv", "telly"),
    ("washer", "washing machine"), ("dryer", "tumble dryer"), ("coffee maker", "coffee machine"),
    ("fridge", "refrigerator"), ("refrigerator", "fridge"), ("ceiling", "overhead"),
)  # fmt: skip
# words that end the run of words said before a kind of device ("turn on THE right curtain")
NOT_A_NAME = frozenset(
    {"the", "a", "an", "my", "our", "your", "some", "all", "every", "each", "both", "these",
     "those", "this", "that", "them", "it", "and", "or", "of", "to", "for", "with", "from", "by",
     "in", "at", "on", "off", "up", "down", "out", "back", "again", "too", "also", "just", "now",
     "please", "then", "i", "we", "you", "me", "us", "can", "could", "would", "will", "want",
     "need", "like", "is", "are", "be", "was", "were", "make", "get", "set", "put", "let",
     "dim", "brighten", "raise", "lower", "increase", "decrease", "reduce", "bit", "little",
     "more", "less", "other", "any", "s", "room", "only", "strength", "intensity", "level",
     "brighter", "dimmer", "darker", "lighter", "warmer", "cooler", "louder", "quieter",
     "higher", "softer", "percent", "degrees", "degree", "change", "adjust", "alter", "modify",
     "tweak", "toggle", "flip", "initiate", "add", "no", "give", "bring", "shift", "keep",
     # a remark on the room before the kind: "too dark in here, lights please"
     "dark", "gloomy", "so", "very", "it's",
     # what a device is made of, not which one: "the smart plug", "the robotic vacuum"
     "smart", "robotic", "electric", "automatic", "wifi", "wireless", "connected"}
)  # fmt: skip
VERB_WORDS = frozenset(w for phrase in ACTION_WORDS for w in phrase.split())
# "the curtain on the left": a position said after the kind, as good as before it
POSITION_AFTER = re.compile(r"\b(?:on|to|at) the (left|right|top|bottom|front|back|middle)\b")


def entity_names(home: HomeVocabulary, domains: frozenset[str] | None) -> dict[str, str]:
    """Each way an entity may be named (normalised) -> its id, for the domains given."""
    names: dict[str, str] = {}
    for entity in home.entities:
        if domains is not None and entity.domain not in domains:
            continue
        for name in map(normalize_name, entity.names):
            names[name] = entity.entity_id
            for said, other in NAME_SWAPS:
                swapped = re.sub(rf"\b{said}\b", other, name)
                if swapped != name:
                    names.setdefault(swapped, entity.entity_id)
    for short, entity_id in _without_area(home).items():
        if domains is None or entity_id.split(".", 1)[0] in domains:
            names.setdefault(short, entity_id)
    return names


def _without_area(home: HomeVocabulary) -> dict[str, str]:
    """A name without the area it starts or ends with, where no other device of the home
    goes by it: "the cabinets" for Kitchen cabinets, "the countertop" (people leave out the
    room they stand in, or the one the thing can only be in)."""
    found: dict[str, set[str]] = {}
    for entity in home.entities:
        area = home.area(entity.area_id) if entity.area_id else None
        if area is None:
            continue
        for name in map(normalize_name, entity.names):
            for place in map(normalize_name, area.names):
                short = re.sub(rf"^{re.escape(place)}\s+|\s+{re.escape(place)}$", "", name)
                if short != name and short and not KIND_PATTERN.fullmatch(short):
                    found.setdefault(short, set()).add(entity.entity_id)
    return {short: next(iter(ids)) for short, ids in found.items() if len(ids) == 1}


def modifiers(rest: str) -> list[str]:
    """The words said just before a kind of device that are no verb, article or filler:
    "close the right curtain" -> ["right"]; "turn on the lights" -> []."""
    text = SWITCH_VERB.sub(" ", rest)
    found = KIND_PATTERN.search(text)
    if found is None:
        return []
    words: list[str] = []
    for word in reversed(text[: found.start()].split()):
        if word in NOT_A_NAME or word in VERB_WORDS or not word.isalpha():
            break
        if KIND_PATTERN.fullmatch(word):
            break  # "the tv volume": two kinds, no name
        words.insert(0, word)
    after = POSITION_AFTER.search(text, found.end())
    return words + ([after.group(1)] if after else [])


def named_by(entity: NamedEntity, words: list[str]) -> bool:
    """Whether one of the entity's names (or its everyday forms) has all these words."""
    for name in map(normalize_name, entity.names):
        forms = {name} | {re.sub(rf"\b{a}\b", b, name) for a, b in NAME_SWAPS}
        # "the cabinet lights" for Kitchen cabinets: a word said in the singular or plural
        said = [rf"\b{re.escape(w.removesuffix('s'))}s?\b" for w in words]
        if any(all(re.search(w, form) for w in said) for form in forms):
            return True
    return False


def kind_said(rest: str) -> str:
    """The kind word as said ("curtain"), for the answer about a name the home lacks."""
    found = KIND_PATTERN.search(SWITCH_VERB.sub(" ", rest))
    return found.group(1) if found else ""
