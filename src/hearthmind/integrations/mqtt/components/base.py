"""What every MQTT entity shares: its discovery config's common keys, availability, JSON
attributes, the context a state report carries, and publishing commands.

An entity turns payloads into its state with pure parsing (`PayloadError` on bad input); the
integration catches those errors, counts them and carries on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, Literal, Protocol, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hearthmind.core import Context, Origin
from hearthmind.core.clock import TimerHandle

from ..payloads import PayloadError, parse_json
from ..templates import ValueTemplate, optional_template

STATE_UNAVAILABLE = "unavailable"
STATE_UNKNOWN = "unknown"

# how long after a command a device's state report is taken as its answer (seconds)
COMMAND_ECHO_WINDOW = 5.0
# after the answer, further reports of the same entity this soon still belong to it
ECHO_GRACE = 0.25

MessageHandler = Callable[[str], None]

# keys a device's JSON attributes never set (HA's MQTT_ATTRIBUTES_BLOCKED, and the hub's
# own friendly_name and entity_id):
# Zigbee2MQTT sends its whole report as attributes, and its `state` or `color_mode` must not
# pass for the entity's own
ATTRIBUTES_BLOCKED = frozenset(
    {
        "assumed_state", "available", "device_class", "device_info", "entity_category",
        "entity_id", "entity_picture", "entity_registry_enabled_default",
        "extra_state_attributes", "force_update", "friendly_name", "icon", "name",
        "should_poll", "state", "supported_features", "unique_id", "unit_of_measurement",
    }
)  # fmt: skip


def to_str(value: Any) -> Any:
    # HA accepts numbers and booleans where a payload string is expected (`payload_on: 1`)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


class AvailabilityItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    topic: str = Field(min_length=1)
    payload_available: str = "online"
    payload_not_available: str = "offline"
    value_template: str | None = None

    @field_validator("payload_available", "payload_not_available", mode="before")
    @classmethod
    def _payload_text(cls, value: Any) -> Any:
        return to_str(value)


class EntityConfig(BaseModel):
    """Keys every component accepts (long names; abbreviations are expanded before)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    name: str | None = None
    unique_id: str | None = None
    object_id: str | None = None
    default_entity_id: str | None = None
    device: dict[str, Any] | None = None
    icon: str | None = None
    entity_picture: str | None = None
    device_class: str | None = None
    entity_category: str | None = None
    enabled_by_default: bool = True
    qos: int = Field(default=0, ge=0, le=2)
    retain: bool = False
    encoding: str = "utf-8"
    availability_topic: str | None = None
    availability: list[AvailabilityItem] | None = None
    availability_mode: Literal["all", "any", "latest"] = "latest"
    availability_template: str | None = None
    payload_available: str = "online"
    payload_not_available: str = "offline"
    json_attributes_topic: str | None = None
    json_attributes_template: str | None = None

    @field_validator("availability", mode="before")
    @classmethod
    def _availability_list(cls, value: Any) -> Any:
        # HA takes one availability mapping as a list of one
        return [value] if isinstance(value, dict) else value

    # named apart from the platforms' own `_payload_text`, which would otherwise replace it
    @field_validator("payload_available", "payload_not_available", mode="before")
    @classmethod
    def _availability_payload_text(cls, value: Any) -> Any:
        return to_str(value)

    @model_validator(mode="after")
    def _valid_topics(self) -> Self:
        for name, value in self:
            if name.endswith("_topic") and isinstance(value, str):
                check_topic(name, value)
        return self


def check_topic(name: str, topic: str) -> None:
    """HA's valid_subscribe_topic / valid_publish_topic: a command topic takes no
    wildcards; in a state topic `+` fills a whole level and `#` only ends one."""
    if "\0" in topic or len(topic.encode()) > 65535:
        raise ValueError(f"{name}: {topic[:60]!r} is not a valid MQTT topic")
    levels = topic.split("/")
    if "command" in name or name.endswith("_cmd_t"):
        if "+" in topic or "#" in topic:
            raise ValueError(f"{name}: wildcards are not allowed in a publish topic ({topic!r})")
        return
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            raise ValueError(f"{name}: '#' may only end a topic ({topic!r})")
        if "+" in level and level != "+":
            raise ValueError(f"{name}: '+' must fill a whole level ({topic!r})")


C = TypeVar("C", bound=EntityConfig)


class EntityHost(Protocol):
    """What an entity needs from the integration."""

    def publish(self, topic: str, payload: str, qos: int, retain: bool) -> None: ...

    def write_state(
        self,
        entity: MqttEntity[Any],
        context: Context,
        snapshot: tuple[str, dict[str, Any]] | None = None,
    ) -> None: ...

    def timestamp(self) -> float: ...

    def call_later(self, seconds: float, callback: Callable[[], None]) -> TimerHandle: ...

    @property
    def replaying(self) -> bool: ...

    def new_context(self, origin: Origin) -> Context: ...


class MqttEntity(Generic[C]):
    """Base of the components. Subclasses set `component`, `config_model`, `controllable`,
    fill `state`/`attributes` from their topics, and publish commands."""

    component: ClassVar[str]
    config_model: ClassVar[type[EntityConfig]]
    # a device that takes commands: a report without a pending command is a person at it
    controllable: ClassVar[bool] = True
    # attributes that are readings, not settings: their changes alone are `sensor` changes
    measurements: ClassVar[frozenset[str]] = frozenset()
    # the platform's own attributes, which JSON attributes may not set (as in HA)
    blocked_attributes: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, host: EntityHost, entity_id: str, config: C, discovery_topic: str) -> None:
        self.host = host
        self.entity_id = entity_id
        self.config = config
        self.discovery_topic = discovery_topic
        self.state = STATE_UNKNOWN
        self.attributes: dict[str, Any] = {}
        self._reported = False  # has the device reported its state yet?
        self.json_attributes: dict[str, Any] = {}
        self._availability = self._availability_items()
        self._available: dict[str, bool] = {}
        self._last_availability: bool | None = None
        self._pending: Context | None = None
        self._batch: list[bool] | None = None
        self._batch_availability = False
        self._before: tuple[str, dict[str, Any]] | None = None
        self._pending_until = 0.0
        self._json_attr_tpl = optional_template(config.json_attributes_template)
        self._avty_tpl = optional_template(config.availability_template)
        # `expire_after` (sensor, binary_sensor): unavailable until the first report and
        # again when no report came for that long
        self._expire_after: float = float(getattr(config, "expire_after", None) or 0)
        self._expired = self._expire_after > 0
        self._expires_at = 0.0
        self._timers: dict[str, TimerHandle] = {}

    # -- what the integration asks ------------------------------------------------------

    def subscriptions(self) -> dict[str, MessageHandler]:
        """topic -> handler(payload text); subclasses add their state topics."""
        topics: dict[str, MessageHandler] = {}
        for item in self._availability:
            add_handler(topics, item.topic, self._availability_handler(item))
        if self.config.json_attributes_topic:
            add_handler(topics, self.config.json_attributes_topic, self._on_json_attributes)
        return topics

    @property
    def available(self) -> bool:
        if self._expired:
            return False
        if not self._availability:
            return True
        if self.config.availability_mode == "latest":
            # as in HA: unavailable until the device first says it is there
            return self._last_availability is True
        known = [self._available.get(item.topic, False) for item in self._availability]
        if self.config.availability_mode == "all":
            return all(known)
        return any(known)

    def hub_state(self) -> tuple[str, dict[str, Any]]:
        attrs = {**self.base_attributes(), **self.json_attributes}
        if not self.available:
            return STATE_UNAVAILABLE, attrs
        return self.state, {**attrs, **self.attributes}

    def base_attributes(self) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        if self.friendly_name:
            attrs["friendly_name"] = self.friendly_name
        if self.config.device_class:
            attrs["device_class"] = self.config.device_class
        if self.config.icon:
            attrs["icon"] = self.config.icon
        if self.config.entity_picture:
            attrs["entity_picture"] = self.config.entity_picture
        features = self.supported_features
        if features is not None:
            attrs["supported_features"] = features
        return attrs

    @property
    def supported_features(self) -> int | None:
        """HA's `supported_features` bit mask, for the platforms that have one (reported
        whether the entity is available or not, as HA does); None for the others."""
        return None

    @property
    def friendly_name(self) -> str | None:
        device_name = (self.config.device or {}).get("name")
        name = self.config.name
        if device_name and name and not name.startswith(str(device_name)):
            return f"{device_name} {name}"
        return name or (str(device_name) if device_name else None)

    async def async_command(self, service: str, data: Mapping[str, Any], context: Context) -> None:
        raise PayloadError(f"{self.entity_id} takes no commands")

    def adopt(self, old: MqttEntity[Any]) -> None:
        """A discovery update replaced `old` with this entity: keep what the device said
        (state, attributes, expiry), as HA keeps its entity across an update."""
        self.state = old.state
        self.attributes = dict(old.attributes)
        self.json_attributes = dict(old.json_attributes)
        self._reported = old._reported
        # HA's entity lives on across the update: what it last knew of availability too
        self._last_availability = old._last_availability
        self._available = {
            item.topic: old._last_availability is True for item in self._availability
        }
        if self._expire_after > 0 and old._expire_after > 0:
            self._expired = old._expired
            if not old._expired and old._expires_at:
                self._schedule_expiry(old._expires_at - self.host.timestamp())

    def close(self) -> None:
        """The entity is removed or replaced: its timers must not write for it any more."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    # -- helpers for subclasses ------------------------------------------------------------

    def schedule(self, name: str, seconds: float, callback: Callable[[], None]) -> None:
        """One timer per name (a newer one replaces it), cancelled when the entity goes."""
        old = self._timers.pop(name, None)
        if old is not None:
            old.cancel()

        def fire() -> None:
            self._timers.pop(name, None)
            callback()

        self._timers[name] = self.host.call_later(seconds, fire)

    def cancel(self, name: str) -> None:
        timer = self._timers.pop(name, None)
        if timer is not None:
            timer.cancel()

    def touch_expiry(self) -> None:
        """A report came: the value is fresh for `expire_after` seconds more."""
        if self._expire_after <= 0:
            return
        self._expired = False
        self._schedule_expiry(self._expire_after)

    def _schedule_expiry(self, seconds: float) -> None:
        self._expires_at = self.host.timestamp() + seconds

        def expire() -> None:
            self._expired = True
            self.host.write_state(self, self.host.new_context(Origin.SENSOR))

        self.schedule("expire", seconds, expire)

    def publish(self, topic: str, payload: str, context: Context) -> None:
        """Publish a command and remember its context for the device's answer."""
        self._pending = context
        self._pending_until = self.host.timestamp() + COMMAND_ECHO_WINDOW
        self.host.publish(topic, payload, self.config.qos, self.config.retain)

    def report(self) -> None:
        """The device told us its state: write it with the right cause. Within one message
        the parts are collected and written once (see `begin_batch`)."""
        if self._batch is not None:
            self._batch.append(True)
            return
        self.host.write_state(self, self.reporting_context())

    def begin_batch(self) -> None:
        """One message, several values (a JSON report read by several templates): one
        state write for all of them, with one cause."""
        self._batch = []
        # sensors' reports are all readings: no need to see what changed
        self._before = self.hub_state() if self.controllable else None

    def end_batch(self) -> None:
        batch, self._batch = self._batch, None
        availability, self._batch_availability = self._batch_availability, False
        if not batch:
            if availability:
                self.host.write_state(self, self.host.new_context(Origin.SENSOR))
            return
        before = self._before
        if before is None:
            self.host.write_state(self, self.reporting_context())
            return
        state, attrs = snapshot = self.hub_state()
        old_state, old_attrs = before
        if state == old_state:
            changed = {
                k for k in attrs.keys() | old_attrs.keys() if attrs.get(k) != old_attrs.get(k)
            }
            if not changed:
                return  # the same report again
            if changed <= self.measurements | self.json_attributes.keys():
                # only readings moved (a room temperature, a battery level): nobody did that
                self.host.write_state(self, self.host.new_context(Origin.SENSOR), snapshot)
                return
        self.host.write_state(self, self.reporting_context(), snapshot)

    def optimistic_update(self, context: Context) -> None:
        """No state topic: assume the command worked, as HA's optimistic mode does."""
        self.host.write_state(self, context)

    def reporting_context(self) -> Context:
        first, self._reported = not self._reported, True
        if self.host.replaying:
            return self.host.new_context(Origin.SENSOR)
        pending = self._pending
        if pending is not None:
            now = self.host.timestamp()
            if now <= self._pending_until:
                # the device's answer to our command; a few more reports may follow it
                self._pending_until = min(self._pending_until, now + ECHO_GRACE)
                return pending
            self._pending = None
        if first:
            # a device's first word says what it is, not what a person did: a switch that
            # appears already on was not switched on by anyone here (issue 20)
            return self.host.new_context(Origin.SENSOR)
        return self.host.new_context(Origin.PHYSICAL if self.controllable else Origin.SENSOR)

    def render(self, template: ValueTemplate | None, text: str) -> str:
        """A value template for one message; a failure raises TemplateError (counted and
        logged by the integration, the entity's last good state kept)."""
        return text if template is None else template.render(text, entity_id=self.entity_id)

    # -- availability and attributes -------------------------------------------------------

    def _availability_items(self) -> list[AvailabilityItem]:
        items = list(self.config.availability or [])
        if self.config.availability_topic:
            items.append(
                AvailabilityItem(
                    topic=self.config.availability_topic,
                    payload_available=self.config.payload_available,
                    payload_not_available=self.config.payload_not_available,
                    value_template=self.config.availability_template,
                )
            )
        return items

    def _availability_handler(self, item: AvailabilityItem) -> MessageHandler:
        template = optional_template(item.value_template)

        def handle(text: str) -> None:
            value = self.render(template, text)
            available = _match_boolean_payload(
                value, item.payload_available, item.payload_not_available
            )
            if available is None:
                raise PayloadError(
                    f"availability {value[:40]!r} is neither {item.payload_available!r} "
                    f"nor {item.payload_not_available!r}"
                )
            self._available[item.topic] = available
            self._last_availability = available
            if self._batch is not None:
                # a topic shared by state and availability: one write for both, as in HA
                self._batch_availability = True
                return
            self.host.write_state(self, self.host.new_context(Origin.SENSOR))

        return handle

    def _on_json_attributes(self, text: str) -> None:
        rendered = self.render(self._json_attr_tpl, text)
        try:
            value = parse_json(rendered)
        except PayloadError:
            raise PayloadError(f"Erroneous JSON: {rendered[:80]!r}") from None
        if not isinstance(value, dict):
            raise PayloadError(
                f"JSON result was not a dictionary ({type(value).__name__}) for attributes"
            )
        # never let a device overwrite the hub's own keys or the platform's attributes
        blocked = ATTRIBUTES_BLOCKED | self.blocked_attributes
        self.json_attributes = {
            k: v for k, v in value.items() if isinstance(k, str) and k not in blocked
        }
        self.report()


def add_handler(topics: dict[str, MessageHandler], topic: str, handler: MessageHandler) -> None:
    """Several values on one topic (a JSON report read by several templates): call each."""
    first = topics.get(topic)
    if first is None:
        topics[topic] = handler
        return

    def both(text: str) -> None:
        # each reads the message for itself: one failing does not stop the next
        try:
            first(text)
        finally:
            handler(text)

    topics[topic] = both


def _match_boolean_payload(value: str, yes: str, no: str) -> bool | None:
    """True for `yes`, False for `no`, None for neither. `payload_available: true` in
    JSON is HA's string 'True', and a template such as `{{ value != '0' }}` renders
    'True' too: booleans match whatever their case."""
    if value == yes:
        return True
    if value == no:
        return False
    folded = value.lower()
    if folded in ("true", "false") and yes.lower() in ("true", "false"):
        if folded == yes.lower():
            return True
        if folded == no.lower():
            return False
    return None


def on_off_payloads(value: str, on: str, off: str, what: str) -> bool | None:
    """True / False for the on and off payloads, None for HA's `None` (unknown)."""
    if value == on:
        return True
    if value == off:
        return False
    if value == "None":
        return None
    # `payload_on: true` with a template that renders a JSON boolean (Zigbee2MQTT's
    # `{{ value_json.occupancy }}` renders `True`): booleans match whatever their case
    matched = _match_boolean_payload(value, on, off)
    if matched is not None:
        return matched
    raise PayloadError(
        f"No matching payload found for entity: {what} {value[:40]!r} is neither {on!r} nor {off!r}"
    )
