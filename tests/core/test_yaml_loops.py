"""Found by bench/fuzz.py (the configuration loader's harness): an alias used inside its own
anchor (`a: &a [*a]`) made PyYAML build a list containing itself, and walking it for line
numbers ended in a RecursionError traceback. It is refused at its line, in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hearthmind.core import ConfigError, load_config

HEARTHMIND = Path(sys.executable).parent / "hearthmind"


@pytest.mark.parametrize(
    "text",
    [
        "a: &a [x<<: *a, *a]\n",  # the fuzzer's input
        "a: &a {b: *a}\n",
        "homeassistant:\n  name: Home\nlist: &l\n  - 1\n  - [2, [3, *l]]\n",
        "secrets: &s\n  <<: *s\n",
    ],
)
def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "configuration.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"configuration\.yaml, line \d+: \*\w+ is used inside"):
        load_config(tmp_path)


def test_an_alias_after_its_anchor_still_loads(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text("a: &a [1, 2]\nb: [*a, *a]\nc: &c {x: 1}\nd: *c\n")
    raw = load_config(tmp_path).raw
    assert raw["b"] == [[1, 2], [1, 2]] and raw["d"] == {"x": 1}


def test_check_config_says_it_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text("a: &a [x<<: *a, *a]\n")
    ran = subprocess.run(
        [str(HEARTHMIND), "check-config", "-c", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = (ran.stdout + ran.stderr).strip().splitlines()
    assert ran.returncode != 0 and len(lines) == 1 and "(a loop)" in lines[0], lines
