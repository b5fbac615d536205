"""Figures a sceptic would sign: the best model is chosen on validation figures, never on a
test figure, and SmartThings is also scored on the test instances whose window the models
never saw."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hearthmind.routines.evaluation import harness
from hearthmind.routines.evaluation.metrics import RankingScore
from hearthmind.routines.evaluation.overlap import WINDOW, unseen_mask
from hearthmind.routines.importers import load_smartthings_split

from .test_importers import _smartthings, write


def _act(day: int, slot: int, action: int) -> list[int]:
    return [day, slot, 0 if action < 2 else 1, 0, action]


def _splits(folder: Path, splits: dict[str, list[list[list[int]]]]) -> Path:
    _smartthings(folder, [json.dumps([_act(0, 0, 0), _act(0, 0, 1)])])
    for name, rows in splits.items():
        write(folder / f"{name}.jsonl.xz", "\n".join(json.dumps(r) for r in rows) + "\n", xz=True)
    return folder


def test_unseen_windows_on_a_split_whose_overlaps_are_known(tmp_path: Path) -> None:
    # a train instance over ten days (it wraps past Sunday) and a valid one in one day
    train = [_act(i % 7, 1, i % 3) for i in range(10)]
    valid = [_act(3, i % 8, 2 if i % 2 else 0) for i in range(10)]
    test = [
        [_act(5, 5, 1), *train[:9]],  # train shifted by one: its last 9 are train's first 9
        [_act(6, 6, 0), *train[1:]],  # ends as train ends
        [*train[:9], _act(2, 2, 0)],  # train's target, in another 3-hour slot: unseen
        [*train[:9], _act(2, 1, 1)],  # another target after the same 8: unseen
        [_act(0, 0, 0), *valid[:9]],  # in valid, not in train
        # a control index the models never read differs: as the models read it, seen
        [_act(1, 1, 1), *([*a[:3], 7, *a[4:]] for a in train[:9])],
        [_act(4, 4, 2), _act(4, 4, 2)],  # shorter than the window, nowhere as a whole: unseen
    ]
    folder = _splits(tmp_path / "st", {"train": [train], "valid": [valid], "test": test})
    learned = [
        *load_smartthings_split(folder, "train").episodes,
        *load_smartthings_split(folder, "valid").episodes,
    ]
    scored = load_smartthings_split(folder, "test").episodes
    assert WINDOW == 9
    assert unseen_mask(learned, scored) == [False, False, True, True, False, False, True]
    # valid is what makes the fifth seen
    only_train = load_smartthings_split(folder, "train").episodes
    assert unseen_mask(only_train, scored)[4] is True
    # the whole instance (10 actions) would overlap only where the instance itself repeats
    assert unseen_mask(learned, scored, length=10) == [True] * 7


def _figures(top1: dict[str, float], n: int) -> dict[str, Any]:
    return {
        m: {"n": n, "top1": t, "top3": t, "brier_top1": 0.1, "ece": 0.1} for m, t in top1.items()
    }


def test_best_is_chosen_on_validation_when_the_test_figure_disagrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # on test the ranker leads, on validation Markov: Markov is the best model
    test = {"markov": 0.80, "boosted_ranker": 0.90}
    valid = {"markov": 0.85, "boosted_ranker": 0.84}
    calls: list[bool] = []

    def scored(
        folder: Path, progress: Any = None, *, validation: bool = False
    ) -> tuple[dict[str, Any], dict[str, RankingScore]]:
        calls.append(validation)
        per_model = _figures(valid if validation else test, 443 if validation else 885)
        data = {"train_instances": 1, "test_instances": 885, "skipped_lines": 0}
        data |= {"window": 9, "overlapping": 669, "overlap_share": 0.7559}
        unseen = {m: {"top1": t - 0.1, "top3": t, "n": 216} for m, t in test.items()}
        return {**per_model, "_data": data, "_unseen": unseen}, {}

    monkeypatch.setattr(harness, "evaluate_smartthings", scored)
    docs = tmp_path / "docs"
    figures = harness.run_evaluation(tmp_path, [], docs_dir=docs, command="bench")
    assert calls == [False, True]  # the test figures, then a validation run to choose
    assert figures["best"] == "markov"
    assert figures["best_chosen_on"] == "validation"
    assert figures["smartthings_valid"]["markov"] == {"top1": 0.85, "n": 443}
    assert figures["smartthings_unseen"]["boosted_ranker"]["n"] == 216
    text = (docs / "ROUTINES.md").read_text()
    assert "chosen on validation only" in text and "**markov**" in text
    assert "669 of the 885 test instances (75.6 %)" in text
    assert "valid top-1 % (fit on train; chooses the best)" in text
    assert "windows unseen in train/valid (n=216)" in text

    # --valid: the figures are validation figures already; nothing is fitted twice
    calls.clear()
    figures = harness.run_evaluation(tmp_path, [], validation=True)
    assert calls == [True]
    assert (figures["best"], figures["best_chosen_on"]) == ("markov", "validation")


def test_best_among_models_run_on_every_home_and_default_without_validation() -> None:
    figures: dict[str, Any] = {
        "smartthings_valid": {"active_lezi": {"top1": 0.95}, "markov": {"top1": 0.7}},
        "homes": {"h": {"markov": {}}},  # active_lezi was not run on the home
    }
    assert harness._best(figures) == ("markov", "validation")
    assert harness._best({"homes": {}}) == (harness.BEST, "default")
