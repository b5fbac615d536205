"""The routines component of a running hub: it learns from the recorded history when the hub
starts (in the background), keeps learning from every change, serves what comes next over
the API, and a wrong `routines:` section is a clear error."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from hass_client import HomeAssistantClient

from hearthmind.api import ApiConfig, TokenStore, async_serve
from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.core import ConfigError, Origin, SimulatedClock
from hearthmind.routines.component import get_learner
from hearthmind.routines.observations import HomeLog, ImportReport
from hearthmind.routines.recorder_bridge import async_write_log

from .synthetic import observations

pytestmark = pytest.mark.timeout(120)


async def _until(condition: object, seconds: float = 60.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_a_hub_learns_its_recorded_routines_and_says_what_comes_next(
    tmp_path: Path,
) -> None:
    history = observations(14)
    db = tmp_path / "hearthmind.db"
    await async_write_log(HomeLog("t", history, [], ImportReport("t")), f"sqlite:///{db}")
    clock = SimulatedClock(datetime.fromtimestamp(history[-1].time + 3600, UTC))
    hub = await async_setup_hub(
        tmp_path, SetupOptions(db_url=str(db)), clock, components=["recorder", "routines"]
    )
    server = await async_serve(hub, ApiConfig(port=0))
    try:
        learner = get_learner(hub)
        assert learner is not None
        # the hub is up before the history is read and fitted, in the background
        await _until(lambda: learner.model is not None)
        assert learner.refits == 1 and len(learner.history) == len(history)
        # the morning: bedroom, then kitchen motion; the kitchen light comes next
        morning = datetime.fromtimestamp(history[-1].time, UTC).replace(hour=6, minute=38)
        await clock.async_run_until(morning + timedelta(days=1))
        sensor = hub.context(Origin.SENSOR)
        hub.states.async_set("binary_sensor.bedroom_motion", "on", {}, sensor)
        hub.states.async_set("binary_sensor.bedroom_motion", "off", {}, sensor)
        hub.states.async_set("binary_sensor.kitchen_motion", "on", {}, sensor)
        assert learner.updates == 3
        token = TokenStore(tmp_path).create("t", clock.now(), user_id="ana", replace=True)
        async with httpx.AsyncClient(base_url=server.url) as client:
            got = await client.get(
                "/api/hearthmind/predictions",
                params={"k": 2},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert got.status_code == 200
        body = got.json()
        assert body["model"] == "boosted_ranker" and body["refits"] == 1
        first = body["predictions"][0]
        assert (first["entity_id"], first["value"]) == ("light.kitchen", "on")
        assert first["probability"] > 0.5 and first["expected_time"].startswith("20")
        assert "kitchen motion sensor" in first["explanation"]
        # only what people do to devices: sensors are context, not something to do
        assert all(not p["entity_id"].startswith("binary_sensor.") for p in body["predictions"])
        # worth showing: nothing already so, nothing under the threshold, the count said
        for guess in body["predictions"]:
            now = hub.states.get(guess["entity_id"])
            assert now is None or now.state != guess["value"]
            assert guess["probability"] >= body["min_probability"] == 0.1
        assert body["shown"] == len(body["predictions"]) <= body["considered"]
        assert f"{body['shown']} of {body['considered']} guesses shown" in body["summary"]
        # the same over the WebSocket API, with a Home Assistant client
        ws_url = server.url.replace("http://", "ws://") + "/api/websocket"
        async with HomeAssistantClient(ws_url, token) as ws:
            over_ws = await ws.send_command("hearthmind/predictions", k=2)
        assert over_ws["predictions"][0]["entity_id"] == "light.kitchen"
        assert over_ws["predictions"] == body["predictions"]
    finally:
        await server.async_stop()
        await hub.async_stop()


async def test_without_a_recording_it_fits_once_enough_has_happened(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text(
        "routines:\n  model: markov_hour\n  min_history: 40\n"
    )
    history = observations(7)
    clock = SimulatedClock(datetime.fromtimestamp(history[0].time - 60, UTC))
    hub = await async_setup_hub(
        tmp_path, SetupOptions(record=False), clock, components=["recorder", "routines"]
    )
    try:
        learner = get_learner(hub)
        assert learner is not None and learner.model is None
        for obs in history[:60]:
            await clock.async_run_until(datetime.fromtimestamp(obs.time, UTC))
            entity, _, value = obs.item.rpartition(":")
            hub.states.async_set(
                entity, value, {}, hub.context(Origin(obs.origin), obs.user_id), force_update=True
            )
        await _until(lambda: learner.model is not None)
        assert learner.model is not None and learner.model.name == "markov_hour"
        assert learner.refits >= 1  # the first fit at 40 events, then the daily ones
    finally:
        await hub.async_stop()


async def test_a_wrong_routines_section_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text("routines:\n  model: lstm\n")
    with pytest.raises(ConfigError, match=r"routines\.model: no model named 'lstm'"):
        await async_setup_hub(
            tmp_path,
            SetupOptions(record=False),
            SimulatedClock(datetime(2024, 1, 1, tzinfo=UTC)),
            components=["routines"],
        )
    (tmp_path / "configuration.yaml").write_text("routines:\n  refit_every_hours: 0\n")
    with pytest.raises(ConfigError, match="refit_every_hours"):
        await async_setup_hub(
            tmp_path,
            SetupOptions(record=False),
            SimulatedClock(datetime(2024, 1, 1, tzinfo=UTC)),
            components=["routines"],
        )


async def test_a_simulated_home_gives_the_hub_its_time_zone(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    hub = await async_setup_hub(
        tmp_path,
        SetupOptions(home="single", record=False),
        SimulatedClock(datetime(2024, 1, 1, tzinfo=UTC)),
        components=["simulator", "routines"],
    )
    try:
        # the resident lives in Amsterdam: the hub learns and shows that clock, not UTC
        assert hub.config.core.time_zone == "Europe/Amsterdam"
        learner = get_learner(hub)
        assert learner is not None and learner.zone == ZoneInfo("Europe/Amsterdam")
    finally:
        await hub.async_stop()


def test_the_rankers_library_is_loaded_at_set_up_not_at_its_first_fit() -> None:
    """lightgbm takes over a second to import, holding the interpreter: the component loads
    it before the hub serves, for the model that needs it and only for that one."""
    import subprocess
    import sys

    def loaded_after(model: str) -> bool:
        code = (
            "import sys; from hearthmind.routines.registry import load_libraries; "
            f"load_libraries({model!r}); print('lightgbm' in sys.modules)"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        return out.stdout.strip() == "True"

    assert loaded_after("boosted_ranker")
    assert not loaded_after("markov")
