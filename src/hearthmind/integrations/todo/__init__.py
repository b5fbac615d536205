"""To-do lists, Home Assistant's `todo` domain: the shopping list (`todo.shopping_list`, always
there, as HA's shopping list integration makes it) and the lists the `todo:` section names.

    todo:
      lists: [Chores, Trader Joe's]   # todo.chores, todo.trader_joe_s

Items are added, renamed, checked off and removed with HA's services (`todo.add_item`,
`todo.update_item`, `todo.remove_item`, `todo.remove_completed_items`), by voice ("add apples
to my shopping list", "check off apples"), and read with the WebSocket command
`todo/item/list` as in HA. The lists are `hub.data[DATA_KEY]`, by entity id."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from hearthmind.core import DataKey, Hub, Origin, SetupOptions, register_section

from .lists import TodoItem, TodoItemError, TodoList

__all__ = ["DATA_KEY", "TodoItem", "TodoItemError", "TodoList", "async_setup"]

DOMAIN = "todo"
DATA_KEY: DataKey[dict[str, TodoList]] = DataKey(DOMAIN)
SHOPPING_LIST = "todo.shopping_list"
SHOPPING_LIST_FILE = ".shopping_list.json"  # Home Assistant's name for it


class TodoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shopping_list: bool = True
    lists: list[str] = Field(default_factory=list)


register_section(DOMAIN, TodoConfig)


def object_id(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_") or "list"


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    config = hub.config.section(DOMAIN, TodoConfig)
    directory = hub.config.config_dir
    lists: dict[str, TodoList] = {}
    if config.shopping_list:
        lists[SHOPPING_LIST] = TodoList(
            hub, SHOPPING_LIST, "Shopping List", directory / SHOPPING_LIST_FILE
        )
    for name in config.lists:
        entity_id = f"todo.{object_id(name)}"
        lists[entity_id] = TodoList(
            hub, entity_id, name, directory / ".todo" / f"{object_id(name)}.json"
        )
    context = hub.context(Origin.SENSOR)  # the list as it was left: nobody changed it now
    for todo in lists.values():
        todo.load()
        hub.entities.async_add(todo.entity_id, DOMAIN, todo.handle)
        todo.publish(context)
    hub.data[DATA_KEY] = lists
