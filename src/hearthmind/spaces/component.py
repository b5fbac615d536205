"""The spaces component of a running hub (bootstrap): a `SpacesHub` with its own tables, its
paired hubs and the `spaces.*` services, from the `spaces:` section of configuration.yaml:

    spaces:
      hub_id: home-ana            # this hub's name to its peers
      level: act                  # observe | suggest | act: how profiles are applied here
      db_url: sqlite:///...       # default: spaces.db in the configuration folder
      peers:
        hotel-chain:
          url: https://hub.hotel.example:8123
          key_file: keys/hotel-chain.key   # the pair's shared key (32+ bytes), kept private

Services (Home Assistant's shapes, no target): `spaces.expect` {area_id, person, home_hub?,
at}, `spaces.arrive` {area_id, person, home_hub?}, `spaces.depart` {area_id},
`spaces.undo` {action_id?}, `spaces.accept` / `spaces.decline` {action_id}."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hearthmind.core import (
    ConfigError,
    HearthmindError,
    Hub,
    ServiceCall,
    ServiceData,
    SetupOptions,
    register_section,
)

from .exchange import ExchangeError, HttpTransport
from .manager import SpacesHub
from .stays import SpacesError
from .store import ProfileStore


class PeerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    key_file: str


class SpacesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hub_id: str = Field(default="home", min_length=1, max_length=64)
    level: str = Field(default="act", pattern="^(observe|suggest|act)$")
    db_url: str | None = None
    peers: dict[str, PeerConfig] = Field(default_factory=dict)


register_section("spaces", SpacesConfig)


class StayData(ServiceData):
    area_id: str = Field(min_length=1, max_length=255)
    person: str = Field(min_length=1, max_length=64)
    home_hub: str | None = Field(default=None, max_length=64)
    at: float | None = None


class AreaData(ServiceData):
    area_id: str = Field(min_length=1, max_length=255)


class ActionData(ServiceData):
    action_id: str | None = Field(default=None, min_length=1, max_length=64)


def _keys(config_dir: Path, peers: dict[str, PeerConfig], path: str) -> dict[str, bytes]:
    out = {}
    for peer, cfg in peers.items():
        key_path = (config_dir / cfg.key_file).resolve()
        try:
            key = key_path.read_bytes().strip()
        except OSError as err:
            raise ConfigError(path, None, f"spaces.peers.{peer}.key_file: {err}") from err
        if len(key) < 32:
            raise ConfigError(path, None, f"spaces.peers.{peer}: the key must be 32 bytes or more")
        out[peer] = key
    return out


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    if "spaces" not in hub.config.raw:
        return  # not configured: no spaces here
    section = hub.config.section("spaces", SpacesConfig)
    keys = _keys(hub.config.config_dir, section.peers, str(hub.config.path))
    store = ProfileStore(section.db_url or f"sqlite:///{hub.config.config_dir / 'spaces.db'}")
    transport = HttpTransport({peer: cfg.url for peer, cfg in section.peers.items()})
    level: Any = section.level
    spaces = SpacesHub(hub, section.hub_id, transport, store, level)
    for peer, key in keys.items():
        spaces.keys.pair(peer, key)
    register_services(hub, spaces)

    async def stop() -> None:
        spaces.close()
        store.close()

    hub.async_on_stop(stop)


def register_services(hub: Hub, spaces: SpacesHub) -> None:
    async def guarded(coro: Any) -> Any:
        try:
            return await coro
        except (SpacesError, ExchangeError) as err:
            raise HearthmindError(str(err)) from err

    async def expect(call: ServiceCall) -> dict[str, Any]:
        data = StayData.model_validate(call.data.model_dump())
        if data.at is None:
            raise HearthmindError("spaces.expect: say when (at, epoch seconds)")
        stay = await guarded(spaces.async_expect(data.area_id, data.person, data.home_hub, data.at))
        return dict(stay.as_dict())

    async def arrive(call: ServiceCall) -> dict[str, Any]:
        data = StayData.model_validate(call.data.model_dump())
        stay = await guarded(spaces.async_arrive(data.area_id, data.person, data.home_hub))
        return dict(stay.as_dict())

    async def depart(call: ServiceCall) -> dict[str, Any]:
        data = AreaData.model_validate(call.data.model_dump())
        return dict(await guarded(spaces.async_depart(data.area_id)))

    async def undo(call: ServiceCall) -> dict[str, Any]:
        data = ActionData.model_validate(call.data.model_dump())
        return (await spaces.applier.async_undo(data.action_id, call.context)).as_dict()

    async def accept(call: ServiceCall) -> dict[str, Any]:
        data = ActionData.model_validate(call.data.model_dump())
        if data.action_id is None:
            raise HearthmindError("spaces.accept: say which application (action_id)")
        return (await spaces.applier.async_accept(data.action_id)).as_dict()

    async def decline(call: ServiceCall) -> dict[str, Any]:
        data = ActionData.model_validate(call.data.model_dump())
        if data.action_id is None:
            raise HearthmindError("spaces.decline: say which application (action_id)")
        return spaces.applier.decline(data.action_id).as_dict()

    for name, handler, schema, text in (
        (
            "expect",
            expect,
            StayData,
            "someone will arrive in an area at a time (a booking, an ETA)",
        ),
        ("arrive", arrive, StayData, "someone arrived in an area (a check-in, a car key)"),
        ("depart", depart, AreaData, "someone left an area (a check-out)"),
        ("undo", undo, ActionData, "put back what an applied profile replaced"),
        ("accept", accept, ActionData, "say yes to a suggested profile"),
        ("decline", decline, ActionData, "say no to a suggested profile"),
    ):
        hub.services.async_register(
            "spaces", name, handler, schema, needs_target=False, description=text
        )
