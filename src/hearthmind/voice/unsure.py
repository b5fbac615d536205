"""A guess the hub is not sure enough to act on is asked about (issue 25: "below its confidence
it asks instead of acting"): when neither the grammar nor the reader understood a request and
the learned fallback has a guess below its confidence to act, the conversation asks "Did you
mean: turn on the lights?", and a yes does it.

ASK_MIN_CONFIDENCE is chosen by `.venv/bin/python bench/voice_ask_floor.py` on development
data only (HWU64 iot in 5-fold cross-validation and SLURP devel's choose half): the lowest
floor at which at least 60 % of the questions would be about the right thing. Every floor from
0.10 to 0.30 asks the same 78 of 997 sentences, 47 of them right (60 %), since the classifier
offers no guess below 0.3 (`FallbackIntentClassifier.min_confidence`)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from .intents import IntentMatch

if TYPE_CHECKING:
    from .home import HomeVocabulary
    from .pipeline import VoicePipeline

ASK_MIN_CONFIDENCE = 0.3
YES = re.compile(
    r"^(?:yes|yeah|yep|yup|aye|sure|please|yes please|do it|go ahead|go on|correct|right|"
    r"that'?s right|that'?s it|exactly|ok|okay)(?:\s+(?:please|thanks|thank you|do it))*$"
)


def unsure_guess(
    pipeline: VoicePipeline, said: str, home: HomeVocabulary, area: str | None
) -> IntentMatch | None:
    """The fallback's guess about a request nothing else understood, when it is one to ask
    about: at least ASK_MIN_CONFIDENCE, below the confidence to act, and one we can say."""
    fallback = pipeline.fallback
    if fallback is None or not fallback.trained:
        return None
    guess = fallback.recognize(said, home, context_area=area)
    if guess is None or guess.confidence < ASK_MIN_CONFIDENCE or describe(guess) is None:
        return None
    if guess.confidence >= pipeline.confidence_to_act(guess):
        return None  # sure enough to act: the pipeline would have (a name it lacks stopped it)
    return replace(guess, source="reader")


def describe(match: IntentMatch) -> str | None:
    """The guess in words, for "Did you mean: ...?"; None for one we cannot say plainly."""
    slots = match.slots
    where = f" in the {slots['area']}" if slots.get("area") else ""
    thing = f"the {slots['name']}" if slots.get("name") else None
    if match.intent in ("HassTurnOn", "HassTurnOff"):
        verb = "turn on" if match.intent == "HassTurnOn" else "turn off"
        kind = {"light": "the lights", "switch": "the switch"}.get(str(slots.get("domain")))
        what = thing or kind
        return f"{verb} {what}{where}" if what else None
    if match.intent == "HubLightStep":
        return (
            f"make the lights {'brighter' if slots.get('direction') == 'up' else 'dimmer'}{where}"
        )
    if match.intent == "HassLightSet" and slots.get("color"):
        return f"make the lights {slots['color']}{where}"
    return {"HassVacuumStart": "start the vacuum", "HubMakeCoffee": "make a coffee"}.get(
        match.intent
    )


NO = re.compile(
    r"^(?:no|nope|nah|no thanks|no thank you|not that|wrong|don'?t|leave it|never ?mind|"
    r"that'?s wrong|not really)(?:\s+(?:thanks|thank you))?$"
)


def _words(said: str) -> str:
    return " ".join(re.sub(r"[^\w' ]+", " ", said.casefold()).split())


def confirmed(said: str) -> bool:
    return bool(YES.match(_words(said)))


def declined(said: str) -> bool:
    return bool(NO.match(_words(said)))
