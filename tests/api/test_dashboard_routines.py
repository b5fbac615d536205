"""The routines page in a real headless Chromium against a hub whose learner and agent learned
Ana's morning routine (tests/agent/home.py, recorder on SQLite, API on 127.0.0.1): the
calibration plot draws the API's reliability points beside its Brier score, and each
routine's week map shows the occurrences the recorder's logbook holds (Ana switching the hall
light on, by weekday and hour)."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from hearthmind.api import ApiConfig, async_serve
from hearthmind.api.tokens import TokenStore

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from cdp import CHROMIUM
from tests.agent.home import START
from tests.agent.home import Home as AgentHome
from tests.agent.test_agent import ROUTINE, trained

from .test_dashboard import Home, logged_in

pytestmark = [
    pytest.mark.timeout(240),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)"),
]


@dataclass
class Learned:
    home: AgentHome
    page: Home


@pytest.fixture
async def learned(tmp_path: Path) -> AsyncIterator[Learned]:
    home = await trained(tmp_path)
    server = await async_serve(home.hub, ApiConfig(port=0))
    token = TokenStore(tmp_path).create("t", home.clock.now(), user_id="ana", replace=True)
    try:
        yield Learned(home, Home(home.hub, server.url, token))
    finally:
        await server.async_stop()
        await home.hub.async_stop()


async def api(page: Home, path: str, **params: str) -> Any:
    async with httpx.AsyncClient(base_url=page.url) as client:
        answer = await client.get(
            path, params=params, headers={"Authorization": f"Bearer {page.token}"}
        )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_the_calibration_plot_draws_the_apis_points(learned: Learned) -> None:
    cal = await api(learned.page, "/api/hearthmind/routines/calibration")
    # the learner scored its live guesses (days 6-10, after the first fit)
    assert cal["n"] > 0 and cal["n"] == sum(p["count"] for p in cal["reliability"])
    b = await logged_in(learned.page)
    try:
        await b.js("location.hash = '#/routines'")
        plot = "window.hearthmind.views.routines && window.hearthmind.views.routines.calPlot"
        await b.wait_for(f"!!({plot})", 30, "the calibration plot")
        xs, diagonal, ys = await b.js(f"{plot}.data.map(a => Array.from(a))")
        assert await b.js("!!document.querySelector('#calibration-chart canvas')")
        # the diagonal from (0, 0) to (1, 1), and between its ends each bin's point
        assert xs[0] == 0 and xs[-1] == 1 and diagonal == xs
        assert ys[0] is None and ys[-1] is None
        drawn = list(zip(xs[1:-1], ys[1:-1], strict=True))
        assert drawn == [(p["predicted"], p["observed"]) for p in cal["reliability"]]
        # with their counts in the table beside it, and the Brier score
        rows = await b.js(
            "[...document.querySelectorAll('#calibration-table tbody tr')]"
            ".map(r => Number(r.children[2].textContent))"
        )
        assert rows == [p["count"] for p in cal["reliability"]]
        side = await b.js("document.getElementById('calibration-brier').textContent")
        assert f"Brier score {cal['brier_top1']:.3f}" in side
    finally:
        await b.close()


async def test_the_week_map_shows_when_the_routine_happened(learned: Learned) -> None:
    page = learned.page
    # what the recorder holds, independently of the learner: Ana switching the hall light on
    log = await api(
        page,
        f"/api/logbook/{START.isoformat()}",
        entity="light.hall",
        end_time=learned.home.clock.now().isoformat(),
    )
    want: Counter[tuple[int, int]] = Counter()
    for entry in log:
        if entry["state"] == "on" and entry["context_user_id"] == "ana":
            when = datetime.fromisoformat(entry["when"]).astimezone(UTC)  # the home is on UTC
            want[(when.weekday(), when.hour)] += 1
    assert sum(want.values()) >= 6
    week = await api(page, "/api/hearthmind/routines/week", days="28")
    mine = {r["routine_id"]: r for r in week["routines"]}[ROUTINE]
    assert mine["total"] == sum(want.values())

    b = await logged_in(page)
    try:
        await b.js("location.hash = '#/routines'")
        card = f"document.querySelector('[data-routine=\"{ROUTINE}\"] .weekmap')"
        await b.wait_for(f"!!{card}", 30, "the routine's week map")
        cells = await b.js(
            f"[...{card}.querySelectorAll('.wm-cell')]"
            ".map(c => [Number(c.dataset.day), Number(c.dataset.hour), Number(c.dataset.count)])"
        )
        assert len(cells) == 7 * 24
        shown = Counter({(d, h): n for d, h, n in cells if n})
        assert shown == want
        # its part of the day (morning, 05-10 h) outlined, and said in words
        outlined = await b.js(
            f"[...new Set([...{card}.querySelectorAll('.wm-part')].map(c => c.dataset.hour))]"
        )
        assert sorted(map(int, outlined)) == [5, 6, 7, 8, 9]
        label = await b.js(f"{card}.getAttribute('aria-label')")
        assert f"{sum(want.values())} times" in label
    finally:
        await b.close()


async def test_routine_endpoints_refuse_clearly(learned: Learned) -> None:
    async with httpx.AsyncClient(base_url=learned.page.url) as client:
        headers = {"Authorization": f"Bearer {learned.page.token}"}
        bad = await client.get("/api/hearthmind/routines/week?days=0", headers=headers)
        assert bad.status_code == 400 and "days" in bad.json()["message"]
        none = await client.get("/api/hearthmind/routines/calibration")
        assert none.status_code == 401
    assert learned.home.hub.health["api_bad_request"] >= 1
