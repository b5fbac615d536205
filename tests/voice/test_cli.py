"""`hearthmind say` and `hearthmind listen`, through the real command line app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from hearthmind.cli import app

runner = CliRunner()


def test_say_answers_and_saves_speech(tmp_path: Path) -> None:
    out = tmp_path / "answer.wav"
    config = tmp_path / "config"
    config.mkdir()
    (config / "configuration.yaml").write_text(
        "hearthmind:\n  name: Test\n  time_zone: UTC\nvoice:\n  tts: espeak\n  stt: none\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["say", "what time is it", "--out", str(out), "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "It's" in result.output
    assert out.read_bytes()[:4] == b"RIFF"


def test_say_unknown_device(tmp_path: Path) -> None:
    result = runner.invoke(app, ["say", "turn on the sauna heater", "-c", str(tmp_path)])
    assert result.exit_code == 1
    assert "I don't know a device called sauna heater" in result.output


def test_listen_refuses_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    config = tmp_path / "config"
    config.mkdir()
    (config / "configuration.yaml").write_text("voice:\n  tts: none\n", encoding="utf-8")
    result = runner.invoke(app, ["listen", str(empty), "-c", str(config)])
    assert result.exit_code == 2
    assert "empty" in result.output


def test_listen_to_a_spoken_question(tmp_path: Path, spoken: Callable[..., Path]) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "configuration.yaml").write_text("voice:\n  tts: none\n", encoding="utf-8")
    result = runner.invoke(app, ["listen", str(spoken("what time is it")), "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "heard:" in result.output and "It's" in result.output
