"""A guess the hub is not sure enough to act on is asked about (issue 25: "below its
confidence it asks instead of acting"): "Did you mean: turn on the lights?"; a yes does it, a
no does nothing; a guess sure enough is acted on as before, and without a fallback nothing is
asked."""

from __future__ import annotations

from typing import Any

from hearthmind.voice.home import HomeVocabulary
from hearthmind.voice.intents import FallbackIntentClassifier, IntentMatch
from hearthmind.voice.unsure import describe

from .conversing import Talk


class _Guessing(FallbackIntentClassifier):
    """A fallback whose guesses and confidences are given, so the gate is what is tested."""

    def __init__(self, confidence: float) -> None:
        super().__init__()
        self.confidence = confidence

    @property
    def trained(self) -> bool:
        return True

    def recognize(
        self, text: str, home: HomeVocabulary, *, context_area: str | None = None
    ) -> IntentMatch | None:
        if "banish" not in text:
            return None
        slots: dict[str, Any] = {"domain": "light"}
        return IntentMatch("HassTurnOn", slots, source="classifier", confidence=self.confidence)


async def test_an_unsure_guess_is_asked_about_and_done_on_yes(talk: Talk) -> None:
    talk.talk.pipeline.fallback = _Guessing(0.45)
    asked = await talk.say("banish the gloom")
    assert asked.asked and talk.made() == []
    assert asked.result.speech == "Did you mean: turn on the lights?"
    await talk.say("yes please")
    assert talk.made() == [("light.turn_on", "light.reading"), ("light.turn_on", "light.sofa_lamp")]


async def test_no_does_nothing(talk: Talk) -> None:
    talk.talk.pipeline.fallback = _Guessing(0.45)
    await talk.say("banish the gloom")
    done = await talk.say("no")
    assert talk.made() == [] and done.result.answer.handled


async def test_a_sure_guess_is_done_and_none_is_asked_without_a_fallback(talk: Talk) -> None:
    talk.talk.pipeline.fallback = _Guessing(0.9)
    await talk.say("banish the gloom")
    assert talk.made() == [("light.turn_on", "light.reading"), ("light.turn_on", "light.sofa_lamp")]
    talk.talk.pipeline.fallback = None
    done = await talk.say("banish the gloom")
    assert not done.asked and talk.made() == []


def test_guesses_said_plainly() -> None:
    assert describe(IntentMatch("HubLightStep", {"direction": "up", "area": "Kitchen"})) == (
        "make the lights brighter in the Kitchen"
    )
    assert describe(IntentMatch("HubMakeCoffee")) == "make a coffee"
    assert describe(IntentMatch("HassTurnOff", {})) is None  # nothing to name: not asked
