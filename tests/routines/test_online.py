"""Keeps learning on a live hub: updates from people and sensors, never from automations or the
agent; periodic refits on the hub clock; a failing model is counted, the hub goes on."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hearthmind.core import Hub, Origin, SimulatedClock
from hearthmind.routines.models import MarkovChain
from hearthmind.routines.observations import Episode, Observation
from hearthmind.routines.online import RoutineLearner
from hearthmind.routines.predictor import Prediction

from .synthetic import observations


async def _replay(
    hub: Hub, clock: SimulatedClock, obs: list[Observation], learner: RoutineLearner
) -> None:
    for o in obs:
        await clock.async_run_until(datetime.fromtimestamp(o.time, UTC))
        # the simulated clock jumps days in milliseconds: let a refit started in the executor
        # finish before time moves on, as it would on a real day (else a loaded machine skips)
        if learner._fitting is not None:
            await learner._fitting
        entity, _, value = o.item.rpartition(":")
        hub.states.async_set(
            entity, value, {}, hub.context(Origin(o.origin), o.user_id), force_update=True
        )


async def test_learns_online_and_refits_daily() -> None:
    history = observations(10)
    clock = SimulatedClock(datetime.fromtimestamp(history[0].time, UTC))
    hub = Hub(clock=clock, seed=1)
    learner = RoutineLearner(hub, MarkovChain, refit_every=timedelta(days=1))
    await learner.async_start(history[:60])
    assert learner.refits == 1
    await clock.async_run_until(datetime.fromtimestamp(history[60].time, UTC))
    await _replay(hub, clock, history[60:], learner)
    await hub.async_block_till_done()
    assert learner.updates > 0
    assert learner.refits >= 3  # days passed on the hub clock
    # after the kitchen motion sensor, the kitchen light comes next
    hub.states.async_set(
        "binary_sensor.kitchen_motion", "on", {}, hub.context(Origin.SENSOR), force_update=True
    )
    assert learner.predict(1)[0].item == "light.kitchen:on"
    await learner.async_stop()


async def test_automation_and_agent_changes_are_not_learned() -> None:
    clock = SimulatedClock(datetime(2024, 1, 1, tzinfo=UTC))
    hub = Hub(clock=clock, seed=1)
    learner = RoutineLearner(hub, MarkovChain)
    await learner.async_start()
    hub.states.async_set("light.hall", "on", {}, hub.context(Origin.AUTOMATION))
    hub.states.async_set("light.hall", "off", {}, hub.context(Origin.AGENT))
    hub.states.async_set("sensor.temperature", "21.5", {}, hub.context(Origin.SENSOR))
    assert len(learner.history) == 0
    hub.states.async_set("light.hall", "on", {}, hub.context(Origin.PHYSICAL, "ana"))
    assert [o.item for o in learner.history] == ["light.hall:on"]
    assert learner.history[0].user_id == "ana"


async def test_live_learning_sees_what_the_recorder_reader_sees() -> None:
    # the same rules as read_observations, or the model would learn live from events that a
    # refit on the recorder's history never shows it
    clock = SimulatedClock(datetime(2024, 1, 1, tzinfo=UTC))
    hub = Hub(clock=clock, seed=1)
    learner = RoutineLearner(hub, MarkovChain)
    await learner.async_start()
    sensor, ana = hub.context(Origin.SENSOR), hub.context(Origin.PHYSICAL, "ana")
    hub.states.async_set(
        "climate.hall", "heat", {"temperature": 19, "current_temperature": 18}, sensor
    )
    hub.states.async_set(
        "climate.hall", "heat", {"temperature": 19, "current_temperature": 18.5}, sensor
    )
    hub.states.async_set(
        "climate.hall", "heat", {"temperature": 21, "current_temperature": 18.5}, ana
    )
    hub.states.async_set("binary_sensor.hall", "on", {}, sensor)
    hub.states.async_set("binary_sensor.hall", "on", {}, sensor, force_update=True)
    assert [o.item for o in learner.history] == [
        "climate.hall:heat@19",
        "climate.hall:heat@21",  # the person's set-point; the room temperature is no event
        "binary_sensor.hall:on",
        "binary_sensor.hall:on",  # a repeated reading is
    ]
    await learner.async_stop()


class _Broken:
    name = "broken"

    def fit(self, history: Sequence[Episode]) -> None:
        return None

    def update(self, observation: Observation) -> None:
        raise RuntimeError("model bug")

    def predict(self, now: float, recent: Sequence[Observation], k: int = 5) -> list[Prediction]:
        return []

    def explain(self, prediction: Prediction) -> str:
        return ""


async def test_a_failing_model_is_counted_not_fatal() -> None:
    history = observations(6)
    clock = SimulatedClock(datetime.fromtimestamp(history[0].time, UTC))
    hub = Hub(clock=clock, seed=1)
    learner = RoutineLearner(hub, _Broken)
    await learner.async_start(history)
    hub.states.async_set("light.hall", "on", {}, hub.context(Origin.PHYSICAL))
    assert hub.health["routines_update_errors"] == 1
    assert "model bug" in hub.health.recent[-1].message


async def test_live_times_are_on_the_residents_clock() -> None:
    from zoneinfo import ZoneInfo

    clock = SimulatedClock(datetime(2024, 1, 8, 5, 40, tzinfo=UTC))  # 06:40 in Amsterdam
    hub = Hub(clock=clock, seed=1)
    learner = RoutineLearner(hub, MarkovChain, zone=ZoneInfo("Europe/Amsterdam"))
    await learner.async_start()
    hub.states.async_set("light.hall", "on", {}, hub.context(Origin.PHYSICAL, "ana"))
    assert learner.history[0].time == clock.timestamp() + 3600
    assert learner.utc(learner.history[0].time) == clock.timestamp()
    await learner.async_stop()


class _SlowFit(MarkovChain):
    """A fit that lasts until the test releases it (a year's history takes most of a minute),
    and says when it starts and when it is done."""

    started = threading.Event()
    release = threading.Event()
    finished = threading.Event()

    def fit(self, history: Sequence[Episode]) -> None:
        self.started.set()
        self.release.wait(30)
        super().fit(history)
        self.finished.set()


async def test_stopping_does_not_wait_for_a_refit() -> None:
    for event in (_SlowFit.started, _SlowFit.release, _SlowFit.finished):
        event.clear()
    clock = SimulatedClock(datetime(2024, 1, 1, tzinfo=UTC))
    hub = Hub(clock=clock, seed=1)
    learner = RoutineLearner(hub, _SlowFit, min_history=5)
    await learner.async_start()
    for n in range(6):
        hub.states.async_set(
            "light.hall", "on" if n % 2 else "off", {}, hub.context(Origin.PHYSICAL)
        )
    # the refit has reached its fit (it says so; no guessing how long that takes)
    assert await asyncio.to_thread(_SlowFit.started.wait, 30)
    assert learner._fitting is not None and not learner._fitting.done()  # fitting, blocked
    await learner.async_stop()
    # stop came back while the fit is still blocked: it did not wait for it, however fast
    # or slow the machine (had it waited, the fit would have finished first)
    assert not _SlowFit.finished.is_set()
    assert learner.model is None and learner.refits == 0  # the unfinished model is dropped
    _SlowFit.release.set()


async def test_the_live_history_is_bounded_by_age() -> None:
    """Issue 20, finding 8: the learner lets go of observations older than `history_days`
    at each refit, so its memory does not grow with the hub's age (only a count bounded it)."""
    history = observations(10)
    clock = SimulatedClock(datetime.fromtimestamp(history[0].time, UTC))
    hub = Hub(clock=clock, seed=1)
    learner = RoutineLearner(
        hub,
        MarkovChain,
        refit_every=timedelta(days=1),
        min_history=10,
        max_age=timedelta(days=2),
    )
    await learner.async_start()
    await _replay(hub, clock, history, learner)
    await hub.async_block_till_done()
    assert learner.refits >= 5
    span_days = (learner.history[-1].time - learner.history[0].time) / 86400
    assert span_days <= 3.0  # two days, and what arrived since the last refit
    assert len(learner.history) < len(history) / 2
    await learner.async_stop()
