"""Active LeZi (Gopalratnam & Cook, 2003): an LZ78 parse sets the window length; every suffix
of the sliding window updates a context trie; predictions blend all context orders with
PPM-C escape probabilities."""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Sequence

from ..observations import Episode, Observation
from ..predictor import Prediction, explain_from_evidence, top_k
from .stats import SequenceStats


class ActiveLeZi:
    name = "active_lezi"

    def __init__(self, max_order: int = 8, *, expected_times: bool = True) -> None:
        self.max_order = max_order  # cap on the window, so cost stays bounded on long logs
        # the delays behind expected times cost as much to learn as the trie itself: a model
        # that only wants the distribution (the ranker's context feature) goes without
        self.expected_times = expected_times
        self._reset()

    def _reset(self) -> None:
        self._follow: defaultdict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        self._phrases: set[tuple[str, ...]] = set()
        self._phrase: tuple[str, ...] = ()
        self._window: deque[str] = deque(maxlen=1)
        self._gaps = SequenceStats()
        self._prev: Observation | None = None

    def fit(self, history: Sequence[Episode]) -> None:
        self._reset()
        for episode in history:
            self.new_episode()
            for obs in episode:
                self.update(obs)

    def new_episode(self) -> None:
        """The next observations do not continue the previous ones (another user or log)."""
        self._window.clear()
        self._phrase = ()
        self._prev = None

    def update(self, observation: Observation) -> None:
        symbol = observation.item
        if self.expected_times:
            self._gaps.observe(None, self._prev, observation)
        self._prev = observation
        # LZ78 parse: the longest phrase seen sets how much context is worth keeping.
        self._phrase = (*self._phrase, symbol)
        if self._phrase in self._phrases:
            grow = False
        else:
            self._phrases.add(self._phrase)
            grow = (
                len(self._phrase) > (self._window.maxlen or 1)
                and len(self._phrase) <= self.max_order
            )
            self._phrase = ()
        if grow:
            self._window = deque(
                self._window, maxlen=min(self.max_order, (self._window.maxlen or 1) + 1)
            )
        window = tuple(self._window)
        for start in range(len(window) + 1):
            self._follow[window[start:]][symbol] += 1
        self._window.append(symbol)

    def distribution(self, recent: Sequence[Observation]) -> dict[str, float]:
        order = self._window.maxlen or 1
        context = tuple(o.item for o in recent[-(order):]) if recent else ()
        # PPM-C blending from the longest context down to the empty one.
        probs: dict[str, float] = {}
        escape = 1.0
        seen: set[str] = set()
        for start in range(len(context) + 1):
            follow = self._follow.get(context[start:])
            if not follow:
                continue
            total = sum(follow.values())
            distinct = len(follow)
            for item, count in follow.items():
                if item not in seen:
                    probs[item] = probs.get(item, 0.0) + escape * count / (total + distinct)
            seen.update(follow)
            escape *= distinct / (total + distinct)
        norm = sum(probs.values())
        return {i: p / norm for i, p in probs.items()} if norm else {}

    def predict(self, now: float, recent: Sequence[Observation], k: int = 5) -> list[Prediction]:
        scores = self.distribution(recent)
        return [
            Prediction(
                item,
                p,
                self._gaps.expected_time(now, recent, item),
                self.name,
                (("context", f"last {len(recent[-(self._window.maxlen or 1) :])} events"),),
            )
            for item, p in top_k(scores, k)
        ]

    def explain(self, prediction: Prediction) -> str:
        return explain_from_evidence(prediction)
