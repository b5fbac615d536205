"""The configuration directory (`-c DIR`, as Home Assistant's `hass -c`): `configuration.yaml`,
`secrets.yaml` (`!secret name`), `!include file.yaml`, the database and the tokens.

Every error names the file and the line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError
from .yaml_limits import MAX_FILE_BYTES, check_yaml

CONFIG_FILE = "configuration.yaml"
SECRETS_FILE = "secrets.yaml"
DEFAULT_CONFIG_DIR = Path("~/.hearthmind")

M = TypeVar("M", bound=BaseModel)


class LineMap:
    """Where each value of a loaded YAML document stands: key path -> (file, line)."""

    def __init__(self) -> None:
        self.lines: dict[tuple[str | int, ...], tuple[str, int]] = {}

    def where(self, path: tuple[str | int, ...]) -> tuple[str, int | None]:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        file, line = self.lines.get((), ("", 0))
        return file, (line or None)


MAX_INCLUDE_DEPTH = 10


def _make_loader(
    path: Path, secrets: Mapping[str, Any] | None, including: tuple[Path, ...]
) -> type[yaml.SafeLoader]:
    class Loader(yaml.SafeLoader):
        def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep)
            except (ValueError, OverflowError, TypeError) as err:
                # `2024-13-45`, an int of 5,000 digits: the value's line, not a traceback
                raise yaml.constructor.ConstructorError(
                    None, None, f"invalid value: {err}", node.start_mark
                ) from err

    def secret(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        name = loader.construct_scalar(node)  # type: ignore[arg-type]
        if secrets is None or name not in secrets:
            raise ConfigError(
                str(path), node.start_mark.line + 1, f"secret {name!r} not in {SECRETS_FILE}"
            )
        return secrets[name]

    def include(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        rel = loader.construct_scalar(node)  # type: ignore[arg-type]
        target = path.parent / str(rel)
        line = node.start_mark.line + 1
        try:
            found, resolved = target.is_file(), target.resolve()
        except OSError as err:  # a name too long, a loop of links
            raise ConfigError(str(path), line, f"!include: {err.strerror or err}") from err
        if not found:
            raise ConfigError(str(path), line, f"!include {rel}: no such file")
        chain = (*including, path.resolve())
        if resolved in chain:
            names = " -> ".join(p.name for p in (*chain, target))
            raise ConfigError(str(path), line, f"!include {rel} includes itself ({names})")
        if len(chain) > MAX_INCLUDE_DEPTH:
            raise ConfigError(str(path), line, f"!include nested over {MAX_INCLUDE_DEPTH} deep")
        data, _ = load_yaml(target, secrets, _including=chain)
        return data

    Loader.add_constructor("!secret", secret)
    Loader.add_constructor("!include", include)
    return Loader


def _record_lines(node: yaml.Node, path: tuple[str | int, ...], file: str, out: LineMap) -> None:
    out.lines[path] = (file, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            _record_lines(value_node, (*path, key), file, out)
            out.lines[(*path, key)] = (file, key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record_lines(item, (*path, i), file, out)


def load_yaml(
    path: Path, secrets: Mapping[str, Any] | None = None, *, _including: tuple[Path, ...] = ()
) -> tuple[Any, LineMap]:
    """Load a YAML file; a syntax error raises `ConfigError` with the file and line, as does
    one over the limits of yaml_limits.py (size, depth, alias expansion) or an `!include`
    that includes itself."""
    lines = LineMap()
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ConfigError(
                str(path), None, f"over {MAX_FILE_BYTES:,} bytes: not a configuration"
            )
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(str(path), None, f"cannot read: {err.strerror or err}") from err
    except UnicodeDecodeError as err:
        raise ConfigError(str(path), None, f"not UTF-8 text: {err.reason}") from err
    loader_cls = _make_loader(path, secrets, _including)
    try:
        check_yaml(text, str(path), loader_cls)
        node = yaml.compose(text, Loader=loader_cls)
        if node is None:
            return None, lines
        _record_lines(node, (), str(path), lines)
        loader = loader_cls(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        reason = " ".join(p for p in (err.context, err.problem) if p) or "invalid YAML"
        if err.context_mark is not None and "quoted scalar" in (err.context or ""):
            # an unclosed quote is found where the file ends: the person needs the line the
            # quote opened on
            mark = err.context_mark
            reason = "a quote opened here is not closed"
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(str(path), line, reason) from err
    except yaml.reader.ReaderError as err:  # a NUL or a control character: no mark, a position
        line = text.count("\n", 0, err.position) + 1
        char = chr(err.character) if isinstance(err.character, int) else err.character
        reason = f"a character YAML does not allow ({char!r})"
        raise ConfigError(str(path), line, reason) from err
    except yaml.YAMLError as err:
        reason = " ".join(str(err).split())  # one line
        raise ConfigError(str(path), None, f"invalid YAML: {reason}") from err
    return data, lines


def validate(model: type[M], data: Any, lines: LineMap, prefix: tuple[str | int, ...] = ()) -> M:
    """Validate `data` with a pydantic model; the first error names its file and line."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as err:
        first = err.errors()[0]
        reason = first["msg"].removeprefix("Value error, ")
        loc = (*prefix, *first["loc"])
        if not first["loc"] and isinstance(data, dict):
            # a check across keys names no key: point at the first key its message names
            named = [w for w in re.findall(r"[A-Za-z_]+", reason) if w in data]
            loc = (*loc, named[0]) if named else loc
        file, line = lines.where(loc)
        dotted = ".".join(str(p) for p in loc) or "(top level)"
        if first["type"] == "extra_forbidden" and first["loc"]:
            close = difflib.get_close_matches(str(first["loc"][-1]), sorted(model_keys(model)), 1)
            reason = "unknown key" + (f" (did you mean '{close[0]}'?)" if close else "")
        raise ConfigError(file or "<config>", line, f"{dotted}: {reason}") from err


class CoreConfig(BaseModel):
    """The `homeassistant:` section, as Home Assistant has it (`hearthmind:` is accepted as
    an older name): the home's name, place, units and the one time zone every time a person
    reads is shown in."""

    model_config = ConfigDict(extra="forbid")

    name: str = "Home"
    latitude: float = Field(default=52.37, ge=-90, le=90)
    longitude: float = Field(default=4.89, ge=-180, le=180)
    elevation: float = 0
    time_zone: str = "UTC"
    # HA's names: metric, us_customary (imperial is its older name)
    unit_system: Literal["metric", "us_customary", "imperial"] = "metric"
    currency: str = "EUR"
    country: str | None = None
    language: str = "en"
    radius: float = Field(default=100, ge=0)  # metres: the home zone, as HA's
    internal_url: str | None = None
    external_url: str | None = None

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            close = difflib.get_close_matches(value, sorted(available_timezones()), n=1)
            hint = f" (did you mean {close[0]}?)" if close else " (e.g. Europe/Amsterdam)"
            raise ValueError(f"unknown time zone {value!r}{hint}") from None
        return value


# Home Assistant's `homeassistant:` keys that Hearthmind accepts and does not use
CORE_UNUSED_HA_KEYS = (
    "customize", "customize_domain", "customize_glob", "packages", "auth_providers",
    "auth_mfa_modules", "allowlist_external_dirs", "allowlist_external_urls", "media_dirs",
    "legacy_templates", "temperature_unit", "debug", "whitelist_external_dirs",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Section:
    """A section of configuration.yaml and the model of its keys (None: its owner checks
    it, as the automations' rules)."""

    name: str
    model: type[BaseModel] | None
    # Home Assistant's keys of this section that the hub accepts and does not use
    unused_ha_keys: frozenset[str] = frozenset()


_SECTIONS: dict[str, Section] = {}


def register_section(
    name: str, model: type[BaseModel] | None = None, *, unused_ha_keys: Iterable[str] = ()
) -> None:
    """Called by a component's module at import: `name:` is its section, `model` its keys.
    Keys outside the model are then warned about (core/sections.py) and left out, never
    refused, so that a Home Assistant configuration loads."""
    _SECTIONS[name] = Section(name, model, frozenset(unused_ha_keys))


def known_sections() -> dict[str, Section]:
    return dict(_SECTIONS)


def section_name(key: Any) -> str:
    """HA's packages style `automation kitchen:` belongs to `automation:`."""
    return key.split(" ", 1)[0] if isinstance(key, str) else str(key)


def model_keys(model: type[BaseModel]) -> set[str]:
    """Every key a model reads: field names and their aliases."""
    keys: set[str] = set()
    for name, info in model.model_fields.items():
        keys.add(name)
        if info.alias:
            keys.add(info.alias)
        alias = info.validation_alias
        if isinstance(alias, str):
            keys.add(alias)
        else:
            keys.update(c for c in getattr(alias, "choices", ()) if isinstance(c, str))
    return keys


def _known_keys_only(name: str, model: type[BaseModel], value: Any) -> Any:
    section = _SECTIONS.get(name)
    if section is None or section.model is not model or not isinstance(value, dict):
        return value
    keys = model_keys(model)
    return {k: v for k, v in value.items() if k in keys}


register_section("homeassistant", CoreConfig, unused_ha_keys=CORE_UNUSED_HA_KEYS)
register_section("hearthmind", CoreConfig, unused_ha_keys=CORE_UNUSED_HA_KEYS)


class HubConfig:
    """A loaded configuration directory. Sections other than `homeassistant:` are validated
    by the component that owns them, with `section(name, Model)`."""

    def __init__(self, config_dir: Path, raw: dict[str, Any], lines: LineMap) -> None:
        self.config_dir = config_dir
        self.raw = raw
        self.lines = lines
        # HA's name first; `hearthmind:` (the older name) fills what it does not say
        older: Any = raw.get("hearthmind") or {}
        newer: Any = raw.get("homeassistant") or {}
        name = "homeassistant" if "homeassistant" in raw else "hearthmind"
        merged: Any = raw.get(name)  # not a mapping: validated as it is, for the error
        if isinstance(older, dict) and isinstance(newer, dict):
            merged = {**older, **newer}
        self.core = validate(CoreConfig, _known_keys_only(name, CoreConfig, merged), lines, (name,))

    @property
    def path(self) -> Path:
        return self.config_dir / CONFIG_FILE

    def section(self, name: str, model: type[M]) -> M:
        data = _known_keys_only(name, model, self.raw.get(name))
        return validate(model, data, self.lines, (name,))

    @property
    def zone(self) -> ZoneInfo:
        """The home's time zone: every time a person reads is shown in it."""
        return ZoneInfo(self.core.time_zone)

    @property
    def default_db_url(self) -> str:
        return f"sqlite:///{self.config_dir / 'hearthmind.db'}"


def load_config(
    config_dir: Path | str | None = None, *, create: bool = True, time_zone: str | None = None
) -> HubConfig:
    """Load `configuration.yaml` from the config directory (created with defaults if absent,
    saying `time_zone` when given; else it says how to set one, and UTC holds)."""
    directory = Path(config_dir or DEFAULT_CONFIG_DIR).expanduser()
    if create:
        directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG_FILE
    if not path.exists():
        if not create:
            return HubConfig(directory, {}, LineMap())
        zone_line = (
            f"  time_zone: {time_zone}\n"
            if time_zone
            else "  # time_zone: Europe/Amsterdam   (every time you read is shown in it; UTC until set)\n"
        )
        path.write_text(
            "# Hearthmind configuration (Home Assistant's words). See README.md.\n"
            f"homeassistant:\n  name: Home\n{zone_line}",
            encoding="utf-8",
        )
    secrets: Mapping[str, Any] | None = None
    secrets_path = directory / SECRETS_FILE
    if secrets_path.exists():
        loaded, _ = load_yaml(secrets_path)
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(str(secrets_path), 1, "secrets must be a mapping of name: value")
        secrets = loaded or {}
    raw, lines = load_yaml(path, secrets)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(str(path), 1, "the configuration must be a mapping of sections")
    return HubConfig(directory, raw, lines)
