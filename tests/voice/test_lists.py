"""Lists by voice (HA's shopping list intents) on the hub's own to-do lists, and device names
said in the plural."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hearthmind.core import Hub, Origin, SetupOptions, load_config
from hearthmind.integrations import todo
from hearthmind.voice.fixtures import populate_hub
from hearthmind.voice.intents import GrammarIntentRecognizer
from hearthmind.voice.pipeline import VoicePipeline

from .conftest import HOME


@pytest.fixture
async def list_pipeline(
    tmp_path: Path, recognizer: GrammarIntentRecognizer
) -> AsyncIterator[VoicePipeline]:
    (tmp_path / "configuration.yaml").write_text("todo:\n  lists: [Chores]\n", encoding="utf-8")
    hub = Hub(load_config(tmp_path))
    populate_hub(hub, HOME)
    await todo.async_setup(hub, SetupOptions())
    p = VoicePipeline(hub, recognizer, correct_transcripts=False)
    yield p
    p.close()


def saved(hub: Hub) -> list[tuple[str, bool]]:
    path = hub.config.config_dir / ".shopping_list.json"
    return [(i["name"], i["complete"]) for i in json.loads(path.read_text())]


async def test_add_and_check_off_by_voice(list_pipeline: VoicePipeline) -> None:
    hub = list_pipeline.hub
    result = await list_pipeline.handle_text("add apples to my shopping list", user_id="mina")
    assert result.speech.startswith("Added apples")
    state = hub.states.require("todo.shopping_list")
    assert state.state == "1" and state.context.origin == Origin.VOICE
    await list_pipeline.handle_text("put bread on the list")
    assert saved(hub) == [("apples", False), ("bread", False)]

    result = await list_pipeline.handle_text("check off apples from my shopping list")
    assert result.speech.startswith("Checked off apples")
    assert saved(hub) == [("apples", True), ("bread", False)]


async def test_named_list_and_an_item_not_on_it(list_pipeline: VoicePipeline) -> None:
    hub = list_pipeline.hub
    await list_pipeline.handle_text("add take out the trash to my chores list")
    assert [i.summary for i in hub.data[todo.DATA_KEY]["todo.chores"].items] == [
        "take out the trash"
    ]
    result = await list_pipeline.handle_text("check off pears from my shopping list")
    assert not result.answer.handled
    assert result.speech == "pears isn't on the Shopping List."
    assert hub.states.require("todo.shopping_list").state == "0"


async def test_a_device_name_said_in_the_plural(list_pipeline: VoicePipeline) -> None:
    hub = list_pipeline.hub
    await list_pipeline.handle_text("turn on the living room lamps")
    assert hub.states.require("light.living_room_lamp").state == "on"
    # an area's lights keep their meaning: every light of the kitchen, not a name
    match = list_pipeline.recognizer.recognize("turn off the kitchen lights", list_pipeline.home())
    assert match is not None and match.slots.get("area") == "Kitchen" and "name" not in match.slots


def test_free_text_is_sampled_only_from_given_values(recognizer: GrammarIntentRecognizer) -> None:
    from hearthmind.voice.fixtures import home_from_fixtures
    from hearthmind.voice.phrases import GrammarSampler

    home = home_from_fixtures({"entities": [{"name": "Shopping List", "id": "todo.shopping_list"}]})
    lists = recognizer.slot_lists(home)
    plain = GrammarSampler(recognizer.intents, lists, seed=1).sample_by_intent(2)
    assert plain["HassShoppingListAddItem"] == []  # no values for {shopping_list_item}
    given = GrammarSampler(
        recognizer.intents, lists, seed=1, wildcards={"shopping_list_item": ["pears"]}
    ).sample_by_intent(2)["HassShoppingListAddItem"]
    assert given and all("pears" in sentence for sentence in given)
    for sentence in given:
        match = recognizer.recognize(sentence, home)
        # HA's grammar reads "my shopping list" as the named list too: both add to it
        assert match is not None, sentence
        assert match.intent in {"HassShoppingListAddItem", "HassListAddItem"}, sentence
        assert match.slots["item"] == "pears"
