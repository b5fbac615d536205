"""Device-based MQTT discovery (Home Assistant 2024.11): one message on
`<prefix>/device/[<node_id>/]<object_id>/config` announces every component of a device,

    {"dev": {...}, "o": {...}, "cmps": {"<key>": {"p": "sensor", ...}, ...}, <shared keys>}

Each component becomes the same `DiscoveryMessage` a single-component announcement would:
the device, the origin and the shared keys (`state_topic`, `qos`, `availability`, `~`, ...)
are given to every component, its own keys winning. A component that is only
`{"platform": ...}` is removed (HA's way to remove one); an empty payload removes them all.

Pure functions, like discovery.py: bad input raises `DiscoveryError` naming the topic."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .abbreviations import expand_discovery_payload
from .components import COMPONENTS, KNOWN_UNSUPPORTED
from .discovery import MAX_DISCOVERY_PAYLOAD, DiscoveryError, DiscoveryMessage
from .payloads import PayloadError, decode_text, parse_json_object

_TOPIC = re.compile(
    r"^device/(?:(?P<node_id>[a-zA-Z0-9_-]+)/)?(?P<object_id>[a-zA-Z0-9_-]+)/config$"
)
_OWN_KEYS = ("device", "origin", "components")


def is_device_topic(prefix: str, topic: str) -> bool:
    return topic.startswith(prefix + "/device/")


def device_key(prefix: str, topic: str) -> str:
    return topic[len(prefix) + 1 :]


def parse_device_discovery(prefix: str, topic: str, payload: bytes) -> list[DiscoveryMessage]:
    """The components of one device announcement (config None: that component goes)."""
    match = _TOPIC.match(topic[len(prefix) + 1 :])
    if match is None:
        raise DiscoveryError(f"Received message on illegal discovery topic '{topic}'")
    node_id = match.group("node_id")
    object_id = match.group("object_id")
    where = f"{node_id}/{object_id}" if node_id else object_id
    if not payload:
        return []
    try:
        raw = parse_json_object(decode_text(payload, MAX_DISCOVERY_PAYLOAD))
    except PayloadError as err:
        raise DiscoveryError(f"{topic}: Unable to parse JSON: {err}") from err
    config = expand_discovery_payload(_long_components(raw))
    device = config.get("device")
    if not isinstance(device, Mapping):
        raise DiscoveryError(
            f"Invalid MQTT device discovery payload for {where}, required key not provided "
            "@ data['device']"
        )
    origin = raw.get("o", raw.get("origin", {"name": ""}))
    if not isinstance(origin, Mapping):
        raise DiscoveryError(
            f"Invalid MQTT device discovery payload for {where}, expected a dictionary for "
            "dictionary value @ data['origin']"
        )
    if "name" not in origin:
        raise DiscoveryError(
            f"Invalid MQTT device discovery payload for {where}, required key not provided "
            "@ data['origin']['name']"
        )
    components = config.get("components")
    if not isinstance(components, Mapping):
        raise DiscoveryError(
            f"Invalid MQTT device discovery payload for {where}, expected a dictionary for "
            "dictionary value @ data['components']"
        )
    shared = {
        k: v
        for k, v in raw.items()
        if k not in ("dev", "device", "o", "origin", "cmps", "components")
    }
    messages: list[DiscoveryMessage] = []
    for key, component in components.items():
        messages.append(_component(topic, where, str(key), component, shared, config))
    return messages


def _long_components(raw: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(raw)
    if "cmps" in data and "components" not in data:
        data["components"] = data.pop("cmps")
    return data


def _component(
    topic: str,
    where: str,
    key: str,
    component: Any,
    shared: Mapping[str, Any],
    device_config: Mapping[str, Any],
) -> DiscoveryMessage:
    if not isinstance(component, Mapping):
        raise DiscoveryError(
            f"Invalid MQTT device discovery payload for {where}, expected a dictionary for "
            f"dictionary value @ data['components']['{key}']"
        )
    own = dict(component)
    if "p" in own and "platform" not in own:
        own["platform"] = own.pop("p")
    platform = own.get("platform")
    if not isinstance(platform, str):
        raise DiscoveryError(
            f"Invalid MQTT device discovery payload for {where}, required key not provided "
            f"@ data['components']['{key}']['platform']"
        )
    if platform not in COMPONENTS:
        which = "not supported yet" if platform in KNOWN_UNSUPPORTED else "unknown"
        raise DiscoveryError(f"{topic}: component {key!r}: platform {platform!r} is {which}")
    node_id = f"device-{where.replace('/', '-')}"
    if set(own) == {"platform"}:
        return DiscoveryMessage(topic, platform, node_id, key, None)
    merged = expand_discovery_payload({**shared, **own})
    merged.pop("platform", None)
    merged["device"] = device_config["device"]
    if "origin" in device_config:
        merged.setdefault("origin", device_config["origin"])
    merged["platform"] = "mqtt"
    return DiscoveryMessage(topic, platform, node_id, key, merged)
