"""The embedded broker's stop is bounded: amqtt's shutdown was seen waiting forever under load
(a dashboard test's teardown past 180 s), and the hub's stop must not wait with it."""

from __future__ import annotations

import asyncio

import pytest

from hearthmind.integrations.mqtt import broker as broker_module
from hearthmind.integrations.mqtt.broker import EmbeddedBroker


class _Stuck:
    async def shutdown(self) -> None:
        await asyncio.Event().wait()  # never returns, as amqtt's did


async def test_a_broker_that_never_stops_is_left_after_its_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(broker_module, "STOP_TIMEOUT", 0.05)
    embedded = EmbeddedBroker(port=0)
    embedded._broker = _Stuck()  # type: ignore[assignment]
    await embedded.async_stop()  # returns: the stuck shutdown was given up on
    assert embedded._broker is None
