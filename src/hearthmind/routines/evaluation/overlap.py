"""Which SmartThings test instances the training data already holds.

SmartSense cut each user's log into overlapping 10-action windows and split those at random,
so a test instance is often a training instance shifted by one: the target and the 8 actions
before it occur verbatim, in the same order, inside a train or valid instance. A model that
remembers sequences is then right by recall. `unseen_mask` marks the test instances whose
window of the last `WINDOW` actions, target included, occurs nowhere in what the models learn
from (anywhere inside an instance, not only at its end)."""

from __future__ import annotations

from collections.abc import Sequence

from ..importers.smartthings import REFERENCE_MONDAY, SLOT_HOURS
from ..observations import Episode, Observation

WINDOW = 9
"""The protocol's context is 9 actions and its target the 10th; the window compared is the
last 9 actions with the target among them (the target and the 8 before it)."""

ActionKey = tuple[int, int, str]


def action_key(observation: Observation) -> ActionKey:
    """An action as the models read it: weekday, 3-hour slot, action (the importer keeps
    nothing else of the file's five fields)."""
    seconds = observation.time - REFERENCE_MONDAY
    day = int(seconds // 86400) % 7
    slot = int((seconds % 86400) // (SLOT_HOURS * 3600))
    return day, slot, observation.item


def windows(episodes: Sequence[Episode], length: int = WINDOW) -> set[tuple[ActionKey, ...]]:
    """Every run of `length` consecutive actions inside any of the episodes."""
    seen: set[tuple[ActionKey, ...]] = set()
    for episode in episodes:
        keys = [action_key(o) for o in episode]
        for start in range(len(keys) - length + 1):
            seen.add(tuple(keys[start : start + length]))
    return seen


def unseen_mask(
    learned: Sequence[Episode], scored: Sequence[Episode], length: int = WINDOW
) -> list[bool]:
    """For each scored episode: True when its last `length` actions (target included) occur
    in none of the `learned` episodes. An episode shorter than `length` is unseen when it
    occurs nowhere as a whole."""
    seen = windows(learned, length)
    mask = []
    for episode in scored:
        tail = tuple(action_key(o) for o in episode[-length:])
        if len(tail) < length:
            mask.append(not any(_contains(e, tail) for e in learned))
        else:
            mask.append(tail not in seen)
    return mask


def _contains(episode: Episode, run: tuple[ActionKey, ...]) -> bool:
    keys = [action_key(o) for o in episode]
    return any(tuple(keys[i : i + len(run)]) == run for i in range(len(keys) - len(run) + 1))
