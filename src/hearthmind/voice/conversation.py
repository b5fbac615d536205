"""Conversations, as Home Assistant's conversation API has them: a `conversation_id` ties the
turns of one exchange together, so a person can say "turn it off again" or "and the bedroom?"
after a request, and answer the hub's "Which device?" with just "the kitchen light".

Nothing here adds words to the grammar: a turn that leans on the one before is rewritten into
a whole request (the pronoun replaced by the last thing acted on, the missing device put into
the sentence that lacked it) or, for "and the bedroom?", the last intent is done again with the
new place. A conversation forgets after `IDLE_SECONDS` of silence on the hub's clock."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .intents import IntentMatch
from .pipeline import VoiceResult

if TYPE_CHECKING:
    from .pipeline import VoicePipeline

IDLE_SECONDS = 300.0  # a conversation forgets after five minutes of silence
MAX_CONVERSATIONS = 256  # the oldest are forgotten first beyond this
PRONOUN = re.compile(r"\b(it|them|that one|this one)\b", re.I)
AGAIN = re.compile(r"\s+(again|too|as well)\b", re.I)
FOLLOW_UP = re.compile(
    r"^\s*(and|what about|how about|now)\s+(?:in\s+|on\s+)?(?:the\s+)?(.+?)[\s?.!]*$", re.I
)
ASK_WHICH = "Which device do you mean?"


@dataclass(slots=True)
class ConversationState:
    id: str
    updated: float
    last_names: list[str] = field(default_factory=list)  # what the last request acted on
    last_match: IntentMatch | None = None
    pending: str | None = None  # a request that lacked its device: "turn {} on"


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
        home = self.pipeline.home()
        if state.pending is not None:
            # the answer to "Which device?": a whole request of its own is taken as it is
            alone, _ = self.pipeline.understand(said, home, area=area)
            if alone is None or alone.unmatched:
                said = state.pending.format(_strip(said))
            state.pending = None
        elif state.last_match is not None and (follow := FOLLOW_UP.match(said)):
            redone = self._again_elsewhere(state.last_match, follow.group(2), home)
            if redone is not None:
                answer = await self.pipeline.handler.handle(
                    redone, home, user_id=user_id, area=area
                )
                result = VoiceResult(said, answer, redone)
                return self._after(state, result, said)
        if PRONOUN.search(said) and state.last_names:
            said = AGAIN.sub("", PRONOUN.sub(state.last_names[0], said, count=1))
        result = await self.pipeline.handle_text(said, user_id=user_id, area=area)
        return self._after(state, result, said)

    def _again_elsewhere(self, last: IntentMatch, place: str, home: object) -> IntentMatch | None:
        """The last intent with a new area (or device): "and the bedroom?"."""
        from .home import HomeVocabulary

        assert isinstance(home, HomeVocabulary)
        area = home.area(place)
        if area is not None:
            slots = {k: v for k, v in last.slots.items() if k != "name"}
            return replace(last, slots={**slots, "area": area.name}, context_slots=frozenset())
        found = home.find_entities(name=place)
        if found:
            slots = {k: v for k, v in last.slots.items() if k not in ("area", "name")}
            return replace(last, slots={**slots, "name": found[0].name}, context_slots=frozenset())
        return None

    def _after(self, state: ConversationState, result: VoiceResult, said: str) -> ConversationTurn:
        answer = result.answer
        asked = False
        if answer.handled and answer.actions:
            names = [self._name(e) for a in answer.actions for e in a.entity_ids]
            state.last_names = names
            state.last_match = result.match
        elif result.match is not None and answer.handled:
            state.last_match = result.match
        elif _lacks_device(result, said):
            # "turn it on" with nothing to point at: ask, and take the answer as the device
            state.pending = PRONOUN.sub("{}", said, count=1) if PRONOUN.search(said) else None
            if state.pending is not None:
                answer.speech = ASK_WHICH
                asked = True
        return ConversationTurn(state.id, result, asked, said)

    def _name(self, entity_id: str) -> str:
        state = self.pipeline.hub.states.get(entity_id)
        return state.name if state is not None else entity_id


def _strip(text: str) -> str:
    return re.sub(r"^(the|my|our)\s+", "", text.strip(" .?!"), flags=re.I)


def _lacks_device(result: VoiceResult, said: str) -> bool:
    match = result.match
    if match is not None and match.unmatched.get("name", "").casefold() in ("it", "them"):
        return True
    return result.answer.error in ("no_target", "unknown_device") and bool(PRONOUN.search(said))
