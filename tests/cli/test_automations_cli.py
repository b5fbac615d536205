"""`hearthmind automations check` names each broken rule and fails."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from hearthmind.cli import app

RULES = """automation:
  - id: good
    trigger: {platform: state, entity_id: light.a}
    action: {service: light.turn_on, target: {entity_id: light.b}}
  - id: bad
    trigger: {platform: nope}
    action: []
"""


def test_check_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text(RULES)
    result = CliRunner().invoke(app, ["automations", "check", "-c", str(tmp_path)])
    assert result.exit_code == 1
    assert "line 6" in result.output and "nope" in result.output


def test_check_passes_on_valid_rules(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text(RULES.split("  - id: bad")[0])
    result = CliRunner().invoke(app, ["automations", "check", "-c", str(tmp_path)])
    assert result.exit_code == 0, result.output
