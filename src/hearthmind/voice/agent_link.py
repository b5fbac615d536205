"""What voice knows of the agent, from the bus alone: the suggestions still waiting for an
answer, and the agent's last actions with their explanations. Voice imports nothing of the
agent; it goes by the names of the bus contract (hearthmind.agent.events), copied here, as the
simulator does, and acts through the agent's services (`agent.answer`, `agent.undo`,
`agent.forbid`), so an answer said aloud is the same answer as one tapped in the app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hearthmind.core import Event, Hub

from .answers import the

# hearthmind.agent.events: the event types and the agent's service domain and names
EVENT_AGENT_ACTION = "agent_action"
EVENT_AGENT_SUGGESTION = "agent_suggestion"
EVENT_SUGGESTION_ANSWERED = "agent_suggestion_answered"
AGENT_DOMAIN = "agent"
SERVICE_ANSWER = "answer"
SERVICE_UNDO = "undo"
SERVICE_FORBID = "forbid"
KEEP = 20  # recent actions remembered, for "why did you do that" and "undo that"
# the agent's question, as the hub would say it: text (and its audio's length when spoken)
EVENT_VOICE_PROMPT = "voice_prompt"
Speaker = Callable[[str], Awaitable[Any]]  # VoicePipeline.speak: text -> an AudioClip or None


@dataclass(frozen=True, slots=True)
class PendingSuggestion:
    suggestion_id: str
    routine_id: str
    person: str | None
    entity_id: str
    service: str
    explanation: str
    expires: float
    asked_at: float

    def prompt(self, name: str) -> str:
        """The question as spoken: what ("open", not "open cover"), then the agent's why."""
        domain, _, verb = self.service.partition(".")
        what = " ".join(w for w in verb.split("_") if w != domain)
        return f"Shall I {what} {the(name)}? {self.explanation}".strip()


@dataclass(frozen=True, slots=True)
class AgentAction:
    action_id: str
    routine_id: str
    person: str | None
    entity_id: str
    explanation: str
    context_id: str | None
    at: float


class AgentLink:
    """Listens for the agent's suggestions and actions on the hub's bus."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.pending: dict[str, PendingSuggestion] = {}
        self.actions: list[AgentAction] = []
        self.speak: Speaker | None = None  # set by the pipeline that has a voice
        self._unsubs: list[Callable[[], None]] = [
            hub.bus.async_listen(EVENT_AGENT_SUGGESTION, self._on_suggestion),
            hub.bus.async_listen(EVENT_SUGGESTION_ANSWERED, self._on_answered),
            hub.bus.async_listen(EVENT_AGENT_ACTION, self._on_action),
        ]

    def close(self) -> None:
        for unsub in self._unsubs:
            unsub()
        self._unsubs = []

    @property
    def has_agent(self) -> bool:
        return self.hub.services.has_service(AGENT_DOMAIN, SERVICE_ANSWER)

    def _bad(self, kind: str, data: Mapping[str, Any], err: Exception) -> None:
        message = f"an {kind} event voice cannot read ({err!r}): {dict(data)!r}"[:300]
        self.hub.health.problem("voice_agent_event_invalid", message, self.hub.clock.timestamp())

    def _on_suggestion(self, event: Event[Any]) -> None:
        data = event.data
        try:
            suggestion = PendingSuggestion(
                str(data["suggestion_id"]),
                str(data.get("routine_id", "")),
                None if data.get("person") is None else str(data["person"]),
                str(data["entity_id"]),
                str(data["service"]),
                str(data.get("explanation", "")),
                float(data["expires"]),
                event.time_fired,
            )
        except (KeyError, TypeError, ValueError) as err:
            self._bad(EVENT_AGENT_SUGGESTION, data, err)
            return
        self.pending[suggestion.suggestion_id] = suggestion
        self.hub.async_create_task(self._ask(suggestion, event))

    async def _ask(self, suggestion: PendingSuggestion, event: Event[Any]) -> None:
        """Say the question: its text on the bus (`voice_prompt`), spoken when there is a
        voice; a voice that fails is counted, and the question stays open all the same."""
        state = self.hub.states.get(suggestion.entity_id)
        text = suggestion.prompt(state.name if state is not None else suggestion.entity_id)
        seconds = None
        if self.speak is not None:
            try:
                clip = await self.speak(text)
                seconds = getattr(clip, "seconds", None)
            except Exception as err:  # a voice that fails must not lose the question
                self.hub.health.problem(
                    "voice_prompt_failed", f"could not speak {text!r}: {err!r}", event.time_fired
                )
        self.hub.bus.async_fire(
            EVENT_VOICE_PROMPT,
            {
                "suggestion_id": suggestion.suggestion_id,
                "person": suggestion.person,
                "text": text,
                "audio_seconds": seconds,
            },
            event.context,
        )

    def _on_answered(self, event: Event[Any]) -> None:
        self.pending.pop(str(event.data.get("suggestion_id", "")), None)

    def _on_action(self, event: Event[Any]) -> None:
        data = event.data
        try:
            action = AgentAction(
                str(data["action_id"]),
                str(data.get("routine_id", "")),
                None if data.get("person") is None else str(data["person"]),
                str(data["entity_id"]),
                str(data.get("explanation", "")),
                event.context.id if event.context is not None else None,
                event.time_fired,
            )
        except (KeyError, TypeError, ValueError) as err:
            self._bad(EVENT_AGENT_ACTION, data, err)
            return
        self.actions = [*self.actions[-(KEEP - 1) :], action]

    def waiting_for(self, user_id: str | None) -> PendingSuggestion | None:
        """The newest suggestion still open for this person (or for anyone at home)."""
        now = self.hub.clock.timestamp()
        for sid, suggestion in list(self.pending.items()):
            if suggestion.expires <= now:
                del self.pending[sid]
        mine = [
            s
            for s in self.pending.values()
            if user_id is None or s.person is None or s.person == user_id
        ]
        return max(mine, key=lambda s: s.asked_at) if mine else None

    def last_action(self, user_id: str | None) -> AgentAction | None:
        for action in reversed(self.actions):
            if user_id is None or action.person is None or action.person == user_id:
                return action
        return None

    def explanation_for(self, context_id: str) -> str | None:
        for action in reversed(self.actions):
            if action.context_id == context_id:
                return action.explanation
        return None
