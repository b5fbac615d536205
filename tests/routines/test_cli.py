"""`hearthmind routines`, `hearthmind import-log` and `hearthmind eval` on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hearthmind.cli import app

from .synthetic import casas_lines
from .test_importers import write

runner = CliRunner()


def test_import_then_list_routines(tmp_path: Path) -> None:
    write(tmp_path / "home" / "data", "\n".join(casas_lines(21)) + "\nbroken line\n")
    db = tmp_path / "home.db"
    cfg = tmp_path / "cfg"
    result = runner.invoke(
        app, ["import-log", str(tmp_path / "home"), "--db", str(db), "-c", str(cfg)]
    )
    assert result.exit_code == 0, result.output
    assert "written to" in result.output and "1 malformed line" in result.output
    result = runner.invoke(app, ["routines", "--db", str(db), "-c", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "routines" in result.output
    assert "weekdays 06:" in result.output and "kitchen motion sensor" in result.output
    assert "of 15 days" in result.output


def test_routines_from_a_log_folder(tmp_path: Path) -> None:
    write(tmp_path / "home" / "data", "\n".join(casas_lines(14)))
    result = runner.invoke(app, ["routines", "--log", str(tmp_path / "home"), "-c", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    # the share of days and how far the times stray, in words (not an unexplained "regularity")
    assert "of days, times within ±" in out and "regularity" not in out


def test_routines_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["routines", "--log", str(tmp_path / "missing"), "-c", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "cannot read history" in result.output and "missing" in result.output
    missing_db = tmp_path / "missing.db"
    result = runner.invoke(app, ["routines", "--db", str(missing_db), "-c", str(tmp_path)])
    assert result.exit_code == 1
    assert "no database at" in result.output and "Traceback" not in result.output
    assert not missing_db.exists()  # reading does not leave an empty database behind


def test_a_relative_db_path_is_relative_to_where_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "home" / "data", "\n".join(casas_lines(14)))
    work, cfg = tmp_path / "work", tmp_path / "cfg"
    work.mkdir()
    monkeypatch.chdir(work)
    result = runner.invoke(
        app, ["import-log", str(tmp_path / "home"), "--db", "home.db", "-c", str(cfg)]
    )
    assert result.exit_code == 0, result.output
    assert (work / "home.db").exists() and not (cfg / "home.db").exists()
    result = runner.invoke(app, ["routines", "--db", "home.db", "-c", str(cfg)])
    assert result.exit_code == 0, result.output
    assert "routines" in result.output


def test_eval_command_names_what_it_could_not_read(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    cfg = tmp_path / "cfg"  # reading the residents' zone from it writes no configuration
    result = runner.invoke(
        app, ["eval", "--home", str(tmp_path / "missing"), "--json", str(out), "-c", str(cfg)]
    )
    assert result.exit_code == 1 and not cfg.exists()
    assert "missing" in result.output and "skipped" in result.output
    assert json.loads(out.read_text())["problems"]
    wrong = runner.invoke(
        app, ["eval", "--home", str(tmp_path), "--time-zone", "Mars/Olympus", "-c", str(tmp_path)]
    )
    assert wrong.exit_code == 2 and "unknown time zone 'Mars/Olympus'" in wrong.output


def test_predict_says_what_comes_next_and_why(tmp_path: Path) -> None:
    write(tmp_path / "home" / "data", "\n".join(casas_lines(14)))
    home = str(tmp_path / "home")
    result = runner.invoke(app, ["predict", "--log", home, "--top", "3", "-c", str(tmp_path)])
    assert result.exit_code == 0, result.output
    # a CASAS log has no device actions: it says so and shows every next event
    assert "showing every next event" in result.output
    assert "Next, after" in result.output and "by boosted_ranker" in result.output
    out = " ".join(result.output.split())
    assert "1. " in out and "motion sensor" in out and "it came next" in out
    assert "guesses shown" in out  # what was shown against what was considered
    result = runner.invoke(app, ["predict", "--log", home, "--model", "lstm", "-c", str(tmp_path)])
    assert result.exit_code == 2
    assert "no model named 'lstm'" in result.output and "markov_hour" in result.output


def test_times_are_the_residents_clock(tmp_path: Path) -> None:
    # a log of local times, imported for a home in New York: the recorder keeps UTC (06:40
    # is 11:40), and the routines read it back on the residents' clock
    write(tmp_path / "home" / "data", "\n".join(casas_lines(21)))
    db, cfg = str(tmp_path / "ny.db"), ["-c", str(tmp_path / "cfg")]
    zone = ["--time-zone", "America/New_York"]
    result = runner.invoke(app, ["import-log", str(tmp_path / "home"), "--db", db, *zone, *cfg])
    assert result.exit_code == 0, result.output
    local = runner.invoke(app, ["routines", "--db", db, *zone, *cfg])
    assert "weekdays 06:" in local.output, local.output
    utc = runner.invoke(app, ["routines", "--db", db, "--time-zone", "UTC", *cfg])
    assert "weekdays 11:" in utc.output and "weekdays 06:" not in utc.output
    wrong = runner.invoke(app, ["routines", "--db", db, "--time-zone", "Mars/Olympus", *cfg])
    assert wrong.exit_code == 2 and "unknown time zone 'Mars/Olympus'" in wrong.output
