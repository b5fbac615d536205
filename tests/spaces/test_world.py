"""A small world of travelling people runs end to end with profiles on and off: the same days,
first stays counted, every message that left a hub checked, none unconsented."""

from __future__ import annotations

from hearthmind.integrations.simulator.spaces.metrics import summarize
from hearthmind.integrations.simulator.spaces.run import Runner
from hearthmind.integrations.simulator.spaces.world import World


async def _run(profiles: bool) -> dict[str, object]:
    world = World(
        seed=5,
        days=3,
        profiles=profiles,
        people_count=2,
        warmup_days=2,
        hotel_rooms=20,
        desks=6,
        meeting_rooms=2,
        rental_cars=3,
    )
    await Runner(world).run()
    return summarize(world)


async def test_a_small_world_with_profiles_on_and_off() -> None:
    on, off = await _run(True), await _run(False)
    assert on["first_stays"] == off["first_stays"] > 0  # the same days either way
    assert on["arrivals"] == off["arrivals"]
    audit_on, audit_off = on["audit"], off["audit"]
    assert isinstance(audit_on, dict) and isinstance(audit_off, dict)
    assert audit_off["messages"] == 0  # without profiles no hub says anything
    assert audit_on["messages"] > 0
    assert audit_on["unconsented_shares"] == 0 and audit_on["foreign_fields"] == 0
    assert on["profiles_applied"] and off["profiles_applied"] == 0


def test_the_consent_audit_catches_an_unconsented_preference() -> None:
    from hearthmind.integrations.simulator.spaces.metrics import audit_messages

    world = World(
        seed=5,
        days=1,
        profiles=True,
        people_count=1,
        warmup_days=0,
        hotel_rooms=2,
        desks=1,
        meeting_rooms=1,
        rental_cars=1,
    )
    world.people["p0"].consent[world.kinds["hotel"]] = {"comfort"}
    body = {
        "subject": "p0",
        "preferences": {"evening": {"temperature": {"value": 22}, "brightness": {"value": 40}}},
        "home_address": "somewhere",
    }
    world.messages.append(("home-p0", "hotel", {"type": "profile", "body": body}))
    audit = audit_messages(world)
    assert audit["unconsented_shares"] == 1  # brightness: light is not shared with hotels
    assert audit["foreign_fields"] == 1  # nothing else of the home leaves it
    assert "brightness" in audit["unconsented_examples"][0]
