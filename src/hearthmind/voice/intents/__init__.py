"""Text to intent: a grammar (hassil + Home Assistant's English sentences + our own) and an
optional learned fallback for the sentences no template covers."""

from .classifier import FallbackIntentClassifier
from .grammar import GrammarIntentRecognizer
from .match import IntentMatch, IntentRecognizer

__all__ = [
    "FallbackIntentClassifier",
    "GrammarIntentRecognizer",
    "IntentMatch",
    "IntentRecognizer",
]
