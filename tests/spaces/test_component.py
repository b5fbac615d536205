"""The `spaces:` section of configuration.yaml: a SpacesHub with its tables and paired hubs,
and the `spaces.*` services; a bad key file is a clear configuration error."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthmind.core import ConfigError, HearthmindError, Hub, SetupOptions, load_config
from hearthmind.integrations.simulator.spaces.layouts import build_hotel
from hearthmind.spaces import SPACES
from hearthmind.spaces.component import async_setup


def _config(tmp_path: Path, key: bytes) -> Path:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "home.key").write_bytes(key)
    (tmp_path / "configuration.yaml").write_text(
        "spaces:\n  hub_id: hotel\n  peers:\n    home-ana:\n"
        "      url: http://127.0.0.1:9\n      key_file: keys/home.key\n"
    )
    return tmp_path


async def test_the_section_sets_up_spaces_and_their_services(tmp_path: Path) -> None:
    hub = Hub(load_config(_config(tmp_path, b"k" * 32)))
    await async_setup(hub, SetupOptions())
    spaces = hub.data[SPACES]
    assert spaces.hub_id == "hotel" and spaces.keys.keys["home-ana"] == b"k" * 32
    rooms = build_hotel(hub, "hotel", rooms=1)
    # a guest with no reachable home: counted, and the room stays on its defaults
    await hub.services.async_call(
        "spaces",
        "arrive",
        {"area_id": rooms[0].area_id, "person": "ana", "home_hub": "home-ana"},
        context=hub.context("app"),
    )
    assert hub.health["spaces_peer_offline"] == 1
    assert rooms[0].climate is not None and rooms[0].climate.setpoint == 17.0
    with pytest.raises(HearthmindError, match="no room or area 'nowhere'"):
        await hub.services.async_call(
            "spaces", "arrive", {"area_id": "nowhere", "person": "x"}, context=hub.context("app")
        )
    await hub.async_stop()
    assert (tmp_path / "spaces.db").exists()


async def test_a_short_key_is_a_configuration_error(tmp_path: Path) -> None:
    hub = Hub(load_config(_config(tmp_path, b"short")))
    with pytest.raises(ConfigError, match="32 bytes"):
        await async_setup(hub, SetupOptions())
