"""Issue 20, finding 9: a configured database in a folder that does not exist is an error
naming the file and line, not a new empty history created where nobody looks."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearthmind.bootstrap import SetupOptions, async_setup_hub
from hearthmind.core import ConfigError


async def test_a_database_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder"
    (tmp_path / "configuration.yaml").write_text(
        f"homeassistant:\n  name: Ours\nrecorder:\n  db_url: {missing / 'home.db'}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        await async_setup_hub(tmp_path, SetupOptions(), components=["recorder"])
    assert caught.value.line == 4 and "does not exist" in str(caught.value)
    assert not missing.exists()


async def test_a_database_in_an_existing_folder_is_made(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "configuration.yaml").write_text(
        "homeassistant:\n  name: Ours\nrecorder:\n  db_url: data/home.db\n", encoding="utf-8"
    )
    hub = await async_setup_hub(tmp_path, SetupOptions(), components=["recorder"])
    await hub.async_stop()
    assert (tmp_path / "data" / "home.db").exists()
