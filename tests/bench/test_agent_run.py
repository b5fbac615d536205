"""The agent benchmark's harness on a real hub (recorder, simulator, routines, agent): a short
run leaves the records the figures are made from, consistent with each other."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from agent_metrics import summarise
from agent_run import Policy, refit_days, run_home


def test_refits_daily_then_every_second_then_every_third_day() -> None:
    assert refit_days(20) == [1, 2, 3, 4, 5, 6, 7, 9, 11, 13, 17, 20]


async def test_a_short_run_leaves_consistent_records(tmp_path: Path) -> None:
    policy = Policy("threshold", {"policy": "threshold", "model": "markov"}, "markov")
    outcome = await run_home("single", policy, 3, 0, tmp_path / "run")
    records = outcome.records
    assert outcome.refits == 3
    assert records.residents == 1 and records.days == 3.0
    assert len(records.intentions) > 50
    # every answer in the residents' log is to a suggestion the agent made on the bus
    asked = {s.suggestion_id for s in records.suggestions}
    assert {a["suggestion_id"] for a in records.answers} <= asked
    # every undo names a change the hub made (an agent action, seen on the bus)
    actions = {a.context_id for a in records.actions}
    undos = {r["reaction_to"] for r in records.intentions if r.get("reaction_to")}
    assert undos <= actions
    summary = summarise(records, first_week=0)
    assert summary["counts"]["needed"] > 0
    assert 0.0 <= summary["figures"]["takeover_rate"] <= 1.0
    assert "errors" not in outcome.problems


def test_the_sensitivity_switches_reach_the_configuration(tmp_path: Path) -> None:
    """--no-reliance writes `simulator: reliance: false`; --no-left-on `agent: left_on:
    false` for every policy; by default neither is written (residents rely, left_on on)."""
    import yaml

    from agent import policies
    from agent_run import write_config

    ours = policies("markov")[0]
    plain = yaml.safe_load(
        (write_config(tmp_path / "a", ours, "UTC") / "configuration.yaml").read_text()
    )
    assert "simulator" not in plain and "left_on" not in plain["agent"]
    folder = write_config(tmp_path / "b", ours, "UTC", {"reliance": False})
    assert yaml.safe_load((folder / "configuration.yaml").read_text())["simulator"] == {
        "reliance": False
    }
    assert all(p.agent["left_on"] is False for p in policies("markov", left_on=False))
