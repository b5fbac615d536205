"""MQTT: Home Assistant's MQTT discovery and Zigbee2MQTT's JSON payloads, so devices that
work with Home Assistant over MQTT work with Hearthmind as they are.

Set up when configuration.yaml has an `mqtt:` section or the command line asks for MQTT
(`SetupOptions.mqtt`); with no broker configured the hub starts an embedded one on
127.0.0.1 (see `config.py` for the section's keys). The running integration is
`hub.data[DATA_KEY]` (a `MqttIntegration`)."""

from __future__ import annotations

import logging

from hearthmind.core import DataKey, Hub, SetupOptions, register_section

from .broker import EmbeddedBroker
from .broker_auth import embedded_credentials
from .config import MqttConfig, parse_broker_url
from .connection import BrokerSettings, MqttConnection
from .discovery import DiscoveryError, DiscoveryMessage, parse_discovery, slugify
from .integration import MqttCommandError, MqttIntegration
from .payloads import PayloadError
from .templates import TemplateError, ValueTemplate, compile_template

_LOGGER = logging.getLogger(__name__)

DOMAIN = "mqtt"
DATA_KEY: DataKey[MqttIntegration] = DataKey(DOMAIN)

# HA's mqtt: keys that are accepted and not used (its YAML-defined entities among them:
# here devices come by discovery)
register_section(
    DOMAIN,
    MqttConfig,
    unused_ha_keys=(
        "protocol", "birth_message", "will_message", "transport", "ws_path", "ws_headers",
        "light", "switch", "sensor", "binary_sensor", "cover", "fan", "climate", "lock",
    ),
)  # fmt: skip
CONNECT_TIMEOUT = 10.0  # seconds to wait for the broker before going on without it


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    if DOMAIN not in hub.config.raw and not options.mqtt:
        return
    config = hub.config.section(DOMAIN, MqttConfig)
    await async_start_mqtt(hub, config)


async def async_start_mqtt(hub: Hub, config: MqttConfig) -> MqttIntegration:
    """Start the broker (when embedded) and the integration; wait briefly for the broker so
    that retained discovery arrives before the hub starts (it goes on without it)."""
    broker: EmbeddedBroker | None = None
    if config.external:
        settings = config.broker_settings()
    else:
        user: str | None = None
        password: str | None = None
        if not config.embedded_allow_anonymous:
            user, password, where = embedded_credentials(hub.config.config_dir)
            _LOGGER.info("embedded MQTT broker: user %s, password in %s", user, where)
        credentials = None if user is None or password is None else (user, password)
        broker = EmbeddedBroker(config.embedded_port, credentials=credentials)
        await broker.async_start()
        settings = BrokerSettings(
            broker.host, broker.port, user, password, keepalive=config.keepalive
        )
    integration = MqttIntegration(hub, config, settings)
    integration.broker = broker
    hub.data[DATA_KEY] = integration
    await integration.async_start()

    async def stop() -> None:
        await integration.async_stop()
        if broker is not None:
            await broker.async_stop()

    hub.async_on_stop(stop)
    if not await integration.connection.async_wait_connected(CONNECT_TIMEOUT, first_attempt=True):
        _LOGGER.warning(
            "MQTT broker %s not reachable yet; retrying in the background", settings.url
        )
    return integration


__all__ = [
    "BrokerSettings",
    "DiscoveryError",
    "DiscoveryMessage",
    "EmbeddedBroker",
    "MqttCommandError",
    "MqttConfig",
    "MqttConnection",
    "MqttIntegration",
    "PayloadError",
    "TemplateError",
    "ValueTemplate",
    "async_setup",
    "async_start_mqtt",
    "compile_template",
    "parse_broker_url",
    "parse_discovery",
    "slugify",
]
