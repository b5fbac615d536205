"""MQTT discovery messages: `<prefix>/<component>/[<node_id>/]<object_id>/config`, a JSON
object (possibly abbreviated) that describes one entity; an empty payload removes it.

Pure functions: `parse_discovery` gives a `DiscoveryMessage` or raises `DiscoveryError`
naming the topic and the problem; `build_config` validates the keys for the component."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from .abbreviations import expand_discovery_payload
from .components import COMPONENTS, KNOWN_UNSUPPORTED, EntityConfig
from .payloads import PayloadError, decode_text, parse_json_object

MAX_DISCOVERY_PAYLOAD = 64 * 1024
_TOPIC = re.compile(
    r"^(?P<component>\w+)/(?:(?P<node_id>[a-zA-Z0-9_-]+)/)?(?P<object_id>[a-zA-Z0-9_-]+)/config$"
)


class DiscoveryError(ValueError):
    """A discovery message that cannot become an entity."""

    counter = "mqtt_bad_discovery"


class UnsupportedComponentError(DiscoveryError):
    counter = "mqtt_unsupported_component"


@dataclass(frozen=True, slots=True)
class DiscoveryMessage:
    topic: str
    component: str
    node_id: str | None
    object_id: str
    config: dict[str, Any] | None  # None: the device removed the entity

    @property
    def discovery_id(self) -> str:
        return f"{self.component}/{self.node_id or ''}/{self.object_id}"


def parse_discovery(prefix: str, topic: str, payload: bytes) -> DiscoveryMessage:
    if not topic.startswith(prefix + "/"):
        raise DiscoveryError(f"{topic}: not under the discovery prefix {prefix!r}")
    match = _TOPIC.match(topic[len(prefix) + 1 :])
    if match is None:
        raise DiscoveryError(
            f"Received message on illegal discovery topic '{topic}' (not "
            f"{prefix}/<component>/[<node_id>/]<object_id>/config)"
        )
    component, node_id, object_id = match.group("component", "node_id", "object_id")
    if component not in COMPONENTS:
        if component in KNOWN_UNSUPPORTED:
            raise UnsupportedComponentError(f"{topic}: component {component!r} not supported yet")
        raise DiscoveryError(f"{topic}: unknown component {component!r}")
    if not payload:
        return DiscoveryMessage(topic, component, node_id, object_id, None)
    try:
        text = decode_text(payload, MAX_DISCOVERY_PAYLOAD)
        raw = parse_json_object(text)
    except PayloadError as err:
        raise DiscoveryError(f"{topic}: {err}") from err
    check_origin(topic, raw)
    config = expand_discovery_payload(raw)
    config.setdefault("platform", "mqtt")
    return DiscoveryMessage(topic, component, node_id, object_id, config)


def check_origin(topic: str, config: Mapping[str, Any]) -> None:
    """HA refuses an announcement whose origin (`o`) is not a mapping with a name."""
    if "origin" not in config and "o" not in config:
        return
    origin = config.get("origin", config.get("o"))
    if not isinstance(origin, Mapping) or not isinstance(origin.get("name"), str):
        raise DiscoveryError(
            f"{topic}: Unable to parse origin information from discovery message: {origin!r}"
        )


def build_config(message: DiscoveryMessage) -> EntityConfig:
    """Validate the expanded keys with the component's model (unknown keys are ignored, as
    HA ignores keys of features it does not use; wrong types are errors)."""
    assert message.config is not None
    model = COMPONENTS[message.component].config_model
    try:
        return model.model_validate(message.config)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "config"
        more = f" (and {len(err.errors()) - 1} more)" if len(err.errors()) > 1 else ""
        raise DiscoveryError(f"{message.topic}: {where}: {first['msg']}{more}") from err


def slugify(text: str) -> str:
    """`Kitchen Light` -> `kitchen_light`, as entity ids are made in Home Assistant."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def suggested_object_id(message: DiscoveryMessage, config: EntityConfig) -> str:
    """`object_id` from the config, else the (device and entity) name, else the topic's."""
    if config.default_entity_id and "." in config.default_entity_id:
        slug = slugify(config.default_entity_id.partition(".")[2])
        if slug:
            return slug
    if config.object_id:
        slug = slugify(config.object_id)
        if slug:
            return slug
    device_name = (config.device or {}).get("name")
    parts = [str(device_name)] if device_name else []
    if config.name and config.name not in parts:
        parts.append(config.name)
    slug = slugify(" ".join(parts))
    return slug or slugify(message.object_id) or "mqtt"
