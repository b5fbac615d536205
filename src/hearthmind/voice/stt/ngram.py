"""A small back-off n-gram language model, trained on the home's own sentences, in ARPA form.

Pocketsphinx decodes fast when it only has to choose among the few hundred words a home's
commands use. A grammar that enumerates every sentence (tens of thousands of them) makes its
finite-state search crawl; an n-gram model over the same sentences is compact, and still
lets the decoder follow a command it has never seen whole ("turn off the bed light in the
bedroom" from "turn off the bed light" and "the lights in the bedroom").

Smoothing is absolute discounting with Katz-style back-off weights, which is all a corpus of
generated sentences needs (every count is made up anyway)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

BOS, EOS = "<s>", "</s>"
DISCOUNT = 0.5
# the share of unigram mass spread evenly over every word, so that a word seen rarely in
# the sampled sentences (a device named once) is never much harder to hear than another
UNIGRAM_FLOOR = 0.3


class BackoffLanguageModel:
    """Counts of 1..order-grams over sentences (lists of words), written as ARPA text."""

    def __init__(self, sentences: Iterable[list[str]], order: int = 3) -> None:
        if order < 1:
            raise ValueError("order must be at least 1")
        self.order = order
        self.counts: list[Counter[tuple[str, ...]]] = [Counter() for _ in range(order)]
        for words in sentences:
            if not words:
                continue
            padded = [BOS, *words, EOS]
            for n in range(1, order + 1):
                for i in range(len(padded) - n + 1):
                    gram = tuple(padded[i : i + n])
                    if n == 1 and gram == (BOS,):
                        continue
                    self.counts[n - 1][gram] += 1
        if not self.counts[0]:
            raise ValueError("no sentences to learn from")
        self.vocabulary = sorted({g[0] for g in self.counts[0]} | {BOS})
        self._probs: list[dict[tuple[str, ...], float]] = []
        self._backoffs: list[dict[tuple[str, ...], float]] = []
        self._estimate()

    def _estimate(self) -> None:
        unigrams = self.counts[0]
        total = sum(unigrams.values())
        words = [w for w in self.vocabulary if w != BOS]
        uni: dict[tuple[str, ...], float] = {
            (w,): (1 - UNIGRAM_FLOOR) * unigrams[(w,)] / total + UNIGRAM_FLOOR / len(words)
            for w in words
        }
        uni[(BOS,)] = 0.0  # never predicted; its back-off weight matters
        self._probs = [uni]
        for n in range(2, self.order + 1):
            grams = self.counts[n - 1]
            history_totals: Counter[tuple[str, ...]] = Counter()
            for gram, count in grams.items():
                history_totals[gram[:-1]] += count
            probs: dict[tuple[str, ...], float] = {}
            for gram, count in grams.items():
                probs[gram] = (count - DISCOUNT) / history_totals[gram[:-1]]
            self._probs.append(probs)
        # back-off weights: the mass each history leaves over, spread by the lower order
        self._backoffs = [{} for _ in range(self.order)]
        for n in range(2, self.order + 1):
            seen: defaultdict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
            for gram in self._probs[n - 1]:
                seen[gram[:-1]].append(gram)
            for history, followed in seen.items():
                left = 1.0 - sum(self._probs[n - 1][g] for g in followed)
                lower = 1.0 - sum(self.probability(g[1:]) for g in followed)
                self._backoffs[n - 2][history] = max(left, 1e-9) / max(lower, 1e-9)

    def probability(self, gram: tuple[str, ...]) -> float:
        """P(last word | the words before it), backing off as the ARPA reader will."""
        n = len(gram)
        if n == 0:
            return 1.0
        found = self._probs[n - 1].get(gram) if n <= self.order else None
        if found is not None:
            return found
        if n == 1:
            return 0.0
        weight = self._backoffs[n - 2].get(gram[:-1], 1.0)
        return weight * self.probability(gram[1:])

    def arpa(self) -> str:
        lines = ["\\data\\"]
        lines += [f"ngram {n}={len(self._probs[n - 1])}" for n in range(1, self.order + 1)]
        for n in range(1, self.order + 1):
            lines += ["", f"\\{n}-grams:"]
            backoffs = self._backoffs[n - 1] if n < self.order else {}
            for gram in sorted(self._probs[n - 1]):
                p = self._probs[n - 1][gram]
                logp = -99.0 if p <= 0 else math.log10(p)
                line = f"{logp:.5f}\t{' '.join(gram)}"
                if n < self.order:
                    line += f"\t{math.log10(max(backoffs.get(gram, 1.0), 1e-9)):.5f}"
                lines.append(line)
        lines += ["", "\\end\\", ""]
        return "\n".join(lines)

    def write(self, path: Path) -> Path:
        path.write_text(self.arpa(), encoding="utf-8")
        return path
