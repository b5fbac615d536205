"""A home for the conversation tests: floors, two thermostats in one room, a TV with a volume,
blinds, a vacuum, a script, an alias from configuration; and a helper that talks to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hearthmind.core import EVENT_CALL_SERVICE, Event, Hub
from hearthmind.voice.conversation import Conversations, ConversationTurn
from hearthmind.voice.fixtures import populate_hub
from hearthmind.voice.intents import GrammarIntentRecognizer
from hearthmind.voice.pipeline import VoicePipeline

HOME: dict[str, Any] = {
    "floors": [
        {"name": "Ground Floor", "id": "ground", "level": 0},
        {"name": "Upstairs", "id": "up", "level": 1},
    ],
    "areas": [
        {"name": "Living Room", "id": "living_room", "floor": "ground"},
        {"name": "Kitchen", "id": "kitchen", "floor": "ground"},
        {"name": "Bedroom", "id": "bedroom", "floor": "up"},
        {"name": "Study", "id": "study", "floor": "up"},
        {"name": "Hall", "id": "hall", "floor": "ground"},
    ],
    "entities": [
        {"name": "Sofa Lamp", "id": "light.sofa_lamp", "area": "living_room", "state": "on"},
        {"name": "Reading Light", "id": "light.reading", "area": "living_room", "state": "off"},
        {"name": "Kitchen Light", "id": "light.kitchen", "area": "kitchen", "state": "on"},
        {"name": "Bedside Lamp", "id": "light.bedside", "area": "bedroom", "state": "off"},
        {"name": "Desk Lamp", "id": "light.desk", "area": "study", "state": "on"},
        {"name": "Kettle", "id": "switch.kettle", "area": "kitchen", "state": "on"},
        {"name": "Oven", "id": "switch.oven", "area": "kitchen", "state": "off"},
        {"name": "Bedroom Fan", "id": "fan.bedroom", "area": "bedroom", "state": "on"},
        {
            "name": "Television",
            "id": "media_player.television",
            "area": "living_room",
            "state": "playing",
            "attributes": {"volume_level": 0.5, "device_class": "tv"},
        },
        {
            "name": "Thermostat",
            "id": "climate.thermostat",
            "area": "living_room",
            "state": "heat",
            "attributes": {"temperature": 21, "current_temperature": 20},
        },
        {
            "name": "Radiator",
            "id": "climate.radiator",
            "area": "living_room",
            "state": "heat",
            "attributes": {"temperature": 19, "min_temp": 16, "max_temp": 24},
        },
        {
            "name": "Study Heater",
            "id": "climate.study",
            "area": "study",
            "state": "heat",
            "attributes": {"temperature": 20},
        },
        {
            "name": "Bay Window",
            "id": "cover.bay_window",
            "area": "living_room",
            "state": "closed",
            "attributes": {"device_class": "blind"},
        },
        {
            "name": "Bedroom Curtain",
            "id": "cover.bedroom_curtain",
            "area": "bedroom",
            "state": "open",
            "attributes": {"device_class": "curtain"},
        },
        {
            "name": "Garage Door",
            "id": "cover.garage_door",
            "area": "hall",
            "state": "closed",
            "attributes": {"device_class": "garage"},
        },
        {"name": "Front Door", "id": "lock.front_door", "area": "hall", "state": "locked"},
        {"name": "Main Valve", "id": "valve.main_valve", "state": "open"},
        {"name": "Robbie", "id": "vacuum.robbie", "area": "hall", "state": "docked"},
        {"name": "Movie Night", "id": "script.movie_night", "state": "off"},
    ],
}


@dataclass
class Talk:
    """One conversation with the home, with the service calls it made."""

    hub: Hub
    talk: Conversations
    area: str | None = "living_room"
    cid: str | None = None
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    async def say(self, text: str) -> ConversationTurn:
        turn = await self.talk.process(text, self.cid, area=self.area)
        self.cid = turn.conversation_id
        return turn

    def made(self) -> list[tuple[str, str]]:
        """(service, entity id) of every call so far, sorted; and forget them."""
        out = sorted((service, eid) for service, eid, _ in self.calls)
        self.calls.clear()
        return out

    def state(self, entity_id: str) -> Any:
        return self.hub.states.require(entity_id)


def make_talk(
    recognizer: GrammarIntentRecognizer, home: dict[str, Any] = HOME, *, hub: Hub | None = None
) -> Talk:
    hub = hub or Hub()
    populate_hub(hub, home)
    talk = Talk(hub, Conversations(VoicePipeline(hub, recognizer, correct_transcripts=False)))

    def seen(event: Event[Any]) -> None:
        data = event.data
        ids = (data.get("service_data") or {}).get("entity_id") or []
        for entity_id in [ids] if isinstance(ids, str) else ids:
            service = f"{data['domain']}.{data['service']}"
            talk.calls.append((service, str(entity_id), dict(data.get("service_data") or {})))

    hub.bus.async_listen(EVENT_CALL_SERVICE, seen)
    return talk
