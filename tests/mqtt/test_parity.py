"""Home Assistant's own MQTT tests, ported to YAML (tests/mqtt/parity/<platform>.yaml), and
real devices' discovery payloads (tests/mqtt/corpus/<source>/<name>.yaml): every case is a
test of its own, run against the session's real Mosquitto (see parity/runner.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.mosquitto import MosquittoServer

from .parity import runner
from .parity.runner import Case, all_cases, case_files, load_cases, run_case

CASES = list(all_cases())


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_parity_case(mosquitto: MosquittoServer, case: Case) -> None:
    result = await run_case(mosquitto.url, case)
    suffix = f" (quirk: {case.quirk})" if case.quirk else ""
    assert result.passed, f"{case.id}: {result.reason}{suffix}"


def test_every_file_loads() -> None:
    """A malformed case file is an error naming the file, not a silently skipped case."""
    for path in case_files():
        assert load_cases(path), f"{path} has no cases"


async def test_runner_reports_a_wrong_expectation(
    mosquitto: MosquittoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harness can fail: a wrong state, a missing command and a bad step are failures
    with a reason; `ON` in YAML stays the string a device sends."""
    monkeypatch.setattr(runner, "WAIT", 1.0)  # the failing cases wait this long, not 5 s
    path = tmp_path / "switch.yaml"
    path.write_text(
        """
source: the runner's own test
cases:
  - name: wrong_state
    config: {name: t, state_topic: st, command_topic: cmd}
    steps:
      - publish: {topic: st, payload: ON}
      - expect_state: {entity_id: switch.t, state: "off"}
  - name: no_command
    config: {name: t, state_topic: st, command_topic: cmd}
    steps:
      - expect_publish: {topic: cmd, payload: "ON"}
  - name: right
    config: {name: t, state_topic: st, command_topic: cmd}
    steps:
      - publish: {topic: st, payload: ON}
      - expect_state: {entity_id: switch.t, state: "on"}
""",
        encoding="utf-8",
    )
    cases = load_cases(path)
    results = [await run_case(mosquitto.url, c) for c in cases]
    assert [r.passed for r in results] == [False, False, True], [r.reason for r in results]
    assert "is 'on', expected 'off'" in results[0].reason
    assert "no publish" in results[1].reason
