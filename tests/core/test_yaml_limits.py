"""Issue 20, finding 2: configuration files are parsed with limits (aliases, depth, includes,
size) and fail in one line with the file and the line, never a traceback or the machine's
memory."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from hearthmind.core import ConfigError, load_config

HEARTHMIND = Path(sys.executable).parent / "hearthmind"

# 360 bytes standing for 10**9 strings
BOMB = (
    "a: &a ["
    + ",".join(['"x"'] * 10)
    + "]\n"
    + "".join(
        f"{n}: &{n} [" + ",".join([f"*{p}"] * 10) + "]\n"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(folder: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(folder, create=False)
    return caught.value


@pytest.mark.timeout(60)
def test_an_alias_bomb_is_refused_at_its_line(tmp_path: Path) -> None:
    write(tmp_path, "configuration.yaml", "homeassistant:\n  name: Home\n" + BOMB)
    err = refused(tmp_path)
    assert err.path == str(tmp_path / "configuration.yaml")
    assert err.line is not None and 3 <= err.line <= 11
    assert "aliases" in str(err)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ["secrets.yaml", "automations.yaml", "included.yaml"])
def test_an_alias_bomb_elsewhere_is_refused_too(tmp_path: Path, name: str) -> None:
    write(
        tmp_path,
        "configuration.yaml",
        "automation: !include automations.yaml\nx: !include included.yaml\n",
    )
    write(tmp_path, "automations.yaml", "[]\n")
    write(tmp_path, "included.yaml", "{}\n")
    write(tmp_path, name, BOMB)
    err = refused(tmp_path)
    assert err.path == str(tmp_path / name) and "aliases" in str(err)


def test_aliases_within_the_budget_still_load(tmp_path: Path) -> None:
    write(tmp_path, "configuration.yaml", "base: &b {a: 1, b: [1, 2]}\none: *b\ntwo: *b\n")
    assert load_config(tmp_path, create=False).raw["two"] == {"a": 1, "b": [1, 2]}


@pytest.mark.timeout(60)
def test_deep_nesting_is_refused_at_its_line(tmp_path: Path) -> None:
    write(tmp_path, "configuration.yaml", "x:\n  y: " + "[" * 20_000 + "]" * 20_000 + "\n")
    err = refused(tmp_path)
    assert err.line == 2 and "levels deep" in str(err)


def test_a_self_include_is_named(tmp_path: Path) -> None:
    write(tmp_path, "configuration.yaml", "homeassistant:\n  name: Home\nx: !include a.yaml\n")
    write(tmp_path, "a.yaml", "b: !include b.yaml\n")
    write(tmp_path, "b.yaml", "- 1\n- !include a.yaml\n")
    err = refused(tmp_path)
    assert err.path == str(tmp_path / "b.yaml") and err.line == 2
    assert "includes itself (configuration.yaml -> a.yaml -> b.yaml -> a.yaml)" in str(err)


@pytest.mark.parametrize(
    ("value", "words"),
    [("2024-13-45", "month must be in 1..12"), ("1" * 5000, "invalid value")],
)
def test_an_impossible_value_names_its_line(tmp_path: Path, value: str, words: str) -> None:
    write(tmp_path, "configuration.yaml", f"homeassistant:\n  name: Home\nwhen: {value}\n")
    err = refused(tmp_path)
    assert err.line == 3 and words in str(err)


def test_a_huge_file_is_refused_unread(tmp_path: Path) -> None:
    with (tmp_path / "configuration.yaml").open("w") as f:
        f.write("x: 1\n")
        f.seek(6_000_000)
        f.write("#\n")
    assert "bytes" in str(refused(tmp_path))


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))


@pytest.mark.timeout(60)
def test_check_config_refuses_the_bomb_in_one_line(tmp_path: Path) -> None:
    write(tmp_path, "configuration.yaml", BOMB)
    done = subprocess.run(
        [str(HEARTHMIND), "check-config", "-c", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=_limit_memory,
    )
    output = (done.stdout + done.stderr).strip().splitlines()
    assert done.returncode == 1, output
    assert len(output) == 1 and "configuration.yaml, line" in output[0], output
