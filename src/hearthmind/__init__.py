"""Hearthmind: a local-first, self-driving AI hub for the spaces people live and work in."""

__version__ = "0.1.0"
