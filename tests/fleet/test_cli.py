"""`hearthmind fleet export|train|report` end to end on a tiny fleet."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hearthmind.cli import app


def test_export_train_report(tiny_fleet: Path, tmp_path: Path, ray_local: None) -> None:
    runner = CliRunner()
    export_dir, out = tmp_path / "export", tmp_path / "train"
    result = runner.invoke(app, ["fleet", "export", str(tiny_fleet), "--out", str(export_dir)])
    assert result.exit_code == 0, result.output
    assert "5 spaces exported" in result.output and "broken: unreadable" in result.output
    result = runner.invoke(app, ["fleet", "train", str(export_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "5 fitted, 1 corrupt, 0 failed" in result.output
    result = runner.invoke(app, ["fleet", "report", str(out), "--plots", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "6 spaces" in result.output and (tmp_path / "p" / "fleet-accuracy.png").is_file()
    result = runner.invoke(app, ["fleet", "train", str(tmp_path / "nowhere"), "--out", str(out)])
    assert result.exit_code == 2 and "no spaces.parquet" in result.output


def test_unknown_model_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["fleet", "train", str(tmp_path), "--out", str(tmp_path), "--model", "nope"]
    )
    assert result.exit_code == 2 and "no model named 'nope'" in result.output
