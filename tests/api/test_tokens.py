"""Tokens: made by `hearthmind token create` (the real command), stored only as hashes, refused
when wrong or revoked (401, counted), and revocation reaches a running hub at once."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hearthmind.api.tokens import TokenError, TokenStore, hash_token
from hearthmind.cli import app

from .conftest import ApiEnv

pytestmark = pytest.mark.timeout(60)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def hearthmind(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "hearthmind"), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_store_keeps_only_hashes(tmp_path: Path) -> None:
    store = TokenStore(tmp_path)
    token = store.create("kitchen tablet", NOW)
    raw = (tmp_path / ".storage" / "auth_tokens.json").read_text()
    assert token not in raw and hash_token(token) in raw
    assert (tmp_path / ".storage" / "auth_tokens.json").stat().st_mode & 0o077 == 0
    info = store.verify(token)
    assert info is not None and info.name == "kitchen tablet" and info.user_id == "kitchen tablet"
    assert store.verify(token + "x") is None and store.verify("") is None
    with pytest.raises(TokenError, match="exists already"):
        store.create("kitchen tablet", NOW)
    again = store.create("kitchen tablet", NOW, replace=True)
    assert store.verify(token) is None and store.verify(again) is not None
    assert [t.name for t in store.revoke("kitchen tablet")] == ["kitchen tablet"]
    assert store.verify(again) is None and store.tokens() == []


def test_a_broken_store_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / ".storage" / "auth_tokens.json"
    path.parent.mkdir()
    path.write_text("{not json")
    with pytest.raises(TokenError, match="cannot read the token store"):
        TokenStore(tmp_path).verify("hm_x")
    path.write_text(json.dumps({"tokens": [{"name": "x"}]}))
    with pytest.raises(TokenError, match="malformed"):
        TokenStore(tmp_path).tokens()


@settings(max_examples=50, deadline=None)
@given(guess=st.text(max_size=60))
def test_no_guess_passes(guess: str) -> None:
    store = TokenStore(Path("/nonexistent-hearthmind-test"))
    store._by_hash = {hash_token("hm_real-secret"): None}  # type: ignore[dict-item]
    store._stamp = None
    assert store.verify(guess) is None or guess.strip() == "hm_real-secret"


async def test_cli_token_works_on_a_running_hub_until_revoked(api: ApiEnv, tmp_path: Path) -> None:
    # the installed command, as a user (and ../shared/checks/connect) runs it
    created = hearthmind("token", "create", "-c", str(tmp_path), "--name", "cli")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert created.stdout.strip() == token and token.startswith("hm_")
    # the other subcommands in process (same code, without paying the start-up again)
    runner = CliRunner()
    duplicate = runner.invoke(app, ["token", "create", "-c", str(tmp_path), "--name", "cli"])
    assert duplicate.exit_code == 1 and "exists already" in duplicate.output
    listed = runner.invoke(app, ["token", "list", "-c", str(tmp_path)])
    assert "cli" in listed.output and token not in listed.output

    async with httpx.AsyncClient(base_url=api.url) as http:
        auth = {"Authorization": f"Bearer {token}"}
        r = await http.get("/api/", headers=auth)
        assert r.status_code == 200 and r.json() == {"message": "API running."}
        revoked = runner.invoke(app, ["token", "revoke", "-c", str(tmp_path), "cli"])
        assert revoked.exit_code == 0, revoked.output
        r = await http.get("/api/", headers=auth)
        assert r.status_code == 401
    again = runner.invoke(app, ["token", "revoke", "-c", str(tmp_path), "cli"])
    assert again.exit_code == 1 and "no token" in again.output


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/"),
        ("GET", "/api/states"),
        ("GET", "/api/config"),
        ("GET", "/api/states/light.kitchen"),
        ("POST", "/api/services/light/turn_on"),
        ("POST", "/api/states/sensor.x"),
        ("POST", "/api/events/ring"),
        ("GET", "/api/history/period"),
        ("GET", "/api/hearthmind/health"),
        ("GET", "/api/hearthmind/origins"),
    ],
)
async def test_every_endpoint_needs_a_token(api: ApiEnv, method: str, path: str) -> None:
    refusals = [{}, {"Authorization": "Bearer hm_nope"}, {"Authorization": "Basic dXNlcjpwYXNz"}]
    async with httpx.AsyncClient(base_url=api.url) as http:
        for headers in refusals:
            r = await http.request(
                method, path, headers=headers, json={"entity_id": "light.kitchen"}
            )
            assert r.status_code == 401 and "Unauthorized" in r.json()["message"]
    assert api.hub.health.counts["api_unauthorized"] == len(refusals)
    assert api.hub.states.require("light.kitchen").state == "off"
    assert api.commands == []
