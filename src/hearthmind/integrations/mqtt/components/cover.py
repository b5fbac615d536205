"""`cover`: OPEN / CLOSE / STOP on a command topic, the state, the position and the tilt
reported, as Home Assistant's MQTT cover has them (attributes `current_position` and
`current_tilt_position` in percent, whatever range the device counts in)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator

from hearthmind.core import Context

from ..payloads import PayloadError, parse_json
from ..templates import optional_template
from .base import EntityConfig, MessageHandler, MqttEntity, add_handler, to_str

DEVICE_CLASSES = frozenset(
    {"awning", "blind", "curtain", "damper", "door", "garage", "gate", "shade", "shutter", "window"}
)


class CoverConfig(EntityConfig):
    command_topic: str | None = Field(default=None, min_length=1)
    state_topic: str | None = Field(default=None, min_length=1)
    value_template: str | None = None
    payload_open: str | None = "OPEN"
    payload_close: str | None = "CLOSE"
    payload_stop: str | None = "STOP"
    payload_stop_tilt: str = "stop"
    state_open: str = "open"
    state_opening: str = "opening"
    state_closed: str = "closed"
    state_closing: str = "closing"
    state_stopped: str = "stopped"
    position_topic: str | None = None
    position_template: str | None = None
    set_position_topic: str | None = None
    set_position_template: str | None = None
    position_open: int = 100
    position_closed: int = 0
    tilt_command_topic: str | None = None
    tilt_command_template: str | None = None
    tilt_status_topic: str | None = None
    tilt_status_template: str | None = None
    tilt_min: int = 0
    tilt_max: int = 100
    tilt_opened_value: int = 100
    tilt_closed_value: int = 0
    tilt_optimistic: bool | None = None
    optimistic: bool | None = None

    @field_validator("payload_open", "payload_close", "payload_stop", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)

    @model_validator(mode="after")
    def _position_topics(self) -> CoverConfig:
        # HA's validate_options: a topic without the one it needs, a template without its topic
        for key, needs in (
            ("set_position_topic", "position_topic"),
            ("value_template", "state_topic"),
            ("position_template", "position_topic"),
            ("set_position_template", "set_position_topic"),
            ("tilt_command_template", "tilt_command_topic"),
            ("tilt_status_template", "tilt_status_topic"),
        ):
            if getattr(self, key) is not None and not getattr(self, needs):
                raise ValueError(f"'{key}' must be set together with '{needs}'.")
        return self

    @field_validator("device_class")
    @classmethod
    def _known_class(cls, value: str | None) -> str | None:
        if value is not None and value not in DEVICE_CLASSES:
            raise ValueError(f"expected CoverDeviceClass or one of {sorted(DEVICE_CLASSES)}")
        return value


class MqttCover(MqttEntity[CoverConfig]):
    component = "cover"
    config_model = CoverConfig
    blocked_attributes: ClassVar[frozenset[str]] = frozenset(
        {"current_position", "current_tilt_position"}
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        c = self.config
        if c.position_open == c.position_closed:
            raise PayloadError("position_open equals position_closed")
        if c.tilt_max == c.tilt_min:
            raise PayloadError("tilt_max equals tilt_min")
        self._value_tpl = optional_template(c.value_template)
        self._pos_tpl = optional_template(c.position_template)
        self._set_pos_tpl = optional_template(c.set_position_template)
        self._tilt_tpl = optional_template(c.tilt_status_template)
        self._tilt_cmd_tpl = optional_template(c.tilt_command_template)
        self._states = {
            c.state_open: "open",
            c.state_opening: "opening",
            c.state_closed: "closed",
            c.state_closing: "closing",
        }
        if c.position_topic or c.set_position_topic:
            self.attributes["current_position"] = None
        if c.tilt_status_topic or c.tilt_command_topic:
            self.attributes["current_tilt_position"] = None

    @property
    def optimistic(self) -> bool:
        c = self.config
        return bool(c.optimistic) or (c.state_topic is None and c.position_topic is None)

    @property
    def tilt_optimistic(self) -> bool:
        c = self.config
        return c.tilt_optimistic if c.tilt_optimistic is not None else c.tilt_status_topic is None

    @property
    def supported_features(self) -> int:
        """HA's CoverEntityFeature: OPEN 1, CLOSE 2, SET_POSITION 4, STOP 8 and the four tilt
        features (16, 32, 64, 128) with a tilt command topic."""
        c = self.config
        features = 0
        if c.command_topic is not None:
            if c.payload_open is not None:
                features |= 1
            if c.payload_close is not None:
                features |= 2
            if c.payload_stop is not None:
                features |= 8
        if c.set_position_topic is not None:
            features |= 4
        if c.tilt_command_topic is not None:
            features |= 16 | 32 | 64 | 128
        return features

    def subscriptions(self) -> dict[str, MessageHandler]:
        topics = super().subscriptions()
        c = self.config
        for topic, handler in (
            (c.state_topic, self._on_state),
            (c.position_topic, self._on_position),
            (c.tilt_status_topic, self._on_tilt),
        ):
            if topic:
                add_handler(topics, topic, handler)
        return topics

    # -- ranges ----------------------------------------------------------------------------

    def _percent(self, device: float, low: int, high: int) -> int:
        """HA's find_percentage_in_range (an inverted range counts down)."""
        pct = int((device - low) / (high - low) * 100)
        return max(0, min(100, pct))

    def _device(self, percent: float, low: int, high: int) -> int:
        return round(low + percent * (high - low) / 100)

    # -- reports ---------------------------------------------------------------------------

    def _on_state(self, text: str) -> None:
        value = self.render(self._value_tpl, text).strip()
        if value == "":
            return  # HA: "Ignoring empty state message"
        if value == self.config.state_stopped:
            # stopped part-way: HA shows open unless fully closed
            position = self.attributes.get("current_position")
            if position is not None:
                self.state = "closed" if position == 0 else "open"
            elif self.state in ("opening", "closing", "unknown"):
                self.state = "closed" if self.state == "closing" else "open"
        elif value in self._states:
            self.state = self._states[value]
        elif value == "None":
            self.state = "unknown"
        else:
            raise PayloadError(
                f"Payload is not supported (e.g. open, closed, opening, closing, stopped): {value[:40]!r}"
            )
        self.report()

    def _on_position(self, text: str) -> None:
        c = self.config
        tpl = self._pos_tpl
        # HA's position template variables: the entity and the configured ranges
        value = (
            text
            if tpl is None
            else tpl.render(
                text,
                entity_id=self.entity_id,
                position_open=c.position_open,
                position_closed=c.position_closed,
                tilt_min=c.tilt_min,
                tilt_max=c.tilt_max,
            )
        )
        if value == "":
            return
        if value.startswith("{") and value.endswith("}"):
            # HA: a position template may give {"position": .., "tilt_position": ..}
            data = parse_json(value)
            if isinstance(data, dict):
                if "position" not in data:
                    raise PayloadError(
                        "Template (position_template) returned JSON without position attribute"
                    )
                if "tilt_position" in data:
                    self._set_tilt_reading(str(data["tilt_position"]))
                value = str(data["position"])
        try:
            device = float(value)
        except ValueError:
            raise PayloadError(f"Payload '{value[:40]}' is not numeric") from None
        position = self._percent(device, c.position_closed, c.position_open)
        self.attributes["current_position"] = position
        if c.state_topic is None:
            self.state = "closed" if position == 0 else "open"
        self.report()

    def _on_tilt(self, text: str) -> None:
        value = self.render(self._tilt_tpl, text)
        if value == "":
            return
        self._set_tilt_reading(value)
        self.report()

    def _set_tilt_reading(self, value: str) -> None:
        c = self.config
        try:
            device = round(float(value))
        except ValueError:
            raise PayloadError(f"Payload '{value[:40]}' is not numeric") from None
        low, high = min(c.tilt_min, c.tilt_max), max(c.tilt_min, c.tilt_max)
        if not low <= device <= high:
            raise PayloadError(
                f"Payload '{value}' is out of range, must be between '{c.tilt_min}' and "
                f"'{c.tilt_max}' inclusive"
            )
        self.attributes["current_tilt_position"] = self._percent(device, c.tilt_min, c.tilt_max)

    # -- commands --------------------------------------------------------------------------

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        if service in ("open_cover_tilt", "close_cover_tilt", "stop_cover_tilt"):
            self._tilt_command(service, context)
            return
        if service == "toggle_cover_tilt":
            c = self.config
            closed_pct = self._percent(c.tilt_closed_value, c.tilt_min, c.tilt_max)
            tilt = self.attributes.get("current_tilt_position")
            opening = tilt is None or tilt <= closed_pct
            self._tilt_command("open_cover_tilt" if opening else "close_cover_tilt", context)
            return
        if service == "set_cover_tilt_position":
            self._set_tilt(int(data["tilt_position"]), context)
            return
        if service == "set_cover_position":
            self._set_position(int(data["position"]), context)
            return
        c = self.config
        if service == "toggle":
            service = "close_cover" if self.state in ("open", "opening") else "open_cover"
        payloads = {
            "open_cover": c.payload_open,
            "close_cover": c.payload_close,
            "stop_cover": c.payload_stop,
        }
        payload = payloads.get(service)
        if payload is None or c.command_topic is None:
            raise PayloadError(f"{self.entity_id} cannot {service}")
        self.publish(c.command_topic, payload, context)
        if self.optimistic and service != "stop_cover":
            opened = service == "open_cover"
            self.state = "open" if opened else "closed"
            if "current_position" in self.attributes:
                self.attributes["current_position"] = 100 if opened else 0
            self.optimistic_update(context)

    def _set_position(self, position: int, context: Context) -> None:
        c = self.config
        if c.set_position_topic is None:
            raise PayloadError(f"{self.entity_id} has no set_position_topic")
        device = self._device(position, c.position_closed, c.position_open)
        variables = {
            "position": device,
            "position_open": c.position_open,
            "position_closed": c.position_closed,
        }
        tpl = self._set_pos_tpl
        text = tpl.render_command(device, **variables) if tpl else str(device)
        self.publish(c.set_position_topic, text, context)
        if self.optimistic:
            # HA compares the percentage with position_closed here (its optimistic rule)
            self.state = "closed" if position <= c.position_closed else "open"
            self.attributes["current_position"] = position
            self.optimistic_update(context)

    def _tilt_command(self, service: str, context: Context) -> None:
        c = self.config
        if c.tilt_command_topic is None:
            raise PayloadError(f"{self.entity_id} has no tilt_command_topic")
        if service == "stop_cover_tilt":
            self.publish(c.tilt_command_topic, c.payload_stop_tilt, context)
            return
        device = c.tilt_opened_value if service == "open_cover_tilt" else c.tilt_closed_value
        self._publish_tilt(device, self._percent(device, c.tilt_min, c.tilt_max), context)

    def _set_tilt(self, percent: int, context: Context) -> None:
        c = self.config
        if c.tilt_command_topic is None:
            raise PayloadError(f"{self.entity_id} has no tilt_command_topic")
        self._publish_tilt(self._device(percent, c.tilt_min, c.tilt_max), percent, context)

    def _publish_tilt(self, device: int, percent: int, context: Context) -> None:
        c = self.config
        assert c.tilt_command_topic is not None
        variables = {
            "tilt_position": device,
            "entity_id": self.entity_id,
            "position_open": c.position_open,
            "position_closed": c.position_closed,
            "tilt_min": c.tilt_min,
            "tilt_max": c.tilt_max,
        }
        tpl = self._tilt_cmd_tpl
        text = tpl.render_command(device, **variables) if tpl else str(device)
        self.publish(c.tilt_command_topic, text, context)
        if self.tilt_optimistic:
            self.attributes["current_tilt_position"] = percent
            self.optimistic_update(context)
