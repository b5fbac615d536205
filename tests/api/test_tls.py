"""Issue 20: exposed on a LAN, the hub serves TLS from Home Assistant's `http:` keys
(ssl_certificate, ssl_key): REST and the WebSocket both over it, nothing in clear text on
that port, no plain-HTTP warning; a certificate that is missing or not PEM is one line naming
the file and the setting. (The warning without TLS: test_plain_http_warning.py.) The
certificate is made here with openssl (the `cryptography` package is not in .venv)."""

from __future__ import annotations

import json
import logging
import shutil
import ssl
import subprocess
from pathlib import Path

import httpx
import pytest
import websockets

from hearthmind.api import ApiStartError, get_server
from hearthmind.bootstrap import SetupOptions, async_setup_hub

pytestmark = pytest.mark.timeout(120)


def self_signed(folder: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


async def test_rest_and_websocket_over_tls_on_all_addresses(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    self_signed(tmp_path)
    (tmp_path / "configuration.yaml").write_text(
        "http:\n  server_host: 0.0.0.0\n  server_port: 0\n"
        "  ssl_certificate: cert.pem\n  ssl_key: key.pem\n"
    )
    with caplog.at_level(logging.WARNING):
        hub = await async_setup_hub(tmp_path, SetupOptions(record=False), components=["api"])
    try:
        server = get_server(hub)
        assert server is not None and server.url.startswith("https://0.0.0.0:")
        assert not any("without TLS" in r.getMessage() for r in caplog.records)
        assert "api_without_tls" not in hub.health.counts
        port = server.port
        token = (tmp_path / ".storage" / "cli_token").read_text().strip()
        trust = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
        async with httpx.AsyncClient(verify=trust) as http:
            r = await http.get(
                f"https://127.0.0.1:{port}/api/", headers={"Authorization": f"Bearer {token}"}
            )
            assert r.status_code == 200 and r.json() == {"message": "API running."}
        async with websockets.connect(f"wss://127.0.0.1:{port}/api/websocket", ssl=trust) as ws:
            assert json.loads(await ws.recv())["type"] == "auth_required"
            await ws.send(json.dumps({"type": "auth", "access_token": token}))
            assert json.loads(await ws.recv())["type"] == "auth_ok"
        # nothing is served in clear text on that port
        async with httpx.AsyncClient() as http:
            with pytest.raises(httpx.HTTPError):
                await http.get(f"http://127.0.0.1:{port}/api/", timeout=10)
    finally:
        await hub.async_stop()


@pytest.mark.parametrize(
    ("cert", "key", "says"),
    [
        (None, None, r"nope\.pem: no such file \(http: ssl_certificate\)"),
        ("garbage", "garbage", r"not a PEM certificate and its private key"),
    ],
)
async def test_bad_tls_files_are_one_clear_error(
    tmp_path: Path, cert: str | None, key: str | None, says: str
) -> None:
    names = ("nope.pem", "nokey.pem") if cert is None else ("cert.pem", "key.pem")
    if cert is not None and key is not None:
        (tmp_path / "cert.pem").write_text(cert)
        (tmp_path / "key.pem").write_text(key)
    (tmp_path / "configuration.yaml").write_text(
        f"http:\n  server_port: 0\n  ssl_certificate: {names[0]}\n  ssl_key: {names[1]}\n"
    )
    with pytest.raises(ApiStartError, match=says):
        await async_setup_hub(tmp_path, SetupOptions(record=False), components=["api"])
