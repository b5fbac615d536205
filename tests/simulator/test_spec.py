"""Home descriptions: the shipped homes load; broken ones get an error naming file and line."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearthmind.core import ConfigError
from hearthmind.integrations.simulator import load_home, parse_home, shipped_homes
from hearthmind.integrations.simulator.spec import home_path

KINDS_EVERY_HOME_HAS = {
    "climate",
    "sensor",
    "binary_sensor",
    "lock",
    "cover",
    "media_player",
    "switch",
    "light",
}


@pytest.mark.parametrize(("name", "people"), [("single", 1), ("couple", 2), ("family", 4)])
def test_shipped_homes_load(name: str, people: int) -> None:
    spec = load_home(name)
    assert len(spec.residents) == people
    domains = {e.entity_id.split(".")[0] for _, e in spec.entities()}
    assert domains >= KINDS_EVERY_HOME_HAS
    assert name in shipped_homes()


def test_couple_has_different_schedules() -> None:
    ana, ben = load_home("couple").residents
    assert ana.schedule.wake != ben.schedule.wake
    assert ana.schedule.workdays != ben.schedule.workdays


def test_home_by_path(tmp_path: Path) -> None:
    text = home_path("single").read_text()
    path = tmp_path / "mine.yaml"
    path.write_text(text.replace("Mina's flat", "My flat"))
    assert load_home(str(path)).name == "My flat"


def test_unknown_home_lists_shipped_ones() -> None:
    with pytest.raises(ConfigError, match="shipped homes: couple, family, single"):
        load_home("castle")


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nareas:\n  - {id: a, name: A\ndevices: []\n")
    with pytest.raises(ConfigError) as info:
        load_home(str(path))
    assert info.value.path == str(path)
    assert info.value.line in (3, 4)


def test_bad_reference_names_its_line(tmp_path: Path) -> None:
    text = home_path("single").read_text()
    broken = text.replace(
        "    area: kitchen\n    entities: [{entity_id: light.kitchen}]",
        "    area: cellar\n    entities: [{entity_id: light.kitchen}]",
    )
    assert broken != text
    path = tmp_path / "home.yaml"
    path.write_text(broken)
    with pytest.raises(ConfigError) as info:
        load_home(str(path))
    line = broken.splitlines().index("    area: cellar") + 1
    assert info.value.line == line
    assert "unknown area 'cellar'" in str(info.value)


def test_bad_value_names_its_line(tmp_path: Path) -> None:
    text = home_path("single").read_text().replace('wake: "06:45"', 'wake: "25:99"')
    path = tmp_path / "home.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_home(str(path))
    assert info.value.line == text.splitlines().index('      wake: "25:99"') + 1
    assert "wake" in str(info.value)


BASE: dict[str, Any] = yaml.safe_load(home_path("single").read_text())

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_paths(value, (*prefix, i)))
    return out


PATHS = _paths(BASE)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(PATHS), st.sampled_from(["delete", "replace", "extra"]), junk),
        min_size=1,
        max_size=4,
    )
)
def test_random_mutations_load_or_fail_clearly(mutations: list[tuple[Any, str, Any]]) -> None:
    data = copy.deepcopy(BASE)
    for path, how, value in mutations:
        parent: Any = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            last = path[-1]
            if how == "delete":
                del parent[last]
            elif how == "replace":
                parent[last] = value
            elif isinstance(parent, dict):
                parent[f"x_{last}"] = value
        except (KeyError, IndexError, TypeError):
            continue
    try:
        parse_home(data, source="mutated.yaml")
    except ConfigError as err:
        assert str(err).startswith("mutated.yaml")
        assert err.reason


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_random_text_damage_loads_or_fails_clearly(tmp_path: Path, data: st.DataObject) -> None:
    lines = home_path("single").read_text().splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(lines) - 1))
        how = data.draw(st.sampled_from(["drop", "dedent", "junk"]))
        if how == "drop":
            del lines[i]
        elif how == "dedent":
            lines[i] = lines[i].lstrip()
        else:
            lines[i] = lines[i] + data.draw(
                st.sampled_from([":", " [", "}", " &x", " *y", "\t", " !tag"])
            )
    path = tmp_path / "damaged.yaml"
    path.write_text("\n".join(lines))
    try:
        load_home(str(path))
    except ConfigError as err:
        assert err.path == str(path)
