"""`update`: a device's firmware, its installed and latest versions (plain text, or JSON
with `installed_version`, `latest_version`, `title`, `release_summary`, `release_url`,
`entity_picture`, `in_progress`, `update_percentage`), `update.install` publishing
`payload_install`. The state is `on` when an update is available, as in Home Assistant."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import Field

from hearthmind.core import Context, Origin

from ..payloads import PayloadError, number_in, parse_json
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler

DEFAULT_PICTURE = "https://brands.home-assistant.io/_/mqtt/icon.png"
JSON_KEYS = ("title", "release_summary", "release_url", "entity_picture")
_NUMBERS = re.compile(r"\d+")


class UpdateConfig(EntityConfig):
    state_topic: str | None = Field(default=None, min_length=1)
    value_template: str | None = None
    latest_version_topic: str | None = Field(default=None, min_length=1)
    latest_version_template: str | None = None
    command_topic: str | None = Field(default=None, min_length=1)
    payload_install: str | None = None
    title: str | None = None
    release_summary: str | None = Field(default=None, max_length=255)
    release_url: str | None = None
    entity_picture: str | None = None
    display_precision: int = Field(default=0, ge=0)


def newer(latest: str, installed: str) -> bool:
    """HA compares versions (AwesomeVersion); dotted numbers compare as numbers, anything
    else differs or not."""
    if latest == installed:
        return False
    a, b = _NUMBERS.findall(latest), _NUMBERS.findall(installed)
    if a and b and re.fullmatch(r"[vV]?[\d.]+", latest) and re.fullmatch(r"[vV]?[\d.]+", installed):
        return [int(x) for x in a] > [int(x) for x in b]
    return True


class MqttUpdate(MqttEntity[UpdateConfig]):
    component = "update"
    config_model = UpdateConfig
    controllable = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        self._value_tpl = optional_template(c.value_template)
        self._latest_tpl = optional_template(c.latest_version_template)
        self.installed: str | None = None
        self.latest: str | None = None
        self.skipped: str | None = None
        self.attributes = {
            "auto_update": False,
            "display_precision": c.display_precision,
            "installed_version": None,
            "in_progress": False,
            "latest_version": None,
            "release_summary": c.release_summary,
            "release_url": c.release_url,
            "skipped_version": None,
            "title": c.title,
            "update_percentage": None,
        }
        # HA shows the MQTT brand icon when the device gives no picture
        self.attributes["entity_picture"] = c.entity_picture or DEFAULT_PICTURE

    def reporting_context(self) -> Context:
        # a new firmware on offer, or one installed, is the device's news, not a person's
        # act: only the answer to an install the hub asked for keeps the asker's context
        context = super().reporting_context()
        if context.origin is Origin.PHYSICAL:
            return self.host.new_context(Origin.SENSOR)
        return context

    def hub_state(self) -> tuple[str, dict[str, Any]]:
        state, attrs = super().hub_state()
        if state == "unavailable":
            return state, attrs
        if self.installed is None or self.latest is None:
            return "unknown", attrs
        if self.latest == self.skipped or not newer(self.latest, self.installed):
            return "off", attrs
        return "on", attrs

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        if self.config.state_topic:
            add_handler(topics, self.config.state_topic, self._on_state)
        if self.config.latest_version_topic:
            add_handler(topics, self.config.latest_version_topic, self._on_latest)
        return topics

    def _versions(self) -> None:
        self.attributes["installed_version"] = self.installed
        self.attributes["latest_version"] = self.latest

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text)
        if value == "":
            return  # HA ignores an empty report
        data: Any = None
        if value.lstrip().startswith("{"):
            try:
                data = parse_json(value)
            except PayloadError:
                data = None
        if not isinstance(data, dict):
            self.installed = value
            if self.config.latest_version_topic is None:
                self.latest = value  # nothing else says what is newest
            self._versions()
            self.report()
            return
        if "installed_version" in data:
            self.installed = _version(data["installed_version"])
        if "latest_version" in data:
            self.latest = _version(data["latest_version"])
        elif self.latest is None and self.config.latest_version_topic is None:
            self.latest = self.installed
        for key in JSON_KEYS:
            if key in data:
                self.attributes[key] = data[key]
        if "update_percentage" in data:
            pct = data["update_percentage"]
            if pct is None:
                self.attributes["update_percentage"] = None
                self.attributes["in_progress"] = False
            else:
                number = number_in(pct, "update_percentage")
                if not 0 <= number <= 100:
                    raise PayloadError(f"update_percentage {number} is outside 0..100")
                self.attributes["update_percentage"] = (
                    int(number) if number.is_integer() else number
                )
                self.attributes["in_progress"] = True
        if "in_progress" in data:
            self.attributes["in_progress"] = bool(data["in_progress"])
        self._versions()
        self.report()

    def _on_latest(self, text: str) -> None:
        value = self.render(self._latest_tpl, text)
        if value == "":
            return
        self.latest = value
        self._versions()
        self.report()

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        if service == "install":
            if self.config.command_topic is None:
                raise PayloadError(f"{self.entity_id} cannot install: it has no command_topic")
            self.publish(self.config.command_topic, self.config.payload_install or "", context)
        elif service == "skip":
            if (
                self.latest is None
                or self.installed is None
                or not newer(self.latest, self.installed)
            ):
                raise PayloadError(f"{self.entity_id} has no update to skip")
            self.skipped = self.latest
            self.attributes["skipped_version"] = self.skipped
            self.optimistic_update(context)
        elif service == "clear_skipped":
            self.skipped = None
            self.attributes["skipped_version"] = None
            self.optimistic_update(context)
        else:
            raise PayloadError(f"{self.entity_id} cannot {service}")


def _version(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(f"version {str(value)[:40]!r} is not text")
    return str(value)
