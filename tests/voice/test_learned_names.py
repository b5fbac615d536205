"""Words learned from what people call things (issue 25, item 3): a name the home does not know
is asked about, the answer's device acts, and the name is the device's from then on (grammar
and reader alike), kept in the configuration directory across restarts; a pronoun or a bare
kind is never learned; a file that cannot be read is counted and the hub starts without."""

from __future__ import annotations

import json
from pathlib import Path

from hearthmind.core import Hub
from hearthmind.voice.intents import GrammarIntentRecognizer
from hearthmind.voice.learned import STORE, learned_names

from .conversing import HOME, Talk, make_talk


async def test_a_name_asked_about_is_learned_from_the_answer(talk: Talk) -> None:
    asked = await talk.say("turn on the big light")
    assert asked.asked and talk.made() == []
    assert asked.result.speech.endswith("Which device do you mean?")
    done = await talk.say("the reading light")
    assert talk.made() == [("light.turn_on", "light.reading")]
    assert "'big light'" in done.result.speech
    await talk.say("turn off the big light")  # the grammar knows it now
    assert talk.made() == [("light.turn_off", "light.reading")]


async def test_nothing_is_learned_from_it_or_a_bare_kind(talk: Talk) -> None:
    await talk.say("turn on the gizmo")
    done = await talk.say("never mind")
    assert talk.made() == [] and "gizmo" not in learned_names(talk.hub).names_for("light.reading")
    await talk.say("turn it on")
    done = await talk.say("the reading light")
    assert talk.made() == [("light.turn_on", "light.reading")]
    assert "from now on" not in done.result.speech
    assert learned_names(talk.hub).names_for("light.reading") == ()


def _configured_hub(config_dir: Path) -> Hub:
    (config_dir / "configuration.yaml").write_text("homeassistant:\n  name: Test\n")
    return Hub.from_config_dir(config_dir)


async def test_learned_names_are_kept_across_a_restart(
    recognizer: GrammarIntentRecognizer, tmp_path: Path
) -> None:
    first = make_talk(recognizer, HOME, hub=_configured_hub(tmp_path))
    await first.say("switch on the comfy lamp")
    await first.say("the sofa lamp")
    first.talk.pipeline.close()
    saved = json.loads((tmp_path / STORE).read_text())
    assert [(n["said"], n["entity_id"]) for n in saved["names"]] == [
        ("comfy lamp", "light.sofa_lamp")
    ]
    second = make_talk(recognizer, HOME, hub=_configured_hub(tmp_path))
    await second.say("turn off the comfy lamp")
    second.talk.pipeline.close()
    assert second.made() == [("light.turn_off", "light.sofa_lamp")]


async def test_an_unreadable_file_is_counted_and_the_hub_starts_without(
    recognizer: GrammarIntentRecognizer, tmp_path: Path
) -> None:
    (tmp_path / STORE).parent.mkdir(parents=True)
    (tmp_path / STORE).write_text("{not json")
    talk = make_talk(recognizer, HOME, hub=_configured_hub(tmp_path))
    done = await talk.say("turn on the sofa lamp")
    talk.talk.pipeline.close()
    assert talk.made() == [("light.turn_on", "light.sofa_lamp")], done.result.speech
    assert talk.hub.health.counts["voice_names_unreadable"] == 1
