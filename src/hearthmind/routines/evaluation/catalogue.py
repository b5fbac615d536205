"""Which models the harness runs, built fresh for each task, from the registry every reader
of the models shares (routines/registry.py)."""

from __future__ import annotations

from collections.abc import Callable, Collection

from ..predictor import Predictor
from ..registry import DEFAULT_MODEL, ModelOptions
from ..registry import make_models as _registry_models

BEST = DEFAULT_MODEL  # the model reported as best when no validation figures choose one


def make_models(
    *,
    now_is_target_time: bool,
    progress: Callable[[str], None] | None = None,
    only: Collection[str] | None = None,
) -> list[Predictor]:
    """All models (or those named in `only`), fresh."""
    return _registry_models(ModelOptions(now_is_target_time, progress), only)
