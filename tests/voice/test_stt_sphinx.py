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


def test_corpus_draw_is_its_seed(home: HomeVocabulary) -> None:
    """`draw` (bench/voice.py --draw) is the sample's seed: the same draw gives the same
    corpus, another draw another sample of the same grammar."""
    recognizer = GrammarIntentRecognizer()
    first = home_corpus(recognizer, home, per_intent=20, seed=0)
    assert home_corpus(recognizer, home, per_intent=20, seed=0) == first
    other = home_corpus(recognizer, home, per_intent=20, seed=1)
    assert other != first and len(other) == len(first)


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


# the rule itself (agreed limits, margins, floors) is tested on chosen scores, both sides of
# each limit, in test_stt_rescore.py: real audio decides nothing near a limit here


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


# Recorded clips the combined backend is tested on, in the test home with no satellite room,
# and what each must end in (None: nothing done). Only clear cases: each outcome stays the
# same with every limit of the rule moved 0.5 either way, or no limit decides it because
# Whisper heard the command's words as they are (margins printed by
# `.venv/bin/python bench/voice_dev.py --margins --tests-home`; loss = how far the taken or
# best reading scores below Whisper's own, per token, against limits of 3.5 for a near
# sentence and 2.0 for one pocketsphinx also heard).
REAL_CLEAR: dict[str, tuple[str, dict[str, Any]] | None] = {
    # pocketsphinx's reading taken: loss 0.86 (near sentences 12.2 below: refused)
    "speech-to-phrase-en/what's the weather.wav": ("HassGetWeather", {}),
    # "cancel tiger", "cancel all tires", "resume time" snapped: loss 0.0 to 0.4, rivals
    # that do something else 2.3 to 5.6 further below (margin 1.0)
    "speech-to-phrase-en/cancel timer.wav": ("HassCancelTimer", {}),
    "speech-to-phrase-en/cancel all timers.wav": ("HassCancelAllTimers", {}),
    "speech-to-phrase-en/resume timer.wav": ("HassUnpauseTimer", {}),
    # speech that is no command: every reading 4.7 to 8.6 below Whisper's own
    "speech-to-phrase-en/oov_1.wav": None,
    "speech-to-phrase-en/oov_3.wav": None,
    "speech-to-phrase-en/oov_4.wav": None,
    "voice2json-test/hey_mycroft.wav": None,
    # heard word for word, kept as heard (no limit decides)
    "speech-to-phrase-en/lock the Front Door.wav": ("HassTurnOn", {"name": "Front Door"}),
    "speech-to-phrase-en/turn off lights in the Office.wav": ("HassTurnOff", {"area": "Office"}),
    "speech-to-phrase-en/what time is it.wav": ("HassGetCurrentTime", {}),
    "speech-to-phrase-en/is the Front Door locked.wav": ("HassGetState", {"name": "Front Door"}),
    "rhasspy-wake-en/snowboy_turn_on_the_living_room_lamp.flac": (
        "HassTurnOn",
        {"name": "Living Room Lamp"},
    ),
    "voice2json-test/would_you_please_turn_on_living_room_lamp.wav": (
        "HassTurnOn",
        {"name": "Living Room Lamp"},
    ),
}
SAME_AS_A_TESTED_CLIP = (
    "heard word for word and kept as heard, as a clip tested here with the same command"
)
NOT_IN_THE_TEST_HOME = (
    "names a device or list the test home lacks (bench/voice.py scores it in the benchmark home)"
)
# every other recording with a transcript, and why it is not tested here
REAL_LEFT_OUT: dict[str, str] = {
    "speech-to-phrase-en/pause timer.wav": "borderline by nature: Whisper tiny hears a mumble "
    "('O this time' here; 'O' elsewhere) and what it then hears differs by CPU (an AMD EPYC "
    "heard it as 'what is the time', as this machine does now); the rule on such scores is "
    "tested on chosen scores in test_stt_rescore.py",
    "speech-to-phrase-en/pause.wav": "means the player in the satellite's room, which this "
    "test gives none; in the benchmark home pocketsphinx's reading is 2.05 below Whisper's, "
    "0.05 past the limit of 2.0: borderline",
    "speech-to-phrase-en/timer status.wav": "borderline: misheard ('I have a status'), the "
    "right reading scores 2.72 below Whisper's and beat its rival by only 1.18 against a "
    "margin of 1.0 when the home had no person (the near sentences are sampled with the "
    "home's names, so its outcome turns on them)",
    "speech-to-phrase-en/set a timer for 30 seconds.wav": "borderline: Whisper hears '7 time "
    "after 30 seconds'; without the test home's person among the names, a near sentence that "
    "takes 7 seconds off a timer beat its rival by 1.13 against a margin of 1.0 and was "
    "taken (pocketsphinx's right reading comes only when the near ones are refused)",
    "speech-to-phrase-en/set a timer for 3 hours and 10 minutes.wav": "borderline: without "
    "the test home's person, the near sentence 'cancel timer for 3 hours 10 minute' scored "
    "3.93 below, 0.43 past the limit of 3.5 (pocketsphinx's right reading is taken only when "
    "it is refused)",
    "speech-to-phrase-en/what's the temperature.wav": "needs the satellite's room (the "
    "thermostat it means); this test gives none",
    "speech-to-phrase-en/what is the Outdoor Humidity.wav": NOT_IN_THE_TEST_HOME,
    "speech-to-phrase-en/what's the temperature of the EcoBee.wav": NOT_IN_THE_TEST_HOME,
    "speech-to-phrase-en/what's the weather like in New York.wav": NOT_IN_THE_TEST_HOME,
    "speech-to-phrase-en/activate Mood Lighting.wav": NOT_IN_THE_TEST_HOME,
    "speech-to-phrase-en/add apples to my Shopping List.wav": NOT_IN_THE_TEST_HOME
    + "; the hub cannot add to a list yet",
    "speech-to-phrase-en/run Party Time.wav": NOT_IN_THE_TEST_HOME,
    "speech-to-phrase-en/set Bed Light brightness to 50 percent.wav": NOT_IN_THE_TEST_HOME,
    "speech-to-phrase-en/set Kitchen lights to green.wav": NOT_IN_THE_TEST_HOME
    + " (its 'Kitchen lights' is a group there)",
    "speech-to-phrase-en/turn on Standing Light.wav": NOT_IN_THE_TEST_HOME,
    "speech-to-phrase-en/skip on TV.wav": NOT_IN_THE_TEST_HOME,
    "speech-to-phrase-en/next.wav": NOT_IN_THE_TEST_HOME + " (a media player)",
    "speech-to-phrase-en/resume.wav": NOT_IN_THE_TEST_HOME + " (a media player)",
    "speech-to-phrase-en/oov_2.wav": "Whisper hears nothing in it: refused as silence before "
    "any rule (test_audio.py covers silence on audio the tests make)",
    "speech-to-phrase-en/nevermind.wav": SAME_AS_A_TESTED_CLIP,
    "speech-to-phrase-en/is the Garage Door open.wav": SAME_AS_A_TESTED_CLIP,
    "speech-to-phrase-en/what's the date.wav": SAME_AS_A_TESTED_CLIP,
    "speech-to-phrase-en/set a timer for 5 minutes.wav": SAME_AS_A_TESTED_CLIP,
    "speech-to-phrase-en/turn off all of the lights in the Office.wav": SAME_AS_A_TESTED_CLIP,
    "rhasspy-wake-en/pocketsphinx_turn_on_the_living_room_lamp.flac": SAME_AS_A_TESTED_CLIP,
    "rhasspy-wake-en/porcupine_turn_on_the_living_room_lamp.flac": SAME_AS_A_TESTED_CLIP,
    "rhasspy-wake-en/precise_turn_on_the_living_room_lamp.flac": SAME_AS_A_TESTED_CLIP,
    "rhasspy-wake-en/raven_turn_on_the_living_room_lamp.flac": SAME_AS_A_TESTED_CLIP,
    "voice2json-test/what_time_is_it.wav": SAME_AS_A_TESTED_CLIP,
    "voice2json-test/turn_on_living_room_lamp.wav": SAME_AS_A_TESTED_CLIP,
}
# folders without transcripts: nothing to test a clip against
FOLDERS_LEFT_OUT = {
    "picovoice-coffee": "no transcripts, only drink-order labels (sizes, roasts, milk) the "
    "hub's coffee maker cannot act on",
}


def test_every_recorded_clip_is_tested_or_has_its_reason(shared_data: Path) -> None:
    speech = shared_data / "speech"
    clips = set()
    for folder in sorted(p for p in speech.iterdir() if p.is_dir()):
        if folder.name in FOLDERS_LEFT_OUT:
            assert not (folder / "transcripts.tsv").exists(), folder.name
            continue
        lines = (folder / "transcripts.tsv").read_text(encoding="utf-8").splitlines()[1:]
        clips |= {f"{folder.name}/{line.split(chr(9))[0]}" for line in lines if line.strip()}
    assert not set(REAL_CLEAR) & set(REAL_LEFT_OUT)
    assert clips == set(REAL_CLEAR) | set(REAL_LEFT_OUT)


def slots_said(match: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in match.spoken_slots.items():
        out[key] = int(value) if isinstance(value, float) and value.is_integer() else value
    return out


async def test_whisper_with_proposals_on_real_clips(
    shared_data: Path, hub: Hub, recognizer: GrammarIntentRecognizer, vad: Any, combined: Any
) -> None:
    """The clear recorded clips end in their action (commands Whisper tiny alone mishears,
    "what's the weather" as "watch the wedding", once pocketsphinx proposes); speech that is
    no command does nothing."""
    pipeline = VoicePipeline(hub, recognizer, stt=combined, vad=vad)
    try:
        for name, want in REAL_CLEAR.items():
            result = await pipeline.handle_audio(load_audio(shared_data / "speech" / name))
            if want is None:
                assert not result.answer.actions, (name, result.heard)
                continue
            match = result.match
            assert match is not None and not match.unmatched, (name, result.heard)
            intent, slots = want
            said = {k: v for k, v in slots_said(match).items() if k in slots}
            assert (match.intent, {k: str(v).casefold() for k, v in said.items()}) == (
                intent,
                {k: str(v).casefold() for k, v in slots.items()},
            ), (name, result.heard)
    finally:
        pipeline.close()


async def test_whisper_with_proposals_does_nothing_on_chatter(
    hub: Hub, recognizer: GrammarIntentRecognizer, vad: Any, combined: Any, piper: Any
) -> None:
    """Piper says things that are no command: the home-bound decoder hears some command in
    each, but Whisper's score of it is far below what it heard, so nothing is done. Clear
    cases (`bench/voice_dev.py --margins --tests-home --say TEXT`): every reading scores 4.8
    to 6.7 below Whisper's own, against a limit of 3.5; "turn on the kitchen light" is taken
    by either stage (2.3 and 0.58 below, limits 3.5 and 2.0)."""
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
