"""One space's nightly work, with the hub's own model code (`routines.registry.make_model`):
the same function runs in a Ray worker and in a plain loop.

- A space with at least `own_days` days of history before its evaluation window gets its own
  model, fitted on that history. A space with less is served the pooled model fine-tuned on
  its own events: a copy of the pooled model that learns the space's events one by one
  through the model's own online `update` (as the live learner does), so it starts from what
  homes like it do and moves toward what this one does.
- Evaluation: next-event top-1 on the space's last `holdout_days` days (at most a quarter of
  its history), predicting each event from the 30 before it, right after the previous one,
  and learning each event once it is seen (the live learner's way). The model that has then
  seen the whole history is the one written as the space's artefact.
- Cold start (probe spaces, which the pooled model never saw): for 1, 3, 7 and 14 days of
  history, the space's own model against the pooled-then-fine-tuned one, both frozen,
  scored on the same later days.

The models are the routines' own classes: by name from the registry, except that Active LeZi,
the fleet's default, is made without its expected times (`FitSettings.expected_times`): they
cost four fifths of its fitting here and do not change which event it ranks first, so the
fleet's artefacts say what comes next, not when."""

from __future__ import annotations

import math
import pickle
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from hearthmind.routines.artefact import save_model
from hearthmind.routines.models import ActiveLeZi
from hearthmind.routines.observations import Kind, Observation
from hearthmind.routines.predictor import Predictor
from hearthmind.routines.registry import make_model

RECENT = 30  # observations handed to predict, as the live learner keeps (online.py window)


@dataclass(frozen=True)
class FitSettings:
    """Chosen on the development homes (docs/BENCHMARKS.md, fleet), not on reported ones."""

    model: str = "active_lezi"
    # Active LeZi's expected times (when, not what) cost 4/5 of its fitting and do not change
    # which event it ranks first: the fleet's models go without unless asked
    expected_times: bool = False
    holdout_days: int = 3
    own_days: int = 14  # days of history from which a space is served its own model only
    cold_start_days: tuple[int, ...] = (1, 3, 7, 14)
    cold_start_test_days: int = 7
    extra: dict[str, Any] = field(default_factory=dict)


class CorruptSpace(ValueError):
    """A space's exported rows that cannot be learned from: says what is wrong."""


def day_of(t: float) -> int:
    return math.floor(t / 86400)


def observations_from(table: pa.Table) -> list[Observation]:
    """The rows of one space as observations; `CorruptSpace` for rows no model should see
    (times not finite or going back, items without a value, unknown kinds)."""
    cols = table.to_pydict()
    kinds = {k.value: k for k in Kind}
    out: list[Observation] = []
    previous = -math.inf
    for n, (t, item, kind, user, origin) in enumerate(
        zip(cols["time"], cols["item"], cols["kind"], cols["user_id"], cols["origin"], strict=True)
    ):
        if t is None or not math.isfinite(t):
            raise CorruptSpace(f"row {n}: time {t!r} is not a finite number")
        if t < previous:
            raise CorruptSpace(f"row {n}: time goes back ({t} after {previous})")
        if not item or ":" not in item or kind not in kinds:
            raise CorruptSpace(f"row {n}: item {item!r} of kind {kind!r} is not an event")
        previous = t
        out.append(Observation(t, item, kinds[kind], user, origin or "sensor"))
    if len(out) < 2:
        raise CorruptSpace(f"{len(out)} events: nothing to learn from")
    return out


def top1(
    model: Predictor, context: Sequence[Observation], test: Sequence[Observation], learn: bool
) -> tuple[int, int]:
    """Next-event top-1 hits over `test`, each predicted from the RECENT events before it;
    `learn`: the model learns each event after predicting it (online), else stays frozen."""
    recent: deque[Observation] = deque(context[-RECENT:], maxlen=RECENT)
    hits = 0
    for obs in test:
        if recent:
            guess = model.predict(recent[-1].time, list(recent), k=1)
            hits += bool(guess) and guess[0].item == obs.item
        if learn:
            model.update(obs)
        recent.append(obs)
    return hits, len(test)


class Pooled:
    """The pooled model, kept as its pickled bytes too: a fresh copy per space is an unpickle,
    several times faster than a deep copy of its count tables."""

    def __init__(self, model: Predictor) -> None:
        self.name = model.name
        self.payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)

    def copy(self) -> Predictor:
        model: Predictor = pickle.loads(self.payload)  # our own bytes
        return model


def fine_tuned(pooled: Pooled, history: Sequence[Observation]) -> Predictor:
    """A copy of the pooled model that has learned `history` through its online update."""
    model = pooled.copy()
    new_episode = getattr(model, "new_episode", None)
    if callable(new_episode):  # the space's events do not continue the last pooled home's
        new_episode()
    for obs in history:
        model.update(obs)
    return model


def new_model(settings: FitSettings) -> Predictor:
    """A fresh model of the hub's own code, by `hearthmind eval`'s names."""
    if settings.model == "active_lezi":
        return ActiveLeZi(expected_times=settings.expected_times)
    return make_model(settings.model)


def own_model(settings: FitSettings, history: Sequence[Observation]) -> Predictor:
    model = new_model(settings)
    model.fit([list(history)])
    return model


def split_days(
    observations: Sequence[Observation], first_days: int, then_days: int | None = None
) -> tuple[list[Observation], list[Observation]]:
    """The events of the first `first_days` days with any, and of the `then_days` after."""
    days = sorted({day_of(o.time) for o in observations})
    head = set(days[:first_days])
    tail = set(days[first_days : None if then_days is None else first_days + then_days])
    return (
        [o for o in observations if day_of(o.time) in head],
        [o for o in observations if day_of(o.time) in tail],
    )


def cold_start(
    observations: Sequence[Observation], pooled: Pooled, settings: FitSettings
) -> dict[str, dict[str, float]]:
    """Top-1 with 1, 3, 7, 14 days of history: own model and pooled-then-fine-tuned, frozen,
    on the same `cold_start_test_days` days after the longest history. One copy of the pooled
    model learns day after day (predicting does not change it), so the fine-tuned model at 3
    days is the one at 1 day that learned days 2 and 3."""
    longest = max(settings.cold_start_days)
    _, test = split_days(observations, longest, settings.cold_start_test_days)
    context = [o for o in observations if o.time < test[0].time]
    tuned = fine_tuned(pooled, [])
    learned = 0
    out: dict[str, dict[str, float]] = {}
    for days in sorted(settings.cold_start_days):
        history, _ = split_days(observations, days)
        for obs in history[learned:]:
            tuned.update(obs)
        learned = len(history)
        pooled_hits, n = top1(tuned, context, test, learn=False)
        own_hits = 0
        if len(history) >= 2:
            own_hits, _ = top1(own_model(settings, history), context, test, learn=False)
        out[str(days)] = {"pooled": pooled_hits / n, "per_space": own_hits / n, "events": n}
    return out


def fit_space(
    space: str,
    observations: Sequence[Observation],
    pooled: Pooled | None,
    settings: FitSettings,
    models_dir: Path,
    *,
    probe: bool = False,
) -> dict[str, Any]:
    """Fits, evaluates and writes one space's model; returns its manifest entry."""
    started = time.perf_counter()
    days = sorted({day_of(o.time) for o in observations})
    hold = min(settings.holdout_days, len(days) // 4)
    history, test = split_days(observations, len(days) - hold)
    if len(history) < 2:
        history, test = list(observations), []
    if (len(days) - hold >= settings.own_days or pooled is None) and len(history) >= 2:
        served, model = "per_space", own_model(settings, history)
    elif pooled is not None:
        served, model = "pooled_fine_tuned", fine_tuned(pooled, history)
    else:
        raise CorruptSpace("too little history and no pooled model")
    hits, n = top1(model, history, test, learn=True) if test else (0, 0)
    entry: dict[str, Any] = {
        "space": space,
        "status": "ok",
        "served": served,
        "model": model.name,
        "days": len(days),
        "events": len(observations),
        "test_events": n,
        "top1": hits / n if n else None,
    }
    if probe and pooled is not None and len(days) >= max(settings.cold_start_days) + 1:
        entry["cold_start"] = cold_start(observations, pooled, settings)
    entry["fit_seconds"] = time.perf_counter() - started
    artefact = models_dir / f"{space}.model"
    entry["sha256"] = save_model(model, artefact, {"space": space, **entry})
    entry["artefact"] = str(artefact)
    return entry
