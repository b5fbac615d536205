"""The status page at `/`, opened in a real headless Chromium (Debian's `chromium`, installed by
`make test` when missing and the user is root): with the token in the URL fragment it lists the
home's states, and a live change arrives over the WebSocket; with a bad token it asks for one.

Without a Chromium binary the test is skipped and says why."""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile

import pytest

from hearthmind.core import Origin

from .conftest import ApiEnv

pytestmark = pytest.mark.timeout(120)

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)


async def _dom(url: str, budget_ms: int = 4000) -> str:
    """The page's DOM after its scripts ran for `budget_ms` of (virtual) time."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="hm-chromium-") as profile:
        proc = await asyncio.create_subprocess_exec(
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # the tests run as root in a container
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget_ms}",
            "--dump-dom",
            url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), 90)
    return out.decode("utf-8", "replace")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)")
async def test_page_lists_states_with_the_token(api: ApiEnv) -> None:
    api.hub.states.async_set(
        "light.kitchen",
        "on",
        {"friendly_name": "Kitchen ceiling"},
        api.hub.context(Origin.VOICE, user_id="mina"),
    )
    dom = await _dom(f"{api.url}/#token={api.token}")
    rows = re.findall(r"<tr>(.*?)</tr>", dom, flags=re.S)
    text = [re.sub(r"<[^>]+>", "|", row) for row in rows]
    kitchen = [t for t in text if "Kitchen ceiling" in t]
    assert kitchen, f"no row for the kitchen light in the page: {dom[:2000]}"
    assert "|on|" in kitchen[0] and "voice" in kitchen[0] and "mina" in kitchen[0]
    for entity_id in ("sensor.living_temperature", "binary_sensor.hall_motion"):
        assert entity_id in dom
    # the token never reaches the server in a URL: it travels in the fragment only
    assert api.hub.health["api_unauthorized"] == 0


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)")
async def test_page_with_a_bad_token_asks_for_one(api: ApiEnv) -> None:
    dom = await _dom(f"{api.url}/#token=not-a-token")
    assert 'id="login"' in dom and 'id="login" hidden' not in dom
    assert "Kitchen" not in dom
    assert api.hub.health["api_unauthorized"] >= 1
