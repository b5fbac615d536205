"""The dashboard in a real headless Chromium (Debian's `chromium`, driven over the DevTools
protocol by bench/cdp.py) against a real hub: the simulated family home over the embedded MQTT
broker, the recorder on SQLite, the API on 127.0.0.1. Log in with a token, see the rooms and
who is where, switch a light and see its state come back over MQTT, find that change's cause
in the logbook, open a sensor's graph and check its points against the history API.

With HEARTHMIND_SCREENSHOTS=1 it also renders each page at phone and desktop width.
Without a Chromium binary the tests are skipped and say why."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from hearthmind.api import DATA_KEY as API_KEY
from hearthmind.api.tokens import TokenStore
from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.core import Hub, Origin
from hearthmind.integrations.mqtt import DATA_KEY as MQTT_KEY
from tests.waiting import wait_for

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from cdp import CHROMIUM, Browser

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)"),
]


@dataclass
class Home:
    hub: Hub
    url: str
    token: str


@pytest.fixture
async def home(tmp_path: Path) -> AsyncIterator[Home]:
    (tmp_path / "configuration.yaml").write_text("mqtt:\n  embedded_port: 0\n")
    hub = await async_setup_hub(
        tmp_path,
        SetupOptions(record=True, home="family", seed=3, mqtt=True, api_port=0),
        components=["recorder", "mqtt", "simulator", "routines", "agent", "api"],
    )
    token = TokenStore(tmp_path).create("lena's phone", hub.clock.now(), user_id="lena")
    try:
        yield Home(hub, hub.data[API_KEY].url, token)
    finally:
        await hub.async_stop()


async def logged_in(home: Home, width: int = 1280, height: int = 900) -> Browser:
    """A browser on the dashboard, logged in through the form as a person would."""
    b = await Browser().start(width, height)
    await b.goto(home.url + "/")
    await b.wait_for(
        "!!document.getElementById('token') && !document.getElementById('login').hidden"
    )
    await b.js(
        f"document.getElementById('token').value = {json.dumps(home.token)};"
        "document.getElementById('login').requestSubmit()"
    )
    await b.wait_for("window.hearthmind.timings.home_interactive_ms", what="the home view")
    return b


async def test_log_in_see_the_rooms_switch_a_light_and_find_why(home: Home) -> None:
    hub = home.hub
    b = await logged_in(home)
    try:
        # every room of the family home, named as its registry names it, and who is where
        shown = await b.js(
            "[...document.querySelectorAll('section.area h2')].map(h => h.textContent)"
        )
        for area in hub.registries.areas.values():
            assert any(text.startswith(area.name) for text in shown), (area.name, shown)
        people = await b.js("[...document.querySelectorAll('.people li')].map(l => l.textContent)")
        assert {p.split()[0] for p in people} == {"Lena", "Tom", "Noor", "Sam"}
        # the token stays in the browser's storage, out of every URL
        assert await b.js("localStorage.getItem('hearthmind.token')") == home.token
        assert home.token not in await b.js("location.href")
        assert hub.health["api_unauthorized"] == 0

        # the kitchen light is an MQTT device: the command goes out over the embedded broker and
        # the state the page shows is the one the device reported back
        assert "light.kitchen" in hub.data[MQTT_KEY].entities
        before = hub.states.require("light.kitchen").state
        want = "off" if before == "on" else "on"
        row = "document.querySelector('[data-eid=\"light.kitchen\"]')"
        await b.js(f"{row}.querySelector('.ctl button').click()")
        await wait_for(lambda: hub.states.require("light.kitchen").state == want, 15, "the light")
        state = hub.states.require("light.kitchen")
        assert state.context.origin == Origin.APP and state.context.user_id == "lena"
        await b.wait_for(
            f"{row}.querySelector('.st').textContent.split(' ')[0] === {json.dumps(want)}", 10
        )
        assert await b.js(f"{row}.querySelector('.ctl button').getAttribute('aria-pressed')") == (
            "true" if want == "on" else "false"
        )

        # the logbook says who did it, in words, and "Why?" gives the recorder's sentence
        await b.js("location.hash = '#/logbook'")
        mine = (
            "[...document.querySelectorAll('#page-logbook tr[data-eid=\"light.kitchen\"]')]"
            f".find(r => r.children[2].textContent === {json.dumps(want)})"
        )
        await b.wait_for(f"!!{mine}", 15, "the light's change in the logbook")
        assert await b.js(f"{mine}.querySelector('.cause').textContent") == "Lena, in the app"
        await b.js(f"{mine}.querySelector('button').click()")
        sentence = await b.wait_for(
            f"(t => t !== 'Lena, in the app' && t)({mine}.querySelector('.cause').textContent)",
            15,
            "the why sentence",
        )
        assert "Lena" in sentence and "app" in sentence, sentence
        # filtered by room (the kitchen) and by person, the row stays; by another person it goes
        await b.js(
            "const s = document.getElementById('lb-person'); s.value = 'tom';"
            "s.dispatchEvent(new Event('change'))"
        )
        assert not await b.js(f"!!{mine}")
    finally:
        await b.close()


async def test_a_sensor_graph_has_the_history_api_points(home: Home) -> None:
    hub = home.hub
    sensor = "sensor.bedroom_temperature"
    for value in ("19.0", "19.5", "20.25", "18.75"):  # reported as the device would
        hub.states.async_set(
            sensor, value, hub.states.require(sensor).attributes, hub.context(Origin.SENSOR)
        )
    b = await logged_in(home)
    try:
        # from the home view, keyboard-style: focus the sensor's name and press it
        await b.js(
            f"document.querySelector('[data-eid=\"{sensor}\"] .name button').focus();"
            "document.activeElement.click()"
        )
        await b.wait_for("window.hearthmind.timings.history_ms", 30, "the graph")
        drawn = await b.js(f"window.hearthmind.lastChart.series[{json.dumps(sensor)}]")
        assert await b.js("!!document.querySelector('#history-chart canvas')")
        start = await b.js("new URLSearchParams(location.hash.split('?')[1]).get('start')")
        end = await b.js("new URLSearchParams(location.hash.split('?')[1]).get('end')")
        if start is None:  # the default range: the page's own from/to, read back
            start, end = await b.js(
                "[new Date(window.hearthmind.views.history.start*1000).toISOString(),"
                " new Date(window.hearthmind.views.history.end*1000).toISOString()]"
            )
        async with httpx.AsyncClient(base_url=home.url) as client:
            answer = await client.get(
                f"/api/history/period/{start}",
                params={"filter_entity_id": sensor, "end_time": end},
                headers={"Authorization": f"Bearer {home.token}"},
            )
        api = answer.json()[0]
        want = [
            [datetime.fromisoformat(s["last_changed"]).timestamp(), float(s["state"])]
            for s in api
            if s["state"] not in ("unknown", "unavailable")
        ]
        assert len(drawn) == len(want) and len(want) >= 4
        for (t, v), (wt, wv) in zip(drawn, want, strict=True):
            assert abs(t - wt) < 1e-3 and v == wv
        assert [v for _, v in drawn][-4:] == [19.0, 19.5, 20.25, 18.75]
    finally:
        await b.close()


async def test_a_bad_token_asks_again(home: Home) -> None:
    b = await Browser().start()
    try:
        await b.goto(home.url + "/dashboard")
        await b.wait_for("!document.getElementById('login').hidden", what="the login form")
        await b.js(
            "document.getElementById('token').value = 'not-a-token';"
            "document.getElementById('login').requestSubmit()"
        )
        error = await b.wait_for("document.getElementById('login-error').textContent", 15)
        assert "refused" in error
        assert await b.js("localStorage.getItem('hearthmind.token')") is None
        assert await b.js("document.getElementById('page-home').hidden")
    finally:
        await b.close()


async def test_screenshots_for_the_docs(home: Home, tmp_path: Path) -> None:
    """Every page at both widths renders (into tmp_path; bench/dashboard_shots.py writes docs/
    from the demo's hub, whose history has hours in it)."""
    from dashboard_shots import BELOW, PAGES, SIZES, shoot

    written = await shoot(home.url, home.token, tmp_path)
    assert len(written) == (len(PAGES) + len(BELOW)) * len(SIZES)


async def test_accept_the_agents_suggestion(tmp_path: Path) -> None:
    """The agent's inbox: a suggestion from the learned morning routine, accepted in the page,
    is done by the hub for the token's person."""
    from hearthmind.api import ApiConfig, async_serve
    from tests.agent.test_agent import ROUTINE, trained

    home = await trained(tmp_path)
    server = await async_serve(home.hub, ApiConfig(port=0))
    token = TokenStore(tmp_path).create("t", home.clock.now(), user_id="ana", replace=True)
    b: Browser | None = None
    try:
        await home.hub.services.async_call(
            "agent",
            "set_level",
            {"routine_id": ROUTINE, "level": "suggest"},
            context=home.hub.context(Origin.APP, user_id="ana"),
        )
        await home.morning(11, ana_acts=False)
        b = await logged_in(Home(home.hub, server.url, token))
        await b.js("location.hash = '#/agent'")
        card = "document.querySelector('#suggestions [data-suggestion]')"
        await b.wait_for(f"!!{card}", 15, "the suggestion")
        assert "Hall light" in await b.js(f"{card}.textContent")
        await b.js(f"{card}.querySelector('button.primary').click()")
        await wait_for(lambda: home.state("light.hall") == "on", 15, "the accepted light")
        await b.wait_for("!document.querySelector('#suggestions [data-suggestion]')", 15)
    finally:
        if b is not None:
            await b.close()
        await server.async_stop()
        await home.hub.async_stop()
