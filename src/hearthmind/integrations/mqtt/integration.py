"""The MQTT integration: discovery turns announced devices into entities, their reports
into states, and service calls into commands on their command topics.

Causes are kept: a command carries its service call's context, and the device's answer
(its next report within a few seconds) is written with that same context, so the recorder
knows the light went on because of an automation, a voice command or the app. A report with
no command pending is a person at the device (`physical`) or, for sensors, `sensor`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from hearthmind.core import Context, Device, HearthmindError, Hub, Origin
from hearthmind.core.clock import TimerHandle

from .components import COMPONENTS, MqttEntity
from .components.base import MessageHandler
from .config import MqttConfig
from .connection import BrokerSettings, MqttConnection
from .device_discovery import device_key, is_device_topic, parse_device_discovery
from .discovery import (
    DiscoveryError,
    DiscoveryMessage,
    build_config,
    parse_discovery,
    suggested_object_id,
)
from .payloads import PayloadError, decode_text
from .services import register_services
from .templates import TemplateError

_LOGGER = logging.getLogger(__name__)

OWNER = "mqtt"
LOG_BURST = 10  # problems of one entity logged a minute; the rest are counted only


class MqttCommandError(HearthmindError):
    counter = "mqtt_command_rejected"


@dataclass(slots=True)
class _Discovered:
    entity: MqttEntity[Any]
    raw: dict[str, Any]
    topics: list[str]
    message: DiscoveryMessage


class MqttIntegration:
    def __init__(self, hub: Hub, config: MqttConfig, settings: BrokerSettings) -> None:
        self.hub = hub
        self.config = config
        self._limit = config.max_payload_bytes
        self._prefix = config.discovery_prefix
        self._discovery_root = config.discovery_prefix + "/"
        client_id = config.client_id or f"hearthmind-{hub.contexts.new_id()[-10:].lower()}"
        self.connection = MqttConnection(
            settings,
            client_id,
            self.handle_message,
            hub.health,
            hub.clock.timestamp,
            outbox_limit=config.outbox_limit,
            min_backoff=config.reconnect_min_delay,
            max_backoff=max(config.reconnect_min_delay, config.reconnect_max_delay),
            on_connect=self._on_connect,
        )
        self._handlers: dict[str, list[tuple[MqttEntity[Any], MessageHandler]]] = {}
        self._discovered: dict[str, _Discovered] = {}
        self._unique_ids: dict[str, str] = {}  # unique_id -> discovery id
        # (counter and entity) -> (start of its minute, problems logged in it)
        self._logged: dict[str, tuple[float, int]] = {}
        # device-based discovery: the device topic -> its components' discovery ids
        self._device_components: dict[str, set[str]] = {}
        self.entities: dict[str, MqttEntity[Any]] = {}
        self.broker: Any = None  # the embedded broker, when the hub runs one
        # the message being handled is a retained one (the last known state, replayed on
        # subscribing): it tells what the device is, not that somebody just changed it
        self.replaying = False

    # -- lifecycle -------------------------------------------------------------------------

    async def async_start(self) -> None:
        register_services(self)
        if self.config.discovery:
            self.connection.subscribe(f"{self._prefix}/#")
        await self.connection.async_start()

    async def async_stop(self) -> None:
        await self.connection.async_stop()

    def _on_connect(self) -> None:
        # HA's birth message: devices (Zigbee2MQTT, Tasmota) announce themselves again on it
        self.connection.publish(f"{self._prefix}/status", "online")

    # -- EntityHost ------------------------------------------------------------------------

    def publish(self, topic: str, payload: str, qos: int = 0, retain: bool = False) -> None:
        self.connection.publish(topic, payload, qos, retain)

    def timestamp(self) -> float:
        return self.hub.clock.timestamp()

    def call_later(self, seconds: float, callback: Callable[[], None]) -> TimerHandle:
        """A timer on the hub's clock (`off_delay`, `expire_after`); bad input in the
        callback is counted like a bad message."""

        def run() -> None:
            try:
                callback()
            except (PayloadError, TemplateError) as err:
                self._problem("mqtt_bad_payload", str(err))

        when = datetime.fromtimestamp(self.hub.clock.timestamp() + max(0.0, seconds), UTC)
        return self.hub.clock.call_at(when, run)

    def new_context(self, origin: Origin) -> Context:
        return self.hub.context(origin)

    def write_state(
        self,
        entity: MqttEntity[Any],
        context: Context,
        snapshot: tuple[str, dict[str, Any]] | None = None,
    ) -> None:
        state, attributes = snapshot or entity.hub_state()
        # `force_update` (sensor, binary_sensor): every report is a state change, as in HA
        force = bool(getattr(entity.config, "force_update", False))
        try:
            self.hub.states.async_set(
                entity.entity_id, state, attributes, context, force_update=force
            )
        except (ValueError, HearthmindError) as err:
            self._problem("mqtt_bad_payload", f"{entity.entity_id}: {err}")

    # -- messages --------------------------------------------------------------------------

    def handle_message(self, topic: str, payload: bytes, retained: bool = False) -> None:
        """Every message from the broker; never raises (bad input is counted)."""
        handlers = self._handlers.get(topic)
        if handlers is not None:
            self.replaying = retained
            try:
                self._dispatch(topic, payload, handlers)
            finally:
                self.replaying = False
        elif (
            self.config.discovery
            and topic.startswith(self._discovery_root)
            and topic.endswith("/config")  # not `homeassistant/status` and the like
        ):
            self._on_discovery(topic, payload)

    def _dispatch(
        self,
        topic: str,
        payload: bytes,
        handlers: list[tuple[MqttEntity[Any], MessageHandler]],
    ) -> None:
        text: str | None = None
        encoding = ""
        # one state write per entity and message, however many of its handlers read the
        # topic (state and availability on one topic change the state once, as in HA)
        batched: dict[int, MqttEntity[Any]] = {}
        for entity, handler in handlers:
            try:
                if text is None or entity.config.encoding != encoding:
                    # decoded once for all the entities reading this topic
                    encoding = entity.config.encoding
                    text = None
                    text = decode_text(payload, self._limit, encoding)
                if id(entity) not in batched:
                    batched[id(entity)] = entity
                    entity.begin_batch()
                handler(text)
            except Exception as err:
                self._dispatch_failed(topic, entity, err)
        # what was valid in the message is written even if a part was not
        for entity in batched.values():
            try:
                entity.end_batch()
            except Exception as err:
                self._dispatch_failed(topic, entity, err)

    def _dispatch_failed(self, topic: str, entity: MqttEntity[Any], err: Exception) -> None:
        if isinstance(err, (PayloadError, TemplateError)):
            # one message's failure (a template too): logged and counted, the entity and
            # its last good state stay, as in HA
            self._problem("mqtt_bad_payload", f"{entity.entity_id} ({topic}): {err}")
            return
        # a parser bug must not take the hub down
        self._problem("mqtt_bad_payload", f"{entity.entity_id} ({topic}): {err!r}")
        _LOGGER.error(
            "handling %s for %s failed",
            topic,
            entity.entity_id,
            exc_info=(type(err), err, err.__traceback__),
        )

    def _problem(self, counter: str, message: str) -> None:
        # counted for the health page and logged, so a device's bad payload is seen where
        # people look first (HA logs these too); a device that sends nothing but bad
        # payloads is logged LOG_BURST times a minute, the rest only counted
        now = self.hub.clock.timestamp()
        key = f"{counter} {message.split(' ', 1)[0]}"
        start, logged = self._logged.get(key, (now, 0))
        if now - start >= 60.0:
            start, logged = now, 0
        if logged < LOG_BURST:
            _LOGGER.warning("%s: %s", counter, message)
        elif logged == LOG_BURST:
            _LOGGER.warning("%s: more problems like this one this minute are only counted", key)
        self._logged[key] = (start, logged + 1)
        if len(self._logged) > 10_000:  # keys are per entity: bounded all the same
            self._logged.clear()
        self.hub.health.problem(counter, message, now)

    # -- discovery -------------------------------------------------------------------------

    def _on_discovery(self, topic: str, payload: bytes) -> None:
        if is_device_topic(self._prefix, topic):
            self._on_device_discovery(topic, payload)
            return
        try:
            message = parse_discovery(self._prefix, topic, payload)
        except DiscoveryError as err:
            self._problem(err.counter, str(err))
            return
        self._apply_discovery(message)

    def _on_device_discovery(self, topic: str, payload: bytes) -> None:
        """One announcement for all of a device's components (HA 2024.11)."""
        try:
            messages = parse_device_discovery(self._prefix, topic, payload)
        except DiscoveryError as err:
            self._problem(err.counter, str(err))
            return
        key = device_key(self._prefix, topic)
        known = self._device_components.setdefault(key, set())
        if not payload:  # the device is gone: all its components go
            messages = [
                replace(self._discovered[d].message, config=None)
                for d in known
                if d in self._discovered
            ]
        for message in messages:
            self._apply_discovery(message)
            if message.config is None:
                known.discard(message.discovery_id)
            elif message.discovery_id in self._discovered:
                known.add(message.discovery_id)

    def _apply_discovery(self, message: DiscoveryMessage) -> None:
        topic = message.topic
        existing = self._discovered.get(message.discovery_id)
        if message.config is None:
            if existing is not None:
                self._remove(message.discovery_id, existing, remove_state=True)
            return
        if existing is not None and existing.raw == message.config:
            return  # the retained config again (after a reconnect)
        try:
            self._add(message, existing)
            # a discovered entity lives as long as the hub: see hearthmind.core.heap
            self.hub.heap.async_request()
        except DiscoveryError as err:
            self._problem(err.counter, str(err))
        except (PayloadError, TemplateError, ValueError) as err:
            self._problem("mqtt_bad_discovery", f"{topic}: {err}")

    def _add(self, message: DiscoveryMessage, existing: _Discovered | None) -> None:
        assert message.config is not None
        config = build_config(message)
        if config.unique_id is not None:
            owner = self._unique_ids.get(config.unique_id)
            if owner is not None and owner != message.discovery_id:
                raise DiscoveryError(
                    f"{message.topic}: unique_id {config.unique_id!r} is already used by "
                    f"{self._discovered[owner].entity.entity_id}"
                )
        cls = COMPONENTS[message.component]
        if existing is not None:
            entity_id = existing.entity.entity_id
        else:
            entity_id = self._free_entity_id(
                message.component, suggested_object_id(message, config)
            )
        entity = cls(self, entity_id, config, message.topic)  # may refuse the config
        if existing is not None:
            self._remove(message.discovery_id, existing, remove_state=False)
            entity.adopt(existing.entity)
        topics = entity.subscriptions()
        self._discovered[message.discovery_id] = _Discovered(
            entity, message.config, list(topics), message
        )
        if config.unique_id is not None:
            self._unique_ids[config.unique_id] = message.discovery_id
        # device triggers (device_automation) are no entity: only their topic is followed
        has_entity = getattr(entity, "has_entity", True)
        if has_entity:
            self.entities[entity_id] = entity
            self.hub.entities.async_add(
                entity_id,
                OWNER,
                self._command_handler(entity) if entity.controllable else None,
                device_id=self._register_device(entity),
                unique_id=config.unique_id,
            )
        for topic, handler in topics.items():
            self._handlers.setdefault(topic, []).append((entity, handler))
            self.connection.subscribe(topic, min(config.qos, 1))
        if has_entity:
            self.write_state(entity, self.hub.context(Origin.SENSOR))
        self.hub.health.incr("mqtt_discovered")

    def _remove(self, discovery_id: str, item: _Discovered, *, remove_state: bool) -> None:
        entity = item.entity
        entity.close()
        self._discovered.pop(discovery_id, None)
        if entity.config.unique_id is not None:
            self._unique_ids.pop(entity.config.unique_id, None)
        for topic in item.topics:
            handlers = [h for h in self._handlers.get(topic, []) if h[0] is not entity]
            if handlers:
                self._handlers[topic] = handlers
            else:
                self._handlers.pop(topic, None)
                self.connection.unsubscribe(topic)
        self.entities.pop(entity.entity_id, None)
        if remove_state:
            self.hub.entities.async_remove(entity.entity_id)
            self.hub.states.async_remove(entity.entity_id, self.hub.context(Origin.SENSOR))

    def _free_entity_id(self, component: str, object_id: str) -> str:
        candidate = f"{component}.{object_id}"
        n = 2
        while candidate in self.hub.states or candidate in self.hub.entities:
            candidate = f"{component}.{object_id}_{n}"
            n += 1
        return candidate

    def _register_device(self, entity: MqttEntity[Any]) -> str | None:
        device = entity.config.device or {}
        identifiers = device.get("identifiers")
        if isinstance(identifiers, list) and identifiers:
            identifiers = identifiers[0]
        if not isinstance(identifiers, str) or not identifiers:
            return None
        registries = self.hub.registries
        record = registries.devices.get(identifiers)
        if record is None:
            record = Device(
                id=identifiers,
                name=str(device.get("name") or identifiers),
                manufacturer=_opt_str(device.get("manufacturer")),
                model=_opt_str(device.get("model")),
            )
        if entity.entity_id not in record.entity_ids:
            record.entity_ids.append(entity.entity_id)
        registries.add_device(record)
        return identifiers

    def _command_handler(self, entity: MqttEntity[Any]) -> Any:
        async def handle(service: str, entity_id: str, data: Mapping[str, Any], ctx: Any) -> None:
            try:
                await entity.async_command(service, data, ctx)
            except (PayloadError, TemplateError) as err:
                error = MqttCommandError(f"{entity_id}: {err}")
                self._problem(error.counter, str(error))
                raise error from err

        return handle


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)
