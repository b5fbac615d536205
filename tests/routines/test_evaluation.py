"""The harness end to end on small generated data: splits by days (empty days counted), the
JSON shape the checks read, the table, the plots and the BENCHMARKS.md section."""

from __future__ import annotations

import io
import json
import random
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console

from hearthmind.routines.evaluation.harness import run_evaluation
from hearthmind.routines.evaluation.metrics import RankingScore
from hearthmind.routines.evaluation.report import rich_table, write_section
from hearthmind.routines.evaluation.splits import SplitError, split_by_days
from hearthmind.routines.observations import Kind, Observation
from hearthmind.routines.predictor import Prediction

from .synthetic import START, casas_lines, observations
from .test_importers import _smartthings, write


def test_split_by_days_in_time_order_counts_empty_days() -> None:
    # days 3 and 4 have no data at all
    obs = [
        o
        for o in observations(14)
        if int(o.time // 86400) - int(START.timestamp() // 86400) not in (3, 4)
    ]
    split = split_by_days(obs)
    assert max(o.time for o in split.train) < min(o.time for o in split.test)
    assert len(split.train_days) + len(split.test_days) == len({int(o.time // 86400) for o in obs})
    assert split.empty_days == 14 - len(split.train_days) - len(split.test_days)
    assert split.empty_days == 2
    with pytest.raises(SplitError, match="at least 2 days"):
        split_by_days(observations(1))


def test_days_with_stray_events_only_do_not_take_the_test_period() -> None:
    # ten lived days of 200 events, then doors left open close on three later days (one event
    # each): the 70/30 cut is counted on the ten days, the stray events stay in the test data
    start = START.timestamp()
    obs = [
        Observation(start + day * 86400 + i * 60, f"binary_sensor.s{i % 7}:on", Kind.SENSOR)
        for day in range(10)
        for i in range(200)
    ]
    strays = [
        Observation(start + day * 86400, f"binary_sensor.door_{day}:off", Kind.SENSOR)
        for day in (11, 14, 15)
    ]
    split = split_by_days([*obs, *strays])
    assert len(split.train_days) == 7
    assert len(split.test_days) == 3
    assert split.sparse_days == 3
    assert split.test[-3:] == strays
    assert split.train == split_by_days(obs).train


def test_ranking_score_brier_and_reliability() -> None:
    score = RankingScore()
    score.add([Prediction("a", 0.9, None, "m"), Prediction("b", 0.05, None, "m")], "a")
    score.add([Prediction("a", 0.9, None, "m")], "b")
    score.add([], "c")  # a model with nothing to say counts as wrong, never a crash
    assert score.top1_rate == pytest.approx(1 / 3)
    assert score.brier == pytest.approx((0.01 + 0.81 + 0.0) / 3)
    assert [c for _, _, c in score.reliability()] == [1, 2]


def _generated_smartthings(folder: Path, n: int, seed: int) -> Path:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        day, slot = rng.randrange(7), rng.randrange(8)
        habit = rng.choice([[0, 1], [2, 0], [0, 0]])
        seq = []
        for i in range(10):
            action = habit[i % len(habit)] if rng.random() < 0.9 else rng.randrange(3)
            seq.append([day, slot, 0 if action < 2 else 1, 0, action])
            slot = (slot + rng.choice([0, 0, 1])) % 8
        rows.append(json.dumps(seq))
    return _smartthings(folder, rows)


def test_harness_writes_json_table_plots_and_section(tmp_path: Path) -> None:
    st = _generated_smartthings(tmp_path / "st", 80, 1)
    home = tmp_path / "homes" / "synthetic"
    write(home / "data", "\n".join(casas_lines(8)) + "\nthis line is broken\n")
    docs = tmp_path / "docs"
    write(docs / "BENCHMARKS.md", "# Benchmarks\n\n## Core\n\nkept as is\n")
    out = tmp_path / "r.json"
    log = io.StringIO()
    figures = run_evaluation(
        st,
        [home, tmp_path / "no-such-home"],
        json_path=out,
        docs_dir=docs,
        command="bench/routines.py test",
        console=Console(file=log, width=120),
    )
    # written to a file, not a terminal: every step is a line of its own, as it happens
    steps = [line for line in log.getvalue().splitlines() if line.rstrip().endswith("ranker")]
    assert any("smartthings" in line.lower() for line in steps), log.getvalue()[:500]
    assert any("synthetic events: boosted_ranker" in line for line in steps)
    j = json.loads(out.read_text())
    assert set(j["smartthings"]) == {
        "most_frequent",
        "repeat_last",
        "markov",
        "markov_hour",
        "active_lezi",
        "time_habits",
        "boosted_ranker",
    }
    assert all({"top1", "top3"} <= set(m) for m in j["smartthings"].values())
    assert set(j["homes"]) == {"synthetic"}
    per_model = j["homes"]["synthetic"]
    assert all("next_event_top1" in m and "next_activity_top1" in m for m in per_model.values())
    assert j["best"] in per_model and j["best"] in j["smartthings"]
    assert j["best_chosen_on"] == "validation" and set(j["smartthings_valid"]) == set(per_model)
    # train, valid and test hold the same rows here: every test window was seen
    assert j["details"]["smartthings"]["overlap_share"] == 1.0
    assert all(u["n"] == 0 for u in j["smartthings_unseen"].values())
    assert any("markov" in k for k in per_model)
    # the check's own expression runs on this shape
    ok = all(
        max(m["next_event_top1"] for m in h.values())
        >= max(v["next_event_top1"] for k, v in h.items() if "markov" in k)
        for h in j["homes"].values()
    )
    assert ok
    assert j["details"]["homes"]["synthetic"]["skipped"] == {"malformed line": 1}
    assert any("no-such-home" in p for p in figures["problems"])
    bench = (docs / "BENCHMARKS.md").read_text()
    assert "kept as is" in bench and "## Routines" in bench and "bench/routines.py test" in bench
    assert (docs / "routines-reliability-smartthings.png").stat().st_size > 1000
    assert "| task |" in (docs / "ROUTINES.md").read_text()
    # a second run replaces the section rather than appending another
    write_section(docs / "BENCHMARKS.md", "new body")
    text = (docs / "BENCHMARKS.md").read_text()
    assert text.count("## Routines") == 1 and "new body" in text and "kept as is" in text


def test_validation_mode_never_reads_the_test_split(tmp_path: Path) -> None:
    """`--valid` scores inside the training data: SmartThings fits on train and scores valid
    (here the test file does not even exist), a home's training days are split 70/30 again,
    and docs/ is left alone (it holds test figures only)."""
    st = _generated_smartthings(tmp_path / "st", 60, 2)
    (st / "test.jsonl.xz").unlink()
    home = tmp_path / "homes" / "h"
    write(home / "data", "\n".join(casas_lines(10)))
    docs = tmp_path / "docs"
    figures = run_evaluation(st, [home], docs_dir=docs, validation=True)
    assert figures["split"] == "validation"
    assert not figures["problems"]
    assert figures["details"]["smartthings"]["test_instances"] == 60
    d = figures["details"]["homes"]["h"]
    # 10 days: 7 to learn and 3 to test; validation: 5 of the 7 to learn, 2 to score
    assert (d["train_days"], d["test_days"]) == (5, 2)
    assert not docs.exists()
    assert "VALIDATION split" in str(rich_table(figures).title)
    # the test split proper, for contrast
    full = run_evaluation(None, [home])
    assert full["split"] == "test"
    assert (
        full["details"]["homes"]["h"]["train_days"],
        full["details"]["homes"]["h"]["test_days"],
    ) == (7, 3)


def test_out_of_order_events_in_a_home_are_sorted_not_dropped(tmp_path: Path) -> None:
    lines = casas_lines(6)
    lines[10], lines[11] = lines[11], lines[10]
    write(tmp_path / "h" / "data", "\n".join(lines))
    from hearthmind.routines.evaluation.homes import evaluate_home

    _name, results, _ = evaluate_home(tmp_path / "h")
    assert results["_data"]["observations"] == len(lines)
    assert "out of time order" in results["_data"]["format_report"]
    assert results["markov"]["next_event_top1"] > 0.3


def test_real_smartthings_baselines_match_the_published_figures(shared_data: Path) -> None:
    """Repeat-last and majority on the real test split give the README's figures."""
    from hearthmind.routines.importers import load_smartthings_split
    from hearthmind.routines.models import MostFrequent, RepeatLast

    folder = shared_data / "smartthings-fr"
    train = load_smartthings_split(folder, "train").episodes
    test = load_smartthings_split(folder, "test").episodes
    for model, expected in ((RepeatLast(), 0.6859), (MostFrequent(), 0.4949)):
        model.fit(train)
        hits = sum(model.predict(ep[-1].time, ep[:-1], 1)[0].item == ep[-1].item for ep in test)
        assert hits / len(test) == pytest.approx(expected, abs=0.0006)


def test_awkward_homes_go_through_the_whole_harness(tmp_path: Path) -> None:
    """Logs a real home can produce: an action at the very same second every day (a schedule),
    events sharing one timestamp, a home with a single sensor. Every model, the table and the
    plots get through each; none is skipped as a problem."""
    scheduled, stamped, single = (tmp_path / n for n in ("scheduled", "stamped", "single"))
    lines = casas_lines(8)
    days = sorted({line.split()[0] for line in lines})
    # three training weekdays at 07:00:00 sharp: their circular resultant rounds above 1
    schedule = (0, 2, 4, 7)
    write(
        scheduled / "data",
        "\n".join(
            sorted(
                lines + [f"{days[i]} 07:00:00.000000 Heater Heater ON Morning" for i in schedule]
            )
        ),
    )
    # every second event carries the timestamp of the one before it
    stamps = [line.split()[:2] for line in lines]
    write(
        stamped / "data",
        "\n".join(" ".join(stamps[i - i % 2] + line.split()[2:]) for i, line in enumerate(lines)),
    )
    rng = random.Random(3)
    t = START
    single_lines = []
    for n in range(8 * 20):
        t += timedelta(seconds=rng.uniform(600, 6000))
        value = "ON" if n % 2 == 0 else "OFF"
        single_lines.append(f"{t:%Y-%m-%d %H:%M:%S.%f} Hall Hall {value} Other")
    write(single / "data", "\n".join(single_lines))
    figures = run_evaluation(None, [scheduled, stamped, single], docs_dir=tmp_path / "docs")
    assert not figures["problems"], figures["problems"]
    assert set(figures["homes"]) == {"scheduled", "stamped", "single"}
    for home in figures["homes"].values():
        assert 0.0 <= home["boosted_ranker"]["next_event_top1"] <= 1.0
    assert figures["homes"]["single"]["markov"]["next_event_top1"] == 1.0  # on, off, on, ...
    assert (tmp_path / "docs" / "ROUTINES.md").is_file()


def test_details_name_the_share_of_markov_errors_avoided() -> None:
    from hearthmind.routines.evaluation.harness import _errors_avoided

    scored = {"markov": {"next_event_top1": 0.8}, "ranker": {"next_event_top1": 0.9}}
    assert (
        _errors_avoided("ranker", scored)
        == "; ranker avoids 50% of first-order Markov's next-event errors"
    )
    assert _errors_avoided("ranker", {"ranker": {"next_event_top1": 0.9}}) == ""
