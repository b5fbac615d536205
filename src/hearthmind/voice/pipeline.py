"""The voice pipeline: audio or text in, an action done and a spoken answer out.

    audio -> (wake word) -> voice activity -> speech to text -> [snap to the home's
    sentences] -> intent (grammar, then the learned fallback) -> service calls -> answer
    -> text to speech

Every step that can fail on bad input answers in words and counts the problem; none raises
into the hub."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from hearthmind.core import Hub

from .actions import IntentHandler, VoiceAnswer
from .audio import SAMPLE_RATE, AudioClip, AudioError
from .home import HomeVocabulary
from .intents import FallbackIntentClassifier, GrammarIntentRecognizer, IntentMatch
from .phrases import PhraseCorrector
from .stages import SpeechToText, TextToSpeech, Transcript, VoiceActivityDetector, WakeWordDetector
from .vad import trim_to_speech

_LOGGER = logging.getLogger(__name__)
# how sure the learned fallback must be before the hub acts on its guess: a wrong guess about
# the lights is cheap and quickly undone, about any other device less so
FALLBACK_MIN_CONFIDENCE = 0.55
FALLBACK_MIN_CONFIDENCE_LIGHTS = 0.4
# how much closer the best snapped sentence must be than one that does something else
SNAP_MARGIN = 0.03
# whisper's usual inventions on silence and noise
HALLUCINATIONS = frozenset(
    {"", "you", "thank you", "thanks for watching", "thank you for watching", "bye", "so"}
)


# sentence snappers by (recognizer, home names): sampling a home's sentences takes seconds
_CORRECTORS: dict[tuple[Any, ...], PhraseCorrector] = {}


@dataclass(slots=True)
class VoiceResult:
    heard: str  # typed text, or the transcript
    answer: VoiceAnswer
    match: IntentMatch | None = None
    understood_as: str | None = None  # the sentence actually matched, when snapped/trimmed
    transcript: Transcript | None = None
    audio: AudioClip | None = None  # the spoken answer, when asked for
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def speech(self) -> str:
        return self.answer.speech


class VoicePipeline:
    def __init__(
        self,
        hub: Hub,
        recognizer: GrammarIntentRecognizer,
        *,
        stt: SpeechToText | None = None,
        tts: TextToSpeech | None = None,
        vad: VoiceActivityDetector | None = None,
        wake: WakeWordDetector | None = None,
        fallback: FallbackIntentClassifier | None = None,
        correct_transcripts: bool = True,
        max_seconds: float = 30.0,
    ) -> None:
        self.hub = hub
        self.recognizer = recognizer
        self.handler = IntentHandler(hub)
        self.stt = stt
        self.tts = tts
        self.vad = vad
        self.wake = wake
        self.fallback = fallback
        self.correct_transcripts = correct_transcripts
        self.max_seconds = max_seconds
        self._corrector: tuple[Any, PhraseCorrector] | None = None

    def close(self) -> None:
        self.handler.close()

    # -- the home ---------------------------------------------------------------------------

    def home(self) -> HomeVocabulary:
        return HomeVocabulary.from_hub(self.hub)

    def corrector(self, home: HomeVocabulary) -> PhraseCorrector:
        """The home's sentence snapper, built once per set of names (shared by pipelines)."""
        self.recognizer.slot_lists(home)
        key = (id(self.recognizer), self.recognizer.home_key)
        found = _CORRECTORS.get(key)
        if found is None:
            found = PhraseCorrector.for_home(self.recognizer, home)
            if len(_CORRECTORS) >= 4:
                _CORRECTORS.pop(next(iter(_CORRECTORS)))
            _CORRECTORS[key] = found
        self._corrector = (key, found)
        return found

    # -- understanding ----------------------------------------------------------------------

    def understand(
        self,
        text: str,
        home: HomeVocabulary,
        *,
        area: str | None = None,
        from_speech: bool = False,
    ) -> tuple[IntentMatch | None, str | None]:
        """The intent for a sentence, and the sentence really matched (if it differs)."""
        variants = _variants(text)
        for variant in variants:
            match = self.recognizer.recognize(variant, home, context_area=area, allow_unknown=False)
            if match is not None:
                return match, None if variant == text else variant
        if from_speech and self.correct_transcripts:
            corrector = self.corrector(home)
            for variant in variants:
                parsed = []
                for fixed in corrector.candidates(variant):
                    match = self.recognizer.recognize(
                        fixed.text, home, context_area=area, allow_unknown=False
                    )
                    if match is not None:
                        parsed.append((fixed, match))
                if not parsed:
                    continue
                best_fix, best = parsed[0]
                # two near-equal readings that do different things: guessing could act on
                # the wrong device, so say what was not understood instead
                rivals = [
                    m
                    for f, m in parsed[1:]
                    if best_fix.score - f.score < SNAP_MARGIN
                    and (m.intent, m.spoken_slots) != (best.intent, best.spoken_slots)
                ]
                if not rivals:
                    return best, best_fix.text
        unknown = None
        for variant in variants:
            unknown = self.recognizer.recognize(variant, home, context_area=area)
            if unknown is not None:
                break
        if self.fallback is not None and self.fallback.trained:
            guess = self.fallback.recognize(text, home, context_area=area)
            lights_only = guess is not None and (
                guess.intent in ("HubLightStep", "HassLightSet")
                or guess.slots.get("domain") == "light"
            )
            needed = FALLBACK_MIN_CONFIDENCE_LIGHTS if lights_only else FALLBACK_MIN_CONFIDENCE
            if guess is not None and guess.confidence >= needed:
                # a guess with no target, where the grammar saw an unknown name: the name wins
                has_target = any(k in guess.slots for k in ("name", "area")) or guess.intent in (
                    "HubMakeCoffee", "HassVacuumStart", "HubExplain", "HubRejectLast",
                    "HubGoodNight", "HubLightStep", "HassLightSet",
                ) or guess.slots.get("domain") == "light"  # fmt: skip
                if has_target or unknown is None:
                    return guess, None
        return unknown, None

    # -- text -------------------------------------------------------------------------------

    async def handle_text(
        self,
        text: str,
        *,
        user_id: str | None = None,
        area: str | None = None,
        speak: bool = False,
        from_speech: bool = False,
        transcript: Transcript | None = None,
    ) -> VoiceResult:
        start = time.perf_counter()
        home = self.home()
        if from_speech and self.correct_transcripts and self._corrector is None:
            await asyncio.to_thread(self.corrector, home)
        match, understood_as = self.understand(text, home, area=area, from_speech=from_speech)
        t_intent = time.perf_counter()
        if match is None:
            self.hub.health.problem(
                "voice_not_understood", f"no intent for {text!r}", self.hub.clock.timestamp()
            )
            heard = text.strip()
            speech = (
                f"Sorry, I didn't understand \u201c{heard}\u201d."
                if heard
                else "Sorry, I didn't catch that."
            )
            answer = VoiceAnswer(speech, None, False, error="no_intent")
        else:
            answer = await self.handler.handle(match, home, user_id=user_id, area=area)
        t_action = time.perf_counter()
        result = VoiceResult(
            text,
            answer,
            match,
            understood_as,
            transcript,
            timings_ms={
                "intent": (t_intent - start) * 1000,
                "action": (t_action - t_intent) * 1000,
            },
        )
        if speak:
            result.audio = await self.speak(answer.speech)
            result.timings_ms["tts"] = (time.perf_counter() - t_action) * 1000
        return result

    # -- audio ------------------------------------------------------------------------------

    async def handle_audio(
        self,
        clip: AudioClip,
        *,
        user_id: str | None = None,
        area: str | None = None,
        speak: bool = False,
        after_wake_word: bool = False,
    ) -> VoiceResult:
        """A spoken command; the clip ends where the speech ended."""
        start = time.perf_counter()
        try:
            transcript = await asyncio.to_thread(self.transcribe, clip, after_wake_word)
        except AudioError as err:
            self.hub.health.problem(err.counter, str(err), self.hub.clock.timestamp())
            answer = VoiceAnswer(str(err), None, False, error="bad_audio")
            result = VoiceResult("", answer)
            if speak:
                result.audio = await self.speak(answer.speech)
            return result
        t_stt = time.perf_counter()
        result = await self.handle_text(
            transcript.text,
            user_id=user_id,
            area=area,
            speak=speak,
            from_speech=True,
            transcript=transcript,
        )
        result.timings_ms["stt"] = (t_stt - start) * 1000
        result.timings_ms["end_of_speech_to_action"] = (
            result.timings_ms["stt"] + result.timings_ms["intent"] + result.timings_ms["action"]
        )
        return result

    def transcribe(self, clip: AudioClip, after_wake_word: bool = False) -> Transcript:
        """Checks the audio, finds the speech, and transcribes it (blocking: run in a thread)."""
        if self.stt is None:
            raise AudioError("I can't listen: no speech-to-text backend is set up.")
        if not len(clip.samples) or clip.rate <= 0:
            raise AudioError("The recording is empty: there is nothing to listen to.")
        if clip.seconds > self.max_seconds:
            raise AudioError(
                f"The recording is {clip.seconds:.0f} seconds long; I listen to commands of at "
                f"most {self.max_seconds:.0f} seconds."
            )
        audio = clip if clip.rate == SAMPLE_RATE else clip.resampled(SAMPLE_RATE)
        if not np_isfinite(audio):
            raise AudioError("The recording holds invalid samples.")
        if audio.clipped_share > 0.02:
            self.hub.health.problem(
                "voice_clipped_audio",
                f"{audio.clipped_share:.0%} of the samples are clipped",
                self.hub.clock.timestamp(),
            )
        if after_wake_word and self.wake is not None:
            detection = self.wake.detect(audio)
            if detection is not None:
                cut = int(detection.seconds * SAMPLE_RATE)
                audio = AudioClip(audio.samples[cut:], SAMPLE_RATE)
        if audio.rms < 1e-4:
            raise AudioError("I didn't hear anything: the recording is silent.")
        if self.vad is not None:
            segments = self.vad.speech_segments(audio)
            if not segments:
                raise AudioError("I didn't hear anyone speak, only silence or noise.")
            audio = trim_to_speech(audio, segments)
        transcript = self.stt.transcribe(audio)
        text = re.sub(r"[^\w' ]", " ", transcript.text.casefold())
        if " ".join(text.split()) in HALLUCINATIONS:
            raise AudioError("Sorry, I didn't catch that.")
        return transcript

    async def speak(self, text: str) -> AudioClip | None:
        if self.tts is None or not text:
            return None
        tts = self.tts
        return await asyncio.to_thread(tts.synthesize, text)


def np_isfinite(clip: AudioClip) -> bool:
    import numpy as np

    return bool(np.isfinite(clip.samples).all())


_LEADING_CLAUSE = re.compile(r"^([^.,!?;:]{1,30})[.,!?;:]\s*(.+)$")
_ADDRESS = re.compile(r"^(hey|hi|ok|okay|yo)\s+\w+[\s,.!]+(.+)$", re.IGNORECASE)
# words that change what a sentence asks: never cut them off
_KEEP = re.compile(
    r"\b(no|not|don't|do|never|stop|why|what|how|when|who|which|is|are|can't)\b", re.I
)


def _variants(text: str) -> list[str]:
    """The sentence, then without a leading address: "Okay Rhasspy, turn on ...", "hey olly
    dim ..." (wake words the hub heard as words). A cut part that could change the meaning
    ("don't", "why") is never cut."""
    text = text.strip()
    out = [text]
    current = text
    for _ in range(2):  # "Okay, Rhasspy. Turn on ..." has two leading clauses
        clause = _LEADING_CLAUSE.match(current)
        if not clause or len(clause.group(1).split()) > 3 or _KEEP.search(clause.group(1)):
            break
        current = clause.group(2)
        out.append(current)
    address = _ADDRESS.match(text)
    if address:
        out.append(address.group(2))
    seen: list[str] = []
    for v in out:
        if v and v not in seen:
            seen.append(v)
    return seen
