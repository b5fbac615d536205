"""Where rules come from in a configuration directory, as in Home Assistant: the `automation:`
section of configuration.yaml (also `automation <label>:` sections), which is often
`!include automations.yaml`, and `automations.yaml` itself when present.

Each source keeps the line map of the file its rules are written in, so a rejected rule names
its own file and line, also inside an included file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hearthmind.core import ConfigError, LineMap, load_yaml
from hearthmind.core.config import CONFIG_FILE, SECRETS_FILE

from .validation import KeyPath

AUTOMATIONS_FILE = "automations.yaml"


@dataclass(slots=True)
class RuleSource:
    """Rules of one file or section: `rules[i]` is at `prefix + (i, ...)` in `lines`."""

    name: str
    rules: list[Any]
    lines: LineMap = field(default_factory=LineMap)
    prefix: KeyPath = ()


def is_automation_key(key: Any) -> bool:
    return isinstance(key, str) and (key == "automation" or key.startswith("automation "))


def rules_list(value: Any, file: str, lines: LineMap, prefix: KeyPath) -> list[Any]:
    """HA accepts a list of rules, one rule, or nothing."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return [value]
    _, line = lines.where(prefix)
    raise ConfigError(file, line, "automations must be a list of rules (each a mapping)")


def _included_files(config_path: Path) -> dict[str, str]:
    """Section key -> file name, for `automation: !include file.yaml` in configuration.yaml.
    Composing (not constructing) the YAML keeps the tag without resolving it."""
    try:
        root = yaml.compose(config_path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}  # load_config already reported what is wrong with the file
    out: dict[str, str] = {}
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            key = getattr(key_node, "value", None)
            if (
                is_automation_key(key)
                and isinstance(value_node, yaml.ScalarNode)
                and value_node.tag == "!include"
            ):
                out[str(key)] = str(value_node.value)
    return out


def _secrets(config_dir: Path) -> Mapping[str, Any] | None:
    path = config_dir / SECRETS_FILE
    if not path.exists():
        return None
    loaded, _ = load_yaml(path)
    return loaded if isinstance(loaded, dict) else None


def read_sources(
    config_dir: Path, raw: Mapping[str, Any], lines: LineMap
) -> tuple[list[RuleSource], list[tuple[str, ConfigError]]]:
    """The rule sources of a configuration directory whose configuration.yaml loaded as
    `raw`/`lines`. A source that cannot be read comes back as (source name, error); the
    others load."""
    config_path = config_dir / CONFIG_FILE
    sources: list[RuleSource] = []
    errors: list[tuple[str, ConfigError]] = []
    included = _included_files(config_path) if config_path.exists() else {}
    seen_files: set[Path] = set()
    for key, value in raw.items():
        if not is_automation_key(key):
            continue
        name = f"{config_path}#{key}"
        try:
            if key in included:
                file = (config_dir / included[key]).resolve()
                name = str(file)
                seen_files.add(file)
                data, file_lines = load_yaml(file, _secrets(config_dir))
                rules = rules_list(data, str(file), file_lines, ())
                sources.append(RuleSource(str(file), rules, file_lines, ()))
            else:
                rules = rules_list(value, str(config_path), lines, (key,))
                sources.append(RuleSource(name, rules, lines, (key,)))
        except ConfigError as err:
            errors.append((name, err))
    standalone = (config_dir / AUTOMATIONS_FILE).resolve()
    if standalone.is_file() and standalone not in seen_files:
        try:
            data, file_lines = load_yaml(standalone, _secrets(config_dir))
            rules = rules_list(data, str(standalone), file_lines, ())
            sources.append(RuleSource(str(standalone), rules, file_lines, ()))
        except ConfigError as err:
            errors.append((str(standalone), err))
    return sources, errors
