"""`hearthmind history`, `export` and `purge` on a database the recorder wrote."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from typing import cast

from typer.testing import CliRunner

from hearthmind.cli import app
from hearthmind.core import Hub, Origin, SimulatedClock
from hearthmind.recorder import Recorder

from .conftest import START

runner = CliRunner()


async def _record(db: Path) -> None:
    hub = Hub(clock=SimulatedClock(START))
    rec = Recorder(hub, str(db))
    await rec.async_start()
    await hub.async_start()
    clock = cast(SimulatedClock, hub.clock)
    hub.states.async_set(
        "light.kitchen", "on", {"brightness": 180}, hub.context("physical", "mina")
    )
    await clock.async_advance(timedelta(minutes=3))
    hub.states.async_set("light.kitchen", "off", None, hub.context(Origin.AGENT))
    await hub.async_stop()


async def test_history_export_purge(tmp_path: Path) -> None:
    db = tmp_path / "home.db"
    await _record(db)
    cfg = ["-c", str(tmp_path / "conf")]

    result = runner.invoke(
        app, ["history", "light.kitchen", "--since", "2026-03-01", "--db", str(db), *cfg]
    )
    assert result.exit_code == 0, result.output
    assert "physical" in result.output and "mina" in result.output and "agent" in result.output

    out = tmp_path / "history.csv"
    result = runner.invoke(app, ["export", "-o", str(out), "--db", str(db), *cfg])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert [(r["kind"], r["state"], r["origin"]) for r in rows] == [
        ("state", "on", "physical"),
        ("event", "", "automation"),
        ("state", "off", "agent"),
        ("event", "", "automation"),
    ]

    result = runner.invoke(app, ["purge", "--keep-days", "1", "--db", str(db), *cfg])
    assert result.exit_code == 0, result.output
    assert "purged 2 states, 2 events and 1 unused attribute sets" in result.output
    result = runner.invoke(
        app, ["history", "light.kitchen", "--since", "2026-03-01", "--db", str(db), *cfg]
    )
    assert "no recorded states" in result.output


def test_clear_errors(tmp_path: Path) -> None:
    cfg = ["-c", str(tmp_path / "conf")]
    result = runner.invoke(app, ["history", "light.x", "--db", str(tmp_path / "none.db"), *cfg])
    assert result.exit_code == 2 and "no database at" in result.output
    result = runner.invoke(app, ["history", "light.x", "--since", "yesterday-ish", *cfg])
    assert result.exit_code == 2 and "cannot read the time 'yesterday-ish'" in result.output
    (tmp_path / "conf").mkdir(exist_ok=True)
    (tmp_path / "conf" / "configuration.yaml").write_text("recorder:\n  db_uri: x\n")
    result = runner.invoke(app, ["export", *cfg])
    out = " ".join(result.output.split())
    # a misspelt key is not refused (a Home Assistant file loads) and not passed over in
    # silence: said with its file and line, the default database then tried
    assert result.exit_code == 2 and "no database at" in out
    assert "configuration.yaml, line 2: recorder: unknown key 'db_uri'" in out
    assert "did you mean 'db_url'?" in out
