"""The hub's log as Home Assistant keeps one: HA's line shape in the home's zone, the last
run's log kept beside the others, levels per component from `logger:`."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from zoneinfo import ZoneInfo

from hearthmind.core import LoggerConfig, configure_logging
from hearthmind.core.logs import HomeTimeFormatter, keep_last_run


def test_lines_are_in_the_homes_zone() -> None:
    record = logging.LogRecord("hearthmind.mqtt", logging.WARNING, __file__, 1, "x", None, None)
    record.created, record.msecs = 1_767_225_600.25, 250  # 2026-01-01 00:00:00.250 UTC
    line = HomeTimeFormatter(ZoneInfo("America/New_York")).format(record)
    assert line.startswith("2025-12-31 19:00:00.250 WARNING (")
    assert line.endswith("[hearthmind.mqtt] x")


def test_each_start_keeps_the_last_runs_log(tmp_path: Path) -> None:
    log = tmp_path / "hearthmind.log"
    assert keep_last_run(log, ZoneInfo("UTC")) is None  # nothing yet
    for n in range(7):
        log.write_text(f"run {n}\n")
        os.utime(log, (1_767_225_600 + 60 * n, 1_767_225_600 + 60 * n))
        kept = keep_last_run(log, ZoneInfo("UTC"))
        assert kept is not None and kept.read_text() == f"run {n}\n"
    past = sorted((tmp_path / "logs").glob("hearthmind-*.log"))
    assert [p.read_text() for p in past] == [f"run {n}\n" for n in range(2, 7)]  # the last 5


def test_levels_per_component(tmp_path: Path) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        section = LoggerConfig(default="warning", logs={"mqtt": "debug"})
        path = configure_logging(
            tmp_path, section, ZoneInfo("UTC"), aliases={"mqtt": "hearthmind.integrations.mqtt"}
        )
        assert logging.getLogger("hearthmind.integrations.mqtt").level == logging.DEBUG
        assert root.level == logging.WARNING
        logging.getLogger("hearthmind.integrations.mqtt").debug("broker up")
        logging.getLogger("hearthmind.recorder").info("not written")
        for handler in root.handlers:
            handler.flush()
        text = path.read_text()
        assert "[hearthmind.integrations.mqtt] broker up" in text and "not written" not in text
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        logging.getLogger("hearthmind.integrations.mqtt").setLevel(logging.NOTSET)
