"""A device's bad payloads are logged (issue 26: the reason showed only in the health
counters), but a device that sends nothing else does not flood the log: LOG_BURST lines a
minute per entity, every problem still counted."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from hearthmind.core import Hub
from hearthmind.core.clock import SimulatedClock
from hearthmind.integrations.mqtt import MqttConfig, MqttIntegration
from hearthmind.integrations.mqtt.connection import BrokerSettings
from hearthmind.integrations.mqtt.integration import LOG_BURST


async def test_bad_payloads_are_logged_in_bursts(caplog: pytest.LogCaptureFixture) -> None:
    clock = SimulatedClock(datetime(2026, 1, 1, tzinfo=UTC))
    hub = Hub(clock=clock)
    mqtt = MqttIntegration(hub, MqttConfig(), BrokerSettings("127.0.0.1", 1))
    caplog.set_level(logging.WARNING, logger="hearthmind.integrations.mqtt")
    for n in range(50):
        mqtt._problem("mqtt_bad_payload", f"sensor.noisy (t): value {n!r} is not a number")
    mqtt._problem("mqtt_bad_payload", "sensor.other (t): value 'x' is not a number")
    lines = [r.getMessage() for r in caplog.records]
    assert sum("sensor.noisy (t): value" in line for line in lines) == LOG_BURST
    assert any("only counted" in line for line in lines)
    assert any("sensor.other" in line for line in lines)  # another entity is not silenced
    assert hub.health["mqtt_bad_payload"] == 51  # every one counted
    await clock.async_advance(timedelta(seconds=61))
    caplog.clear()
    mqtt._problem("mqtt_bad_payload", "sensor.noisy (t): value 'y' is not a number")
    assert any("value 'y'" in r.getMessage() for r in caplog.records)  # a new minute
