"""Home Assistant's own frontend WebSocket client (`home-assistant-js-websocket`, from npm,
unmodified) against our /api/websocket: connect with a long-lived token, read states,
services, config and the user, follow entities (compressed `subscribe_entities`), call a
service and see the device's new state arrive.

Needs node and npm; the packages (pinned in js/package.json) are installed once into a cache
directory outside the repository. Without node/npm, or when the registry cannot be reached,
the test is skipped and says why."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ApiEnv

pytestmark = pytest.mark.timeout(180)

HERE = Path(__file__).parent / "js"
CACHE = Path(os.environ.get("HEARTHMIND_JS_CACHE", Path.home() / ".cache" / "hearthmind-js"))


def _installed_client() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed for Home Assistant's JavaScript client")
    target = CACHE / "ha-js-client"
    wanted = (HERE / "package.json").read_text()
    marker = target / "package.json"
    if not (
        marker.exists() and marker.read_text() == wanted and (target / "node_modules").exists()
    ):
        target.mkdir(parents=True, exist_ok=True)
        marker.write_text(wanted)
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=target,
            capture_output=True,
            text=True,
            timeout=150,
        )
        if done.returncode != 0:
            shutil.rmtree(target / "node_modules", ignore_errors=True)
            pytest.skip(f"npm install failed: {done.stderr.strip()[-300:]}")
    shutil.copy(HERE / "ha_js_client.mjs", target / "ha_js_client.mjs")
    return target


async def test_home_assistant_frontend_client(api: ApiEnv) -> None:
    target = await asyncio.to_thread(_installed_client)
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(target / "ha_js_client.mjs"),
        api.url,
        api.token,
        cwd=target,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()[-2000:]
    result = json.loads(out.decode().strip().splitlines()[-1])
    assert result["version"] == "2024.3.3"
    assert result["states"] == 5 and result["services"] >= 9
    assert result["location"] == "Home" and result["user"] == "tester"
    assert result["seen"][0] == "off" and result["seen"][-1] == "on"
    assert result["error"]["message"] == "unknown entity: light.nowhere"
    state = api.hub.states.require("light.kitchen")
    assert state.attributes["brightness"] == 50
    assert state.context.origin == "app" and state.context.user_id == "alice"
