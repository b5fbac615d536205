"""A local to-do list (the shopping list): its items, the `todo.*` services it answers, and
the file it lives in.

The shopping list keeps Home Assistant's own file and format (`.shopping_list.json` in the
configuration directory: `[{"name", "id", "complete"}]`), so a list moved from HA comes along;
other lists keep the same format under `.todo/`. The entity's state is the number of items
still to do, as HA's todo entities have it. A file that cannot be read is kept beside (renamed
`.corrupt`), counted, and the list starts empty rather than stopping the hub."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hearthmind.core import Context, HearthmindError, Hub

_LOGGER = logging.getLogger(__name__)

# Home Assistant's TodoListEntityFeature: create, delete, update items
SUPPORTED_FEATURES = 1 | 2 | 4


class TodoItemError(HearthmindError):
    counter = "todo_item_unknown"


@dataclass(slots=True)
class TodoItem:
    uid: str
    summary: str
    completed: bool = False

    def as_dict(self) -> dict[str, Any]:
        """HA's `todo/item/list` shape."""
        return {
            "uid": self.uid,
            "summary": self.summary,
            "status": "completed" if self.completed else "needs_action",
        }


class TodoList:
    """One list, its file, and the device handler its entity is registered with."""

    def __init__(self, hub: Hub, entity_id: str, name: str, path: Path) -> None:
        self.hub = hub
        self.entity_id = entity_id
        self.name = name
        self.path = path
        self.items: list[TodoItem] = []
        self._lock = asyncio.Lock()

    # -- the file ---------------------------------------------------------------------------

    def load(self) -> None:
        if not self.path.exists():
            return
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(raw, list):
                raise ValueError("the file holds no list of items")
            self.items = [
                TodoItem(str(i.get("id") or uuid.uuid4().hex), str(i["name"]), bool(i["complete"]))
                for i in raw
            ]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
            kept = self.path.with_suffix(self.path.suffix + ".corrupt")
            os.replace(self.path, kept)
            message = f"{self.path.name} could not be read ({err}); kept as {kept.name}, list starts empty"
            _LOGGER.error("%s", message)
            self.hub.health.problem("todo_file_unreadable", message, self.hub.clock.timestamp())
            self.items = []

    def _write(self, payload: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(payload, encoding="utf-8")
        os.replace(tmp, self.path)  # a crash mid-write leaves the old list, never half a list

    async def _save(self) -> None:
        payload = json.dumps(
            [{"name": i.summary, "id": i.uid, "complete": i.completed} for i in self.items],
            indent=2,
        )
        await asyncio.to_thread(self._write, payload)

    # -- the entity -------------------------------------------------------------------------

    def publish(self, context: Context) -> None:
        to_do = sum(not i.completed for i in self.items)
        attributes = {"friendly_name": self.name, "supported_features": SUPPORTED_FEATURES}
        self.hub.states.async_set(self.entity_id, str(to_do), attributes, context)

    def find(self, item: str) -> TodoItem:
        """An item by its uid, or by its name (case and spacing aside)."""
        key = " ".join(item.casefold().split())
        for candidate in self.items:
            if candidate.uid == item or " ".join(candidate.summary.casefold().split()) == key:
                return candidate
        raise TodoItemError(f"{item!r} is not on the {self.name}")

    async def handle(
        self, service: str, entity_id: str, data: Mapping[str, Any], context: Context
    ) -> None:
        async with self._lock:
            if service == "add_item":
                self.items.append(TodoItem(uuid.uuid4().hex, str(data["item"]).strip()))
            elif service == "update_item":
                found = self.find(str(data["item"]))
                if data.get("rename"):
                    found.summary = str(data["rename"]).strip()
                if data.get("status"):
                    found.completed = data["status"] == "completed"
            elif service == "remove_item":
                names = data["item"] if isinstance(data["item"], list) else [data["item"]]
                gone = {id(self.find(str(n))) for n in names}  # all known, or nothing removed
                self.items = [i for i in self.items if id(i) not in gone]
            elif service == "remove_completed_items":
                self.items = [i for i in self.items if not i.completed]
            else:
                raise TodoItemError(f"{entity_id} is a to-do list: it cannot {service}")
            await self._save()
            self.publish(context)
