"""To-do lists: HA's todo services on a real hub, the shopping list in HA's own file, a list
that survives a restart, and bad input that is refused or kept, never lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hearthmind.core import Hub, InvalidServiceDataError, Origin, SetupOptions, load_config
from hearthmind.integrations import todo
from hearthmind.integrations.todo import DATA_KEY, TodoItemError


async def make_hub(config_dir: Path, yaml_text: str = "") -> Hub:
    if yaml_text:
        (config_dir / "configuration.yaml").write_text(yaml_text, encoding="utf-8")
    hub = Hub(load_config(config_dir))
    await todo.async_setup(hub, SetupOptions())
    return hub


async def add(hub: Hub, item: str, entity_id: str = "todo.shopping_list") -> None:
    await hub.services.async_call(
        "todo", "add_item", {"item": item}, target={"entity_id": entity_id},
        context=hub.context(Origin.APP, user_id="sam"),
    )  # fmt: skip


async def test_shopping_list_in_home_assistants_file(tmp_path: Path) -> None:
    hub = await make_hub(tmp_path)
    assert hub.states.require("todo.shopping_list").state == "0"
    await add(hub, "apples")
    await add(hub, "oat milk")
    state = hub.states.require("todo.shopping_list")
    assert state.state == "2" and state.attributes["friendly_name"] == "Shopping List"
    assert state.context.origin == Origin.APP and state.context.user_id == "sam"
    saved = json.loads((tmp_path / ".shopping_list.json").read_text())
    assert [(i["name"], i["complete"]) for i in saved] == [("apples", False), ("oat milk", False)]

    await hub.services.async_call(
        "todo", "update_item", {"item": "Apples", "status": "completed"},
        target={"entity_id": "todo.shopping_list"}, context=hub.context(Origin.VOICE),
    )  # fmt: skip
    assert hub.states.require("todo.shopping_list").state == "1"

    # a new hub on the same folder has the same list
    again = await make_hub(tmp_path)
    items = again.data[DATA_KEY]["todo.shopping_list"].items
    assert [(i.summary, i.completed) for i in items] == [("apples", True), ("oat milk", False)]
    assert again.states.require("todo.shopping_list").state == "1"


async def test_named_lists_and_removal(tmp_path: Path) -> None:
    hub = await make_hub(tmp_path, "todo:\n  lists: [Chores, Trader Joe's]\n")
    assert {"todo.shopping_list", "todo.chores", "todo.trader_joe_s"} <= set(hub.data[DATA_KEY])
    await add(hub, "take out the trash", "todo.chores")
    await add(hub, "sweep", "todo.chores")
    await hub.services.async_call(
        "todo", "update_item", {"item": "sweep", "rename": "sweep the hall"},
        target={"entity_id": "todo.chores"}, context=hub.context(Origin.APP),
    )  # fmt: skip
    await hub.services.async_call(
        "todo", "remove_item", {"item": ["take out the trash"]},
        target={"entity_id": "todo.chores"}, context=hub.context(Origin.APP),
    )  # fmt: skip
    chores = hub.data[DATA_KEY]["todo.chores"]
    assert [i.summary for i in chores.items] == ["sweep the hall"]
    assert (tmp_path / ".todo" / "chores.json").exists()


async def test_bad_input_is_refused_and_nothing_is_lost(tmp_path: Path) -> None:
    hub = await make_hub(tmp_path)
    await add(hub, "bread")
    with pytest.raises(InvalidServiceDataError, match="item"):
        await add(hub, "")
    with pytest.raises(TodoItemError, match="'cake' is not on the Shopping List"):
        await hub.services.async_call(
            "todo", "update_item", {"item": "cake", "status": "completed"},
            target={"entity_id": "todo.shopping_list"}, context=hub.context(Origin.APP),
        )  # fmt: skip
    # removing a known and an unknown item removes neither
    with pytest.raises(TodoItemError):
        await hub.services.async_call(
            "todo", "remove_item", {"item": ["bread", "cake"]},
            target={"entity_id": "todo.shopping_list"}, context=hub.context(Origin.APP),
        )  # fmt: skip
    assert [i.summary for i in hub.data[DATA_KEY]["todo.shopping_list"].items] == ["bread"]
    with pytest.raises(TodoItemError, match="to-do list"):
        await hub.services.async_call(
            "homeassistant", "turn_on", {}, target={"entity_id": "todo.shopping_list"},
            context=hub.context(Origin.APP),
        )  # fmt: skip


async def test_unreadable_file_is_kept_counted_and_the_hub_starts(tmp_path: Path) -> None:
    (tmp_path / ".shopping_list.json").write_text("[{not json", encoding="utf-8")
    hub = await make_hub(tmp_path)
    assert hub.states.require("todo.shopping_list").state == "0"
    assert (tmp_path / ".shopping_list.json.corrupt").read_text() == "[{not json"
    assert hub.health["todo_file_unreadable"] == 1
    await add(hub, "eggs")
    assert json.loads((tmp_path / ".shopping_list.json").read_text())[0]["name"] == "eggs"
