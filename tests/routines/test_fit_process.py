"""A refit in a child process (`routines: fit_in: process`): the same model as a fit in the
hub's process, failures named and counted, and a cancelled fit's process killed."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hearthmind.core import Hub, Origin, SimulatedClock
from hearthmind.routines.fit_process import CHUNK, FitProcessError, async_fit_in_process
from hearthmind.routines.models import MarkovChain
from hearthmind.routines.observations import Observation
from hearthmind.routines.online import RoutineLearner

from .fit_models import BrokenFit, DyingFit, MarkedSlowFit
from .synthetic import observations

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _child_imports_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child unpickles the tests' models by module path: let it import `tests`."""
    paths = [str(REPO), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))


async def _assert_fits_alike(history: list[Observation]) -> None:
    """A Markov chain fitted on `history` in a child predicts as one fitted here."""
    here = MarkovChain()
    here.fit([history])
    there = await async_fit_in_process(MarkovChain(), history)
    recent = history[-20:]
    assert there.predict(recent[-1].time, recent, 5) == here.predict(recent[-1].time, recent, 5)


async def test_a_model_fitted_in_a_child_predicts_as_one_fitted_here() -> None:
    await _assert_fits_alike(observations(10))


async def test_a_history_of_many_chunks_arrives_whole() -> None:
    base = observations(10)
    await _assert_fits_alike((base * (2 * CHUNK // len(base) + 2))[: 2 * CHUNK + 7])  # 3 chunks


async def test_a_failing_fit_names_its_error() -> None:
    with pytest.raises(FitProcessError, match="model bug in fit"):
        await async_fit_in_process(BrokenFit(), observations(2))


async def test_a_dying_child_is_an_error_with_its_exit_code() -> None:
    with pytest.raises(FitProcessError, match="code 3"):
        await async_fit_in_process(DyingFit(), observations(2))


async def test_cancelling_kills_the_child(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    fitting = asyncio.ensure_future(
        async_fit_in_process(MarkedSlowFit(str(marker)), observations(2))
    )
    for _ in range(600):  # the child has started its fit (bounded: 60 s)
        if marker.exists() and marker.read_text():
            break
        await asyncio.sleep(0.1)
    pid = int(marker.read_text())
    fitting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await fitting
    # killed and reaped: the process id names no process any more
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


async def test_the_learner_counts_a_failed_child_fit_and_goes_on() -> None:
    history = observations(6)
    clock = SimulatedClock(datetime.fromtimestamp(history[0].time, UTC))
    hub = Hub(clock=clock, seed=1)
    learner = RoutineLearner(hub, BrokenFit, fit_in_process=True)
    await learner.async_start(history)
    assert hub.health["routines_fit_errors"] == 1
    assert "model bug in fit" in hub.health.recent[-1].message
    assert learner.model is None
    learner.make_model = MarkovChain  # the next refit works
    await learner.async_refit()
    assert learner.refits == 1 and learner.model is not None
    hub.states.async_set(
        "binary_sensor.kitchen_motion", "on", {}, hub.context(Origin.SENSOR), force_update=True
    )
    assert learner.predict(1)
    await learner.async_stop()
