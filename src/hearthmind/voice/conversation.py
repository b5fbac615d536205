"""Conversations, as Home Assistant's conversation API has them: a `conversation_id` ties the
turns of one exchange together, so a person can say "turn it off again" or "and the bedroom?"
after a request, answer the hub's "Which device?" or "Warmer or cooler?" with a word, and say
"undo" to put back what the last turn changed.

Nothing here adds words to the grammar. A turn that leans on the one before (its words are
read by followups.py) is rewritten into a whole request (the pronoun replaced by the last thing
acted on or asked about, the missing device put into the sentence that lacked it), or the last
request is done again with the new place, device or answer given. Two requests in one sentence
are done, or refused, each on its own. What the grammar does not match is read by
understanding.py (everyday words, relative and vague requests, everything off, help) before it
is put down to an unknown name; every sentence the grammar matched is matched as before, save
one covering said where there are several ("open the curtain"), which is asked about. A
conversation forgets after `IDLE_SECONDS` of silence on the hub's clock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from hearthmind.core import Origin, State

from .exclusions import split_spared, without_spared
from .followups import (
    PLURAL,
    action_of,
    again,
    answer,
    device_answer,
    finish_template,
    incomplete,
    lacks_device,
    match_elsewhere,
    names_only,
    one_said,
    only_a_device,
    place_of,
    there_as_place,
    value_of,
    with_name,
    with_particle,
    with_value,
)
from .handlers.adjust import hint
from .home import HomeVocabulary, normalize_name
from .intents import IntentMatch
from .learned import asking_template, remember, unknown_name
from .phrasing import plainly
from .pipeline import Rescorer, VoiceResult
from .places import area_named
from .request import Request
from .sentences import PRONOUN, corrected, requests_in, without_filler
from .targets import find_targets
from .turns import NotUnderstood, Question, Turn, VoiceAnswer
from .understanding import read
from .undo import Restore, restorations, snapshot, undo_offer
from .unsure import describe, unsure_guess
from .values import revalued, temperature_meant
from .words import ACK, ALL, ONE_COVERING, WHOLE_HOME, clean

if TYPE_CHECKING:
    from .pipeline import VoicePipeline

IDLE_SECONDS = 300.0  # a conversation forgets after five minutes of silence
MAX_CONVERSATIONS = 256  # the oldest are forgotten first beyond this
ASK_WHICH = "Which device do you mean?"
# grammar intents that "all the lights" widens to the whole home
WIDENED_BY_ALL = frozenset(
    {"HassTurnOn", "HassTurnOff", "HubLightStep", "HassLightSet", "HassClimateSetTemperature"}
)
# questions about a device: what they asked about is what "it" means next ("is the back door
# locked?" then "lock it then")
QUESTIONS = frozenset({"HassGetState", "HubGetSetting", "HassClimateGetTemperature"})


@dataclass(slots=True)
class ConversationState:
    id: str
    updated: float
    last_names: list[str] = field(default_factory=list)  # what the last request acted on
    last_ids: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()  # "them both": the last turn's and those it followed up
    last_match: IntentMatch | None = None
    last_request: Request | None = None  # the last request, when understanding.py read it
    pending: str | None = None  # a request that lacked its device: "turn {} on"
    learning: str | None = None  # the unknown name the answer to "Which device?" will teach
    question: Question | None = None  # the hub asked back: which one, warmer or cooler
    asked_request: Request | None = None  # the request behind that question, when read
    undo: list[Restore] = field(default_factory=list)  # what undoing the last change takes
    spared: str | None = None  # "but leave the countertop": this turn's device left alone
    rescore: Rescorer | None = None  # this turn's audio, to score snapped readings against


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
        from_speech: bool = False,
        rescore: Rescorer | None = None,
    ) -> ConversationTurn:
        """One turn. `from_speech`: the text is a transcript, which the pipeline may snap
        to the home's sentences (as `VoicePipeline.handle_text(from_speech=True)` does),
        scoring the candidates against the recording with `rescore` when there is one."""
        state = self._state(conversation_id)
        state.rescore = rescore
        said, state.spared = split_spared(corrected(without_filler(" ".join(text.split()))))
        parts = requests_in(said) if state.question is None and state.pending is None else []
        if len(parts) > 1:
            return await self._several(state, said, parts, user_id, area, from_speech)
        return await self._turn(state, parts[0] if parts else said, user_id, area, from_speech)

    async def _several(
        self,
        state: ConversationState,
        said: str,
        parts: list[str],
        user_id: str | None,
        area: str | None,
        from_speech: bool = False,
    ) -> ConversationTurn:
        """Two requests in one sentence: each done, or refused, on its own, and both answers
        said ("I don't open the Garage Door by voice alone. Turned on the Garage Light.")."""
        turns: list[ConversationTurn] = []
        undo: list[Restore] = []
        for part in parts:
            turn = await self._turn(state, part, user_id, area, from_speech)
            turns.append(turn)
            undo += state.undo if turn.result.answer.actions else []
        answers = [t.result.answer for t in turns]
        handled = any(a.handled for a in answers)
        last = turns[-1]
        joined = VoiceAnswer(
            " ".join(a.speech for a in answers),
            last.result.answer.intent,
            handled,
            [action for a in answers for action in a.actions],
            error=None if handled else last.result.answer.error,
            context=last.result.answer.context,
            question=last.result.answer.question,
        )
        state.undo = undo or state.undo
        result = VoiceResult(said, joined, last.result.match)
        return ConversationTurn(
            state.id, result, last.asked, " and ".join(t.said_as for t in turns)
        )

    async def _turn(
        self,
        state: ConversationState,
        said: str,
        user_id: str | None,
        area: str | None,
        from_speech: bool = False,
    ) -> ConversationTurn:
        hub = self.pipeline.hub
        home = HomeVocabulary.from_hub(hub, with_floors=True)
        before = snapshot(hub)
        unknown: str | None = None
        if state.question is not None:
            # the answer to "Which one?", "Warmer or cooler?" or "What temperature?"; a place
            # ("in the office") asks for the request there; anything else is a request
            question, asked_request = state.question, state.asked_request
            state.question, state.asked_request = None, None
            answered = answer(question, said, home)
            if answered is None and question.kind == "which":
                place = place_of(f"and {said}")
                if place is not None and area_named(home, place) is not None:
                    answered, asked_request = self._elsewhere(
                        asked_request, question.match, place, home, area
                    )
            if answered is not None:
                answered = with_value(answered, value_of(f"and {said}"))  # "the office one, 20"
                return await self._do(
                    state, answered, said, home, before, user_id, area, asked_request
                )
        if state.pending is not None:
            # the answer to "Which device?": a whole request of its own is taken as it is
            alone, _ = self.pipeline.understand(said, self.pipeline.home(), area=area)
            if (alone is None or alone.unmatched) and not ACK.match(clean(said)):
                said = device_answer(state.pending, said, home)
            state.pending = None
        elif (place := place_of(said, home, area)) is not None:
            redone, moved = self._elsewhere(state.last_request, state.last_match, place, home, area)
            if redone is not None and one_said(said):
                redone = self._one_of(redone, home, area)
            if redone is not None:
                redone = with_particle(with_value(redone, value_of(said)), said)
            if redone is not None:
                return await self._do(
                    state, redone, said, home, before, user_id, area, moved, follows=True
                )
            if only_a_device(said):
                # "the office one" with no request to redo: nothing to do, and nothing done
                result = VoiceResult(said, VoiceAnswer(ASK_WHICH, error="no_target"))
                return self._after(state, result, said, None, before)
            if state.last_match is not None and names_only(place):
                unknown = place  # "and the pantry", said so if nothing else reads it
        step = again(state.last_match, clean(said)) or revalued(state.last_match, said)
        if step is not None:
            return await self._do(
                state, step, said, home, before, user_id, area, state.last_request
            )
        plural = bool(PLURAL.search(said)) and len(state.group_ids) > 1
        said = there_as_place(said, home, state.last_ids)  # "the light on in there"
        if PRONOUN.search(said) and state.last_names and not ACK.match(clean(said)):
            said = with_name(said, state.last_names[0])
        readings: list[Request] = []
        match, understood_as = await asyncio.to_thread(
            self.pipeline.understand,
            said,
            self.pipeline.home(),
            area=area,
            from_speech=from_speech,
            rescore=state.rescore,
            reader=lambda text: self._read(text, home, area, state, readings),
        )
        if match is None and (guess := unsure_guess(self.pipeline, said, home, area)):
            asked_ = VoiceAnswer(
                f"Did you mean: {describe(guess)}?", question=Question("yes", guess)
            )
            return self._after(state, VoiceResult(said, asked_, None), said, None, before)
        if match is None:
            answer_ = self.pipeline.not_understood(said)
            ctx = self.pipeline.hub.context(Origin.VOICE)
            answer_.speech += f" {hint(Turn(IntentMatch('HubHelp'), home, ctx, None, area))}"
            if unknown is not None:
                answer_.speech = f"I don't know a room or device called {unknown}."
            result = VoiceResult(said, answer_, None, understood_as)
            return self._after(state, result, said, None, before)
        if match.intent not in self.pipeline.handler.supported_intents:
            # a grammar intent the hub does not do ("turn the volume up" is HA's relative
            # volume): the everyday reading may do it
            match = self._read(said, home, area, state, readings) or match
        match = self._one_of_several(match, said, home, area, readings)
        match = temperature_meant(match, said, home, area)
        match = self._adjusted(match, said, state, plural)
        if state.spared:
            context = self.pipeline.hub.context(Origin.VOICE)
            match = without_spared(match, state.spared, home, context, area)
        answered_ = await self.pipeline.handler.handle(match, home, user_id=user_id, area=area)
        if answered_.error == "no_target" and match.source == "grammar" and not answered_.actions:
            # the grammar's reading found nothing here ("open the shades" where the covers
            # are curtains): nothing was done, so the everyday reading may try
            second = self._read(said, home, area, state, readings)
            if second is not None and second.intent != "HubNoSuchDevice":
                match = second
                answered_ = await self.pipeline.handler.handle(
                    match, home, user_id=user_id, area=area
                )
        result = VoiceResult(said, answered_, match, understood_as)
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
        *,
        follows: bool = False,
    ) -> ConversationTurn:
        answered = await self.pipeline.handler.handle(match, home, user_id=user_id, area=area)
        result = VoiceResult(said, answered, match)
        return self._after(state, result, said, request, before, follows=follows)

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
        for plain in dict.fromkeys((cleaned, plainly(cleaned))):  # "what's it doing in X"
            if not plain or plain == normalize_name(text):
                continue
            match = self.pipeline.recognizer.recognize(
                plain, self.pipeline.home(), context_area=area, allow_unknown=False
            )
            if (
                match is not None
                and match.intent in self.pipeline.handler.supported_intents
                and self.pipeline.handler.has_target(match, home, area)
            ):
                return match
        request = read(text, home, area)
        if request is None:
            return None
        readings.append(request)
        return request.resolve(home, area, state.last_ids)

    def _one_of(self, match: IntentMatch, home: HomeVocabulary, area: str | None) -> IntentMatch:
        """A request for one device ("the one in the bedroom") that finds several: asked
        about, never done to all of them."""
        action = action_of(match)
        if action is None:
            return match  # a step or a setting: its handler asks about several itself
        turn = Turn(match, home, self.pipeline.hub.context(Origin.VOICE), None, area)
        try:
            found = find_targets(turn)
        except NotUnderstood:
            return match  # nothing there: the handler says so
        if len(found) < 2:
            return match
        ids = [e.entity_id for e in found]
        slots = {k: v for k, v in match.slots.items() if k not in ("area", "domain", "name")}
        slots.update(hub_entity_ids=ids, hub_ask_if_many=True, hub_action=action)
        return IntentMatch("HubDeviceAction", slots, source="reader")

    def _one_of_several(
        self,
        match: IntentMatch,
        said: str,
        home: HomeVocabulary,
        area: str | None,
        readings: list[Request],
    ) -> IntentMatch:
        """ "Open the curtain" where the room has two: the grammar opens every curtain of
        the room (Home Assistant's way); one was said, so which one is asked."""
        if (
            match.source != "grammar"
            or match.intent not in ("HassTurnOn", "HassTurnOff")
            or "name" in match.slots
            or not ONE_COVERING.search(clean(said))
        ):
            return match
        request = read(said, home, area)
        if request is None or not request.one:
            return match
        readings.append(request)
        return request.resolve(home, area)

    def _adjusted(
        self, match: IntentMatch, said: str, state: ConversationState, plural: bool = False
    ) -> IntentMatch:
        """A match as this conversation means it: "undo" undoes the last turn here (the
        agent's own undo when this conversation changed nothing); "them" is all the last
        turn acted on, not its first; "all the lights" (or "the lights in the house") with
        no place said means the home's, not the speaker's room's."""
        if match.intent == "HubUndo" and state.undo:
            return IntentMatch("HubUndoTurn", {"hub_restore": list(state.undo)}, source="reader")
        first = state.last_ids[0] if state.last_ids else None
        if plural and (
            match.slots.get("name") == state.last_names[0]
            or match.slots.get("hub_entity_ids") == [first]
        ):
            slots = {k: v for k, v in match.slots.items() if k not in ("name", "area")}
            return replace(match, slots={**slots, "hub_entity_ids": list(state.group_ids)})
        spoken = match.spoken_slots
        if (
            match.intent in WIDENED_BY_ALL
            and (ALL.search(said.casefold()) or WHOLE_HOME.search(clean(said)))
            and not any(k in spoken for k in ("area", "floor", "name"))
        ):
            context = match.context_slots - {"area"}
            slots = {k: v for k, v in match.slots.items() if k != "area"}
            return replace(match, slots={**slots, "hub_scope": "home"}, context_slots=context)
        return match

    def _elsewhere(
        self,
        request: Request | None,
        last: IntentMatch | None,
        place: str,
        home: HomeVocabulary,
        area: str | None,
    ) -> tuple[IntentMatch | None, Request | None]:
        """A request again in another place or on another device ("and the bedroom?", "the
        garage too"), of the same kind: after "turn off the kitchen switch", "and the
        bedroom one" is the bedroom's switch, never everything in the bedroom."""
        if request is not None:
            moved = request.elsewhere(home, place)
            if moved is None:
                return None, None
            return moved.resolve(home, area), moved
        return (match_elsewhere(last, place, home) if last is not None else None), None

    def _after(
        self,
        state: ConversationState,
        result: VoiceResult,
        said: str,
        request: Request | None,
        before: dict[str, State],
        *,
        follows: bool = False,
    ) -> ConversationTurn:
        answered = result.answer
        match = result.match
        asked, teach, state.learning = False, state.learning, None
        if teach and answered.actions:
            home = self.pipeline.home()
            answered.speech += remember(self.pipeline.hub, teach, answered.actions, home)
        if answered.actions:
            state.undo = restorations(before, answered.actions, self.pipeline.hub)
            offer = undo_offer(match)
            if offer and state.undo and match is not None and match.intent != "HubUndoTurn":
                answered.speech = f"{answered.speech} {offer}"
        refused = answered.error == "needs_confirmation"  # "unlock it" refused: it is still it
        if (answered.handled or refused) and (answered.actions or self._subjects(match, refused)):
            # what "it" means next: what was acted on, or the device a question was about
            ids = [e for a in answered.actions for e in a.entity_ids] or self._subjects(
                match, refused
            )
            state.group_ids = tuple(dict.fromkeys((*state.group_ids, *ids) if follows else ids))
            state.last_names = [self._name(e) for e in ids]
            state.last_ids = tuple(ids)
        if answered.handled and match is not None:
            state.last_match = match
            state.last_request = request if match.source == "reader" else None
        elif answered.question is not None:
            state.question = answered.question
            state.asked_request = request
            asked = True
        elif (template := self._to_finish(result, said)) is not None:
            # "turn it on" with nothing to point at, or "turn on" alone: ask, and take the
            # answer as the device
            state.pending, answered.speech, asked = template, ASK_WHICH, True
        elif (template := asking_template(result, said)) is not None:
            # a name the home lacks ("the big light"): asked about, and learned from the answer
            state.pending, state.learning, asked = template, unknown_name(result), True
            answered.speech = f"{answered.speech} {ASK_WHICH}"
        return ConversationTurn(state.id, result, asked, said)

    def _to_finish(self, result: VoiceResult, said: str) -> str | None:
        """The request to finish with the next turn's device, when this one named none."""
        if lacks_device(result, said):
            return finish_template(said)
        if result.answer.handled or result.answer.error not in (
            "no_intent", "unknown_device", "no_target",
        ):  # fmt: skip
            return None
        return incomplete(clean(said))

    def _subjects(self, match: IntentMatch | None, refused: bool = False) -> list[str]:
        """The devices a question asked about ("is the back door locked?", "are the curtains
        in here open?"), which "it" or "them" mean next."""
        if match is None or (match.intent not in QUESTIONS and not refused):
            return []
        ids = list(match.slots.get("hub_entity_ids") or [])
        home = self.pipeline.home()
        if not ids and match.slots.get("name"):
            ids = [e.entity_id for e in home.find_entities(name=str(match.slots["name"]))]
        if not ids and match.intent == "HassClimateGetTemperature" and match.slots.get("area"):
            room = home.area(str(match.slots["area"]))  # "what temperature is it in the office?"
            ids = [e.entity_id for e in home.entities if e.domain == "climate" and room
                   and e.area_id == room.id]  # fmt: skip
        return ids

    def _name(self, entity_id: str) -> str:
        state = self.pipeline.hub.states.get(entity_id)
        return state.name if state is not None else entity_id


__all__ = ["ConversationState", "ConversationTurn", "Conversations", "VoiceAnswer"]
