"""Anticipation precision and recall against a simulated home's ground truth (the intentions
file beside its database), on a recorder database the test writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hearthmind.routines.evaluation.simulated import (
    evaluate_simulated,
    load_done_actions,
    score_anticipations,
)
from hearthmind.routines.observations import HomeLog, ImportReport, Kind
from hearthmind.routines.recorder_bridge import async_write_log

from .synthetic import observations


async def _home(tmp_path: Path, days: int) -> Path:
    obs = observations(days)
    db = tmp_path / "sim.db"
    await async_write_log(HomeLog("sim", obs, [], ImportReport("test")), f"sqlite:///{db}")
    with (tmp_path / "sim.db.intentions.jsonl").open("w") as fh:
        for o in obs:
            if o.kind is Kind.ACTION:
                fh.write(
                    json.dumps(
                        {"epoch": o.time, "action": o.item, "executed": True, "user_id": "ana"}
                    )
                    + "\n"
                )
    return db


async def test_anticipation_precision_and_recall(tmp_path: Path) -> None:
    db = await _home(tmp_path, 10)
    name, results = evaluate_simulated(db, only={"markov", "time_habits"})
    assert name == "sim"
    assert set(results) == {"markov", "time_habits"}
    for figures in results.values():
        assert figures["actions"] > 0
        assert figures["precision"] is None or 0.0 <= figures["precision"] <= 1.0
        assert 0.0 <= figures["recall"] <= 1.0
    # the routine is regular: after the kitchen motion comes the light, within seconds
    assert results["markov"]["recall"] > 0.2
    assert results["markov"]["precision"] > 0.5


async def test_validation_scores_inside_the_training_days(tmp_path: Path) -> None:
    """`--valid` on a simulated home: 10 days give 7 to learn; of those, 5 learn and 2 are
    scored, against the actions of those 2 days only (none of the 3 test days')."""
    from hearthmind.routines.evaluation.splits import split_by_days
    from hearthmind.routines.recorder_bridge import read_observations

    db = await _home(tmp_path, 10)
    _, test = evaluate_simulated(db, only={"markov"})
    _, valid = evaluate_simulated(db, only={"markov"}, validation=True)
    observed = read_observations(db).observations
    inner = split_by_days(split_by_days(observed).train).test
    scored_actions = sum(o.kind is Kind.ACTION for o in inner)
    assert valid["markov"]["actions"] == scored_actions
    assert test["markov"]["actions"] == sum(
        o.kind is Kind.ACTION for o in split_by_days(observed).test
    )
    assert 0 < scored_actions != test["markov"]["actions"]


def test_bad_ground_truth_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.db.intentions.jsonl").write_text(
        '{"epoch": 1, "action": "light.a:on", "executed": true}\n{broken\n'
    )
    with pytest.raises(ValueError, match=r"x.db.intentions.jsonl:2"):
        load_done_actions(tmp_path / "x.db", 0.0)
    with pytest.raises(ValueError, match="no ground truth"):
        load_done_actions(tmp_path / "y.db", 0.0)


def test_real_simulator_output(tmp_path: Path) -> None:
    """Runs `hearthmind sim` for a short single home and scores it; a failing sim fails here."""
    from typer.testing import CliRunner

    from hearthmind.cli import app

    db = tmp_path / "single.db"
    result = CliRunner().invoke(
        app,
        [
            "sim",
            "--home",
            "single",
            "--days",
            "3",
            "--db",
            str(db),
            "--seed",
            "2",
            "-c",
            str(tmp_path / "cfg"),
        ],
    )
    assert result.exit_code == 0 and db.exists(), (
        f"hearthmind sim failed ({result.exit_code}): {result.output[-2000:]}",
        result.exception,
    )
    _, results = evaluate_simulated(db, only={"markov"})
    assert results["markov"]["actions"] > 5
    from zoneinfo import ZoneInfo

    from hearthmind.routines.evaluation.simulated import home_time_zone

    assert home_time_zone(db) == ZoneInfo("Europe/Amsterdam")  # the single home's zone


def test_ground_truth_is_matched_as_the_recorder_shows_it(tmp_path: Path) -> None:
    # a set-point of 20.5 shows as the thermostat's mode in the recorder, a TV on as playing:
    # models predict those items, so they are what a prediction must match
    lines = [
        {"epoch": 10, "action": "climate.lounge:20.5", "executed": True,
         "recorded_action": "climate.lounge:heat"},
        {"epoch": 20, "action": "media_player.tv:on", "executed": True,
         "recorded_action": "media_player.tv:playing"},
        {"epoch": 30, "action": "light.hall:on", "executed": True},  # an older file's line
        {"epoch": 40, "action": "light.hall:off", "executed": False,
         "recorded_action": "light.hall:off"},
    ]  # fmt: skip
    (tmp_path / "x.db.intentions.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in lines)
    )
    done = load_done_actions(tmp_path / "x.db", 0.0)
    assert done == {
        "climate.lounge:heat": [10.0],
        "media_player.tv:playing": [20.0],
        "light.hall:on": [30.0],
    }


def test_a_guess_made_after_the_action_anticipated_nothing() -> None:
    done = {"light.hall:on": [100.0, 1000.0]}
    # made at the action's own moment (the hub had just seen it): counts for neither
    assert score_anticipations({"light.hall:on": [(100.0, 100.0)]}, done) == (1, 0, 0)
    # made 40 s before, expected 30 s off: a hit, and the action was anticipated
    assert score_anticipations({"light.hall:on": [(60.0, 130.0)]}, done) == (1, 1, 1)
    # made after the first action, expecting a repeat that comes 900 s later: outside 600 s
    assert score_anticipations({"light.hall:on": [(100.5, 200.0)]}, done) == (1, 0, 0)
    assert score_anticipations({"light.hall:on": [(500.0, 900.0)]}, done) == (1, 1, 1)
    assert score_anticipations({}, done) == (0, 0, 0)


async def test_a_simulated_home_is_scored_on_its_residents_clock(tmp_path: Path) -> None:
    """The recorder keeps UTC; the ground truth names the home's zone. Both are read on the
    residents' clock: the 06:4x kitchen light stays at 06:4x after summer time began (31 March
    2024), where in UTC it moved from 05:4x to 04:4x, and learned and true times agree."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from hearthmind.routines.evaluation.simulated import home_time_zone, read_simulated
    from hearthmind.routines.observations import Observation, from_wall_clock_log
    from hearthmind.routines.timeofday import seconds_of_day

    zone = ZoneInfo("Europe/Amsterdam")
    # 20 days of the synthetic routine on the residents' clock from Monday 18 March 2024
    shift = timedelta(days=77).total_seconds()
    local = [
        Observation(o.time + shift, o.item, o.kind, o.user_id, o.origin) for o in observations(20)
    ]
    utc = from_wall_clock_log(HomeLog("sim", local, [], ImportReport("test")), zone)
    db = tmp_path / "sim.db"
    await async_write_log(utc, f"sqlite:///{db}")
    with (tmp_path / "sim.db.intentions.jsonl").open("w") as fh:
        for o in utc.observations:
            if o.kind is Kind.ACTION:
                record = {"epoch": o.time, "action": o.item, "executed": True}
                fh.write(json.dumps(record | {"time_zone": zone.key}) + "\n")
    assert home_time_zone(db) == zone
    log, read_zone = read_simulated(db)
    assert read_zone == zone
    lights = [o.time for o in log.observations if o.item == "light.kitchen:on"]
    assert lights == [o.time for o in local if o.item == "light.kitchen:on"]
    weekday_hours = {int(seconds_of_day(t) // 3600) for t in lights if (t // 86400 + 3) % 7 < 5}
    assert weekday_hours == {6}  # in UTC: {4, 5}
    done = load_done_actions(db, 0.0, zone=read_zone)
    assert done["light.kitchen:on"] == lights
    _, results = evaluate_simulated(db, only={"markov"})
    assert results["markov"]["recall"] > 0.2


def test_a_wrong_time_zone_in_the_ground_truth_is_a_clear_error(tmp_path: Path) -> None:
    from hearthmind.routines.evaluation.simulated import home_time_zone

    (tmp_path / "x.db.intentions.jsonl").write_text(
        '{"epoch": 1, "action": "light.a:on", "executed": true, "time_zone": "Mars/Olympus"}\n'
    )
    with pytest.raises(ValueError, match=r"x.db.intentions.jsonl:1: unreadable time zone"):
        home_time_zone(tmp_path / "x.db")
