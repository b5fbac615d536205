"""Wyoming protocol: Hearthmind serves wake word, speech to text, intent handling and text to
speech to Home Assistant and wyoming-satellite devices, and can use a remote Wyoming STT or
TTS server as one of its own backends."""

from .client import WyomingStt, WyomingTts
from .server import WyomingVoiceServer

__all__ = ["WyomingStt", "WyomingTts", "WyomingVoiceServer"]
