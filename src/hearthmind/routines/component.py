"""The routines component of a running hub (bootstrap): a `RoutineLearner` that learns from
the recorded history at start and from every change after, with the model and its rhythm from
the `routines:` section of configuration.yaml:

    routines:
      model: boosted_ranker     # any model of `hearthmind eval`
      refit_every_hours: 24     # retrain on the hub's clock (the trees learn only at fit time)
      history_days: 90          # history to learn from (at start, and kept while it runs)
      max_observations: 200000  # at most this many kept, however young
      min_history: 50           # events before the first fit
      min_probability: 0.1      # predictions under this are not shown

Reading and fitting a long history take tens of seconds, so they run in the background: the
hub starts at once, and predictions appear when the first fit is done. Times are learned on
the residents' wall clock, in `homeassistant: time_zone`."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hearthmind.core import ConfigError, Hub, SetupOptions, register_section
from hearthmind.recorder import get_recorder

from .observations import on_wall_clock
from .online import DATA_KEY, RoutineLearner
from .recorder_bridge import read_observations
from .registry import DEFAULT_MODEL, load_libraries, make_model, model_names
from .showing import DEFAULT_MIN_PROBABILITY

_LOGGER = logging.getLogger(__name__)


class RoutinesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    model: str = DEFAULT_MODEL
    refit_every_hours: float = Field(default=24.0, gt=0)
    history_days: float = Field(default=90.0, gt=0)
    min_history: int = Field(default=50, ge=2)
    # the live history is bounded by history_days (older observations are let go at each
    # refit) and by this count, so the learner's memory stays flat over years
    max_observations: int = Field(default=200_000, ge=100)
    # where a refit runs: a child process gives its memory peak back to the system when it
    # ends (fit_process.py); a thread keeps it in the hub's process as free heap
    fit_in: Literal["process", "thread"] = "process"
    # a prediction under this is not shown (status page, API, `hearthmind predict`)
    min_probability: float = Field(default=DEFAULT_MIN_PROBABILITY, ge=0, le=1)

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        if value not in model_names():
            raise ValueError(f"no model named {value!r} (models: {', '.join(model_names())})")
        return value


register_section("routines", RoutinesConfig)


def get_learner(hub: Hub) -> RoutineLearner | None:
    return hub.data.get(DATA_KEY)


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Component set-up (bootstrap): learn routines unless `routines: enabled: false`."""
    section = hub.config.section("routines", RoutinesConfig)
    if not section.enabled:
        return
    known = model_names()
    if section.model not in known:
        raise ConfigError(
            str(hub.config.path),
            None,
            f"routines.model: no model named {section.model!r} (models: {', '.join(known)})",
        )

    try:
        zone = ZoneInfo(hub.config.core.time_zone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(
            str(hub.config.path), None, f"hearthmind.time_zone: unknown time zone {err}"
        ) from err

    try:
        await asyncio.get_running_loop().run_in_executor(None, load_libraries, section.model)
    except ImportError as err:  # its first fit will say so, counted; the hub starts all the same
        _LOGGER.warning("routines: model %s cannot load %s", section.model, err)
    learner = RoutineLearner(
        hub,
        lambda: make_model(section.model),
        refit_every=timedelta(hours=section.refit_every_hours),
        min_history=section.min_history,
        zone=zone,
        keep=section.max_observations,
        max_age=timedelta(days=section.history_days),
        fit_in_process=section.fit_in == "process",
    )
    await learner.async_start()
    hub.async_create_task(
        _async_learn_recorded(hub, learner, section.history_days), name="routines-history"
    )


async def _async_learn_recorded(hub: Hub, learner: RoutineLearner, days: float) -> None:
    """The recorder's last `days` of people's actions and sensor events, then a first fit."""
    recorder = get_recorder(hub)
    if recorder is None:
        return  # nothing recorded: learn from what happens from now on
    start = hub.clock.timestamp() - days * 86400.0
    try:
        await recorder.async_flush()
        log = await asyncio.get_running_loop().run_in_executor(
            None, lambda: read_observations(recorder.db_url, start=start)
        )
    except Exception as err:  # an unreadable database must not stop the hub
        hub.health.problem(
            "routines_history_errors",
            f"cannot read the recorded history: {err!r}",
            hub.clock.timestamp(),
        )
        return
    _LOGGER.info("routines: %d recorded events to learn from", len(log.observations))
    await learner.async_learn_history(on_wall_clock(log, learner.zone).observations)
