"""The component contract: what every component of the hub is handed at set-up, and where it
keeps what it made (`hub.data`), with keys that know their value's type.

A component module has `async_setup(hub, options) -> None` (Home Assistant's shape): it reads
its own section of configuration.yaml, registers a stop hook, and stores what others may need
under its `DataKey` (Home Assistant's `HassKey`). Components find each other through those keys,
never by scanning `hub.data` for a type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from .hub import Hub

T = TypeVar("T")


@dataclass
class SetupOptions:
    """What the command line adds on top of configuration.yaml."""

    record: bool = True
    db_url: str | None = None
    home: str | None = None  # a simulated home to run ("family", "couple", "single", or a path)
    seed: int | None = None
    mqtt: bool = False  # expose the simulated home over MQTT (and connect the hub to it)
    api_port: int | None = None  # serve the API (None: not at all)
    extra: dict[str, Any] = field(default_factory=dict)


class ComponentSetup(Protocol):
    """A component module's `async_setup`."""

    async def __call__(self, hub: Hub, options: SetupOptions) -> None: ...


class DataKey(str, Generic[T]):
    """A `hub.data` key that carries the type of its value: `hub.data.get(RECORDER)` is a
    `Recorder | None` to the type checker, with no `isinstance` at the reader."""

    __slots__ = ()


class HubData:
    """Per-component storage, by typed key. Only `DataKey`s go in, so every value's type is
    known where it is read; `names()` lists what is set up (for the API's components list)."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    def get(self, key: DataKey[T]) -> T | None:
        value: T | None = self._values.get(key)
        return value

    def __getitem__(self, key: DataKey[T]) -> T:
        value: T = self._values[key]
        return value

    def __setitem__(self, key: DataKey[T], value: T) -> None:
        self._values[key] = value

    def pop(self, key: DataKey[T]) -> T | None:
        value: T | None = self._values.pop(key, None)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def names(self) -> list[str]:
        return list(self._values)
