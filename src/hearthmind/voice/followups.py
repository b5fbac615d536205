"""The turns of a conversation that lean on the one before, as words: "it" and "that" for the
last thing acted on (or asked about), "them both" for all the last turns acted on, "and the
bedroom", "the garage too", "same for the hall", "the office one" (the last request in another
place or on another device), "a bit more", the answer to "Which one?" or "What temperature?",
a request too short to act on ("turn on", "turn something off") and two requests in one
sentence. conversation.py keeps the state and acts; this reads the words."""

from __future__ import annotations

import re
from dataclasses import replace

from .home import HomeVocabulary, normalize_name
from .intents import IntentMatch
from .naming import entity_names, named_by
from .pipeline import VoiceResult
from .places import area_named
from .request import ACTIONABLE
from .sentences import PRONOUN
from .turns import Question
from .unsure import confirmed, declined
from .words import (
    ACTION_PATTERN,
    BOTH,
    DOWN_ANSWER,
    KIND_WORDS,
    ORDINALS,
    UP_ANSWER,
    WINDOW_COVERINGS,
    clean,
)

AGAIN = re.compile(r"\s+(again|too|as well)\b", re.I)
PLURAL = re.compile(r"\b(them|those|these|they|both)\b", re.I)
# "and the bedroom?", "what about the kitchen", "same for the hall", "the garage too", "the
# office one" (which the grammar would read as "office 1", a brightness of 1 percent)
FOLLOW_UP = re.compile(
    r"^\s*(?:(?:oh|ah|um|uh|ok|okay|right|well)[,!]?\s+)*(?:(?:and|what about|how about|now|also|plus|same (?:for|with|in)|"
    r"(?:and )?(?:do )?the same (?:for|with|in))\s+(?P<lead>.+?)|(?P<tail>.+?),?\s+"
    r"(?:too|as well|also)|(?P<one>the\s+(?:[\w']+\s+){1,3}one|the one (?:in|on|at)\s+.+?))"
    # "what about the garage? off there as well": the place, then the same again there
    r"(?:[?.!,]*\s+(?:(?:on|off)\s+)?(?:there|in there|over there))?"
    # "and the bedroom off": the follow-up's own particle (with_particle)
    r"(?:\s+(?:on|off))?"
    r"(?:,?\s+(?:too|as well|also|please))*"
    # "and the bathroom light, just for teeth": what it is for is no place
    r"(?:,?\s+(?:just\s+)?(?:for|so|while|because|since)\b[^?.!]*)?[\s?.!]*$",
    re.I,
)
KIND_WORDS_PATTERN = "|".join(re.escape(w) for w in sorted(KIND_WORDS, key=len, reverse=True))
# a value said with a follow-up's place: "and the office to 65", "the bedroom at 19 degrees"
VALUE = re.compile(
    r",?\s+(?:(?:to|at)\s+(\d+(?:\.\d+)?)(?:\s*(?:degrees?|percent))?|(\d+(?:\.\d+)?)\s*"
    r"(?:degrees?|percent))(?=\s*$|[\s?.!,])"
)
# "a bit more" after a step: the same step again; "less": the other way
MORE = re.compile(r"^(?:(?:a )?(?:little |bit |tiny bit )?more|even more|again|more please)$")
LESS = re.compile(r"^(?:(?:a )?(?:little |bit )?less|not so much|too much)$")
# requests whose device is their own, never a name said with them
DEVICE_OF_ITS_OWN = frozenset({"HubMakeCoffee"})
STEPS = frozenset({"HubClimateStep", "HubLightStep", "HubVolumeStep"})
# a request with a verb and nothing to act on: "turn on", "open", "turn something off"
SOMETHING = re.compile(r"\b(?:something|anything|a thing|a device|some device)\b")
BARE_VERBS = frozenset(
    {"turn", "switch", "put", "power", "shut", "open", "close", "lock", "unlock", "activate",
     "run", "set", "dim", "raise", "lower", "kill", "draw", "bolt", "start", "stop"}
)  # fmt: skip
PARTICLES = frozenset({"on", "off", "up", "down", "out"})


def with_name(said: str, name: str) -> str:
    """The sentence with its pronoun replaced by a name, and "again"/"too" taken off."""
    return AGAIN.sub("", PRONOUN.sub(name, said, count=1))


def place_of(
    said: str, home: HomeVocabulary | None = None, speaker_area: str | None = None
) -> str | None:
    """The place or device a follow-up names ("and the one in the bedroom" -> "bedroom",
    "the office one" -> "office", "and the ones in here" -> the speaker's room), or None when
    the sentence is no follow-up."""
    found = FOLLOW_UP.match(said)
    if found is None:
        return None
    place = normalize_name(found.group("lead") or found.group("tail") or found.group("one") or "")
    place = VALUE.sub("", place)
    place = re.sub(r"^(?:in|on|at|for|with|to|onto)\s+", "", place)
    place = re.sub(r"^(?:the|my|our)\s+", "", place)
    place = re.sub(r"^ones?\s+(?:in|on|at|from|for)\s+(?:the\s+)?", "", place)
    place = re.sub(r"\s+(?:to|at) the same(?: temperature| level)?$", "", place)  # "to the same"
    # "the thermostat in here": a device of the speaker's room, named as any other
    place = re.sub(r"\s+(?:in |over |right )?here$", "", place)
    place = re.sub(r"\s+ones?$", "", place)
    named = re.match(r"^(.+?)\s+(?:in|on|at|from)\s+(?:the\s+)?(.+)$", place)
    if named is not None and home is not None and named.group(1) in entity_names(home, ACTIONABLE):
        return named.group(1)  # "the standing lamp in the lounge": the device it names
    # "the light in the basement": the place, the follow-up keeps the last request's kind
    place = re.sub(rf"^(?:{KIND_WORDS_PATTERN})s?\s+(?:in|on|at|from)\s+(?:the\s+)?", "", place)
    if place in ("here", "in here", "this room") and home is not None:
        room = home.area(speaker_area or "")
        return room.name if room is not None else None
    return place or None


def value_of(said: str) -> float | None:
    """The value a follow-up gives with its place: "and the office to 65" -> 65."""
    found = FOLLOW_UP.match(said)
    value = VALUE.search(normalize_name(found.group(0))) if found else None
    return float(value.group(1) or value.group(2)) if value else None


def with_value(match: IntentMatch, value: float | None) -> IntentMatch:
    """The redone request with the follow-up's own value, of the same kind (a temperature
    stays a temperature: "and the office to 65" after setting the thermostat)."""
    if value is None:
        return match
    for slot in ("temperature", "brightness", "volume_level", "position"):
        if slot in match.slots:
            return replace(match, slots={**match.slots, slot: value})
    return match


def with_particle(match: IntentMatch, said: str) -> IntentMatch:
    """The redone request with the follow-up's own "on" or "off": "and the telly on" after
    "get the coffee maker going" turns the TV on (not "start", which would press play)."""
    own = re.search(
        r"\b(on|off)(?=\s*(?:$|,|(?:too|as well|also|please|for|so|while|because|since)\b))",
        clean(said) if FOLLOW_UP.match(said) else "",
    )  # a particle said last, not "the one on the left"
    if own is None or match.intent not in ("HassTurnOn", "HassTurnOff", "HubDeviceAction"):
        return match
    if match.intent == "HubDeviceAction":
        return replace(match, slots={**match.slots, "hub_action": own.group(1)})
    return replace(match, intent="HassTurnOn" if own.group(1) == "on" else "HassTurnOff")


def one_said(said: str) -> bool:
    """ "And the one in the bedroom": one device, not every one of its kind there."""
    found = FOLLOW_UP.match(said)
    return found is not None and re.search(r"\bone\b", found.group(0), re.I) is not None


def names_only(place: str) -> bool:
    """Whether a follow-up's words are a name at most ("pantry", "guest bath"), not a request
    of their own ("turn on the hall light" too)."""
    return len(place.split()) <= 3 and ACTION_PATTERN.search(place) is None


def only_a_device(said: str) -> bool:
    """ "The office one": a device pointed at, no request of its own."""
    found = FOLLOW_UP.match(said)
    return found is not None and found.group("one") is not None


def match_elsewhere(last: IntentMatch, place: str, home: HomeVocabulary) -> IntentMatch | None:
    """A grammar request in another place or on another device, of the same kind: after
    "turn off the kitchen switch", "and the bedroom one" is the bedroom's switch, never
    everything in the bedroom."""
    slots = {k: v for k, v in last.slots.items() if k not in ("hub_scope", "hub_entity_ids")}
    said_ids = list(last.slots.get("hub_entity_ids") or [])
    if slots.get("name"):
        said_ids += [e.entity_id for e in home.find_entities(name=str(slots["name"]))]
    domains = {i.split(".", 1)[0] for i in said_ids}
    found_area = area_named(home, place)
    if found_area is not None:
        slots.pop("name", None)
        if "domain" not in slots and len(domains) == 1:
            slots["domain"] = domains.pop()
        if slots.get("device_class") in WINDOW_COVERINGS:
            # "and the one in the bedroom" after the guest room's shade: its curtain
            slots["device_class"] = sorted(WINDOW_COVERINGS)
        moved_to = {**slots, "area": found_area.name}
        return replace(last, slots=moved_to, context_slots=frozenset())
    entity = entity_names(home, ACTIONABLE).get(place)
    if entity is not None:
        slots = {k: v for k, v in slots.items() if k not in ("area", "domain", "device_class")}
        name = next(e.name for e in home.entities if e.entity_id == entity)
        if last.intent in DEVICE_OF_ITS_OWN:
            # "make a coffee" then "and the bedroom switch too": that switch, not the coffee
            return IntentMatch("HassTurnOn", {"name": name}, source="reader")
        return replace(last, slots={**slots, "name": name}, context_slots=frozenset())
    kinds = domains or ({str(slots["domain"])} if isinstance(slots.get("domain"), str) else set())
    ids = [e.entity_id for e in home.entities if e.domain in kinds and named_by(e, place.split())]
    if ids:
        # "and the back one" after the front door: the one of its kind whose name says so
        slots = {k: v for k, v in slots.items() if k not in ("area", "domain", "device_class")}
        return replace(last, slots={**slots, "hub_entity_ids": ids}, context_slots=frozenset())
    return None


def again(last: IntentMatch | None, words: str) -> IntentMatch | None:
    """ "A bit more" (or "less") after a step: the step again, the same way or the other."""
    if last is None or last.intent not in STEPS or not (MORE.match(words) or LESS.match(words)):
        return None
    direction = last.slots.get("direction")
    if LESS.match(words):
        direction = {"up": "down", "down": "up"}.get(str(direction), direction)
    return replace(last, slots={**last.slots, "direction": direction})


def incomplete(words: str) -> str | None:
    """The request to finish with the device the next turn names ("turn on" -> "turn on {}",
    "turn something off" -> "turn {} off"), or None when it names or asks something."""
    template = SOMETHING.sub("{}", words, count=1)
    tokens = template.replace("{}", " ").split()
    if not tokens or tokens[0] not in BARE_VERBS:
        return None
    if any(t not in BARE_VERBS | PARTICLES for t in tokens):
        return None
    return template if "{}" in template else f"{template} {{}}"


def answer(question: Question, said: str, home: HomeVocabulary) -> IntentMatch | None:
    """The asked-back request finished with the answer, or None when it is no answer."""
    words = clean(said)
    slots = dict(question.match.slots)
    number = re.search(r"\b(\d+(?:\.\d+)?)\b", words)
    if question.kind == "yes":  # "Did you mean: turn on the lights?" (unsure.py)
        if confirmed(said):
            return question.match
        return IntentMatch("HassNevermind", source="reader") if declined(said) else None
    if question.kind == "direction":
        up, down = UP_ANSWER.search(words), DOWN_ANSWER.search(words)
        if not up and not down and number is not None and question.match.intent == "HubClimateStep":
            return _to_set(question, float(number.group(1)), words, home)
        if bool(up) == bool(down):
            return None
        slots["direction"] = "up" if up else "down"
        if number is not None:
            slots["hub_amount"] = float(number.group(1))
        return replace(question.match, slots=slots)
    if question.kind == "value":
        if number is None:
            return None
        return replace(question.match, slots={**slots, "temperature": float(number.group(1))})
    chosen = _chosen(question, words, home)
    if not chosen and BOTH.search(words) and not ACTION_PATTERN.search(words):
        chosen = list(question.options)
        slots["hub_each"] = True
    if not chosen:
        return None
    slots["hub_entity_ids"] = chosen
    if "temperature" in slots and slots["temperature"] is None and number is not None:
        slots["temperature"] = float(number.group(1))  # "the ecobee, 20 degrees"
    return replace(question.match, slots=slots)


def _chosen(question: Question, words: str, home: HomeVocabulary) -> list[str]:
    """The options an answer names: by a name, a part of one that tells them apart ("the
    radiator" for "Den Radiator", "the left one"), or "the first one"."""
    options = list(question.options)
    by_id = {e.entity_id: e for e in home.entities}
    named = _named_elsewhere(options, words, home)
    if named:
        return named  # "the office thermostat" when asked about the living room's two
    chosen = [
        eid
        for eid in options
        if eid in by_id
        and any(re.search(rf"\b{re.escape(normalize_name(n))}\b", words) for n in by_id[eid].names)
    ]
    if not chosen:
        # "one" is read as a digit: "the left one" -> "the left 1"
        # "the one on the right" -> "right"
        short = re.sub(
            r"\b(the|a|an|one|1|please|my|our|on|at|to|in|degrees?|percent)\b|\d+(?:\.\d+)?",
            " ",
            words,
        ).split()
        part = " ".join(short)
        chosen = [
            eid
            for eid in options
            if part
            and eid in by_id
            and any(f" {part} " in f" {normalize_name(n)} " for n in by_id[eid].names)
        ]
        chosen = chosen if len(chosen) == 1 else []
    if not chosen:
        for word, index in ORDINALS.items():
            if re.search(rf"\b{word}\b", words):
                return [options[index]] if -len(options) <= index < len(options) else []
    return chosen


def _to_set(question: Question, value: float, words: str, home: HomeVocabulary) -> IntentMatch:
    """ "Warmer or cooler?" answered with a temperature ("the thermostat, make it 70"): that
    temperature set, on the device named if one is (else the handler asks which)."""
    slots = {
        k: v
        for k, v in question.match.slots.items()
        if k not in ("direction", "hub_amount", "hub_small")
    }
    ids = list(slots.get("hub_entity_ids") or [])
    named = _named_elsewhere([], words, home, ids or ["climate."])
    named = named or [i for i in ids if _names(i, words, home)]
    if named:
        slots["hub_entity_ids"] = named[:1] if len(named) > 1 else named
    return IntentMatch(
        "HassClimateSetTemperature", {**slots, "temperature": value}, source="reader"
    )


def _names(entity_id: str, words: str, home: HomeVocabulary) -> bool:
    return any(
        re.search(rf"\b{re.escape(normalize_name(n))}\b", words)
        for e in home.entities
        if e.entity_id == entity_id
        for n in e.names
    )


def _named_elsewhere(
    options: list[str], words: str, home: HomeVocabulary, kinds: list[str] | None = None
) -> list[str]:
    """The device of the options' kind an answer names in full, when that whole name is
    longer than any option's it holds: "the office thermostat" is not "Thermostat"."""
    domains = {o.split(".", 1)[0] for o in kinds or options}
    found = [
        (len(name), eid)
        for name, eid in entity_names(home, ACTIONABLE).items()
        if eid.split(".", 1)[0] in domains and re.search(rf"\b{re.escape(name)}\b", words)
    ]
    if not found:
        return []
    _, eid = max(found)
    return [] if eid in options else [eid]


def strip_article(text: str) -> str:
    return re.sub(r"^(the|my|our)\s+", "", text.strip(" .?!"), flags=re.I)


# what the grammar takes for a device's name when none was said: "turn that off", "turn off
# the, uh..."
DANGLING = frozenset({"it", "them", "that", "this", "those", "these", "the", "a", "an", "my"})


def lacks_device(result: VoiceResult, said: str) -> bool:
    """A request for "it" with nothing to point at ("turn it on", "close it", "turn that
    off"), or one that trailed off before its device ("turn off the...")."""
    match = result.match
    named = match.unmatched.get("name", "") if match is not None else ""
    if named.casefold().strip(" .,!?") in DANGLING:
        return True
    if not PRONOUN.search(said):
        return False
    error = result.answer.error
    if error == "no_intent":
        return ACTION_PATTERN.search(clean(said)) is not None
    return error in ("no_target", "unknown_device")


def device_answer(template: str, said: str, home: HomeVocabulary) -> str:
    """The request finished with the answer to "Which device?": a room said ("bathroom")
    means its lights for on and off, its curtains for open and close."""
    thing = strip_article(said)
    area = area_named(home, thing)
    if area is None:
        return template.format(thing)
    verb = template.split()[0] if template.split() else ""
    kind = "curtains" if verb in ("open", "close", "shut", "draw", "raise", "lower") else "lights"
    return template.format(f"the {kind} in the {area.name}")


def finish_template(said: str) -> str:
    """The request with a place for the device the next turn names."""
    if PRONOUN.search(said):
        return PRONOUN.sub("{}", said, count=1)
    trailed = re.sub(r"\b(?:the|a|an|my)[\s.,!?]*$", "{}", said.rstrip())
    return trailed if "{}" in trailed else f"{said.rstrip(' .,!?')} {{}}"


def action_of(match: IntentMatch) -> str | None:
    """The device action of a request, for asking which one: on, off, or the reader's."""
    if match.intent == "HassTurnOn":
        return "on"
    if match.intent == "HassTurnOff":
        return "off"
    action = match.slots.get("hub_action")
    return str(action) if action else None


def there_as_place(said: str, home: HomeVocabulary, last_ids: tuple[str, ...]) -> str:
    """ "Open the garage door and get the light on in there": "there" is the room of what the
    conversation last spoke of (a refused door too), never the speaker's own."""
    there = re.search(r"\b(?:in|out) there\b", said, re.I)
    if there is None or not last_ids:
        return said
    entity = next((e for e in home.entities if e.entity_id == last_ids[0]), None)
    room = home.area(entity.area_id) if entity is not None and entity.area_id else None
    if room is None:
        return said
    return f"{said[: there.start()]}in the {room.name}{said[there.end() :]}"
