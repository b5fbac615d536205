"""Reading a request the grammar did not match: everyday words ("put the telly on", "shades
up", "kill the lights", "bolt the door", "shut off the water"), relative and vague requests
("two degrees warmer", "I'm cold", "brighter", "too loud", "it's dark in here"), "everything
off" (downstairs, in here), questions about a device ("is the main valve open?", "what's the
office thermostat set to?", "how cold is it outside?"), "ok, leave it" and "what can you do".

`read` turns the sentence into a `Request` (request.py: what to do, to which named devices
or to which kind of device where), which finds the devices and gives the intent. Words the
reading would otherwise leave unused are never dropped: a room the home does not know, a
word before a kind of device that no name of that kind has ("the big light"), a thing said
that is no device here ("the dishwasher") make a request that is answered and not done
(naming.py, places.py). Reading runs only in the conversation layer and only after the
grammar found nothing, so every sentence the grammar matched is matched and done as before,
and the grammar samples behind the speech models do not change."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from .home import HomeVocabulary, NamedArea, NamedFloor, normalize_name
from .naming import NOT_A_NAME, entity_names, kind_said, modifiers, named_by
from .phrasing import left_on, plainly
from .places import area_named, area_names, unknown_place
from .request import ACTIONABLE, Request, floor_said, of_kind
from .words import (
    ACK,
    ACTION_PATTERN,
    ACTION_WORDS,
    ADJUST,
    AIR,
    ALL,
    AMOUNT,
    BRIGHTER,
    COFFEE_WISH,
    COOLER,
    DIMMER,
    EVERYTHING,
    HELLO,
    HELP,
    HERE,
    HUMIDITY,
    KIND_PATTERN,
    KIND_WORDS,
    KINDS,
    LATER,
    LIGHTS_ON,
    LOUDER,
    MAKE_SURE,
    NOT_A_STEP,
    ONE_COVERING,
    ONE_OF,
    OUTSIDE,
    QUESTION,
    QUIETER,
    READING,
    SETTING,
    SMALL,
    SOFTER,
    STATE_WORDS,
    STEP_DOWN,
    STEP_UP,
    TEMPERATURE_WORDS,
    THANKS,
    TO_BASE,
    VOLUME,
    WARMER,
    WHERE_IS,
    WHO_HOME,
    WHOLE_HOME,
    Kind,
    clean,
    kinds_in,
)

PRONOUN = re.compile(r"\b(it|them|that|this)\b")
ARTICLES = re.compile(r"\b(the|a|an|my|our|your|some|all|every|each)\b")
# "the Ecobee's temperature" names the Ecobee; "it's", "what's" are no possessives
POSSESSIVE = re.compile(r"\b(?!(?:it|that|what|there|here|he|she|let|who|where)'s\b)(\w+)'s\b")
CLEANING = re.compile(
    r"^(?:start |begin |stop |end |continue |resume |carry on )?"
    r"(?:clean|cleaning|vacuum|vacuuming|hoover|hoovering)\b"
)
HIGHER = re.compile(r"\b(higher|up|warmer|hotter)\b")
SET_TO = re.compile(r"\b(?:set|put|change|turn|make)\b.*\bto \d")
# "set the office thermostat", "set the temperature": a value to set, said or still to ask
SET_VERB = re.compile(r"^set\b")
NO_SET_VALUE = re.compile(r"\b(?:by|up|down|higher|lower|warmer|cooler|hotter|colder)\b")
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
        # "on" after a switching verb is the verb's ("turn on the lounge lights"), no place's
        lead = re.search(
            r"(?:\b(?:in|at|for|of|from)\s+|(?<!turn )(?<!switch )(?<!put )(?<!flick )\bon\s+)?"
            r"(?:\b(?:the|my|our)\s+)?$",
            text[:start],
        )
        out.append((lead.start() if lead else start, end, value))
    return out


def read(text: str, home: HomeVocabulary, speaker_area: str | None = None) -> Request | None:
    """The request in a sentence the grammar did not match, or None."""
    said = clean(text)
    if not said:
        # "ok", "okay": all framing, and an acknowledgement
        return Request("ack") if ACK.match(normalize_name(text)) else None
    if HELP.match(said):
        return Request("help")
    if THANKS.match(said):
        return Request("thanks")
    if HELLO.match(said) or HELLO.match(normalize_name(text)):
        return Request("hello")
    if WHO_HOME.match(said):
        return Request("who_home")
    person = WHERE_IS.match(re.sub(r"\s+at$", "", said))
    things = _spans(person.group(1), entity_names(home, None)) if person else []
    people = all(v.startswith("person.") for _, _, v in things)
    if person is not None and people and not kinds_in(person.group(1)):
        return Request("where", unknown=("person", person.group(1)))  # no device's name
    if person is not None and things:
        # "where's the robot hoover at?": how the device is, which it then is
        return Request("setting", (things[0][2],))
    if (humid := HUMIDITY.match(said)) is not None:
        place = area_named(home, humid.group(1)) if humid.group(1) else None
        return Request("humidity", area=place.id if place else _area_id(home, speaker_area))
    if COFFEE_WISH.match(said):
        return Request("coffee")
    if ACK.match(said):
        return Request("ack")  # "ok, leave it then": nothing to do, and it is understood
    if OUTSIDE.match(said):
        return Request("outside")
    bare = POSSESSIVE.sub(r"\1", left_on(said))
    bare = plainly(bare)
    # "can't see a thing": no thing to find, the room is dark
    bare = re.sub(r"\bcan'?t see(?: (?:a thing|anything|a bloody thing))?\b", "it's too dark", bare)
    sure = MAKE_SURE.match(bare)
    if sure is not None:
        verb = {"on": "turn on", "off": "turn off", "locked": "lock"}.get(sure.group(2), "close")
        bare = f"{verb} {sure.group(1)}"  # "make sure the kitchen light is off"
    setting = SETTING.match(bare)
    if setting is not None:
        said_of = setting.group(1) or setting.group(2) or setting.group(3)
        named = _spans(said_of, entity_names(home, ACTIONABLE))
        ids = tuple(dict.fromkeys(v for _, _, v in named))
        return Request("setting", ids) if len(ids) == 1 else None
    reading = READING.match(bare)
    if reading is not None:
        where = reading.group(1) or reading.group(2)
        named = _spans(where, entity_names(home, frozenset({"climate", "sensor"})))
        ids = tuple(dict.fromkeys(v for _, _, v in named))
        room = area_named(home, where) if not ids else None
        if room is not None:
            return Request("reading", area=room.id)  # "what temperature is it in the office?"
        return Request("reading", ids) if len(ids) == 1 else None
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
    named = _spans(text, entity_names(home, ACTIONABLE))
    if not named and action == "state" and not kinds_in(text):
        named = _spans(text, entity_names(home, None))
    rest = _cut(text, [(_article_before(text, start), end, v) for start, end, v in named])
    entity_ids = tuple(dict.fromkeys(v for _, _, v in named))
    places = _with_prepositions(rest, _spans(rest, area_names(home)))
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
    in_home = bool(WHOLE_HOME.search(rest))
    rest = " ".join(WHOLE_HOME.sub(" ", rest).split())
    place = unknown_place(rest)
    if place is not None:
        # a room this home does not have: never the speaker's room or the home instead
        return Request("unknown", unknown=("room", place))
    kinds = kinds_in(rest)
    kind = kinds[0] if kinds else None
    if kind == "any" and action != "state":
        kind = None  # "turn something off": which device is still to say
    if kind is None and not entity_ids and CLEANING.search(rest):
        kind = "vacuum"  # "clean the house", "start cleaning"
    # "open the garage": a room named like a kind of device, when nothing else is named
    room_words = [normalize_name(n) for n in (area.names if area else ())]
    room_kind = next((KIND_WORDS[w] for w in room_words if w in KIND_WORDS), None)
    named_domains = {e.split(".", 1)[0] for e in entity_ids}
    whole = (bool(ALL.search(rest)) or in_home) and area is None and floor is None and not here
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
        bool(ONE_COVERING.search(rest) or ONE_OF.search(rest)) and not entity_ids,
    )
    said_names = modifiers(rest) if kind and not entity_ids else []
    if said_names:
        request = _narrowed(request, said_names, kind_said(rest), home, speaker_area)
        if request.action == "unknown":
            return request
    if action == "state":
        return request if request.entity_ids or kind else None
    outdoors = any(re.search(r"\b(outside|outdoors?|garden|yard)\b", w) for w in room_words)
    chosen = _action(rest, kind, named_domains, request, outdoors)
    if chosen is None:
        return None
    request = replace(request, action=chosen)
    areas = list(dict.fromkeys(a for _, _, a in places))
    if re.search(r"\band\b|,", rest) or len(areas) > 1:
        request = _joined(request, kinds, areas, home, speaker_area)
    if LATER.search(rest):
        return Request("later")  # "start the robot in an hour": not now, and not later either
    needs_target = chosen not in (
        "warmer", "cooler", "adjust", "set_temperature", "brighter", "dimmer", "louder", "quieter",
        "everything_off", "everything_on",
    )  # fmt: skip
    # what a vacuum cleans ("the floor", "the carpet") is no device
    thing = _unknown_thing(rest, set(said_names)) if needs_target and kind != "vacuum" else None
    if thing is not None:
        # "resume the dishwasher" in a home without one: no TV or room stands in for it
        return Request("unknown", unknown=("device", thing))
    if chosen in ("play", "pause") and kind is None and not entity_ids:
        request = replace(request, kind="media")  # "carry on", "pause it for a sec"
    if chosen == "on" and kind is None and not entity_ids and AIR.search(rest):
        request = replace(request, kind="fan")  # "get some air moving"
    if chosen == "on" and kind is None and not entity_ids and LIGHTS_ON.search(rest):
        request = replace(request, kind="light")  # "it's dark in here"
    if chosen in ("open", "close") and kind is None and not entity_ids and room_kind == "garage":
        request = replace(request, kind=room_kind)
    if needs_target and not entity_ids and request.kind is None:
        return None  # "turn it on" with nothing named: the conversation asks which device
    return request


def _article_before(text: str, start: int) -> int:
    """Where a name's article starts ("the" of "the smart plug"), or the name's start."""
    lead = re.search(r"\b(?:the|my|our|your)\s+$", text[:start])
    return lead.start() if lead else start


# a thing said with its article that no reading used: "the dishwasher" where there is none
# (its last word before a particle, a joint or the end: "the right curtain" is a name's word;
# "for the kids" is who it is for)
THING = re.compile(
    r"(?<!\bfor )(?<!\bwith )\b(?:the|my|our|your)\s+([a-z][a-z']+)(?=\s*$|\s*,|\s+(?:and|on|off|in|up|down|to|for|"
    r"please|too|again|now|back|as)\b)"
)
NOT_THINGS = frozenset(
    {"house", "home", "place", "room", "lot", "way", "whole", "rest", "same", "one", "ones",
     "heat", "cold", "dark", "air", "moment", "minute", "second", "time", "morning", "night"}
)  # fmt: skip


def _unknown_thing(rest: str, used: set[str]) -> str | None:
    for found in THING.finditer(rest):
        word = found.group(1)
        if word in used or word in NOT_THINGS or word in NOT_A_NAME or word in ACTION_WORDS:
            continue
        if KIND_PATTERN.fullmatch(word) or TEMPERATURE_WORDS.fullmatch(word):
            continue
        return word
    return None


def _joined(
    request: Request,
    kinds: list[str],
    areas: list[NamedArea],
    home: HomeVocabulary,
    speaker_area: str | None,
) -> Request:
    """Every part of "the TV and the fan", "the lights in the living room and kitchen": the
    devices named, and each kind said in each place said (none is dropped)."""
    named = {e.split(".", 1)[0] for e in request.entity_ids}
    wanted = [KINDS[k] for k in dict.fromkeys(kinds) if k in KINDS and k != "any"]
    wanted = [k for k in wanted if not (k.domains & named)]
    if len(areas) < 2 and len(wanted) + bool(request.entity_ids) < 2:
        return request
    ids = list(request.entity_ids)
    places: list[NamedArea | None] = [*areas] or [None]
    for area in places:
        there = replace(request, entity_ids=(), area=area.id if area else request.area)
        for kind in wanted:
            ids += there.targets(home, speaker_area, kind, fall_back_to_home=area is None)
    return replace(request, entity_ids=tuple(dict.fromkeys(ids)))


def _narrowed(
    request: Request,
    words: list[str],
    kind_word: str,
    home: HomeVocabulary,
    speaker_area: str | None,
) -> Request:
    """The request for the devices of its kind whose names have the words said before the
    kind ("the right curtain"): in its place first, else in the home; none is a name this
    home does not know, and nothing is done."""
    kind = KINDS.get(request.kind or "")
    if kind is None:
        return request
    near = request.targets(home, speaker_area, kind, fall_back_to_home=True)
    by_id = {e.entity_id: e for e in home.entities}
    found = [i for i in near if named_by(by_id[i], words)]
    one = request.one
    if not found and not (request.area or request.floor):
        # a name said from another room: the home's, asked about when several have it
        found = [e.entity_id for e in home.entities if e.entity_id not in near
                 and e.entity_id in _kind_ids(home, kind) and named_by(e, words)]  # fmt: skip
        one = True
    if not found:
        return Request("unknown", unknown=("device", " ".join([*words, kind_word]).strip()))
    return replace(request, entity_ids=tuple(found), one=one)


def _kind_ids(home: HomeVocabulary, kind: Kind) -> set[str]:
    return {e.entity_id for e in of_kind(home.entities, kind)}


def _area_id(home: HomeVocabulary, speaker_area: str | None) -> str | None:
    area = home.area(speaker_area)
    return area.id if area else None


def _amount(text: str) -> float | None:
    found = AMOUNT.search(text)
    if found is None:
        # "a couple of degrees", "a few degrees": said in words, not digits
        few = re.search(r"\b(couple|few)(?: of)? (?:degrees?|percent|notches)\b", text)
        return {"couple": 2.0, "few": 3.0}[few.group(1)] if few else None
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
    if AIR.search(rest) and kind in (None, "fan"):
        return "on"  # "it's stuffy, get some air moving": the request, not the remark
    if EVERYTHING.search(rest):
        action = _device_action(rest)
        if action in ("off", "close", "stop"):
            return "everything_off"
        return "everything_on" if action in ("on", "start", "open") else None
    if not about and not _about_here(rest, outdoors):
        # "the coffee is too hot", "the kids are too loud", "it's cold outside": a remark
        # about something that is no device of this home, not a request to the heating
        return _device_action(rest) if kind else None
    if LIGHTS_ON.search(rest) and kind in (None, "light") and not named:
        return "on"  # "it's dark in here" (never "it's dark outside": a remark)
    climate = "climate" in about or (not about and TEMPERATURE_WORDS.search(rest) is not None)
    if climate and request.amount is not None and SET_TO.search(rest):
        return "set_temperature"  # "set the heating to 21": the grammar says "temperature"
    if climate and SET_VERB.search(rest) and not NO_SET_VALUE.search(rest):
        return "set_temperature"  # "set the office thermostat": the value is asked for
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
    if "light" in about and SOFTER.search(rest):
        return "dimmer"
    if "light" in about and request.amount is not None and SET_TO.search(rest):
        return "set_brightness"  # "set the kitchen lights to 50%"
    media = "media_player" in about or (not about and kind in (None, "media"))
    if (
        media
        and request.amount is not None
        and SET_TO.search(rest)
        and (VOLUME.search(rest) or "media_player" in about)
    ):
        return "set_volume"  # "set the telly volume to 30"
    if lights and (BRIGHTER.search(rest) or ("light" in about and _up(rest))):
        return "brighter"
    if lights and (DIMMER.search(rest) or ("light" in about and _down(rest))):
        return "dimmer"
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
    {"it", "it's", "its", "this", "that", "room", "this room", "the room", "house", "the house",
     "home", "place",
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
    if TO_BASE.search(rest):
        return "home"  # "send Rover back to its base"
    rest = KIND_PATTERN.sub(lambda m: m.group(0) if m.group(0) in ACTION_WORDS else " ", rest)
    words = " ".join(ARTICLES.sub(" ", re.sub(r"\b(it|them|back|again|too)\b", " ", rest)).split())
    found = [m.group(1) for m in ACTION_PATTERN.finditer(words)]
    if not found:
        return None
    # "turn off" beats "off"; of two verbs the first said wins ("lock up" is one)
    return ACTION_WORDS[
        max(found, key=len) if len({ACTION_WORDS[f] for f in found}) > 1 else found[0]
    ]
