"""The spaces package's own tables in a real SQLite file: profiles and shares survive a
restart, the schema is brought up from version 1 step by step, a newer one is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from hearthmind.core import Hub
from hearthmind.spaces import SpacesHub
from hearthmind.spaces.store import SCHEMA_VERSION, ProfileStore, SchemaTooNewError, upgrade

from .conftest import ana_profile


def test_profiles_and_shares_survive_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'spaces.db'}"
    store = ProfileStore(url)
    spaces = SpacesHub(Hub(), "home", store=store)
    spaces.add_profile(ana_profile())
    spaces.edit("ana", {"context": "work", "activity": "day", "key": "brightness", "value": 90})
    store.record_share("ana", "hotel", "hotel_room", 1.0)
    store.close()
    again = ProfileStore(url)
    (profile,) = again.load_all()
    assert profile.as_dict() == spaces.profiles["ana"].as_dict()
    assert again.shared_with("ana") == [
        {"peer_id": "hotel", "kind": "hotel_room", "shared_ts": 1.0}
    ]
    again.delete_person("ana")
    assert again.load_all() == [] and again.shared_with("ana") == []
    again.close()


def test_an_older_schema_is_brought_up_and_a_newer_one_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    assert upgrade(engine, target=1) == 1
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO spaces_profiles VALUES ('x', '{}', 0)"))
    engine.dispose()
    store = ProfileStore(url)
    assert store.version == SCHEMA_VERSION
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM spaces_profiles")).scalar() == 1
    # the old row does not read as a profile: the hub starts, counts it, and keeps the row
    hub = Hub()
    spaces = SpacesHub(hub, "home", store=store)
    assert spaces.profiles == {} and hub.health["spaces_bad_profile"] == 1
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM spaces_profiles")).scalar() == 1
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE spaces_schema_version SET version = 99"))
    store.close()
    with pytest.raises(SchemaTooNewError, match="version 99, newer"):
        ProfileStore(url)


async def test_what_waits_for_an_unreachable_hub_survives_a_restart(tmp_path: Path) -> None:
    from hearthmind.spaces.exchange import InProcessTransport, PeerKeys

    url = f"sqlite:///{tmp_path / 'car.db'}"
    transport = InProcessTransport()  # the home is not registered: out of reach
    car = SpacesHub(Hub(), "car", transport, ProfileStore(url))
    car.keys.pair("home", b"k" * 32)
    assert not await car.async_send_eta("home", "ana", 5.0)  # an ETA is not kept
    await car._send("home", "learned", {"subject": "ana", "observations": []}, keep=True)
    assert car.store is not None
    car.store.close()
    again = SpacesHub(Hub(), "car", transport, ProfileStore(url))
    assert again.outbox == [("home", "learned", {"subject": "ana", "observations": []})]
    received = []

    async def home(envelope: dict[str, object]) -> None:
        received.append(envelope["type"])

    transport.register("home", home)
    again.keys = PeerKeys("car", {"home": b"k" * 32})
    assert await again.async_flush_outbox() == 1 and received == ["learned"]
    assert again.store is not None and again.store.load_outbox() == []
    again.store.close()
