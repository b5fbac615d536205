"""To-do list intents (Home Assistant's): add an item to the shopping list or a named list,
check one off. The list is a `todo.*` entity; the items go through HA's `todo` services, so
whatever keeps the list (the hub's own lists, a list behind MQTT) does the keeping."""

from __future__ import annotations

from hearthmind.core import HearthmindError

from .. import answers
from ..acting import Acting
from ..home import NamedEntity
from ..targets import find_targets
from ..turns import NotUnderstood, Turn, VoiceAnswer

SHOPPING_LIST = "todo.shopping_list"


def _item(turn: Turn) -> str:
    item = " ".join(str(turn.slot("item") or "").split()).strip(" .,!?")
    if not item:
        raise NotUnderstood("What should I put on the list?", "no_item")
    return item


def _shopping_list(turn: Turn) -> list[NamedEntity]:
    lists = [e for e in turn.home.entities if e.domain == "todo"]
    chosen = [e for e in lists if e.entity_id == SHOPPING_LIST] or [
        e for e in lists if "shopping" in e.name.casefold()
    ]
    if not chosen:
        raise NotUnderstood("There's no shopping list in this home.", "no_target")
    return chosen[:1]


def _named_list(turn: Turn) -> list[NamedEntity]:
    if turn.slot("name") is None:
        return _shopping_list(turn)
    found = [e for e in find_targets(turn, {"todo"}) if e.domain == "todo"]
    if not found:
        raise NotUnderstood(f"I don't know a list called {turn.slot('name')}.", "no_target")
    return found[:1]


async def _add(act: Acting, turn: Turn, lists: list[NamedEntity]) -> VoiceAnswer:
    item = _item(turn)
    actions = await act.call(turn, lists, lambda _: "add_item", {"item": item})
    where = answers.things([e.name for e in lists], "list")
    return act.done(turn, f"Added {item} to {where}.", actions)


async def _complete(act: Acting, turn: Turn, lists: list[NamedEntity]) -> VoiceAnswer:
    item = _item(turn)
    try:
        actions = await act.call(
            turn, lists, lambda _: "update_item", {"item": item, "status": "completed"}
        )
    except HearthmindError as err:  # not on the list: say so, as a person would
        raise NotUnderstood(f"{item} isn't on the {lists[0].name}.", "no_item") from err
    return act.done(turn, f"Checked off {item}.", actions)


async def shopping_add(act: Acting, turn: Turn) -> VoiceAnswer:
    return await _add(act, turn, _shopping_list(turn))


async def list_add(act: Acting, turn: Turn) -> VoiceAnswer:
    return await _add(act, turn, _named_list(turn))


async def shopping_complete(act: Acting, turn: Turn) -> VoiceAnswer:
    return await _complete(act, turn, _shopping_list(turn))


async def list_complete(act: Acting, turn: Turn) -> VoiceAnswer:
    return await _complete(act, turn, _named_list(turn))
