"""Pronunciations (ARPAbet, as Pocketsphinx's English model wants them) for a home's words.

Most words are in the CMU dictionary that ships with pocketsphinx. A home's own names often
are not ("EcoBee", "Macrotorrent"): those are split into dictionary words where they can be
("eco" + "bee"), and spoken by espeak-ng otherwise, whose phonemes map onto ARPAbet."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

# espeak-ng's phoneme mnemonics (`espeak-ng -x`, English voices) -> ARPAbet
ESPEAK_TO_ARPABET = {
    "a": "AE", "a#": "AE", "aa": "AE", "A:": "AA", "A@": "AA R", "A": "AA", "@": "AH",
    "@2": "AH", "@5": "AH", "@L": "AH L", "@r": "ER", "3:": "ER", "3": "ER", "e": "EH",
    "E": "EH", "e@": "EH R", "eI": "EY", "i": "IY", "i:": "IY", "i@": "IH R", "i@3": "IH R",
    "I": "IH", "I#": "IH", "I2": "IH", "0": "AA", "O": "AO", "O:": "AO", "O2": "AO",
    "O@": "AO R", "o@": "AO R", "oU": "OW", "u:": "UW", "u": "UW", "U": "UH", "U@": "UH R",
    "V": "AH", "aI": "AY", "aI@": "AY ER", "aI3": "AY ER", "aU": "AW", "aU@": "AW ER",
    "OI": "OY", "p": "P", "b": "B", "t": "T", "t#": "T", "d": "D", "d#": "D", "k": "K",
    "g": "G", "f": "F", "v": "V", "T": "TH", "D": "DH", "s": "S", "z": "Z", "S": "SH",
    "Z": "ZH", "h": "HH", "m": "M", "n": "N", "n-": "N", "N": "NG", "l": "L", "l-": "AH L",
    "r": "R", "r-": "R", "j": "Y", "w": "W", "tS": "CH", "dZ": "JH", "x": "K",
}  # fmt: skip
MIN_PART = 3  # a compound's parts are dictionary words at least this long


def read_dictionary(path: Path) -> dict[str, list[str]]:
    """A CMU-format dictionary: `word PH ON ES`, variants as `word(2) ...`."""
    entries: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            word, _, phones = line.strip().partition(" ")
            if not phones:
                continue
            entries.setdefault(re.sub(r"\(\d+\)$", "", word), []).append(phones.strip())
    return entries


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


@functools.lru_cache(maxsize=4096)
def espeak_pronunciation(word: str) -> str | None:
    """ARPAbet for a word as espeak-ng would say it, or None without espeak-ng."""
    exe = shutil.which("espeak-ng")
    if exe is None or not re.fullmatch(r"[a-z']+", word):
        return None
    try:
        out = subprocess.run(
            [exe, "-q", "-x", "--sep=_", "-v", "en-us", word],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    phones: list[str] = []
    for mnemonic in re.split(r"[_\s]+", out.strip()):
        mnemonic = mnemonic.strip("'%,=")
        mapped = ESPEAK_TO_ARPABET.get(mnemonic)
        if mapped is None and mnemonic:
            mapped = ESPEAK_TO_ARPABET.get(mnemonic.rstrip("#0123456789-"))
        if mapped:
            phones.extend(mapped.split())
    return " ".join(phones) or None


class Pronouncer:
    """Every pronunciation of a word the decoder may hear, from the dictionary first."""

    def __init__(self, dictionary: dict[str, list[str]]) -> None:
        self.dictionary = dictionary

    @classmethod
    def from_file(cls, path: Path) -> Pronouncer:
        return cls(read_dictionary(path))

    def pronounce(self, word: str) -> list[str]:
        found = self.dictionary.get(word)
        if found:
            return found
        for variant in (word.replace("'", ""), _with_apostrophe(word)):
            if variant and variant in self.dictionary:
                return self.dictionary[variant]
        out = []
        split = self._split(word)
        if split is not None:
            out.append(" ".join(self.dictionary[part][0] for part in split))
        spoken = espeak_pronunciation(word)
        if spoken and spoken not in out:
            out.append(spoken)
        if not out:  # no espeak-ng: letter by letter, as people say "TV"
            letters = [self.dictionary.get(ch, [""])[0] for ch in word if ch.isalpha()]
            if all(letters) and letters:
                out.append(" ".join(letters))
        return out

    def _split(self, word: str) -> list[str] | None:
        """The word as two or three dictionary words ("ecobee" -> "eco", "bee")."""
        if len(word) < 2 * MIN_PART:
            return None
        for i in range(len(word) - MIN_PART, MIN_PART - 1, -1):  # longest head first
            head, tail = word[:i], word[i:]
            if head not in self.dictionary:
                continue
            if tail in self.dictionary:
                return [head, tail]
            rest = self._split(tail)
            if rest is not None and len(rest) == 2:
                return [head, *rest]
        return None

    def dictionary_text(self, words: Iterable[str]) -> tuple[str, list[str]]:
        """A CMU-format dictionary for the words, and the words it could not pronounce."""
        lines: list[str] = []
        missing: list[str] = []
        for word in sorted(set(words)):
            variants = self.pronounce(word)
            if not variants:
                missing.append(word)
            for i, phones in enumerate(variants):
                lines.append(f"{word}{'' if i == 0 else f'({i + 1})'} {phones}")
        return "\n".join(lines) + "\n", missing


def _with_apostrophe(word: str) -> str | None:
    """'whats' -> "what's" (the grammar writes some contractions without the apostrophe)."""
    for ending in ("s", "t", "re", "ll", "ve", "d", "m"):
        if word.endswith(ending) and "'" not in word and len(word) > len(ending) + 1:
            return word[: -len(ending)] + "'" + ending
    return None
