"""The `mqtt:` section of configuration.yaml.

An external broker is one line::

    mqtt:
      broker: mqtts://hub:secret@broker.lan:8883

or the same as keys (`host`, `port`, `username`, `password`, `tls`, `ca_certs`, ...). Home
Assistant's own YAML works unchanged: `broker:` may be a bare host name or address (with
`port:` beside it), and its certificate keys `certificate`, `client_cert` and `client_key`
name what `ca_certs`, `certfile` and `keyfile` do here. With no broker the hub starts its own
on 127.0.0.1 (`embedded_port`, default 1883)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from .connection import BrokerSettings
from .payloads import DEFAULT_MAX_PAYLOAD

DEFAULT_PORT = 1883
DEFAULT_TLS_PORT = 8883


class MqttConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    broker: str | None = None  # mqtt://user:pass@host:port, mqtts://..., or a host as in HA
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    username: str | None = None
    password: str | None = None
    tls: bool = False
    # HA's names first accepted too: certificate, client_cert, client_key
    ca_certs: str | None = Field(
        default=None, validation_alias=AliasChoices("ca_certs", "certificate")
    )
    certfile: str | None = Field(
        default=None, validation_alias=AliasChoices("certfile", "client_cert")
    )
    keyfile: str | None = Field(
        default=None, validation_alias=AliasChoices("keyfile", "client_key")
    )
    tls_insecure: bool = False
    client_id: str | None = None
    keepalive: int = Field(default=60, ge=5, le=3600)
    discovery: bool = True
    discovery_prefix: str = Field(default="homeassistant", min_length=1)
    embedded_port: int = Field(default=DEFAULT_PORT, ge=0, le=65535)
    # the embedded broker admits only the user and password the hub generated (in
    # .storage/mqtt_embedded.json); true lets any client on this machine in without them
    embedded_allow_anonymous: bool = False
    max_payload_bytes: int = Field(default=DEFAULT_MAX_PAYLOAD, ge=64)
    outbox_limit: int = Field(default=10_000, ge=1)
    reconnect_min_delay: float = Field(default=0.1, gt=0, le=60)  # seconds, doubling
    reconnect_max_delay: float = Field(default=30.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _one_way_to_name_the_broker(self) -> MqttConfig:
        if self.broker is not None:
            if self.host is not None:
                raise ValueError("give either 'broker' (a URL) or 'host', not both")
            parse_broker_url(self.broker)  # raises with the reason
        if self.certfile is not None and self.keyfile is None:
            raise ValueError("'certfile' needs 'keyfile'")
        return self

    @property
    def external(self) -> bool:
        return self.broker is not None or self.host is not None

    def broker_settings(self) -> BrokerSettings:
        """The external broker to connect to (only when `external`)."""
        extra: dict[str, Any] = {
            "ca_certs": self.ca_certs,
            "certfile": self.certfile,
            "keyfile": self.keyfile,
            "tls_insecure": self.tls_insecure,
            "keepalive": self.keepalive,
        }
        if self.broker is not None:
            url = parse_broker_url(self.broker)
            return BrokerSettings(
                host=url.host,
                port=self.port or url.port,
                username=self.username or url.username,
                password=self.password or url.password,
                tls=url.tls or self.tls,
                **extra,
            )
        assert self.host is not None
        return BrokerSettings(
            host=self.host,
            port=self.port or (DEFAULT_TLS_PORT if self.tls else DEFAULT_PORT),
            username=self.username,
            password=self.password,
            tls=self.tls,
            **extra,
        )


class BrokerUrl(BaseModel):
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool


def parse_broker_url(url: str) -> BrokerUrl:
    """A broker URL, or a bare host as Home Assistant's `broker:` takes one (port 1883)."""
    if "://" not in url:
        if not url.strip() or any(c in url for c in "/@ ?#"):
            raise ValueError(
                f"broker {url!r}: give a host name or address (with 'port:' beside it), "
                "or a URL such as mqtt://host:1883"
            )
        url = f"mqtt://{url.strip()}"
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise ValueError(
            f"broker URL {url!r}: scheme must be mqtt:// or mqtts:// "
            "(or give the host alone, or 'host:' and 'port:')"
        )
    if not parts.hostname:
        raise ValueError(f"broker URL {url!r} has no host")
    tls = parts.scheme in ("mqtts", "ssl")
    try:
        port = parts.port or (DEFAULT_TLS_PORT if tls else DEFAULT_PORT)
    except ValueError as err:
        raise ValueError(f"broker URL {url!r}: {err}") from err
    return BrokerUrl(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=tls,
    )
