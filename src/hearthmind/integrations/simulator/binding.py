"""The in-process binding: a `SimulatedHome` seen by the hub as an integration like any other.

The hub reaches the devices only through `hub.entities` (commands) and sees them only through
the states they report (`hub.states.async_set` with the context of whoever caused the change)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hearthmind.core import Area, Context, Device, Hub, Origin, Person

from .agent_link import AgentLink
from .devices import DeviceCommandError
from .home import SimulatedHome
from .records import EntityChange

OWNER = "simulator"


def register_records(hub: Hub, home: SimulatedHome) -> None:
    """Areas, devices and people of the home in the hub's registries (any binding needs it)."""
    for area_id, name in home.areas():
        if area_id not in hub.registries.areas:
            hub.registries.add_area(Area(area_id, name))
    for device in home.devices():
        hub.registries.add_device(
            Device(
                device.id,
                device.name,
                device.area,
                list(device.entity_ids),
                device.manufacturer,
                device.model,
            )
        )
    for resident in home.residents:
        hub.add_person(
            Person(resident.id, resident.spec.name, user_id=resident.id),
            presence=home.presence(resident),
            attributes=home.person_attributes(resident),
        )
        sensor, state, attributes = home.area_sensor(resident)
        hub.states.async_set(sensor, state, attributes, hub.context(Origin.SENSOR, resident.id))


class InProcessBinding:
    """Entities, command handler and state reports, all within the hub's process."""

    def __init__(self, hub: Hub, home: SimulatedHome) -> None:
        self.hub = hub
        self.home = home
        self._unsubscribe: Callable[[], None] | None = None
        self.agent_link = AgentLink(hub, home)  # residents answer the agent's suggestions

    def attach(self) -> None:
        hub, home = self.hub, self.home
        register_records(hub, home)
        for info in home.entities():
            hub.entities.async_add(
                info.entity_id,
                OWNER,
                self._handle if info.controllable else None,
                device_id=info.device_id,
                unique_id=f"simulator_{info.entity_id}",
            )
            state, attributes = home.state(info.entity_id)
            hub.states.async_set(info.entity_id, state, attributes, hub.context(Origin.SENSOR))
        self._unsubscribe = home.subscribe(self._report)
        self.agent_link.attach()

    def detach(self) -> None:
        self.agent_link.detach()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for entry in self.hub.entities.by_owner(OWNER):
            self.hub.entities.async_remove(entry.entity_id)

    async def _handle(
        self, service: str, entity_id: str, data: Mapping[str, Any], context: Context
    ) -> None:
        try:
            self.home.apply_command(entity_id, service, data, context)
        except DeviceCommandError as err:
            self.hub.health.problem(err.counter, str(err), self.hub.clock.timestamp())
            raise

    def _report(self, change: EntityChange) -> None:
        if change.entity_id.startswith("person."):
            self.hub.set_presence(
                change.entity_id[7:], change.state, change.context, change.attributes
            )
        else:
            self.hub.states.async_set(
                change.entity_id, change.state, change.attributes, change.context
            )
