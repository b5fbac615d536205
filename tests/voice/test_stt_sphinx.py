"""Pocketsphinx bound to the home's sentences: its language model, its dictionary, and what
it hears in speech the tests make themselves; and Whisper taking its proposals."""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearthmind.core import Hub
from hearthmind.voice.audio import AudioClip, load_audio
from hearthmind.voice.home import HomeVocabulary
from hearthmind.voice.intents import GrammarIntentRecognizer
from hearthmind.voice.phrases import digits_to_words, words_to_digits
from hearthmind.voice.pipeline import VoicePipeline
from hearthmind.voice.stt.ngram import BOS, BackoffLanguageModel
from hearthmind.voice.stt.pronounce import Pronouncer, read_dictionary
from hearthmind.voice.stt.rescore import GrammarRescorer
from hearthmind.voice.stt.sphinx import (
    PocketsphinxStt,
    bundled_sphinx_model,
    home_corpus,
    spoken_words,
)

pytest.importorskip("pocketsphinx", reason="pocketsphinx is in hearthmind[voice]")


@pytest.fixture(scope="module")
def home() -> HomeVocabulary:
    from .conftest import make_hub

    hub: Hub = make_hub()
    return HomeVocabulary.from_hub(hub)


@pytest.fixture(scope="module")
def sphinx(home: HomeVocabulary) -> Iterator[PocketsphinxStt]:
    stt = PocketsphinxStt()
    stt.prepare(GrammarIntentRecognizer(), home)
    yield stt


@pytest.fixture(scope="module")
def pronouncer() -> Pronouncer:
    return Pronouncer.from_file(bundled_sphinx_model() / "cmudict-en-us.dict")


# -- numbers and words -------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=999))
def test_numbers_spoken_and_back(value: int) -> None:
    assert words_to_digits(digits_to_words(f"set it to {value} percent")) == (
        f"set it to {value} percent"
    )


def test_spoken_words_spell_out_what_is_said() -> None:
    assert spoken_words("Set the Bed Light to 50%!") == [
        "set",
        "the",
        "bed",
        "light",
        "to",
        "fifty",
        "percent",
    ]
    assert spoken_words("What's the weather?") == ["what's", "the", "weather"]
    assert spoken_words("Wi-Fi 2.5") == ["wi", "fi", "two", "point", "five"]


# -- the language model --------------------------------------------------------------------------


def test_language_model_is_a_distribution() -> None:
    sentences = [s.split() for s in ("turn on the light", "turn off the light", "what time is it")]
    model = BackoffLanguageModel(sentences * 3 + [["turn", "on", "the", "fan"]])
    words = [w for w in model.vocabulary if w != BOS]
    for history in [(BOS,), ("turn",), ("turn", "on"), ("time", "is"), ("fan", "light")]:
        total = sum(model.probability((*history, w)) for w in words)
        assert math.isclose(total, 1.0, abs_tol=1e-6), history
    # seen continuations are likelier than unseen ones
    assert model.probability(("turn", "on", "the")) > model.probability(("turn", "on", "what"))
    arpa = model.arpa()
    assert (
        arpa.startswith("\\data\\") and "\\3-grams:" in arpa and arpa.rstrip().endswith("\\end\\")
    )


def test_language_model_needs_sentences() -> None:
    with pytest.raises(ValueError):
        BackoffLanguageModel([[]])


def test_corpus_gives_each_intent_a_voice(home: HomeVocabulary) -> None:
    """Commands are not drowned by the many ways to ask about a state."""
    corpus = home_corpus(GrammarIntentRecognizer(), home, per_intent=50)
    starts = [s.split()[0].casefold() for s in corpus if s.split()]
    assert any(s == "pause" for s in starts) and any(s == "set" for s in starts)
    assert sum(s in ("is", "are", "what", "what's", "whats") for s in starts) < len(starts) / 2
    for entity in home.entities:  # every name is in the corpus
        assert entity.name in corpus


# -- pronunciations ------------------------------------------------------------------------------


def test_dictionary_words_and_compounds(pronouncer: Pronouncer) -> None:
    assert pronouncer.pronounce("light") == pronouncer.dictionary["light"]
    assert pronouncer.pronounce("whats") == pronouncer.dictionary["what's"]
    ecobee = pronouncer.pronounce("ecobee")
    assert ecobee and ecobee[0].split()[-2:] == ["B", "IY"]  # eco + bee


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_unknown_words_are_spoken_by_espeak(pronouncer: Pronouncer) -> None:
    (phones,) = pronouncer.pronounce("nabu")
    assert phones.split()[0] == "N" and "B" in phones.split()
    text, missing = pronouncer.dictionary_text(["nabu", "light"])
    assert not missing and text.count("\n") >= 2


def test_read_dictionary_keeps_variants(tmp_path: Path) -> None:
    path = tmp_path / "tiny.dict"
    path.write_text("read R IY D\nread(2) R EH D\nlight L AY T\n", encoding="utf-8")
    assert read_dictionary(path) == {"read": ["R IY D", "R EH D"], "light": ["L AY T"]}


# -- hearing -------------------------------------------------------------------------------------


def test_needs_preparing() -> None:
    with pytest.raises(RuntimeError):
        PocketsphinxStt().transcribe(AudioClip(load_silence(), 16000))


def load_silence() -> Any:
    import numpy as np

    return np.zeros(16000, dtype=np.float32)


def test_silence_and_empty_audio_say_nothing_known(sphinx: PocketsphinxStt) -> None:
    import numpy as np

    assert sphinx.transcribe(AudioClip(np.zeros(0, np.float32), 16000)).text == ""
    heard = sphinx.transcribe(AudioClip(load_silence(), 16000)).text
    assert set(heard.replace(".", "").split()) <= sphinx.vocabulary


@pytest.mark.parametrize(
    "text",
    [
        "turn on the kitchen light",
        "lock the front door",
        "what time is it",
        "open the garage door",
        "set a timer for five minutes",
    ],
)
def test_hears_the_homes_commands(
    sphinx: PocketsphinxStt, piper: Any, text: str, home: HomeVocabulary
) -> None:
    """Piper says a command; the decoder hears words of the home only, and the command."""
    clip = piper.synthesize(text).resampled(16000)
    heard = sphinx.transcribe(clip)
    words = heard.text.replace(".", "").split()
    assert set(words) <= sphinx.vocabulary
    match = GrammarIntentRecognizer().recognize(heard.text, home, allow_unknown=False)
    expected = GrammarIntentRecognizer().recognize(text, home, allow_unknown=False)
    assert match is not None and expected is not None, heard.text
    assert (match.intent, match.spoken_slots) == (expected.intent, expected.spoken_slots)


async def test_pipeline_with_pocketsphinx_acts(
    hub: Hub, recognizer: GrammarIntentRecognizer, vad: Any, spoken: Callable[..., Path]
) -> None:
    """espeak-ng at 44.1 kHz stereo, through the whole pipeline with pocketsphinx alone."""
    pipeline = VoicePipeline(hub, recognizer, stt=PocketsphinxStt(), vad=vad)
    result = await pipeline.handle_audio(
        load_audio(spoken("turn on the kitchen light", rate=44100, channels=2))
    )
    pipeline.close()
    assert hub.states.require("light.kitchen").state == "on", result.heard


# -- Whisper with pocketsphinx's proposals -------------------------------------------------------


def test_agreed_proposal_may_score_further_below() -> None:
    grammar = GrammarRescorer(["pause timer", "cancel timer", "turn on the light"])

    def understands(text: str) -> Any:
        return ("act", text.casefold())

    def scores(texts: list[str]) -> list[float]:  # heard -1, "pause timer" -3
        return [-1.0] + [-3.0 if "pause" in t.casefold() else -9.0 for t in texts[1:]]

    assert grammar.choose("O", scores, understands) is None  # alone: too far below
    choice = grammar.choose("O", scores, understands, proposals=["pause timer"])
    assert choice is not None and choice.text == "pause timer"
    # a proposal the audio does not support at all is refused all the same
    far = grammar.choose(
        "O", lambda t: [-0.5] + [-8.0] * (len(t) - 1), understands, ["pause timer"]
    )
    assert far is None


def test_whisper_takes_proposals_with_its_own_numbers(
    home: HomeVocabulary, sphinx: PocketsphinxStt, piper: Any
) -> None:
    from hearthmind.voice.stt.whisper import WhisperStt

    class Heard:  # a proposer that heard a number wrong
        name = "fixed"

        def transcribe(self, clip: AudioClip, *, hints: list[str] | None = None) -> Any:
            from hearthmind.voice.stages import Transcript

            return Transcript("okay nabu. set a timer for eleven minutes", "fixed", clip.seconds)

    whisper = WhisperStt(proposer=Heard())  # type: ignore[arg-type]
    assert whisper.name == "whisper+fixed"
    proposals = whisper._proposals(AudioClip(load_silence()), "Set a time for 10 minutes.")
    assert proposals[0] == "okay nabu set a timer for 10 minutes"  # Whisper's number first
    ten, eleven = (proposals.index(f"set a timer for {n} minutes") for n in (10, 11))
    assert ten < eleven  # and also the command after the pause, on its own


@pytest.fixture(scope="module")
def combined() -> Any:
    from hearthmind.voice.stt.whisper import WhisperStt

    return WhisperStt(proposer=PocketsphinxStt())


async def test_whisper_with_proposals_on_real_clips(
    shared_data: Path, hub: Hub, recognizer: GrammarIntentRecognizer, vad: Any, combined: Any
) -> None:
    """Recorded short commands Whisper tiny alone mishears ("pause timer" as "O") end in the
    action once pocketsphinx proposes; speech that is no command still does nothing."""
    folder = shared_data / "speech" / "speech-to-phrase-en"
    pipeline = VoicePipeline(hub, recognizer, stt=combined, vad=vad)
    try:
        result = await pipeline.handle_audio(load_audio(folder / "pause timer.wav"))
        assert result.match is not None and result.match.intent == "HassPauseTimer", result.heard
        for name in ("oov_1.wav", "oov_3.wav", "oov_4.wav"):
            result = await pipeline.handle_audio(load_audio(folder / name))
            assert not result.answer.actions, (name, result.heard)
    finally:
        pipeline.close()


async def test_whisper_with_proposals_does_nothing_on_chatter(
    hub: Hub, recognizer: GrammarIntentRecognizer, vad: Any, combined: Any, piper: Any
) -> None:
    """Piper says things that are no command: the home-bound decoder hears some command in
    each, but Whisper's score of it is far below what it heard, so nothing is done."""
    pipeline = VoicePipeline(hub, recognizer, stt=combined, vad=vad)
    before = {s.entity_id: s.state for s in hub.states.async_all()}
    try:
        for text in (
            "my brother likes football",
            "the weather was lovely yesterday",
            "I think the cat is hungry",
            "purple elephants dance at noon",
        ):
            result = await pipeline.handle_audio(piper.synthesize(text), area="living_room")
            assert not result.answer.actions, (text, result.heard)
        result = await pipeline.handle_audio(
            piper.synthesize("turn on the kitchen light"), area="living_room"
        )
        assert hub.states.require("light.kitchen").state == "on", result.heard
    finally:
        pipeline.close()
    changed = {k for k, v in before.items() if hub.states.require(k).state != v}
    assert changed == {"light.kitchen"}
