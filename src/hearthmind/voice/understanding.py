"""Reading a request the grammar did not match: everyday words ("put the telly on", "shades
up", "kill the lights"), relative and vague requests ("two degrees warmer", "I'm cold",
"brighter", "too loud"), "everything off" (downstairs, in here), yes/no questions about a
device ("is the main valve open?") and "what can you do".

`read` turns the sentence into a `Request` (request.py: what to do, to which named devices
or to which kind of device where), which finds the devices and gives the intent. Reading runs only
in the conversation layer and only after the grammar found nothing, so every sentence the
grammar matched is matched and done as before, and the grammar samples behind the speech
models do not change."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from .home import HomeVocabulary, NamedArea, NamedFloor, normalize_name
from .request import ACTIONABLE, Request, floor_said
from .words import (
    ACTION_WORDS,
    ADJUST,
    ALL,
    AMOUNT,
    BRIGHTER,
    COOLER,
    DIMMER,
    EVERYTHING,
    HELP,
    HERE,
    KIND_PATTERN,
    KIND_WORDS,
    KINDS,
    LOUDER,
    NOT_A_STEP,
    QUESTION,
    QUIETER,
    SMALL,
    STATE_WORDS,
    STEP_DOWN,
    STEP_UP,
    TEMPERATURE_WORDS,
    THANKS,
    WARMER,
    clean,
    kinds_in,
)

PRONOUN = re.compile(r"\b(it|them|that|this)\b")
ARTICLES = re.compile(r"\b(the|a|an|my|our|your|some|all|every|each)\b")
# "the Ecobee's temperature" names the Ecobee; "it's", "what's" are no possessives
POSSESSIVE = re.compile(r"\b(?!(?:it|that|what|there|here|he|she|let|who|where)'s\b)(\w+)'s\b")
ACTION_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in sorted(ACTION_WORDS, key=len, reverse=True)) + r")\b"
)
CLEANING = re.compile(
    r"^(?:start |begin |stop |end )?(?:clean|cleaning|vacuum|vacuuming|hoover|hoovering)\b"
)
HIGHER = re.compile(r"\b(higher|up|warmer|hotter)\b")
SET_TO = re.compile(r"\b(?:set|put|change|turn|make)\b.*\bto \d")
LOWER = re.compile(r"\b(lower|down|cooler|colder)\b")


def _spans(text: str, phrases: dict[str, Any]) -> list[tuple[int, int, Any]]:
    """Non-overlapping whole-word occurrences of the phrases, longest first."""
    found: list[tuple[int, int, int, Any]] = []
    for phrase, value in phrases.items():
        if not phrase:
            continue
        for m in re.finditer(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", text):
            found.append((-(m.end() - m.start()), m.start(), m.end(), value))
    taken: list[tuple[int, int, Any]] = []
    for _, start, end, value in sorted(found, key=lambda f: (f[0], f[1])):
        if all(end <= s or start >= e for s, e, _ in taken):
            taken.append((start, end, value))
    return sorted(taken, key=lambda t: t[0])


def _cut(text: str, spans: list[tuple[int, int, Any]]) -> str:
    for start, end, _ in sorted(spans, key=lambda s: -s[0]):
        text = text[:start] + " " + text[end:]
    return " ".join(text.split())


def _with_prepositions(text: str, spans: list[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
    """Each place's span widened over the words that lead to it: "on the first floor"."""
    out = []
    for start, end, value in spans:
        lead = re.search(r"(?:\b(?:in|on|at|for|of|from)\s+)?(?:\bthe\s+)?$", text[:start])
        out.append((lead.start() if lead else start, end, value))
    return out


def read(text: str, home: HomeVocabulary, speaker_area: str | None = None) -> Request | None:
    """The request in a sentence the grammar did not match, or None."""
    said = clean(text)
    if not said:
        return None
    if HELP.match(said):
        return Request("help")
    if THANKS.match(said):
        return Request("thanks")
    bare = POSSESSIVE.sub(r"\1", said)
    question = QUESTION.match(bare)
    if question and question.group(2) in STATE_WORDS:
        target = f"{question.group(1)}{question.group(3)}"
        return _read_target(target, home, speaker_area, "state", STATE_WORDS[question.group(2)])
    if bare.startswith(("is ", "are ", "what", "which", "who", "where", "when", "how", "why")):
        return None  # other questions are the grammar's; reading them as commands would act
    return _read_target(bare, home, speaker_area, None, None)


def _read_target(
    text: str, home: HomeVocabulary, speaker_area: str | None, action: str | None, state: str | None
) -> Request | None:
    # devices named first (their names hold area words: "Kitchen ceiling"), then places; a
    # question may name a sensor, but a device to act on or a kind said wins ("is the
    # kitchen light on" asks about the kitchen's lights, not the sensor called "Light")
    named = _spans(text, _names(home, ACTIONABLE))
    if not named and action == "state" and not kinds_in(text):
        named = _spans(text, _names(home, None))
    rest = _cut(text, named)
    entity_ids = tuple(dict.fromkeys(v for _, _, v in named))
    area_names = {normalize_name(n): a for a in home.areas for n in a.names}
    places = _with_prepositions(rest, _spans(rest, area_names))
    area: NamedArea | None = places[0][2] if places else None
    rest = _cut(rest, places)
    floor: NamedFloor | None = None
    floor_words = {normalize_name(n): n for f in home.floors for n in f.names}
    floor_words.update({w: w for w in ("upstairs", "downstairs", "ground floor")})
    for start, end, said in _with_prepositions(rest, _spans(rest, floor_words)):
        floor = floor_said(home, normalize_name(said))
        if floor is not None:
            rest = _cut(rest, [(start, end, said)])
            break
    here = bool(HERE.search(rest))
    rest = " ".join(HERE.sub(" ", rest).split())
    kinds = kinds_in(rest)
    kind = kinds[0] if kinds else None
    if kind is None and not entity_ids and CLEANING.search(rest):
        kind = "vacuum"  # "clean the house", "start cleaning"
    # "open the garage": a room named like a kind of device, when nothing else is named
    room_words = [normalize_name(n) for n in (area.names if area else ())]
    room_kind = next((KIND_WORDS[w] for w in room_words if w in KIND_WORDS), None)
    named_domains = {e.split(".", 1)[0] for e in entity_ids}
    whole = bool(ALL.search(rest)) and area is None and floor is None and not here
    request = Request(
        action or "",
        entity_ids,
        kind,
        area.id if area else (_area_id(home, speaker_area) if here else None),
        floor.id if floor else None,
        whole,
        _amount(rest),
        bool(SMALL.search(rest)),
        state,
        bool(PRONOUN.search(rest)) and not entity_ids,
    )
    if action == "state":
        return request if entity_ids or kind else None
    outdoors = any(re.search(r"\b(outside|outdoors?|garden|yard)\b", w) for w in room_words)
    chosen = _action(rest, kind, named_domains, request, outdoors)
    if chosen is None:
        return None
    request = replace(request, action=chosen)
    if chosen in ("open", "close") and kind is None and not entity_ids and room_kind == "garage":
        request = replace(request, kind=room_kind)
    needs_target = chosen not in (
        "warmer", "cooler", "adjust", "set_temperature", "brighter", "dimmer", "louder", "quieter",
        "everything_off", "everything_on",
    )  # fmt: skip
    if needs_target and not entity_ids and request.kind is None:
        return None  # "turn it on" with nothing named: the conversation asks which device
    return request


# a name said with another word for its kind: "the standing lamp" for the Standing Light
NAME_SWAPS = (("light", "lamp"), ("lamp", "light"), ("tv", "television"), ("tv", "telly"))


def _names(home: HomeVocabulary, domains: frozenset[str] | None) -> dict[str, str]:
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
    return names


def _area_id(home: HomeVocabulary, speaker_area: str | None) -> str | None:
    area = home.area(speaker_area)
    return area.id if area else None


def _amount(text: str) -> float | None:
    found = AMOUNT.search(text)
    if found is None:
        return None
    return float(found.group(1) or found.group(2))


def _action(
    rest: str, kind: str | None, named: set[str], request: Request, outdoors: bool = False
) -> str | None:
    """What the request asks, from its words and what it names."""
    about = set(named) | (KINDS[kind].domains if kind in KINDS else set())
    up = bool(STEP_UP.search(NOT_A_STEP.sub(" ", rest)))
    down = bool(STEP_DOWN.search(rest))
    if kind == "vacuum" and CLEANING.match(rest) and _device_action(rest) in (None, "start"):
        return "start"  # "vacuum the house", "clean the house": the verb
    if EVERYTHING.search(rest):
        action = _device_action(rest)
        if action in ("off", "close", "stop"):
            return "everything_off"
        return "everything_on" if action in ("on", "start", "open") else None
    if not about and not _about_here(rest, outdoors):
        # "the coffee is too hot", "the kids are too loud", "it's cold outside": a remark
        # about something that is no device of this home, not a request to the heating
        return _device_action(rest) if kind else None
    climate = "climate" in about or (not about and TEMPERATURE_WORDS.search(rest) is not None)
    if climate and request.amount is not None and SET_TO.search(rest):
        return "set_temperature"  # "set the heating to 21": the grammar says "temperature"
    if climate or (not about and (WARMER.search(rest) or COOLER.search(rest))):
        if WARMER.search(rest) or up or (climate and HIGHER.search(rest)):
            return "warmer"
        if COOLER.search(rest) or down or (climate and LOWER.search(rest)):
            return "cooler"
        if climate and ADJUST.search(rest):
            return "adjust"
        if climate and (kind == "climate" or "climate" in named) and not _device_action(rest):
            return None
    lights = "light" in about or not about
    if lights and (BRIGHTER.search(rest) or ("light" in about and _up(rest))):
        return "brighter"
    if lights and (DIMMER.search(rest) or ("light" in about and _down(rest))):
        return "dimmer"
    media = "media_player" in about or (not about and kind in (None, "media"))
    if media and (LOUDER.search(rest) or ((up or "media_player" in about) and _up(rest))):
        return "louder"
    if media and (QUIETER.search(rest) or ((down or "media_player" in about) and _down(rest))):
        return "quieter"
    if kind == "media" and not named:
        return None  # "the volume" with no way to go
    return _device_action(rest)


SUBJECT = re.compile(
    r"^(?:(?:the|my|our|your|a)\s+)?(.+?)\s+(?:is|are|was|feels|seems|sounds|looks|gets|getting)\b"
)
HERE_SUBJECTS = frozenset(
    {"it", "this", "that", "room", "this room", "the room", "house", "the house", "home", "place",
     "everything", "everyone", "we", "i", "in here", "here", "air"}
)  # fmt: skip


def _about_here(rest: str, outdoors: bool) -> bool:
    """Whether a vague remark is about here (the room, the speaker) and nothing unknown."""
    if outdoors or re.search(r"\b(outside|outdoors)\b", rest):
        return False
    subject = SUBJECT.match(rest)
    return subject is None or subject.group(1) in HERE_SUBJECTS


def _up(rest: str) -> bool:
    rest = NOT_A_STEP.sub(" ", rest)
    return bool(STEP_UP.search(rest) or re.search(r"\bup\b", rest))


def _down(rest: str) -> bool:
    return bool(STEP_DOWN.search(rest) or re.search(r"\bdown\b", rest))


def _device_action(rest: str) -> str | None:
    """The verb of an on/off kind of request, articles and device words aside: "send the
    vacuum home" -> home, "shades up" -> open, "kill the lights" -> off."""
    rest = KIND_PATTERN.sub(lambda m: m.group(0) if m.group(0) in ACTION_WORDS else " ", rest)
    words = " ".join(ARTICLES.sub(" ", re.sub(r"\b(it|them|back|again|too)\b", " ", rest)).split())
    found = [m.group(1) for m in ACTION_PATTERN.finditer(words)]
    if not found:
        return None
    # "turn off" beats "off"; of two verbs the first said wins ("lock up" is one)
    return ACTION_WORDS[
        max(found, key=len) if len({ACTION_WORDS[f] for f in found}) > 1 else found[0]
    ]
