"""What one spoken request is while it is handled (a `Turn`), and what comes of it: the
service calls made (`ServiceAction`) and the answer (`VoiceAnswer`); `NotUnderstood` carries a
spoken answer for a request that cannot be done as said."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from hearthmind.core import Context

from .home import HomeVocabulary
from .intents import IntentMatch


@dataclass(frozen=True, slots=True)
class ServiceAction:
    domain: str
    service: str
    entity_ids: tuple[str, ...]
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Question:
    """What the hub asked back before acting, and the request it will finish with the answer:
    `which` (one of `options`, entity ids), `direction` (up or down), `value` (a number:
    "What temperature should I set the Office Thermostat to?") or `yes` (a guess to confirm:
    "Did you mean: turn on the lights?")."""

    kind: str
    match: IntentMatch
    options: tuple[str, ...] = ()


@dataclass(slots=True)
class VoiceAnswer:
    speech: str
    intent: str | None = None
    handled: bool = False  # the hub did, or answered, what was asked
    actions: list[ServiceAction] = field(default_factory=list)
    error: str | None = None  # "no_intent", "unknown_device", "unsupported", "failed", ...
    context: Context | None = None
    question: Question | None = None  # asked back; the next turn of a conversation answers


class NotUnderstood(Exception):
    """A target the home does not have; the message is the spoken answer."""

    def __init__(self, speech: str, error: str = "unknown_device") -> None:
        super().__init__(speech)
        self.speech = speech
        self.error = error


class AskBack(NotUnderstood):
    """Nothing done yet: the request needs one more thing (which device, which way)."""

    def __init__(self, speech: str, question: Question) -> None:
        super().__init__(speech, "question")
        self.question = question


Handler = Callable[["Turn"], Awaitable[VoiceAnswer]]


@dataclass(slots=True)
class Turn:
    """One request being handled: the intent, who asked, where, and the home as known now."""

    match: IntentMatch
    home: HomeVocabulary
    context: Context
    user_id: str | None
    area: str | None

    def slot(self, name: str) -> Any:
        return self.match.slots.get(name)
