"""`mqtt.publish`, Home Assistant's service for sending any message from a rule or a
script (`service: mqtt.publish` with topic, payload, qos, retain)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from hearthmind.core import ServiceCall, ServiceData

if TYPE_CHECKING:
    from .integration import MqttIntegration


class PublishData(ServiceData):
    topic: str = Field(min_length=1, max_length=65535)
    payload: Any = ""
    qos: int = Field(default=0, ge=0, le=2)
    retain: bool = False

    @field_validator("topic")
    @classmethod
    def _no_wildcards(cls, topic: str) -> str:
        if "+" in topic or "#" in topic or "\0" in topic:
            raise ValueError(f"cannot publish to {topic!r}: wildcards are for subscribing")
        return topic


def register_services(integration: MqttIntegration) -> None:
    async def publish(call: ServiceCall) -> None:
        data = call.data
        assert isinstance(data, PublishData)
        payload = data.payload
        if payload is None:
            text = ""
        elif isinstance(payload, bytes | str):
            text = payload.decode() if isinstance(payload, bytes) else payload
        elif isinstance(payload, bool):
            text = "true" if payload else "false"
        elif isinstance(payload, int | float):
            text = str(payload)
        else:
            import orjson

            text = orjson.dumps(payload).decode()
        integration.connection.publish(data.topic, text, data.qos, data.retain)

    integration.hub.services.async_register(
        "mqtt",
        "publish",
        publish,
        PublishData,
        needs_target=False,
        description="publish a message to an MQTT topic",
    )
