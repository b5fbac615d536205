"""Messages between hubs: a profile from an unknown, unsigned or tampered hub, a message or a
profile of a newer version, a replay: each refused with a clear reason, counted, and the
receiving space goes on with its defaults."""

from __future__ import annotations

from typing import Any

import pytest

from hearthmind.spaces.exchange import (
    ExchangeError,
    NonceMemory,
    PeerKeys,
    open_envelope,
    pair,
    seal,
)

from .conftest import Hubs


def keys() -> tuple[PeerKeys, PeerKeys]:
    home, hotel = PeerKeys("home"), PeerKeys("hotel")
    pair(home, hotel)
    return home, hotel


def test_a_signed_message_opens() -> None:
    home, hotel = keys()
    env = seal(home, "hotel", "eta", {"subject": "ana", "eta": 5.0}, 1.0, "n1")
    assert open_envelope(hotel, env, NonceMemory())["body"]["eta"] == 5.0


@pytest.mark.parametrize(
    ("tamper", "counter", "reason"),
    [
        (lambda e: e.pop("signature"), "spaces_unsigned", "not signed"),
        (lambda e: e.__setitem__("signature", ""), "spaces_unsigned", "not signed"),
        (lambda e: e["body"].__setitem__("eta", 9.0), "spaces_bad_signature", "bad signature"),
        (lambda e: e.__setitem__("issuer", "stranger"), "spaces_unknown_peer", "unknown hub"),
        (lambda e: e.__setitem__("version", 2), "spaces_newer_version", "newer than"),
        (lambda e: e.__setitem__("format", "x"), "spaces_bad_message", "not a hearthmind"),
    ],
)
def test_bad_messages_are_refused_with_their_reason(tamper: Any, counter: str, reason: str) -> None:
    home, hotel = keys()
    env = seal(home, "hotel", "eta", {"subject": "ana", "eta": 5.0}, 1.0, "n1")
    tamper(env)
    with pytest.raises(ExchangeError, match=reason) as caught:
        open_envelope(hotel, env, NonceMemory())
    assert caught.value.counter == counter


def test_a_message_for_another_hub_and_a_replay_are_refused() -> None:
    home, hotel = keys()
    office = PeerKeys("office")
    office.pair("home", home.keys["hotel"])  # even holding the same key
    env = seal(home, "hotel", "eta", {"subject": "ana"}, 1.0, "n1")
    with pytest.raises(ExchangeError, match="meant for"):
        open_envelope(office, env, NonceMemory())
    nonces = NonceMemory()
    open_envelope(hotel, env, nonces)
    with pytest.raises(ExchangeError, match="seen before"):
        open_envelope(hotel, env, nonces)


def test_the_wrong_key_is_a_bad_signature() -> None:
    home, hotel = keys()
    home.pair("hotel", b"another key entirely, not the pair's")
    env = seal(home, "hotel", "eta", {"subject": "ana"}, 1.0, "n1")
    with pytest.raises(ExchangeError, match="bad signature"):
        open_envelope(hotel, env, NonceMemory())


async def test_a_profile_of_a_newer_version_leaves_the_room_on_its_defaults(hubs: Hubs) -> None:
    """A home hub of a newer Hearthmind answers with profile version 2: the hotel refuses it,
    counts it, and the room keeps its defaults."""
    home = hubs.home

    async def newer(envelope: dict[str, Any]) -> dict[str, Any] | None:
        opened = open_envelope(home.keys, envelope, home.nonces)
        body = {
            "subject": "ana",
            "kind": "hotel_room",
            "profile_version": 2,
            "preferences": {"day": {"temperature": {"value": 30.0}}},
        }
        return seal(home.keys, opened["issuer"], "profile", body, 0.0, "newer-1")

    hubs.transport.register("home-ana", newer)
    room = hubs.rooms[0]
    assert room.climate is not None
    stay = await hubs.hotel.async_arrive(room.area_id, "ana", "home-ana")
    assert stay.view is None
    assert room.climate.setpoint == 17.0
    assert hubs.hotel.hub.health["spaces_newer_version"] == 1
    assert "newer than this hub reads" in hubs.hotel.hub.health.recent[-1].message


async def test_an_unsigned_profile_answer_is_refused(hubs: Hubs) -> None:
    async def unsigned(envelope: dict[str, Any]) -> dict[str, Any] | None:
        answer = seal(hubs.home.keys, "hotel", "profile", {"subject": "ana"}, 0.0, "u-1")
        del answer["signature"]
        return answer

    hubs.transport.register("home-ana", unsigned)
    stay = await hubs.hotel.async_arrive(hubs.rooms[0].area_id, "ana", "home-ana")
    assert stay.view is None and hubs.hotel.hub.health["spaces_unsigned"] == 1


async def test_the_hotel_gets_only_what_ana_shares_with_hotels(hubs: Hubs) -> None:
    sent: list[dict[str, Any]] = []
    hubs.home.on_send.append(lambda peer, env: sent.append(env))
    hubs.home.edit(
        "ana", {"context": "home", "activity": "day", "key": "media_source", "value": "Jazz FM"}
    )
    await hubs.hotel.async_arrive(hubs.rooms[0].area_id, "ana", "home-ana")
    (answer,) = sent
    keys_sent = {k for act in answer["body"]["preferences"].values() for k in act}
    assert keys_sent == {"temperature", "brightness", "color_temp", "seat_heating"}
    assert "identity" not in answer["body"] and "consent" not in answer["body"]
    assert set(answer["body"]) == {
        "subject",
        "kind",
        "context_set",
        "categories",
        "preferences",
        "profile_version",
    }
