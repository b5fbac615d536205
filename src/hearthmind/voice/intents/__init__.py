"""Text to intent: a grammar (hassil + Home Assistant's English sentences + our own) and an
optional learned fallback for the sentences no template covers."""

from .match import IntentMatch, IntentRecognizer
from .grammar import GrammarIntentRecognizer
from .classifier import FallbackIntentClassifier, TrainingExample

__all__ = [
    "FallbackIntentClassifier",
    "GrammarIntentRecognizer",
    "IntentMatch",
    "IntentRecognizer",
    "TrainingExample",
]
