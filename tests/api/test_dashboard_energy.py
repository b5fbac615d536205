"""The energy and comfort page in a real headless Chromium against a real hub (recorder on
SQLite, API on 127.0.0.1): until the comfort component serves a plan, the page finds the
entities by Home Assistant's device classes and units and draws what the recorder holds, so
a PV meter, a home battery and a forecast sensor show up as soon as they exist."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hearthmind.api import DATA_KEY as API_KEY
from hearthmind.api.tokens import TokenStore
from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.core import Origin, SimulatedClock

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from cdp import CHROMIUM

from .test_dashboard import Home, logged_in

pytestmark = [
    pytest.mark.timeout(180),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)"),
]


@pytest.fixture
async def home(tmp_path: Path) -> AsyncIterator[Home]:
    (tmp_path / "configuration.yaml").write_text("")
    # a simulated clock from now, so that the test's changes are seconds apart
    clock = SimulatedClock(datetime.now(UTC))
    hub = await async_setup_hub(
        tmp_path, SetupOptions(record=True, api_port=0), clock, components=["recorder", "api"]
    )
    token = TokenStore(tmp_path).create("t", hub.clock.now(), user_id="lena")
    try:
        yield Home(hub, hub.data[API_KEY].url, token)
    finally:
        await hub.async_stop()


async def test_the_energy_page_finds_and_draws_what_exists(home: Home) -> None:
    hub = home.hub
    clock = hub.clock
    assert isinstance(clock, SimulatedClock)
    sensor = hub.context(Origin.SENSOR)

    async def later() -> None:
        await clock.async_run_until(clock.now() + timedelta(seconds=30))

    for room, target in ((19.5, 21.0), (20.5, 21.0)):
        hub.states.async_set(
            "climate.living_room",
            "heat",
            {"current_temperature": room, "temperature": target, "friendly_name": "Living room"},
            sensor,
        )
        await later()
    for watts in ("800", "1200"):
        hub.states.async_set(
            "sensor.pv_power",
            watts,
            {"device_class": "power", "unit_of_measurement": "W", "friendly_name": "PV"},
            sensor,
        )
        await later()
    hub.states.async_set(
        "sensor.home_battery_stored",
        "6.2",
        {"device_class": "energy_storage", "unit_of_measurement": "kWh"},
        sensor,
    )
    # a motion sensor's own battery is not the home's battery
    hub.states.async_set(
        "sensor.hall_motion_battery",
        "87",
        {"device_class": "battery", "unit_of_measurement": "%"},
        sensor,
    )
    now = hub.clock.now()
    ahead = [
        {"datetime": (now + timedelta(hours=h)).isoformat(), "value": v}
        for h, v in ((1, 0.4), (2, 1.5), (3, 2.25))
    ]
    hub.states.async_set(
        "sensor.pv_forecast", "1.5", {"forecast": ahead, "unit_of_measurement": "kW"}, sensor
    )

    # a planner that explains itself: its mode and its reasons in words (issue 23, item 3)
    hub.states.async_set(
        "sensor.data_hall_supervisor",
        "mpc",
        {
            "friendly_name": "Data hall supervisor",
            "reasons": ["chilled water raised to 9 C: wet-bulb is low and the IT load light", 3],
        },
        hub.context(Origin.AUTOMATION),
    )

    b = await logged_in(home)
    try:
        await b.js("location.hash = '#/energy'")
        view = "window.hearthmind.views.energy"
        await b.wait_for(f"!!{view} && !!{view}.drawn['sensor.pv_forecast']", 30, "the graphs")
        groups = await b.js(f"{view}.groups")
        assert groups["climate"] == ["climate.living_room"]
        assert groups["power"] == ["sensor.pv_power"]
        assert groups["storage"] == ["sensor.home_battery_stored"]
        assert groups["forecast"] == ["sensor.pv_forecast"]
        assert "sensor.hall_motion_battery" not in json.dumps(groups)
        # the forecast drawn is the attribute's points
        xs, ys = await b.js(f"{view}.drawn['sensor.pv_forecast'].map(a => Array.from(a))")
        assert ys == [0.4, 1.5, 2.25] and len(xs) == 3
        # power in kW from the recorder's history; the thermostat's room and set-point
        power = await b.js(f"{view}.drawn.power[1].filter(v => v !== null)")
        assert power == [0.8, 1.2]
        assert await b.js(f"{view}.drawn.storage[1].filter(v => v !== null)") == [6.2]
        room, target = await b.js(
            f"[1, 2].map(i => {view}.drawn['climate.living_room'][i].filter(v => v !== null))"
        )
        assert room == [19.5, 20.5] and set(target) == {21.0}
        gauge = await b.js(
            "document.querySelector('#energy-gauges [data-eid=\"climate.living_room\"]').textContent"
        )
        assert "20.5 → 21 °C" in gauge
        assert await b.js("document.querySelectorAll('#energy-graphs canvas').length") == 4
        said = await b.js(
            "Array.from(document.querySelectorAll('#energy-says [data-says]'),"
            " e => [e.dataset.says, e.querySelector('h3').textContent,"
            " Array.from(e.querySelectorAll('li'), li => li.textContent)])"
        )
        assert said == [
            [
                "sensor.data_hall_supervisor",
                "Data hall supervisor: mpc",
                ["chilled water raised to 9 C: wet-bulb is low and the IT load light"],
            ]
        ]
    finally:
        await b.close()
