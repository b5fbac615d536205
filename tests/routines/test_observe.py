"""One rule turns a state change into an observation: the recorder reader and the live learner
learn the same stream from the same changes, and the models are built from one registry."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hearthmind.core import HUMAN_ORIGINS, Hub, Origin, SimulatedClock
from hearthmind.recorder import Recorder
from hearthmind.routines.models import MarkovChain
from hearthmind.routines.observations import ImportReport, Kind
from hearthmind.routines.observe import LEARNED_ORIGINS, Observer
from hearthmind.routines.online import RoutineLearner
from hearthmind.routines.recorder_bridge import read_observations
from hearthmind.routines.registry import make_model, make_models, model_names


async def test_recorded_and_live_learn_the_same_stream(tmp_path: Path) -> None:
    clock = SimulatedClock(datetime(2024, 1, 1, tzinfo=UTC))
    hub = Hub(clock=clock, seed=1)
    db = tmp_path / "h.db"
    recorder = Recorder(hub, f"sqlite:///{db}")
    await recorder.async_start()
    learner = RoutineLearner(hub, MarkovChain)
    await learner.async_start()
    await hub.async_start()
    sensor, ana = hub.context(Origin.SENSOR), hub.context(Origin.PHYSICAL, "ana")
    changes = [
        ("light.hall", "on", {}, ana),
        ("light.hall", "off", {}, hub.context(Origin.AUTOMATION)),  # the hub's own: not learned
        # the lamp reports a new attribute with the value the automation left: no event, for
        # both readers, because both compare with the value it really had (off), not with the
        # person's last one (on)
        ("light.hall", "off", {"brightness": 0}, sensor),
        ("climate.hall", "heat", {"temperature": 19, "current_temperature": 18}, sensor),
        ("climate.hall", "heat", {"temperature": 19, "current_temperature": 18.5}, sensor),
        ("climate.hall", "heat", {"temperature": 21, "current_temperature": 18.5}, ana),
        ("sensor.hall_temperature", "18.5", {}, sensor),  # a reading, not an event
        ("binary_sensor.hall", "unavailable", {}, sensor),
        ("binary_sensor.hall", "on", {}, sensor),
        ("lock.front", "locked", {}, hub.context(Origin.VOICE, "ben")),
        ("lock.front", "unlocked", {}, hub.context(Origin.AGENT)),
    ]
    for n, (entity_id, state, attributes, context) in enumerate(changes):
        await clock.async_run_until(datetime(2024, 1, 1, 0, n + 1, tzinfo=UTC))
        hub.states.async_set(entity_id, state, attributes, context)
    await recorder.async_flush()
    await hub.async_stop()

    recorded = read_observations(db)
    live = list(learner.history)
    want = [
        ("light.hall:on", Kind.ACTION, "ana"),
        ("climate.hall:heat@19", Kind.SENSOR, None),
        ("climate.hall:heat@21", Kind.ACTION, "ana"),
        ("binary_sensor.hall:on", Kind.SENSOR, None),
        ("lock.front:locked", Kind.ACTION, "ben"),
    ]
    assert [(o.item, o.kind, o.user_id) for o in recorded.observations] == want
    assert [(o.item, o.kind, o.user_id) for o in live] == want
    assert [o.time for o in live] == [o.time for o in recorded.observations]
    assert recorded.report.skipped == {
        "attribute update": 2,
        "numeric reading": 1,
        "unavailable state": 1,
    }


def test_observer_counts_what_it_leaves_out_and_skips_the_hubs_own_changes() -> None:
    report = ImportReport("test")
    observer = Observer(report)
    assert observer.observe(1.0, "light.a", "on", {}, "automation", None) is None
    assert report.lines == 0  # not a line of what is learned: nothing to count
    obs = observer.observe(2.0, "light.a", "on", {}, "physical", "ana")
    assert obs is not None and obs.item == "light.a:on" and obs.origin == "physical"
    assert observer.observe(3.0, "light.a", None, {}, "sensor", None) is None
    assert report.lines == 2 and report.skipped == {"unavailable state": 1}


def test_one_list_of_human_origins() -> None:
    assert {o for o in Origin if o.is_human} == HUMAN_ORIGINS
    assert {*HUMAN_ORIGINS, Origin.SENSOR} == LEARNED_ORIGINS
    assert "physical" in HUMAN_ORIGINS and "automation" not in LEARNED_ORIGINS


def test_the_registry_builds_each_model_under_its_own_name() -> None:
    assert [m.name for m in make_models()] == model_names()
    assert model_names()[-1] == "boosted_ranker" and len(model_names()) == 7
    assert make_model("markov_hour").name == "markov_hour"
    with pytest.raises(KeyError, match=r"no model named 'oracle'.*markov"):
        make_model("oracle")
