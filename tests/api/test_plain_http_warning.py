"""Issue 20: served beyond this machine without TLS, the hub says so plainly (tokens would
cross the network in clear text); on loopback or with TLS it says nothing."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hearthmind.api import ApiConfig
from hearthmind.api.config import plain_http_warning
from hearthmind.bootstrap import SetupOptions, async_setup_hub


@pytest.mark.parametrize(
    ("host", "warned"),
    [("127.0.0.1", False), ("::1", False), ("localhost", False), ("0.0.0.0", True),
     ("192.168.1.20", True), ("hub.local", True)],
)  # fmt: skip
def test_who_is_warned(host: str, warned: bool) -> None:
    assert (plain_http_warning(ApiConfig(host=host, port=8123)) is not None) == warned


async def test_a_hub_open_to_the_network_without_tls_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "configuration.yaml").write_text(
        "homeassistant:\n  name: Ours\nhttp:\n  server_host: 0.0.0.0\n  server_port: 0\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING):
        hub = await async_setup_hub(tmp_path, SetupOptions(record=False), components=["api"])
    try:
        assert any("without TLS" in r.getMessage() for r in caplog.records)
        assert hub.health.counts["api_without_tls"] == 1
    finally:
        await hub.async_stop()
