"""The configuration directory (`-c DIR`, as Home Assistant's `hass -c`): `configuration.yaml`,
`secrets.yaml` (`!secret name`), `!include file.yaml`, the database and the tokens.

Every error names the file and the line."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError

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


def _make_loader(path: Path, secrets: Mapping[str, Any] | None) -> type[yaml.SafeLoader]:
    class Loader(yaml.SafeLoader):
        pass

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
        if not target.is_file():
            raise ConfigError(str(path), node.start_mark.line + 1, f"!include {rel}: no such file")
        data, _ = load_yaml(target, secrets)
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


def load_yaml(path: Path, secrets: Mapping[str, Any] | None = None) -> tuple[Any, LineMap]:
    """Load a YAML file; a syntax error raises `ConfigError` with the file and line."""
    lines = LineMap()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(str(path), None, f"cannot read: {err.strerror or err}") from err
    except UnicodeDecodeError as err:
        raise ConfigError(str(path), None, f"not UTF-8 text: {err.reason}") from err
    loader_cls = _make_loader(path, secrets)
    try:
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
        line = mark.line + 1 if mark is not None else None
        reason = " ".join(p for p in (err.context, err.problem) if p) or "invalid YAML"
        raise ConfigError(str(path), line, reason) from err
    except yaml.YAMLError as err:
        raise ConfigError(str(path), None, f"invalid YAML: {err}") from err
    return data, lines


def validate(model: type[M], data: Any, lines: LineMap, prefix: tuple[str | int, ...] = ()) -> M:
    """Validate `data` with a pydantic model; the first error names its file and line."""
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as err:
        first = err.errors()[0]
        loc = (*prefix, *first["loc"])
        file, line = lines.where(loc)
        dotted = ".".join(str(p) for p in loc) or "(top level)"
        raise ConfigError(file or "<config>", line, f"{dotted}: {first['msg']}") from err


class CoreConfig(BaseModel):
    """The `hearthmind:` section."""

    model_config = ConfigDict(extra="forbid")

    name: str = "Home"
    latitude: float = Field(default=52.37, ge=-90, le=90)
    longitude: float = Field(default=4.89, ge=-180, le=180)
    elevation: float = 0
    time_zone: str = "UTC"
    unit_system: str = "metric"


class HubConfig:
    """A loaded configuration directory. Sections other than `hearthmind:` are validated by
    the component that owns them, with `section(name, Model)`."""

    def __init__(self, config_dir: Path, raw: dict[str, Any], lines: LineMap) -> None:
        self.config_dir = config_dir
        self.raw = raw
        self.lines = lines
        self.core = validate(CoreConfig, raw.get("hearthmind"), lines, ("hearthmind",))

    @property
    def path(self) -> Path:
        return self.config_dir / CONFIG_FILE

    def section(self, name: str, model: type[M]) -> M:
        return validate(model, self.raw.get(name), self.lines, (name,))

    @property
    def default_db_url(self) -> str:
        return f"sqlite:///{self.config_dir / 'hearthmind.db'}"


def load_config(config_dir: Path | str | None = None, *, create: bool = True) -> HubConfig:
    """Load `configuration.yaml` from the config directory (created with defaults if absent)."""
    directory = Path(config_dir or DEFAULT_CONFIG_DIR).expanduser()
    if create:
        directory.mkdir(parents=True, exist_ok=True)
    path = directory / CONFIG_FILE
    if not path.exists():
        if not create:
            return HubConfig(directory, {}, LineMap())
        path.write_text(
            "# Hearthmind configuration (Home Assistant style). See README.md.\n"
            "hearthmind:\n  name: Home\n  time_zone: UTC\n",
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
