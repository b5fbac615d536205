"""What an intent recogniser returns, and the protocol every recogniser follows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from hearthmind.voice.home import HomeVocabulary


@dataclass(frozen=True, slots=True)
class IntentMatch:
    """An intent with its slots, e.g. HassTurnOn {area: Kitchen, domain: light}."""

    intent: str
    slots: dict[str, Any] = field(default_factory=dict)
    # slots filled from the situation (the satellite's area), not from the words spoken
    context_slots: frozenset[str] = frozenset()
    # names the person said that the home does not know: slot -> the words
    unmatched: dict[str, str] = field(default_factory=dict)
    response_key: str | None = None
    source: str = "grammar"  # "grammar" or "classifier"
    confidence: float = 1.0
    text: str = ""

    @property
    def spoken_slots(self) -> dict[str, Any]:
        return {k: v for k, v in self.slots.items() if k not in self.context_slots}


@runtime_checkable
class IntentRecognizer(Protocol):
    def recognize(
        self, text: str, home: HomeVocabulary, *, context_area: str | None = None
    ) -> IntentMatch | None:
        """The best intent for `text` in this home, or None when nothing fits."""
        ...
