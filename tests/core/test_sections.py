"""configuration.yaml in Home Assistant's words: the core section under either name, a time
zone checked where it is written, unused sections and keys warned about with their line, and
a registered section's unknown keys left out rather than refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from hearthmind.core import ConfigError, load_config, register_section
from hearthmind.core.sections import section_errors, unused_parts


class _Garden(BaseModel):
    model_config = ConfigDict(extra="forbid")

    beds: int = 1
    water: bool = True


register_section("garden_test", _Garden, unused_ha_keys=("irrigation",))


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "configuration.yaml").write_text(text)
    return tmp_path


def test_homeassistant_section_and_the_older_name(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "homeassistant:\n  name: Casa\n  time_zone: Europe/Rome\n"))
    assert (cfg.core.name, cfg.core.time_zone, str(cfg.zone)) == (
        "Casa",
        "Europe/Rome",
        "Europe/Rome",
    )
    old = load_config(write(tmp_path, "hearthmind:\n  name: Old\n  time_zone: Asia/Tokyo\n"))
    assert (old.core.name, old.core.time_zone) == ("Old", "Asia/Tokyo")
    both = load_config(
        write(tmp_path, "hearthmind:\n  name: Old\n  currency: JPY\nhomeassistant:\n  name: New\n")
    )
    assert (both.core.name, both.core.currency) == ("New", "JPY")  # HA's name wins


def test_a_misspelled_time_zone_is_refused_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "homeassistant:\n  name: X\n  time_zone: Europe/Amsterdm\n"))
    assert info.value.line == 3
    assert "did you mean Europe/Amsterdam?" in str(info.value)


def test_an_unclosed_quote_is_reported_where_it_opens(tmp_path: Path) -> None:
    text = "a: 1\nb: 2\nc: 'open\nd: 4\ne: 5\nf: 6\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert info.value.line == 3 and "not closed" in str(info.value)


def test_unused_words_are_warned_about_with_their_line(tmp_path: Path) -> None:
    cfg = load_config(
        write(
            tmp_path,
            "homeassistant:\n  name: X\n  packages: {}\n"  # 1-3
            "garden_test:\n  beds: 3\n  bedz: 4\n  irrigation: true\n"  # 4-7
            "frontend:\n"  # 8
            "gardn_test:\n  beds: 1\n",  # 9-10
        )
    )
    found = {(w.line, w.message) for w in unused_parts(cfg)}
    assert (
        3,
        "homeassistant.packages: Home Assistant's key, not used by Hearthmind (ignored)",
    ) in found
    assert (6, "garden_test: unknown key 'bedz' (ignored) (did you mean 'beds'?)") in found
    assert (
        7,
        "garden_test.irrigation: Home Assistant's key, not used by Hearthmind (ignored)",
    ) in found
    assert (
        8,
        "section 'frontend' is Home Assistant's; Hearthmind does not use it (ignored)",
    ) in found
    assert (9, "unknown section 'gardn_test' (ignored) (did you mean 'garden_test'?)") in found
    assert len(found) == 5
    # the keys nothing reads are left out, not refused: the section still loads
    assert cfg.section("garden_test", _Garden).beds == 3
    assert section_errors(cfg) == []


def test_a_component_named_section_is_known_before_it_registers(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "future_component:\n  anything: 1\n"))
    assert [w.line for w in unused_parts(cfg)] == [1]
    assert unused_parts(cfg, components=["future_component"]) == []


def test_a_bad_value_is_an_error_with_its_line(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "garden_test:\n  beds: many\n"))
    errors = section_errors(cfg)
    assert len(errors) == 1 and errors[0].line == 2 and "garden_test.beds" in str(errors[0])
