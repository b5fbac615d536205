"""Setting the API up as a component (bootstrap), its configuration, the demo's access, and
stopping with the hub."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest
import websockets

from hearthmind.api import ApiServer, ApiStartError, demo_access, get_server
from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.core import ConfigError, Hub, read_hub_address

from .conftest import ApiEnv

pytestmark = pytest.mark.timeout(60)


async def test_served_with_a_port_option_and_demo_access(tmp_path: Path) -> None:
    hub = await async_setup_hub(
        tmp_path, SetupOptions(record=False, api_port=0), components=["api"]
    )
    try:
        url, token = demo_access(hub)
        assert url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=url) as http:
            r = await http.get("/api/", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200
            url2, token2 = demo_access(hub)  # a demo run keeps the demo's token
            assert url2 == url and token2 == token
            stored = tmp_path / ".storage" / "demo_token"
            assert stored.read_text().strip() == token and stored.stat().st_mode & 0o777 == 0o600
            get_server_or_fail(hub).rt.tokens.revoke("demo")  # revoked: the next run makes one
            url2, token2 = demo_access(hub)
            assert token2 != token
            r = await http.get("/api/", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401
            r = await http.get("/api/config", headers={"Authorization": f"Bearer {token2}"})
            assert r.json()["state"] == "RUNNING"
        async with websockets.connect(url.replace("http", "ws") + "/api/websocket") as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "auth", "access_token": token2}))
            assert json.loads(await ws.recv())["type"] == "auth_ok"
            await hub.async_stop()  # an open WebSocket is closed with "going away"
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
        port = int(url.rsplit(":", 1)[1])
        with pytest.raises(OSError):  # nothing listens there any more
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    finally:
        await hub.async_stop()


def get_server_or_fail(hub: Hub) -> ApiServer:
    server = get_server(hub)
    assert server is not None
    return server


async def test_configuration_section(tmp_path: Path) -> None:
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    (tmp_path / "configuration.yaml").write_text(
        f"hearthmind:\n  name: Test Home\napi:\n  port: {port}\n  max_pending_messages: 100\n"
    )
    hub = await async_setup_hub(tmp_path, SetupOptions(record=False), components=["api"])
    try:
        server = get_server(hub)
        assert server is not None and server.url == f"http://127.0.0.1:{port}"
        assert server.rt.config.max_pending_messages == 100
        # the port is taken now: a second hub fails with a clear error, not an exit
        with pytest.raises(ApiStartError, match=f"cannot listen on 127.0.0.1:{port}"):
            await async_setup_hub(tmp_path, SetupOptions(record=False), components=["api"])
    finally:
        await hub.async_stop()


async def test_http_section_as_home_assistant_has_it(tmp_path: Path) -> None:
    """`http: server_port` says where; the folder says where the hub answers, with a token
    for the command line (owner-only), while it serves, and forgets the address after."""
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    (tmp_path / "configuration.yaml").write_text(
        f"homeassistant:\n  time_zone: America/New_York\nhttp:\n  server_port: {port}\n"
    )
    hub = await async_setup_hub(tmp_path, SetupOptions(record=False), components=["api"])
    try:
        assert get_server_or_fail(hub).url == f"http://127.0.0.1:{port}"
        assert read_hub_address(tmp_path) == f"http://127.0.0.1:{port}"
        token_path = tmp_path / ".storage" / "cli_token"
        assert token_path.stat().st_mode & 0o777 == 0o600
        token = token_path.read_text().strip()
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            r = await http.get("/api/config", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200 and r.json()["time_zone"] == "America/New_York"
    finally:
        await hub.async_stop()
    assert read_hub_address(tmp_path) is None


async def test_tls_from_the_http_section(tmp_path: Path) -> None:
    """`http: ssl_certificate` / `ssl_key` (relative to the folder), as HA serves TLS."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(tmp_path / "key.pem"),
         "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    (tmp_path / "configuration.yaml").write_text(
        "http:\n  server_port: 0\n  ssl_certificate: cert.pem\n  ssl_key: key.pem\n"
    )
    hub = await async_setup_hub(tmp_path, SetupOptions(record=False), components=["api"])
    try:
        url = get_server_or_fail(hub).url
        assert url.startswith("https://127.0.0.1:")
        token = (tmp_path / ".storage" / "cli_token").read_text().strip()
        async with httpx.AsyncClient(base_url=url, verify=False) as http:
            r = await http.get("/api/", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200
        # the command line reaches it too (its own certificate, over the loopback)
        from hearthmind.cli.hubclient import find_running_hub

        found = await asyncio.to_thread(find_running_hub, tmp_path)
        assert found is not None and found.url == url
    finally:
        await hub.async_stop()


async def test_not_served_without_port_or_section(tmp_path: Path) -> None:
    hub = await async_setup_hub(tmp_path, SetupOptions(record=False), components=["api"])
    try:
        assert get_server(hub) is None
        with pytest.raises(RuntimeError, match="not being served"):
            demo_access(hub)
    finally:
        await hub.async_stop()


async def test_a_bad_section_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text("hearthmind:\n  name: X\napi:\n  port: lots\n")
    with pytest.raises(ConfigError, match=r"configuration\.yaml, line 4: api\.port"):
        await async_setup_hub(tmp_path, SetupOptions(record=False), components=["api"])


def test_the_dashboard_modules_parse() -> None:
    """The dashboard is plain ES modules with no build step: node checks each one's syntax."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    from hearthmind.api.frontend import FRONTEND

    modules = sorted((FRONTEND / "js").glob("*.js"))
    assert len(modules) >= 5
    with tempfile.TemporaryDirectory() as tmp:
        for module in modules:
            copy = Path(tmp) / f"{module.stem}.mjs"  # .mjs: node reads it as a module
            copy.write_text(module.read_text())
            checked = subprocess.run([node, "--check", str(copy)], capture_output=True, text=True)
            assert checked.returncode == 0, f"{module.name}: {checked.stderr}"


async def test_answers_are_not_held_back_by_nagle(api: ApiEnv) -> None:
    """Every accepted connection has TCP_NODELAY; without it each answer waited ~40 ms."""
    reader, writer = await asyncio.open_connection("127.0.0.1", api.server.port)
    writer.write(b"GET /api/ HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")
    server = api.server._server
    assert server is not None
    connections = list(server.server_state.connections)
    assert connections
    for protocol in connections:
        sock = protocol.transport.get_extra_info("socket")
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    writer.close()
