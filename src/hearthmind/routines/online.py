"""Keeps learning on a live hub: every state change made by a person or reported by a sensor
becomes an observation the model learns from at once (`update`), and a periodic refit on the
hub's clock retrains a fresh model on the recent history in a child process (or a thread),
then swaps it in.

Changes made by automations or by the agent itself are never learned from."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Callable
from datetime import timedelta, tzinfo
from typing import Any

from hearthmind.core import EVENT_STATE_CHANGED, DataKey, Event, Hub, StateChangedData

from .fit_process import async_fit_in_process
from .live_calibration import RunningCalibration
from .observations import Kind, Observation
from .observe import Observer
from .predictor import Prediction, Predictor, likely_actions
from .timeofday import from_wall_clock, to_wall_clock

DATA_KEY: DataKey[RoutineLearner] = DataKey("routines")


class RoutineLearner:
    def __init__(
        self,
        hub: Hub,
        make_model: Callable[[], Predictor],
        *,
        refit_every: timedelta = timedelta(days=1),
        keep: int = 200_000,
        window: int = 30,
        min_history: int = 50,
        zone: tzinfo | None = None,
        max_age: timedelta | None = None,
        fit_in_process: bool = False,
    ) -> None:
        self.hub = hub
        # a refit in a child process (fit_process.py: the fit's memory peak leaves with it)
        # or in a thread of the hub's (tests' own models, quick fits)
        self.fit_in_process = fit_in_process
        # observations are on the residents' wall clock (see timeofday): their habits keep
        # their hour through summer time
        self.zone = zone
        self.make_model = make_model
        self.model: Predictor | None = None
        self.refit_every = refit_every
        self.min_history = min_history
        self.history: deque[Observation] = deque(maxlen=keep)  # bounded: a year fits
        # bounded by age too (`routines: history_days`): what the model rebuilds at each fit
        # (its per-item timelines) grows with the history, so an old history is let go
        self.max_age = max_age
        self.recent: deque[Observation] = deque(maxlen=window)
        self.refits = 0
        self.updates = 0
        self._arrived_while_fitting: list[Observation] | None = None
        self._unsub: Callable[[], None] | None = None
        self._timer: Any = None
        self._fitting: asyncio.Task[None] | None = None
        # no model yet: fit as soon as this much history is there (doubled after each try, so
        # a history too small to fit is not retried at every event)
        self._first_fit_at = min_history
        self._observer = Observer()  # the recorder reader's rule (observe.py)
        # each live guess against what came next, bounded (the dashboard's calibration plot)
        self.calibration = RunningCalibration()

    async def async_start(self, history: list[Observation] | None = None) -> None:
        """Start listening; with `history` (e.g. read from the recorder) fit at once."""
        if history:
            self.history.extend(history)
            self.recent.extend(history[-(self.recent.maxlen or 1) :])
            await self.async_refit()
        self._unsub = self.hub.bus.async_listen(EVENT_STATE_CHANGED, self._on_state_changed)
        self._schedule()
        self.hub.async_on_stop(self.async_stop)
        self.hub.data[DATA_KEY] = self

    async def async_stop(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._fitting is not None and not self._fitting.done():
            # a refit is disposable: stopping does not wait for one (a year's history takes
            # most of a minute); its thread is a daemon and its model is dropped
            self._fitting.cancel()
            await asyncio.gather(self._fitting, return_exceptions=True)

    async def async_learn_history(self, recorded: list[Observation]) -> None:
        """Older history (e.g. read from the recorder after the hub started): what is not
        already here goes before the live observations, then the model is refitted."""
        first_live = self.history[0].time if self.history else float("inf")
        older = [o for o in recorded if o.time < first_live]
        if older:
            # bounded as before: the newest are kept when everything does not fit
            merged = [*older, *self.history]
            self.history = deque(
                merged[-(self.history.maxlen or len(merged)) :], self.history.maxlen
            )
            self.recent = deque(merged[-(self.recent.maxlen or 1) :], self.recent.maxlen)
        if self._fitting is not None and not self._fitting.done():
            await asyncio.gather(self._fitting, return_exceptions=True)
        # as a task the hub's stop can cancel, like every refit
        self._fitting = self.hub.async_create_task(self.async_refit(), name="routines-refit")
        await asyncio.gather(self._fitting, return_exceptions=True)

    def _schedule(self) -> None:
        self._timer = self.hub.clock.call_at(self.hub.clock.now() + self.refit_every, self._due)

    def _due(self) -> None:
        self._schedule()
        if self._fitting is None or self._fitting.done():
            self._fitting = self.hub.async_create_task(self.async_refit(), name="routines-refit")

    def _on_state_changed(self, event: Event[StateChangedData]) -> None:
        new = event.data["new_state"]
        if new is None:
            return
        old = event.data["old_state"]
        if old is not None and not self._observer.knows(old.entity_id):
            # an entity first changed since the learner listens: the event says what it was
            # (later, the observer remembers it from the change before)
            self._observer.remember(old.entity_id, str(old.state), old.attributes)
        obs = self._observer.observe(
            to_wall_clock(event.time_fired, self.zone),
            new.entity_id,
            str(new.state),
            new.attributes,
            event.context.origin,
            event.context.user_id,
        )
        if obs is None:
            return  # the hub's own doing, an attribute report, unavailable, a reading
        if self.model is not None and self.recent:
            self._score_guess(obs)
        self.history.append(obs)
        self.recent.append(obs)
        if self._arrived_while_fitting is not None:
            self._arrived_while_fitting.append(obs)
        if self.model is None:
            if len(self.history) >= self._first_fit_at and (
                self._fitting is None or self._fitting.done()
            ):
                self._first_fit_at *= 2
                self._fitting = self.hub.async_create_task(
                    self.async_refit(), name="routines-first-fit"
                )
            return
        try:
            self.model.update(obs)
            self.updates += 1
        except Exception as err:  # a model bug must not stop the hub
            self.hub.health.problem(
                "routines_update_errors",
                f"{self.model.name} could not learn {obs.item}: {err!r}",
                self.hub.clock.timestamp(),
            )

    def _score_guess(self, obs: Observation) -> None:
        """What the model would have guessed just before `obs`, scored against it (as the
        evaluation harness does: at the last observation's time, from the recent ones)."""
        assert self.model is not None
        try:
            guesses = self.model.predict(self.recent[-1].time, list(self.recent), k=3)
        except Exception as err:  # a model bug must not stop the hub
            self.hub.health.problem(
                "routines_predict_errors",
                f"{self.model.name} could not guess before {obs.item}: {err!r}",
                self.hub.clock.timestamp(),
            )
            return
        self.calibration.add(guesses, obs.item)

    async def async_refit(self) -> None:
        """Fit a fresh model on the history in a child process or a thread, then swap it in
        and replay what arrived meanwhile."""
        self._forget_old()
        if len(self.history) < self.min_history:
            return
        snapshot = list(self.history)
        model = self.make_model()
        self._arrived_while_fitting = []
        try:
            if self.fit_in_process:
                model = await async_fit_in_process(model, snapshot)
            else:
                await _in_daemon_thread(lambda: model.fit([snapshot]))
        except Exception as err:
            self.hub.health.problem(
                "routines_fit_errors",
                f"refit of {model.name} failed: {err!r}",
                self.hub.clock.timestamp(),
            )
            return
        finally:
            arrived, self._arrived_while_fitting = self._arrived_while_fitting, None
        for obs in arrived or []:
            model.update(obs)
        self.model = model
        self.refits += 1

    def _forget_old(self) -> None:
        """Drop observations older than `max_age` (on the residents' wall clock, as they are)."""
        if self.max_age is None:
            return
        oldest = to_wall_clock(self.hub.clock.timestamp(), self.zone) - self.max_age.total_seconds()
        history = self.history
        while history and history[0].time < oldest:
            history.popleft()

    def predict(self, k: int = 5) -> list[Prediction]:
        """What people are likely to do next, now (expected times on the wall clock: `utc`
        turns them back)."""
        if self.model is None or not self.recent:
            return []
        now = to_wall_clock(self.hub.clock.timestamp(), self.zone)
        return self.model.predict(now, list(self.recent), k)

    def likely_actions(self, k: int = 5) -> list[Prediction]:
        """What people are likely to do to devices next, now (`predictor.likely_actions`)."""
        if self.model is None or not self.recent:
            return []
        acted = {o.item for o in self.history if o.kind is Kind.ACTION}
        now = to_wall_clock(self.hub.clock.timestamp(), self.zone)
        return likely_actions(self.model, now, list(self.recent), acted, k)

    def utc(self, wall_clock: float) -> float:
        return from_wall_clock(wall_clock, self.zone)


def _in_daemon_thread(work: Callable[[], None]) -> asyncio.Future[None]:
    """Run `work` in a daemon thread: unlike the default executor's threads, which the
    interpreter joins at exit, a hub stopping mid-refit does not wait for it."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()

    def settle(error: BaseException | None) -> None:
        if done.done():  # cancelled meanwhile: the result is not wanted
            return
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)

    def run() -> None:
        error: BaseException | None = None
        try:
            work()
        except BaseException as err:  # handed to the awaiting task
            error = err
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
            loop.call_soon_threadsafe(settle, error)

    threading.Thread(target=run, name="routines-fit", daemon=True).start()
    return done
