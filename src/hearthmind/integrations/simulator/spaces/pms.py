"""A hotel's property-management system (PMS) as it talks to the rooms' hub: a reservation,
a check-in, a check-out, shaped after the hospitality APIs' events (an event type, the room
number, the reservation id, the guest, and a guest's own link to their Hearthmind profile when
they gave one at booking). `PmsLink` reads them into the hub's `SpacesHub`; a message it
cannot read, or for a room the hotel does not have, is refused with its reason and counted
(`pms_bad_message`), and the hotel goes on."""

from __future__ import annotations

from typing import Any, Literal

from hearthmind.core import Hub
from hearthmind.spaces import SpacesHub
from hearthmind.spaces.exchange import ExchangeError
from hearthmind.spaces.stays import SpacesError

PmsEvent = Literal["reservation", "check_in", "check_out"]


def pms_message(
    event: PmsEvent,
    room: int | str,
    reservation: str,
    guest_name: str,
    arrival: float | None = None,
    profile_link: dict[str, str] | None = None,
) -> dict[str, Any]:
    guest: dict[str, Any] = {"name": guest_name}
    if profile_link is not None:
        guest["hearthmind"] = dict(profile_link)  # {"subject": ..., "home_hub": ...}
    message: dict[str, Any] = {
        "event": event,
        "room": str(room),
        "reservation": reservation,
        "guest": guest,
    }
    if arrival is not None:
        message["arrival"] = arrival
    return message


class PmsLink:
    def __init__(self, hub: Hub, hotel_id: str, spaces: SpacesHub | None) -> None:
        self.hub = hub
        self.hotel_id = hotel_id
        self.spaces = spaces
        self.received = 0

    def _refuse(self, why: str) -> None:
        self.hub.health.problem("pms_bad_message", why, self.hub.clock.timestamp())

    async def receive(self, message: Any) -> bool:
        """Read one PMS message; False when it was refused (counted, nothing changed)."""
        self.received += 1
        if not isinstance(message, dict) or message.get("event") not in (
            "reservation",
            "check_in",
            "check_out",
        ):
            self._refuse(f"not a PMS event: {str(message)[:80]}")
            return False
        area_id = f"{self.hotel_id}_room_{message.get('room')}"
        if area_id not in self.hub.registries.areas:
            self._refuse(f"{message['event']} for room {message.get('room')!r}: no such room")
            return False
        if self.spaces is None:
            return True  # a hotel without profiles: its rooms keep their defaults
        guest = message.get("guest") or {}
        link = guest.get("hearthmind") or {}
        subject = str(link.get("subject") or f"guest-{message.get('reservation')}")
        home_hub = link.get("home_hub")
        try:
            if message["event"] == "reservation":
                arrival = message.get("arrival")
                if not isinstance(arrival, int | float):
                    self._refuse(f"reservation {message.get('reservation')!r} without arrival")
                    return False
                if home_hub:  # nothing to get ready for a guest without a profile
                    await self.spaces.async_expect(area_id, subject, home_hub, float(arrival))
            elif message["event"] == "check_in":
                await self.spaces.async_arrive(area_id, subject, home_hub)
            else:
                await self.spaces.async_depart(area_id)
        except (SpacesError, ExchangeError):
            return False  # counted by the spaces hub; the room keeps what it had
        return True
