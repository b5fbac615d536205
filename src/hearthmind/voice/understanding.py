"""Reading a request the grammar did not match: everyday words ("put the telly on", "shades
up", "kill the lights"), relative and vague requests ("two degrees warmer", "I'm cold",
"brighter", "too loud"), "everything off" (downstairs, in here), yes/no questions about a
device ("is the main valve open?") and "what can you do".

`read` turns the sentence into a `Request` (what to do, to which named devices or to which
kind of device where); `Request.resolve` finds the devices in the home as it is now and
gives the intent the handlers act on (handlers/adjust.py for the new ones). Reading runs only
in the conversation layer and only after the grammar found nothing, so every sentence the
grammar matched is matched and done as before, and the grammar samples behind the speech
models do not change."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from .home import HomeVocabulary, NamedArea, NamedEntity, NamedFloor, normalize_name
from .intents import IntentMatch
from .words import (
    ACTION_WORDS,
    ADJUST,
    ALL,
    AMOUNT,
    BRIGHTER,
    COOLER,
    DIMMER,
    DOWNSTAIRS,
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
    UPSTAIRS,
    WARMER,
    Kind,
    clean,
    kinds_in,
)

# the domains a spoken command may act on (a sensor named "Light" is no light to turn on)
ACTIONABLE = frozenset(
    {
        "light", "switch", "fan", "cover", "lock", "climate", "media_player", "vacuum",
        "valve", "scene", "script", "alarm_control_panel", "input_boolean", "humidifier",
        "water_heater", "siren", "button", "input_button",
    }
)  # fmt: skip
# what "everything off" turns off (never locks, covers, valves or the heating)
EVERYTHING_DOMAINS = frozenset({"light", "switch", "fan", "media_player"})
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


@dataclass(frozen=True, slots=True)
class Request:
    """A request as read: `action` (on, off, open, close, lock, unlock, start, stop, home,
    disarm, arm, warmer, cooler, adjust, brighter, dimmer, louder, quieter, everything_off,
    everything_on, state, help), the devices named, else a kind of device and where."""

    action: str
    entity_ids: tuple[str, ...] = ()
    kind: str | None = None
    area: str | None = None  # an area id said ("in the kitchen"), or the speaker's ("here")
    floor: str | None = None  # a floor id said
    whole_home: bool = False  # "all the lights", "everything"
    amount: float | None = None
    small: bool = False  # "a bit", "a little"
    state: str | None = None  # what a yes/no question asks about
    pronoun: bool = False  # "turn it down": nothing named

    def elsewhere(self, home: HomeVocabulary, place: str) -> Request | None:
        """The same request for another area or device: "and the bedroom?"."""
        area = home.area(place)
        if area is not None:
            return replace(self, entity_ids=(), area=area.id, floor=None, whole_home=False)
        floor = _floor(home, normalize_name(place))
        if floor is not None:
            return replace(self, entity_ids=(), area=None, floor=floor.id, whole_home=False)
        found = [e for e in home.find_entities(name=place) if e.domain in ACTIONABLE]
        if found:
            return replace(self, entity_ids=(found[0].entity_id,), area=None, floor=None)
        return None

    def resolve(
        self, home: HomeVocabulary, speaker_area: str | None, context: tuple[str, ...] = ()
    ) -> IntentMatch:
        """The intent with its devices, as the home is now; `context` holds the devices the
        conversation acted on last (what "louder" means after "turn on the TV")."""
        slots: dict[str, Any] = {}
        if self.action in ("help", "thanks"):
            return IntentMatch("HubHelp" if self.action == "help" else "HubThanks", source="reader")
        if self.action in ("everything_off", "everything_on"):
            return IntentMatch(
                "HubEverythingOff" if self.action == "everything_off" else "HubEverythingOn",
                {"hub_entity_ids": self._everything(home, speaker_area), **self._where(home)},
                source="reader",
            )
        if self.action == "state":
            return self._question(home, speaker_area)
        if self.action == "set_temperature":
            kind = KINDS["ac"] if self.kind == "ac" else KINDS["climate"]
            ids = self._targets(home, speaker_area, kind, fall_back_to_home=True)
            slots = {"temperature": self.amount}
            return self._match("HassClimateSetTemperature", home, ids, slots, kind)
        if self.action in ("warmer", "cooler", "adjust"):
            direction = {"warmer": "up", "cooler": "down"}.get(self.action)
            slots = {"direction": direction, "hub_amount": self.amount, "hub_small": self.small}
            # "turn down the AC" is about an air conditioner, not any thermostat
            kind = KINDS["ac"] if self.kind == "ac" else KINDS["climate"]
            ids = self._targets(home, speaker_area, kind, fall_back_to_home=True)
            return self._match("HubClimateStep", home, ids, slots, kind)
        if self.action in ("brighter", "dimmer"):
            slots = {
                "direction": "up" if self.action == "brighter" else "down",
                "step_pct": 10 if self.small else 25,
                "hub_lit_first": not self.entity_ids,
            }
            ids = self._targets(home, speaker_area, KINDS["light"])
            return self._match("HubLightStep", home, ids, slots, KINDS["light"])
        if self.action in ("louder", "quieter"):
            slots = {"direction": "up" if self.action == "louder" else "down"}
            players = [i for i in context if i.startswith("media_player.")]
            ids = (
                players
                if players and not self.entity_ids and not self.area and self.kind is None
                else self._targets(home, speaker_area, KINDS["media"], fall_back_to_home=True)
            )
            return self._match("HubVolumeStep", home, ids, slots, KINDS["media"])
        said_kind = KINDS.get(self.kind or "")
        ids = self._targets(home, speaker_area, said_kind, fall_back_to_home=True)
        # a kind found only beyond the speaker's room ("start the hoover") is asked about
        # when there are several, rather than all of them started
        near = self.entity_ids or self._targets(home, speaker_area, said_kind)
        slots = {"hub_action": self.action, "hub_ask_if_many": bool(ids) and not near}
        return self._match("HubDeviceAction", home, ids, slots, said_kind)

    # -- resolving ---------------------------------------------------------------------

    def _match(
        self,
        intent: str,
        home: HomeVocabulary,
        ids: list[str],
        slots: dict[str, Any],
        kind: Kind | None,
    ) -> IntentMatch:
        if not ids and kind is not None and not _of_kind(home.entities, kind):
            # the home has nothing of the kind at all: say so rather than "which device?"
            return IntentMatch("HubNoSuchDevice", {"hub_noun": kind.noun}, source="reader")
        noun = {"hub_noun": kind.noun} if kind is not None and not ids else {}
        return IntentMatch(
            intent, {**slots, "hub_entity_ids": ids, **noun, **self._where(home)}, source="reader"
        )

    def _where(self, home: HomeVocabulary) -> dict[str, Any]:
        """The place said, by name, for the answer ("in the Kitchen", "upstairs")."""
        if self.area and (area := home.area(self.area)) is not None:
            return {"area": area.name}
        if self.floor and (floor := home.floor(self.floor)) is not None:
            return {"floor": floor.name}
        return {}

    def _scope(self, home: HomeVocabulary, speaker_area: str | None) -> list[NamedEntity]:
        """The entities where the request points: the area or floor said, the whole home
        for "all", else the speaker's area."""
        if self.area:
            return [e for e in home.entities if e.area_id == self.area]
        if self.floor:
            areas = {a.id for a in home.areas if a.floor_id == self.floor}
            return [e for e in home.entities if e.area_id in areas]
        if self.whole_home or not speaker_area:
            return list(home.entities)
        area = home.area(speaker_area)
        return [e for e in home.entities if area is not None and e.area_id == area.id]

    def _targets(
        self,
        home: HomeVocabulary,
        speaker_area: str | None,
        kind: Kind | None,
        *,
        fall_back_to_home: bool = False,
    ) -> list[str]:
        if self.entity_ids:
            return list(self.entity_ids)
        if kind is None:
            return []
        found = _of_kind(self._scope(home, speaker_area), kind)
        said_where = self.area or self.floor or self.whole_home
        if not found and fall_back_to_home and not said_where:
            # "start the hoover" from a room without one: the home's, where it is the only
            # one of its kind (several are asked about by the handler)
            found = _of_kind(home.entities, kind)
        return [e.entity_id for e in found]

    def _everything(self, home: HomeVocabulary, speaker_area: str | None) -> list[str]:
        scoped = self._scope(home, speaker_area) if self.area or self.floor else home.entities
        return [e.entity_id for e in scoped if e.domain in EVERYTHING_DOMAINS]

    def _question(self, home: HomeVocabulary, speaker_area: str | None) -> IntentMatch:
        slots: dict[str, Any] = {"state": self.state}
        if self.entity_ids:
            named = [e for e in home.entities if e.entity_id == self.entity_ids[0]]
            slots["name"] = named[0].name if named else self.entity_ids[0]
        else:
            kind = KINDS.get(self.kind or "")
            ids = self._targets(home, speaker_area, kind)
            slots["hub_entity_ids"] = ids
            slots.update(self._where(home))
        return IntentMatch("HassGetState", slots, source="reader")


def _of_kind(entities: list[NamedEntity], kind: Kind) -> list[NamedEntity]:
    out = []
    for entity in entities:
        if entity.domain not in kind.domains:
            continue
        words = " " + " ".join(normalize_name(n) for n in entity.names) + " "
        named = any(f" {w} " in words for w in kind.name_words)
        if kind.by_name_only:
            if named:
                out.append(entity)
            continue
        klass = entity.attributes.get("device_class")
        if not kind.device_classes or klass in kind.device_classes or (named and klass is None):
            out.append(entity)
    if kind.domains == {"media_player"} and kind.device_classes and not out:
        # a TV that does not say it is one: the home's players stand in for it
        out = [e for e in entities if e.domain == "media_player"]
    return out


def _floor(home: HomeVocabulary, said: str) -> NamedFloor | None:
    for floor in home.floors:
        if any(normalize_name(n) == said for n in floor.names):
            return floor
    if DOWNSTAIRS.fullmatch(said):
        ground = [f for f in home.floors if f.level == 0]
        return ground[0] if ground else _floor_named(home, ("ground floor", "downstairs"))
    if UPSTAIRS.fullmatch(said):
        above = sorted((f for f in home.floors if (f.level or 0) >= 1), key=lambda f: f.level or 0)
        return above[0] if above else _floor_named(home, ("upstairs", "first floor"))
    return None


def _floor_named(home: HomeVocabulary, names: tuple[str, ...]) -> NamedFloor | None:
    for name in names:
        for floor in home.floors:
            if any(normalize_name(n) == name for n in floor.names):
                return floor
    return None


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
        floor = _floor(home, normalize_name(said))
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
