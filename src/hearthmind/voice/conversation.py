"""Conversations, as Home Assistant's conversation API has them: a `conversation_id` ties the
turns of one exchange together, so a person can say "turn it off again" or "and the bedroom?"
after a request, answer the hub's "Which device?" or "Warmer or cooler?" with a word, and say
"undo" to put back what the last turn changed.

Nothing here adds words to the grammar. A turn that leans on the one before is rewritten into
a whole request (the pronoun replaced by the last thing acted on, the missing device put into
the sentence that lacked it), or the last request is done again with the new place or the
answer given. What the grammar does not match is read by understanding.py (everyday words,
relative and vague requests, everything off, help) before it is put down to an unknown name;
every sentence the grammar matched is matched as before. A conversation forgets after
`IDLE_SECONDS` of silence on the hub's clock."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from hearthmind.core import Origin, State

from .handlers.adjust import abilities, example
from .home import HomeVocabulary, normalize_name
from .intents import IntentMatch
from .pipeline import VoiceResult
from .request import Request
from .turns import Question, Turn, VoiceAnswer
from .understanding import ACTION_PATTERN, read
from .undo import Restore, restorations, snapshot
from .words import ALL, BOTH, DOWN_ANSWER, ORDINALS, UP_ANSWER, clean

if TYPE_CHECKING:
    from .pipeline import VoicePipeline

IDLE_SECONDS = 300.0  # a conversation forgets after five minutes of silence
MAX_CONVERSATIONS = 256  # the oldest are forgotten first beyond this
PRONOUN = re.compile(r"\b(it|them|that one|this one)\b(?!')", re.I)
AGAIN = re.compile(r"\s+(again|too|as well)\b", re.I)
FOLLOW_UP = re.compile(
    r"^\s*(and|what about|how about|now)\s+(?:in\s+|on\s+)?(?:the\s+)?(.+?)"
    r"(?:,?\s+(?:too|as well|also|please))*[\s?.!]*$",
    re.I,
)
PLURAL = re.compile(r"\b(them|those|these|they)\b", re.I)
# "a bit more" after a step: the same step again; "less": the other way
MORE = re.compile(r"^(?:(?:a )?(?:little |bit |tiny bit )?more|even more|again|more please)$")
LESS = re.compile(r"^(?:(?:a )?(?:little |bit )?less|not so much|too much)$")
STEPS = frozenset({"HubClimateStep", "HubLightStep", "HubVolumeStep"})
ASK_WHICH = "Which device do you mean?"
# grammar intents that "all the lights" widens to the whole home
WIDENED_BY_ALL = frozenset({"HassTurnOn", "HassTurnOff", "HubLightStep", "HassLightSet"})
# the way back, offered after a change a person may want to take back at once
UNDO_OFFER = {
    ("HubClimateStep", "up"): "Say 'undo' if that's too warm.",
    ("HubClimateStep", "down"): "Say 'undo' if that's too cool.",
    ("HubLightStep", "up"): "Say 'undo' to put the lights back.",
    ("HubLightStep", "down"): "Say 'undo' to put the lights back.",
    ("HubVolumeStep", "up"): "Say 'undo' to put the volume back.",
    ("HubVolumeStep", "down"): "Say 'undo' to put the volume back.",
    ("HubEverythingOff", None): "Say 'undo' to turn them back on.",
}


@dataclass(slots=True)
class ConversationState:
    id: str
    updated: float
    last_names: list[str] = field(default_factory=list)  # what the last request acted on
    last_ids: tuple[str, ...] = ()
    last_match: IntentMatch | None = None
    last_request: Request | None = None  # the last request, when understanding.py read it
    pending: str | None = None  # a request that lacked its device: "turn {} on"
    question: Question | None = None  # the hub asked back: which one, warmer or cooler
    asked_request: Request | None = None  # the request behind that question, when read
    undo: list[Restore] = field(default_factory=list)  # what undoing the last change takes


@dataclass(frozen=True, slots=True)
class ConversationTurn:
    conversation_id: str
    result: VoiceResult
    asked: bool  # the hub asked a question and waits for the answer
    said_as: str  # the request as the hub read it, after filling in from the conversation


class Conversations:
    def __init__(self, pipeline: VoicePipeline) -> None:
        self.pipeline = pipeline
        self._states: dict[str, ConversationState] = {}

    def _state(self, conversation_id: str | None) -> ConversationState:
        now = self.pipeline.hub.clock.timestamp()
        for cid in [c for c, s in self._states.items() if now - s.updated > IDLE_SECONDS]:
            del self._states[cid]
        state = self._states.get(conversation_id or "")
        if state is None:
            cid = conversation_id or self.pipeline.hub.contexts.new_id()
            state = ConversationState(cid, now)
            self._states[cid] = state
            while len(self._states) > MAX_CONVERSATIONS:
                del self._states[next(iter(self._states))]
        state.updated = now
        return state

    async def process(
        self,
        text: str,
        conversation_id: str | None = None,
        *,
        user_id: str | None = None,
        area: str | None = None,
    ) -> ConversationTurn:
        state = self._state(conversation_id)
        said = " ".join(text.split())
        hub = self.pipeline.hub
        home = HomeVocabulary.from_hub(hub, with_floors=True)
        before = snapshot(hub)
        if state.question is not None:
            # the answer to "Which one?" or "Warmer or cooler?"; anything else is a request
            answered = _answer(state.question, said, home)
            asked_request, state.question, state.asked_request = state.asked_request, None, None
            if answered is not None:
                return await self._do(
                    state, answered, said, home, before, user_id, area, asked_request
                )
        if state.pending is not None:
            # the answer to "Which device?": a whole request of its own is taken as it is
            alone, _ = self.pipeline.understand(said, self.pipeline.home(), area=area)
            if alone is None or alone.unmatched:
                said = state.pending.format(_strip(said))
            state.pending = None
        elif follow := FOLLOW_UP.match(said):
            redone, moved = self._again_elsewhere(state, follow.group(2), home, area)
            if redone is not None:
                return await self._do(state, redone, said, home, before, user_id, area, moved)
        step = _again(state.last_match, clean(said))
        if step is not None:
            return await self._do(
                state, step, said, home, before, user_id, area, state.last_request
            )
        plural = bool(PLURAL.search(said)) and len(state.last_ids) > 1
        if PRONOUN.search(said) and state.last_names:
            said = AGAIN.sub("", PRONOUN.sub(state.last_names[0], said, count=1))
        readings: list[Request] = []
        match, understood_as = await asyncio.to_thread(
            self.pipeline.understand,
            said,
            self.pipeline.home(),
            area=area,
            reader=lambda text: self._read(text, home, area, state, readings),
        )
        if match is None:
            answer = self.pipeline.not_understood(said)
            answer.speech += f" {self._hint(home, area)}"
            result = VoiceResult(said, answer, None, understood_as)
            return self._after(state, result, said, None, before)
        if match.intent not in self.pipeline.handler.supported_intents:
            # a grammar intent the hub does not do ("turn the volume up" is HA's relative
            # volume): the everyday reading may do it
            match = self._read(said, home, area, state, readings) or match
        match = self._adjusted(match, said, state, plural)
        answer = await self.pipeline.handler.handle(match, home, user_id=user_id, area=area)
        if answer.error == "no_target" and match.source == "grammar" and not answer.actions:
            # the grammar's reading found nothing here ("open the shades" where the covers
            # are curtains): nothing was done, so the everyday reading may try
            again = self._read(said, home, area, state, readings)
            if again is not None and again.intent != "HubNoSuchDevice":
                match = again
                answer = await self.pipeline.handler.handle(match, home, user_id=user_id, area=area)
        result = VoiceResult(said, answer, match, understood_as)
        return self._after(state, result, said, readings[-1] if readings else None, before)

    async def _do(
        self,
        state: ConversationState,
        match: IntentMatch,
        said: str,
        home: HomeVocabulary,
        before: dict[str, State],
        user_id: str | None,
        area: str | None,
        request: Request | None = None,
    ) -> ConversationTurn:
        answer = await self.pipeline.handler.handle(match, home, user_id=user_id, area=area)
        result = VoiceResult(said, answer, match)
        return self._after(state, result, said, request, before)

    def _read(
        self,
        text: str,
        home: HomeVocabulary,
        area: str | None,
        state: ConversationState,
        readings: list[Request],
    ) -> IntentMatch | None:
        """What the grammar did not match: first the sentence without its framing ("could
        you please ...") through the grammar again, then understanding.py's reading."""
        cleaned = clean(text)
        if cleaned and cleaned != normalize_name(text):
            match = self.pipeline.recognizer.recognize(
                cleaned, self.pipeline.home(), context_area=area, allow_unknown=False
            )
            if match is not None and self.pipeline.handler.has_target(match, home, area):
                return match
        request = read(text, home, area)
        if request is None:
            return None
        readings.append(request)
        return request.resolve(home, area, state.last_ids)

    def _adjusted(
        self, match: IntentMatch, said: str, state: ConversationState, plural: bool = False
    ) -> IntentMatch:
        """A match as this conversation means it: "undo" undoes the last turn here (the
        agent's own undo when this conversation changed nothing); "them" is all the last
        turn acted on, not its first; "all the lights" with no place said means the
        home's, not the speaker's room's."""
        if match.intent == "HubUndo" and state.undo:
            return IntentMatch("HubUndoTurn", {"hub_restore": list(state.undo)}, source="reader")
        first = state.last_ids[0] if state.last_ids else None
        if plural and (
            match.slots.get("name") == state.last_names[0]
            or match.slots.get("hub_entity_ids") == [first]
        ):
            slots = {k: v for k, v in match.slots.items() if k not in ("name", "area")}
            return replace(match, slots={**slots, "hub_entity_ids": list(state.last_ids)})
        spoken = match.spoken_slots
        if (
            match.intent in WIDENED_BY_ALL
            and ALL.search(said.casefold())
            and not any(k in spoken for k in ("area", "floor", "name"))
        ):
            context = match.context_slots - {"area"}
            slots = {k: v for k, v in match.slots.items() if k != "area"}
            return replace(match, slots={**slots, "hub_scope": "home"}, context_slots=context)
        return match

    def _again_elsewhere(
        self, state: ConversationState, place: str, home: HomeVocabulary, area: str | None
    ) -> tuple[IntentMatch | None, Request | None]:
        """The last request with a new area (or device): "and the bedroom?"."""
        if state.last_request is not None:
            moved = state.last_request.elsewhere(home, place)
            if moved is None:
                return None, None
            return moved.resolve(home, area, state.last_ids), moved
        last = state.last_match
        if last is None:
            return None, None
        slots = {k: v for k, v in last.slots.items() if k != "hub_scope"}
        found_area = home.area(place)
        if found_area is not None:
            slots = {k: v for k, v in slots.items() if k != "name"}
            moved_to = {**slots, "area": found_area.name}
            return replace(last, slots=moved_to, context_slots=frozenset()), None
        found = home.find_entities(name=place)
        if found:
            slots = {k: v for k, v in slots.items() if k != "area"}
            moved_to = {**slots, "name": found[0].name}
            return replace(last, slots=moved_to, context_slots=frozenset()), None
        return None, None

    def _after(
        self,
        state: ConversationState,
        result: VoiceResult,
        said: str,
        request: Request | None,
        before: dict[str, State],
    ) -> ConversationTurn:
        answer = result.answer
        match = result.match
        asked = False
        if answer.actions:
            state.undo = restorations(before, answer.actions, self.pipeline.hub)
            offer = _undo_offer(match)
            if offer and state.undo and match is not None and match.intent != "HubUndoTurn":
                answer.speech = f"{answer.speech} {offer}"
        if answer.handled and answer.actions:
            ids = [e for a in answer.actions for e in a.entity_ids]
            state.last_names = [self._name(e) for e in ids]
            state.last_ids = tuple(ids)
            state.last_match = match
            state.last_request = request if match is not None and match.source == "reader" else None
        elif match is not None and answer.handled:
            state.last_match = match
            state.last_request = request if match.source == "reader" else None
        elif answer.question is not None:
            state.question = answer.question
            state.asked_request = request
            asked = True
        elif _lacks_device(result, said):
            # "turn it on" with nothing to point at: ask, and take the answer as the device
            state.pending = PRONOUN.sub("{}", said, count=1)
            answer.speech = ASK_WHICH
            asked = True
        return ConversationTurn(state.id, result, asked, said)

    def _hint(self, home: HomeVocabulary, area: str | None) -> str:
        """What to try instead, after a request no reading matched."""
        turn = Turn(
            IntentMatch("HubHelp"), home, self.pipeline.hub.context(Origin.VOICE), None, area
        )
        can = ", ".join(abilities(turn, most=2) or ["turn things on and off"])
        return f"I can {can} and more. Try '{example(turn)}', or ask 'what can you do?'"

    def _name(self, entity_id: str) -> str:
        state = self.pipeline.hub.states.get(entity_id)
        return state.name if state is not None else entity_id


def _again(last: IntentMatch | None, words: str) -> IntentMatch | None:
    """ "A bit more" (or "less") after a step: the step again, the same way or the other."""
    if last is None or last.intent not in STEPS or not (MORE.match(words) or LESS.match(words)):
        return None
    direction = last.slots.get("direction")
    if LESS.match(words):
        direction = {"up": "down", "down": "up"}.get(str(direction), direction)
    return replace(last, slots={**last.slots, "direction": direction})


def _undo_offer(match: IntentMatch | None) -> str | None:
    if match is None:
        return None
    direction = match.slots.get("direction") if match.intent != "HubEverythingOff" else None
    return UNDO_OFFER.get((match.intent, direction))


def _answer(question: Question, said: str, home: HomeVocabulary) -> IntentMatch | None:
    """The asked-back request finished with the answer, or None when it is no answer."""
    words = clean(said)
    slots = dict(question.match.slots)
    if question.kind == "direction":
        up, down = UP_ANSWER.search(words), DOWN_ANSWER.search(words)
        if bool(up) == bool(down):
            return None
        amount = re.search(r"\b(\d+(?:\.\d+)?)\b", words)
        slots["direction"] = "up" if up else "down"
        if amount is not None:
            slots["hub_amount"] = float(amount.group(1))
        return replace(question.match, slots=slots)
    options = list(question.options)
    by_id = {e.entity_id: e for e in home.entities}
    chosen = [
        eid
        for eid in options
        if eid in by_id
        and any(re.search(rf"\b{re.escape(normalize_name(n))}\b", words) for n in by_id[eid].names)
    ]
    if not chosen:
        # part of a name, when it tells the options apart: "the radiator" for "Den Radiator"
        short = re.sub(r"\b(the|a|an|one|please|my|our)\b", " ", words).split()
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
                chosen = [options[index]] if -len(options) <= index < len(options) else []
                break
    if not chosen and BOTH.search(words) and not ACTION_PATTERN.search(words):
        chosen = options
        slots["hub_each"] = True
    if not chosen:
        return None
    slots["hub_entity_ids"] = chosen
    return replace(question.match, slots=slots)


def _strip(text: str) -> str:
    return re.sub(r"^(the|my|our)\s+", "", text.strip(" .?!"), flags=re.I)


def _lacks_device(result: VoiceResult, said: str) -> bool:
    """A request for "it" with nothing to point at ("turn it on", "close it")."""
    if not PRONOUN.search(said):
        return False
    match = result.match
    if match is not None and match.unmatched.get("name", "").casefold() in ("it", "them"):
        return True
    error = result.answer.error
    if error == "no_intent":
        return ACTION_PATTERN.search(clean(said)) is not None
    return error in ("no_target", "unknown_device")


__all__ = ["ConversationState", "ConversationTurn", "Conversations", "VoiceAnswer"]
