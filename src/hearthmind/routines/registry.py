"""The routines models by name: the one list the live hub (`routines: model:`), the CLI and the
evaluation harness all build from. A model is made fresh for each fit; the ranker needs to know
whether `predict` is asked at the target's own time (the published SmartThings protocol) or
now, before it (a live hub)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from .models import ActiveLeZi, ContextRanker, MarkovChain, MostFrequent, RepeatLast, TimeHabitMiner
from .predictor import Predictor

DEFAULT_MODEL = "boosted_ranker"  # the live hub's model unless `routines: model:` names another


@dataclass(frozen=True, slots=True)
class ModelOptions:
    now_is_target_time: bool = False
    progress: Callable[[str], None] | None = None


# in the order the evaluation's tables list them: simplest first
_FACTORIES: dict[str, Callable[[ModelOptions], Predictor]] = {
    "most_frequent": lambda _: MostFrequent(),
    "repeat_last": lambda _: RepeatLast(),
    "markov": lambda _: MarkovChain(use_hour_slot=False),
    "markov_hour": lambda _: MarkovChain(use_hour_slot=True),
    "active_lezi": lambda _: ActiveLeZi(),
    "time_habits": lambda _: TimeHabitMiner(),
    "boosted_ranker": lambda o: ContextRanker(
        now_is_target_time=o.now_is_target_time, progress=o.progress
    ),
}


# libraries a model loads on demand at its first fit: loaded at set-up instead (in a thread,
# before the hub serves), since importing lightgbm holds the interpreter for over a second,
# which the event loop would feel as a stall in the middle of serving
_LIBRARIES: dict[str, tuple[str, ...]] = {"boosted_ranker": ("lightgbm",)}


def load_libraries(name: str) -> None:
    """Import what model `name` loads on demand (nothing for most models)."""
    import importlib

    for module in _LIBRARIES.get(name, ()):
        importlib.import_module(module)


def model_names() -> list[str]:
    return list(_FACTORIES)


def make_model(name: str, options: ModelOptions | None = None) -> Predictor:
    """A fresh model by name; KeyError names the known ones."""
    factory = _FACTORIES.get(name)
    if factory is None:
        raise KeyError(f"no model named {name!r} (models: {', '.join(_FACTORIES)})")
    return factory(options or ModelOptions())


def make_models(
    options: ModelOptions | None = None, only: Collection[str] | None = None
) -> list[Predictor]:
    """Every model (or those named in `only`), fresh, in the table order."""
    return [make_model(n, options) for n in _FACTORIES if only is None or n in only]
