"""Which sections and keys configuration.yaml may hold, and what is said about the others.

Home Assistant users bring their configuration with them. A section or key the hub does not
read must not pass in silence, nor stop the hub: each is a warning naming its file and line
(and the nearest known word, for a misspelling), and a Home Assistant word the hub knows but
does not use says so. Components register their section (and its pydantic model) when their
module is imported, so the warnings stay right as sections are added; a section named after a
component that registered no model is known, its keys unchecked."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from .config import HubConfig, LineMap, known_sections, model_keys, section_name
from .errors import ConfigError


@dataclass(frozen=True, slots=True)
class ConfigWarning:
    """Something in the configuration that is not used: where, and why."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


# Home Assistant's own sections (integrations) that Hearthmind does not have: a user who
# brings them is told they are not used, not that they are misspelled
HA_ONLY_SECTIONS = frozenset(
    {
        "default_config", "frontend", "config", "history", "logbook", "energy", "sun",
        "system_health", "mobile_app", "zone", "group", "sensor", "binary_sensor",
        "light", "switch", "cover", "fan", "climate", "script", "scene", "input_boolean",
        "input_number", "input_select", "input_text", "input_datetime", "input_button",
        "tts", "cloud", "template", "counter", "timer", "notify", "device_tracker",
        "lovelace", "conversation", "assist_pipeline", "shell_command", "rest_command",
        "command_line", "influxdb", "prometheus", "zha", "zwave_js", "my", "map",
        "media_source", "stream", "camera", "ssdp", "zeroconf", "dhcp", "usb", "bluetooth",
        "backup", "websocket_api", "wake_on_lan", "alexa", "google_assistant", "homekit",
        "panel_custom", "panel_iframe", "python_script", "utility_meter", "schedule", "tag",
    }
)  # fmt: skip


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _warning(lines: LineMap, path: tuple[str | int, ...], message: str) -> ConfigWarning:
    file, line = lines.where(path)
    return ConfigWarning(file or "configuration.yaml", line, message)


def unused_parts(config: HubConfig, components: Iterable[str] = ()) -> list[ConfigWarning]:
    """Every section and key of `config` that nothing reads, each with its file and line.
    `components` are further section names that are known (components whose module has not
    registered a model)."""
    sections = known_sections()
    known = set(sections) | set(components)
    out: list[ConfigWarning] = []
    for key, value in config.raw.items():
        name = section_name(key)
        if name not in known:
            if name in HA_ONLY_SECTIONS:
                why = f"section '{key}' is Home Assistant's; Hearthmind does not use it (ignored)"
            else:
                why = f"unknown section '{key}' (ignored){_did_you_mean(name, known)}"
            out.append(_warning(config.lines, (key,), why))
            continue
        section = sections.get(name)
        if section is None or section.model is None or not isinstance(value, dict):
            continue
        keys = model_keys(section.model)
        for sub in value:
            if sub in keys:
                continue
            if sub in section.unused_ha_keys:
                why = f"{key}.{sub}: Home Assistant's key, not used by Hearthmind (ignored)"
            else:
                why = f"{key}: unknown key '{sub}' (ignored){_did_you_mean(str(sub), keys)}"
            out.append(_warning(config.lines, (key, sub), why))
    return out


def section_errors(config: HubConfig) -> list[ConfigError]:
    """Each registered section's validation error (file, line, reason), one per section."""
    errors: list[ConfigError] = []
    for key in config.raw:
        section = known_sections().get(section_name(key))
        if section is None or section.model is None or key != section.name:
            continue
        try:
            config.section(key, section.model)
        except ConfigError as err:
            errors.append(err)
    return errors
