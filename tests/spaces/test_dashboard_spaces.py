"""The spaces page in a real headless Chromium against a real hub (API on 127.0.0.1): the
hub's spaces and who stays where, the profile applied with its explanation and an undo that
puts the room back, and the profile kept here with where each value was learned."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hearthmind.api import DATA_KEY as API_KEY
from hearthmind.api.tokens import TokenStore
from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.core import SimulatedClock
from hearthmind.integrations.simulator.spaces.layouts import build_home, build_hotel
from hearthmind.spaces import SpacesHub

from .conftest import ana_profile

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from cdp import CHROMIUM
from tests.api.test_dashboard import Home, logged_in

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)"),
]


@pytest.fixture
async def home(tmp_path: Path) -> AsyncIterator[Home]:
    (tmp_path / "configuration.yaml").write_text("")
    clock = SimulatedClock(datetime(2026, 1, 5, 19, 0, tzinfo=UTC))
    hub = await async_setup_hub(
        tmp_path, SetupOptions(record=False, api_port=0), clock, components=["api"]
    )
    token = TokenStore(tmp_path).create("t", hub.clock.now(), user_id="ana")
    try:
        yield Home(hub, hub.data[API_KEY].url, token)
    finally:
        await hub.async_stop()


async def test_the_spaces_page_shows_stays_applications_and_profiles(home: Home) -> None:
    hub = home.hub
    spaces = SpacesHub(hub, "home-ana")
    house = build_home(hub, "home_ana")
    rooms = build_hotel(hub, "guest_suite", rooms=2, seed=1)
    spaces.add_profile(ana_profile(), home_areas=[house.area_id])
    await spaces.async_arrive(house.area_id, "ana")
    climate = house.climate
    assert climate is not None and climate.setpoint == 22.5  # her evening
    b = await logged_in(home)
    try:
        await b.js("location.hash = '#/spaces'")
        await b.wait_for(
            "document.querySelectorAll('#profiles [data-profile]').length === 1",
            30,
            "the profile card",
        )
        kinds = await b.js("[...document.querySelectorAll('#spaces h3')].map(h => h.textContent)")
        assert any("home" in k for k in kinds) and any("hotel room" in k for k in kinds)
        stays = await b.js("document.querySelector('#spaces').textContent")
        assert "Living room: ana here" in stays and rooms[0].area_id not in stays
        card = await b.js(
            "document.querySelector('#applications [data-application] h3').textContent"
        )
        assert "22.5" in card and "learned:home" in card
        values = await b.js(
            "document.querySelector('#profiles [data-profile=\"ana\"]').textContent"
        )
        assert "home · evening · temperature: 22.5 (learned:home:h, sure 0.9)" in values
        assert "hotel room: comfort, light" in values
        await b.js("document.querySelector('#applications [data-application] button').click()")
        await b.wait_for(
            "[...document.querySelectorAll('#applications p')].some(p => p.textContent.includes('undone'))",
            30,
            "the undone card",
        )
        assert climate.setpoint == 21.0  # back to what the thermostat had
    finally:
        await b.close()
