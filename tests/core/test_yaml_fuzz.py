"""Issue 20: fuzzing the configuration loader. YAML assembled from anchors, aliases, tags,
brackets, includes and odd values either loads or fails with one ConfigError (file, line);
nothing else escapes (`FUZZ_EXAMPLES=N` runs longer)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearthmind.core import ConfigError, load_yaml

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))

PIECES = [
    "a", "b: ", "- ", "&x ", "*x", "&y ", "*y", "[", "]", "{", "}", ", ", ": ", "\n", "\n  ",
    "!include other.yaml", "!include self.yaml", "!secret pw", "!!python/object:os.system ",
    "'q", '"', "#", "2024-13-45", "1" * 5000, "0x1F", ".inf", "~", "? ", "|\n  text",
    ">-\n  folded", "<<: *x", "!!binary AAAA", "!!set {a}", "%YAML 1.1\n---\n", "---\n", "...",
    "\t", "\x00", "\ufeff", "é",
]  # fmt: skip


@pytest.mark.timeout(600)
@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(parts=st.lists(st.sampled_from(PIECES), max_size=40))
def test_a_file_loads_or_fails_in_one_line(tmp_path: Path, parts: list[str]) -> None:
    (tmp_path / "other.yaml").write_text("k: [1, 2]\n", encoding="utf-8")
    path = tmp_path / "self.yaml"
    path.write_text("".join(parts), encoding="utf-8")
    try:
        load_yaml(path, {"pw": "s3cret"})
    except ConfigError as err:
        assert "\n" not in str(err), str(err)


def test_a_name_folded_over_a_blank_line_fails_in_one_line(tmp_path: Path) -> None:
    """Found by the test above on a fresh clone: YAML folds "other.yaml", a blank line and
    "a" into one name with a newline in it; the error names it escaped, on one line."""
    (tmp_path / "other.yaml").write_text("k: [1, 2]\n", encoding="utf-8")
    path = tmp_path / "self.yaml"
    path.write_text("!include other.yaml\n\na", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_yaml(path, {})
    assert "\n" not in str(caught.value)
    assert "!include other.yaml\\na: no such file" in str(caught.value)
