"""Snapping a misheard command to the home's grammar, chosen by Whisper's own scores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearthmind.core import Hub
from hearthmind.voice.audio import load_audio
from hearthmind.voice.home import HomeVocabulary
from hearthmind.voice.intents import GrammarIntentRecognizer
from hearthmind.voice.phrases import GrammarSampler
from hearthmind.voice.stt.rescore import GrammarRescorer, as_spoken, sound_key
from hearthmind.voice.stt.whisper import WhisperStt


@pytest.fixture(scope="module")
def home() -> HomeVocabulary:
    from .conftest import make_hub

    hub: Hub = make_hub()
    return HomeVocabulary.from_hub(hub)


@pytest.fixture(scope="module")
def grammar(home: HomeVocabulary) -> GrammarRescorer:
    recognizer = GrammarIntentRecognizer()
    sampler = GrammarSampler(recognizer.intents, recognizer.slot_lists(home), seed=0)
    names = [n for e in home.entities for n in e.names]
    return GrammarRescorer(sampler.sample(4), names)


@pytest.fixture(scope="module")
def prepared(home: HomeVocabulary) -> Iterator[WhisperStt]:
    """Its own Whisper (the session one is left unprepared for the other tests)."""
    stt = WhisperStt()
    stt.prepare(GrammarIntentRecognizer(), home)
    yield stt


def test_sound_key_merges_near_sounds() -> None:
    assert sound_key("Cab") == sound_key("cap") == "kp"
    assert sound_key("dime") == sound_key("time")
    assert sound_key("the thermostat").split()[0] == "0"
    assert sound_key("incubi") == "inkp"  # vowels after a word's first letter go


def test_as_spoken_follows_the_transcript_style() -> None:
    names = {"living room lamp": "Living Room Lamp"}
    assert as_spoken("whats the weather", names, like="What's the wedding?") == (
        "What's the weather?"
    )
    assert as_spoken("turn on living room lamp", names, like="Turn on the lamp.") == (
        "Turn on Living Room Lamp."
    )
    assert as_spoken("cancel timer", names, like="cancel tiger") == "cancel timer"


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["turn on", "turn off", "lock", "unlock", "open", "close"]),
    st.sampled_from(["the kitchen light", "the front door", "garage door", "the coffee maker"]),
    st.integers(min_value=1, max_value=90),
)
def test_candidates_never_flip_meaning_and_keep_numbers(
    grammar: GrammarRescorer, verb: str, target: str, number: int
) -> None:
    opposite = {"on": "off", "off": "on", "lock": "unlock", "unlock": "lock"}
    for text in (f"{verb} {target}", f"set {target} to {number} percent"):
        for candidate in grammar.candidates(text):
            words = candidate.casefold().split()
            last = verb.split()[-1]
            if last in opposite and last not in words:
                assert opposite[last] not in words, (text, candidate)
            if "percent" in text:
                assert str(number) in words, (text, candidate)


def test_choose_refuses_when_nothing_sounds_right(grammar: GrammarRescorer) -> None:
    """A scorer that finds every grammar sentence far below the transcript: no snap."""
    choice = grammar.choose(
        "playing the beatles",
        lambda texts: [-0.5] + [-6.0] * (len(texts) - 1),
        lambda text: ("x", text),
    )
    assert choice is None


def test_misheard_real_clip_is_snapped(shared_data: Path, prepared: WhisperStt) -> None:
    """Recorded "cancel timer" that Whisper alone hears as "cancel tiger"."""
    folder = shared_data / "speech" / "speech-to-phrase-en"
    clip = load_audio(folder / "cancel timer.wav")
    assert prepared.transcribe(clip).text.casefold().strip(".") == "cancel timer"


def test_out_of_vocabulary_clips_stay_unsnapped(shared_data: Path, prepared: WhisperStt) -> None:
    folder = shared_data / "speech" / "speech-to-phrase-en"
    recognizer = GrammarIntentRecognizer()
    home = HomeVocabulary()
    for name in ("oov_1.wav", "oov_3.wav", "oov_4.wav"):
        text = prepared.transcribe(load_audio(folder / name)).text
        assert recognizer.recognize(text, home, allow_unknown=False) is None, (name, text)


def test_a_delayed_command_must_itself_be_a_command(prepared: WhisperStt) -> None:
    """HA reads "<command> in 10 minutes" as a delayed command: Whisper's "set a time for 3
    hours in 10 minutes" is none (so it may be snapped), "turn on the kitchen light in 10
    minutes" is one; a bare "pause" is one in a room with something to pause."""
    meaning = prepared._meaning
    assert meaning is not None
    assert meaning("Set a time for 3 hours in 10 minutes.", None, False) is None
    assert meaning("turn on the kitchen light in 10 minutes", None, False) is not None
    assert meaning("pause", "living_room", True) is None  # never snapped to a bare command
