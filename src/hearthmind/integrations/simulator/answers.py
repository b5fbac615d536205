"""Residents answering the hub's suggestions ("shall I switch on the kitchen light?"), by their
own plans with noise, and the ground truth of each answer.

A suggestion goes to the person it names, or, when it names nobody, to the resident at home
and awake who was about to do it (else any resident at home and awake, drawn from the home's
generator). They say yes when it is what they were about to do (`Resident.wants_soon`,
which counts a light they left on for the hub to switch off: reliance.py), or when it is to
switch off a light or TV left on in a room nobody is in and nobody's plan brings them into
within their `agent: horizon_minutes` (anyone wants that), and otherwise no, not now or
never, as their `agent:` attitude (spec.py) says; some questions go
unanswered, some answers go against their plans (noise). Chances come from each resident's
own answering generator, so plans are the same with or without a hub asking.

Ground truth: `<db path>.answers.jsonl` beside the intentions log, one JSON object per
suggestion a resident saw, in time order:
    {"time": "...", "epoch": 1767595933.402, "user_id": "mina", "suggestion_id": "...",
     "routine_id": "...", "entity_id": "light.kitchen", "target": "on", "answer": "yes",
     "wanted": true, "reason": "about to do it", "time_zone": "Europe/Amsterdam"}
`answer` is yes, no, not_now, never or ignored (nothing was sent); `reason` says why: about
to do it, left on in an empty room, not wanted, already so, dislikes automation, noise,
ignored, too late (the answer came after the suggestion expired, and was not sent). A yes to
switching off a light or TV in an empty room teaches reliance as the hub doing it unasked."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hearthmind.core.domains import SERVICE_STATE

from .devices import SimEntity


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What the hub asks, as residents read it (from an `agent_suggestion` event)."""

    suggestion_id: str
    routine_id: str
    person: str | None
    entity_id: str
    service: str  # "light.turn_on" or "turn_on"
    service_data: Mapping[str, Any]
    expires: float


@dataclass(frozen=True, slots=True)
class Answer:
    """A resident's answer (`answer` "ignored": none is sent) and why, `delay` s from now."""

    user_id: str
    answer: str
    wanted: bool
    reason: str
    delay: float


def suggested_target(entity: SimEntity, service: str, data: Mapping[str, Any]) -> str | None:
    """The state a suggestion would bring `entity` to, as a want's target ("on", "20.5");
    None for a service residents cannot read (toggle, an unknown one)."""
    name = service.rsplit(".", 1)[-1]
    if entity.kind == "thermostat":
        temperature = data.get("temperature")
        if name != "set_temperature" or not isinstance(temperature, int | float):
            return None
        return f"{float(temperature):.1f}"
    if entity.kind == "cover":
        name = {"turn_on": "open_cover", "turn_off": "close_cover"}.get(name, name)
    return SERVICE_STATE.get(name)  # the state a resident would want (`Want.target`)


def decide_answer(
    *,
    user_id: str,
    wanted: bool,
    already: bool,
    attitude: Any,  # AgentAttitudeSpec
    rng: random.Random,
) -> Answer:
    """A resident's answer given whether they were about to do it (`wanted`) or it is
    already so (`already`), with their attitude's noise; always draws the same number of
    random values, so one answer never shifts the next resident's."""
    ignore, noise, decline, form = rng.random(), rng.random(), rng.random(), rng.random()
    delay = max(3.0, rng.expovariate(1.0 / attitude.answer_delay_seconds))

    def declined(reason: str) -> Answer:
        if form < attitude.never:
            word = "never"
        elif form < attitude.never + attitude.not_now:
            word = "not_now"
        else:
            word = "no"
        return Answer(user_id, word, wanted, reason, delay)

    if ignore < attitude.ignore:
        return Answer(user_id, "ignored", wanted, "ignored", delay)
    if already:
        return declined("already so")
    if wanted:
        if noise < attitude.noise:
            return declined("noise")
        if decline < attitude.decline_wanted:
            return declined("dislikes automation")
        return Answer(user_id, "yes", wanted, "about to do it", delay)
    if noise < attitude.noise:
        return Answer(user_id, "yes", wanted, "noise", delay)
    return declined("not wanted")


class AnswerLog:
    """Appends answers as JSON Lines beside the intentions log. A home gets a few questions a
    day, so each line is written through at once: nothing to close, nothing lost."""

    def __init__(self, path: Path | None, time_zone: str | None = None) -> None:
        self.path = path
        self.time_zone = time_zone
        self.count = 0

    def write(
        self, time: float, suggestion: Suggestion, target: str | None, answer: Answer
    ) -> None:
        self.count += 1
        if self.path is None:
            return
        record: dict[str, Any] = {
            "time": datetime.fromtimestamp(time, UTC).isoformat(),
            "epoch": round(time, 3),
            "user_id": answer.user_id,
            "suggestion_id": suggestion.suggestion_id,
            "routine_id": suggestion.routine_id,
            "entity_id": suggestion.entity_id,
            "target": target,
            "answer": answer.answer,
            "wanted": answer.wanted,
            "reason": answer.reason,
        }
        if self.time_zone is not None:
            record["time_zone"] = self.time_zone
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, separators=(",", ":")) + "\n")


def answers_path_for(intentions_path: Path) -> Path:
    """`<db>.intentions.jsonl` -> `<db>.answers.jsonl` (any other name: `<name>.answers.jsonl`)."""
    name = intentions_path.name
    stem = name[: -len(".intentions.jsonl")] if name.endswith(".intentions.jsonl") else name
    return intentions_path.with_name(stem + ".answers.jsonl")


Reply = Callable[[str, str, str], None]  # (suggestion_id, answer, user_id): send it to the hub
