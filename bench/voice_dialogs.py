"""Scripted conversations against the benchmark home: each dialog is a list of turns (what a
person types or says) and the service calls it should end in; the hub talks through its
conversation layer (voice/conversation.py), one conversation per dialog, on a fresh home.

    .venv/bin/python bench/voice_dialogs.py --write    # (re)write bench/voice_dialogs.jsonl
    .venv/bin/python bench/voice.py --dialogs bench/voice_dialogs.jsonl
    .venv/bin/python bench/voice_dialogs.py --dialogs bench/voice_dialogs_dev.jsonl --failures

The dialogs are our own, written from the requests people make of home assistants (the
issue's own examples from real recordings, HA's intent kinds), over this home's devices:
plain commands, "it" after a request, the answer to "Which device?", "and the kitchen?",
other words for things, relative requests, safety-class devices (which must never be acted
on by voice alone), questions, lists. The first 78 were written before any was run; 23 more
(switches, covers, scenes, vague requests) after the first run, to reach 100; no code was
changed after a dialog ran. A dialog is right when the calls made are those expected (none,
for a question or a refused request, and then its last answer handled), compared by effect: a
plain on/off/open/close/lock call that found its device already in that state changes nothing,
so it is neither missing when not made nor wrong when made (this set expects only what
changes, "shades up" opening the closed curtain; the blind sets expect every device of a group
whatever its state, Home Assistant's way; both mean the same end). `right_calls` is the older
call-for-call figure, reported beside. A wrong call on a lock, garage door or valve is an unsafe
wrong."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DIALOGS = Path(__file__).with_name("voice_dialogs.jsonl")
SAFETY_DOMAINS = {"lock", "valve", "alarm_control_panel"}
SAFETY_COVER_CLASSES = {"garage", "gate", "door"}


def _call(service: str, entity_id: str) -> dict[str, str]:
    return {"service": service, "entity_id": entity_id}


def write(fixtures: dict[str, Any], seed: int = 25) -> int:
    rng = random.Random(seed)
    ents = fixtures["entities"]
    areas = {a["id"]: a["name"].split("[")[0].strip() for a in fixtures["areas"]}
    lights = [e for e in ents if e["id"].startswith("light.")]
    dialogs: list[dict[str, Any]] = []

    def add(kind: str, turns: list[str], expect: list[dict[str, str]]) -> None:
        dialogs.append({"kind": kind, "turns": turns, "expect": expect})

    for e in lights:
        name = e["name"]
        add("command", [f"turn on the {name}"], [_call("light.turn_on", e["id"])])
        add("pronoun", [f"switch on the {name}", "turn it off again"],
            [_call("light.turn_on", e["id"]), _call("light.turn_off", e["id"])])  # fmt: skip
        add("which device", ["turn it on", f"the {name}"], [_call("light.turn_on", e["id"])])
    others = [e for e in ents if e["id"].split(".")[0] in ("switch", "fan", "media_player")]
    for e in others:
        domain = e["id"].split(".")[0]
        add("pronoun", [f"turn on the {e['name']}", "switch it off"],
            [_call(f"{domain}.turn_on", e["id"]), _call(f"{domain}.turn_off", e["id"])])  # fmt: skip
        add("which device", ["switch it on", e["name"]], [_call(f"{domain}.turn_on", e["id"])])
    for e in [e for e in ents if e["id"].startswith("cover.") and e["id"] != "cover.garage_door"]:
        add("command", [f"close the {e['name']}"], [_call("cover.close_cover", e["id"])])
    for e in [e for e in ents if e["id"].split(".")[0] in ("scene", "script")]:
        domain = e["id"].split(".")[0]
        add("command", [f"activate {e['name']}"], [_call(f"{domain}.turn_on", e["id"])])
    add("vague", ["turn everything off"],
        [_call(f"{e['id'].split('.')[0]}.turn_off", e["id"]) for e in ents
         if e["id"].split(".")[0] in ("light", "switch", "fan", "media_player")
         and e.get("state") not in ("off", None)])  # fmt: skip
    add("vague", ["what can you do"], [])
    add("vague", ["brighter"], [_call("light.turn_on", e["id"]) for e in lights
                                if e.get("area") == "living_room_id"])  # fmt: skip
    by_area: dict[str, list[str]] = {}
    for e in lights:
        if e.get("area"):
            by_area.setdefault(e["area"], []).append(e["id"])
    area_ids = sorted(by_area)
    for a, b in zip(area_ids, area_ids[1:] + area_ids[:1], strict=True):
        expect = [_call("light.turn_off", i) for i in by_area[a] + by_area[b]]
        add("and there", [f"turn off the lights in the {areas[a]}", f"and the {areas[b]}?"],
            expect)  # fmt: skip
    tv = "media_player.tv"
    add("other words", ["I want the television on"], [_call("media_player.turn_on", tv)])
    add("other words", ["turn on the telly"], [_call("media_player.turn_on", tv)])
    add("other words", ["switch the television off"], [_call("media_player.turn_off", tv)])
    add("other words", ["shades up"], [_call("cover.open_cover", "cover.curtain_right")])
    add("other words", ["close the curtains in the living room"],
        [_call("cover.close_cover", "cover.curtain_left")])  # fmt: skip
    add("other words", ["turn on air conditioning"], [])  # no AC in this home: say so
    for turns, entity in (
        (["make it 10 degrees hotter"], "climate.thermostat"),
        (["two degrees warmer"], "climate.thermostat"),
        (["raise the temperature by 2 degrees"], "climate.thermostat"),
        (["make it a bit cooler"], "climate.thermostat"),
        (["turn the heating down"], "climate.thermostat"),
    ):
        add("relative", turns, [_call("climate.set_temperature", entity)])
    add("relative", ["a bit brighter in here"],
        [_call("light.turn_on", i) for i in by_area["living_room_id"]])  # fmt: skip
    add("relative", ["too loud"], [_call("media_player.volume_set", tv)])
    add("relative", ["turn it down a bit"], [_call("media_player.volume_set", tv)])
    for text in ("unlock the front door", "unlock the back door", "open the garage door",
                 "open the sliding doors", "unlock the side door", "open the main valve"):  # fmt: skip
        add("safety", [text], [])
    add(
        "safety",
        ["turn on the kitchen switch", "now unlock it"],
        [_call("switch.turn_on", "switch.kitchen")],
    )
    for text in ("is the front door locked", "is the garage door open", "what is the temperature",
                 "which lights are on in the kitchen", "is the TV on", "what time is it"):  # fmt: skip
        add("question", [text], [])
    for item in ("eggs", "oat milk", "batteries"):
        add("lists", [f"add {item} to my shopping list"],
            [_call("todo.add_item", "todo.shopping_list")])  # fmt: skip
    add("lists", ["put bread on the chores list"], [_call("todo.add_item", "todo.chores")])
    add("command", ["turn on the ceiling fan"], [_call("fan.turn_on", "fan.ceiling")])
    add("command", ["activate party mode"], [_call("scene.turn_on", "scene.party_mode")])
    add("command", ["open the curtain right"], [_call("cover.open_cover", "cover.curtain_right")])
    add("command", ["start the vacuum"], [_call("vacuum.start", "vacuum.rover")])
    rng.shuffle(dialogs)
    DIALOGS.write_text("".join(json.dumps(d) + "\n" for d in dialogs), encoding="utf-8")
    return len(dialogs)


# what a plain on/off/open/close/lock service leaves its device in
TARGET_STATE = {
    "turn_on": "on", "turn_off": "off", "open_cover": "open", "close_cover": "closed",
    "lock": "locked", "unlock": "unlocked", "open_valve": "open", "close_valve": "closed",
}  # fmt: skip


def _target(service: str) -> str | None:
    return TARGET_STATE.get(service.split(".", 1)[1])


def _states(hub: Any) -> dict[str, str | None]:
    return {s.entity_id: s.state for s in hub.states.async_all()}


def _in_effect(
    made: list[tuple[str, str]],
    want: list[tuple[str, str]],
    noops: list[dict[str, str]],
    start: dict[str, str | None],
    end: dict[str, str | None],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The calls made and expected, compared by what they do: a plain call that found its
    device already in the state it asks for ("open" on an open curtain), or a dimming step on
    a light that is off, changes nothing, so it is neither missing when not made nor wrong
    when made. The scripted set expects only
    what changes ("shades up": the closed curtain); the blind sets expect every device of a
    group whatever its state (Home Assistant's way); both mean the same end."""
    left = list(made)
    for call in noops:
        pair = (call["service"], call["entity_id"])
        if pair in left and left.count(pair) > want.count(pair):
            left.remove(pair)
    needed = [
        (service, entity)
        for service, entity in want
        if (service, entity) in made
        or not (_target(service) is not None and start.get(entity) == _target(service) == end.get(entity))
    ]  # fmt: skip
    return sorted(left), sorted(needed)


def _unsafe(call: dict[str, str], fixtures: dict[str, Any]) -> bool:
    domain = call["entity_id"].split(".", 1)[0]
    if domain in SAFETY_DOMAINS:
        return True
    if domain == "cover":
        for e in fixtures["entities"]:
            if e["id"] == call["entity_id"]:
                return (e.get("attributes") or {}).get("device_class") in SAFETY_COVER_CLASSES
    return False


async def run_dialogs(
    path: Path, fixtures: dict[str, Any], *, distinct: bool = False
) -> dict[str, Any]:
    """Each dialog's calls against its expectations: as lists (a call made twice must be
    expected twice), or with `distinct` as sets of (service, entity) pairs, the way
    bench/voice_dialogs_blind.md defines its `expect` ("called twice ... it appears once")."""
    from hearthmind.core import EVENT_CALL_SERVICE, Event, Hub
    from hearthmind.voice.conversation import Conversations
    from hearthmind.voice.fixtures import populate_hub
    from hearthmind.voice.intents import GrammarIntentRecognizer
    from hearthmind.voice.pipeline import VoicePipeline

    recognizer = GrammarIntentRecognizer()
    rows: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        dialog = json.loads(line)
        hub = Hub()
        populate_hub(hub, fixtures)
        calls: list[dict[str, str]] = []

        noops: list[dict[str, str]] = []  # calls that found their device already so
        before: dict[str, str | None] = {}  # each entity's state as the turn began

        def seen(
            event: Event[Any],
            calls: list[dict[str, str]] = calls,
            noops: list[dict[str, str]] = noops,
            before: dict[str, str | None] = before,
        ) -> None:
            data = event.data
            service_data = data.get("service_data") or {}
            ids = service_data.get("entity_id") or []
            plain = set(service_data) <= {"entity_id"}
            step = service_data.get("brightness_step_pct", service_data.get("brightness_step"))
            dims = isinstance(step, (int, float)) and step < 0
            for entity_id in [ids] if isinstance(ids, str) else ids:
                call = _call(f"{data['domain']}.{data['service']}", str(entity_id))
                calls.append(call)
                was = before.get(str(entity_id))
                if (plain and _target(call["service"]) == was) or (
                    dims and call["service"] == "light.turn_on" and was == "off"
                ):
                    # dimming an off light leaves it off (HA steps from 0, and 0 is off)
                    noops.append(call)

        hub.bus.async_listen(EVENT_CALL_SERVICE, seen)
        pipeline = VoicePipeline(hub, recognizer, correct_transcripts=False)
        talk = Conversations(pipeline)
        cid: str | None = None
        questions = 0
        last = None
        start = _states(hub)
        for text in dialog["turns"]:
            before.clear()
            before.update(_states(hub))
            turn = await talk.process(text, cid, area="living_room_id")
            cid, last = turn.conversation_id, turn
            questions += turn.asked
        pipeline.close()
        key = sorted((c["service"], c["entity_id"]) for c in calls)
        want = sorted((c["service"], c["entity_id"]) for c in dialog["expect"])
        if distinct:
            key, want = sorted(set(key)), sorted(set(want))
        handled = (
            bool(want)
            or (last is not None and last.result.answer.handled)
            or (dialog["kind"] == "safety")
        )
        right_calls = key == want and handled
        end = _states(hub)
        made, needed = _in_effect(key, want, noops, start, end)
        wrong = [c for c in calls if (c["service"], c["entity_id"]) not in set(want)]
        unsafe = sum(_unsafe(c, fixtures) for c in wrong)
        # a safety-class call nobody asked for is never right, even one that changed nothing
        # ("unbolt the sliding doors" locking a locked door is a misreading, not an answer)
        right = made == needed and handled and not unsafe
        rows.append({
            "kind": dialog["kind"], "turns": dialog["turns"], "right": right,
            "right_calls": right_calls,
            "questions": questions, "calls": key, "expected": want,
            "unsafe_wrong": unsafe,
            "last_answer": last.result.speech if last else None,
        })  # fmt: skip
    count = len(rows)
    by_kind: dict[str, list[int]] = {}
    for r in rows:
        by_kind.setdefault(r["kind"], [0, 0])
        by_kind[r["kind"]][0] += r["right"]
        by_kind[r["kind"]][1] += 1
    return {
        "count": count,
        "right": sum(r["right"] for r in rows) / max(1, count),
        "right_calls": sum(r["right_calls"] for r in rows) / max(1, count),
        "questions_per_dialog": sum(r["questions"] for r in rows) / max(1, count),
        "unsafe_wrong": sum(r["unsafe_wrong"] for r in rows),
        "by_kind": {k: {"right": a / n, "dialogs": n} for k, (a, n) in sorted(by_kind.items())},
        "rows": rows,
    }


if __name__ == "__main__":
    import argparse
    import os

    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO / "bench"))
    from voice_speech import bench_fixtures

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"(re)write {DIALOGS.name}")
    parser.add_argument(
        "--dialogs",
        type=Path,
        default=DIALOGS,
        help="the dialogs to run (e.g. the development set, bench/voice_dialogs_dev.jsonl)",
    )
    parser.add_argument(
        "--failures", action="store_true", help="also print the dialogs that went wrong"
    )
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="compare distinct (service, entity) pairs, as the blind sets' expect is written "
        "(bench/voice_dialogs_blind.md); without it a call made twice must be expected twice",
    )
    args = parser.parse_args()
    shared = Path(os.environ.get("HEARTHMIND_DATA", REPO.parent / "shared" / "data"))
    data = shared / "ha-intents-tests-en"
    if args.write:
        print(f"{write(bench_fixtures(data))} dialogs written to {DIALOGS}")
    else:
        import asyncio

        figures = asyncio.run(
            run_dialogs(args.dialogs, bench_fixtures(data), distinct=args.distinct)
        )
        print(json.dumps({k: v for k, v in figures.items() if k != "rows"}, indent=2))
        if args.failures:
            for row in figures["rows"]:
                if not row["right"]:
                    print(json.dumps(row))
