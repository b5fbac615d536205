"""SmartThings sequences (SmartSense format): `train/valid/test.jsonl[.xz]`, one instance per
line, 10 actions `[day_of_week, hour_slot, device, control, device_control]`, and
`dictionary.json` naming days, 3-hour slots, devices and controls.

The data gives only weekday and 3-hour slot, so each action gets a synthetic time in a
reference week (the middle of its slot), moving forward a week whenever the sequence wraps;
models then see exactly the weekday and slot the data holds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..observations import ImportReport, Kind, Observation, slug
from .common import LogFormatError, find_file, read_lines

REFERENCE_MONDAY = 1704067200.0  # 2024-01-01 00:00 UTC, a Monday
SLOT_HOURS = 3
_WEEK = 7 * 86400.0


@dataclass
class SmartThingsSplit:
    name: str
    episodes: list[list[Observation]]
    report: ImportReport


def slot_time(day: int, slot: int, week: int) -> float:
    return REFERENCE_MONDAY + week * _WEEK + day * 86400.0 + (slot * SLOT_HOURS + 1.5) * 3600.0


def load_dictionary(folder: Path) -> dict[str, dict[str, int]]:
    path = folder / "dictionary.json"
    if not path.is_file():
        raise LogFormatError(f"{folder}: no dictionary.json")
    data = json.loads(path.read_text())
    if "device_control_dict" not in data:
        raise LogFormatError(f"{path}: no device_control_dict")
    return {k: dict(v) for k, v in data.items()}


def action_names(dictionary: dict[str, dict[str, int]]) -> dict[int, str]:
    """Global action id -> item, e.g. 'light.smartthings:switch_on'."""
    names = {}
    for text, number in dictionary["device_control_dict"].items():
        device, _, command = text.partition(":")
        names[number] = f"{slug(device)}.smartthings:{slug(command) or 'control'}"
    return names


def load_smartthings_split(folder: Path, split: str) -> SmartThingsSplit:
    names = action_names(load_dictionary(folder))
    path = find_file(folder, f"{split}.jsonl")
    if path is None:
        raise LogFormatError(f"{folder}: no {split}.jsonl[.xz]")
    report = ImportReport(str(path))
    episodes = []
    for number, line in read_lines(path):
        if not line.strip():
            continue
        report.lines += 1
        try:
            actions = json.loads(line)
            episode = _episode(actions, names)
        except (ValueError, TypeError, KeyError, IndexError) as err:
            report.skip("malformed line", f"{path.name}:{number}: {err}")
            continue
        episodes.append(episode)
    if not episodes:
        raise LogFormatError(f"{path}: no readable instances ({report.summary()})")
    return SmartThingsSplit(split, episodes, report)


def _episode(actions: list[list[int]], names: dict[int, str]) -> list[Observation]:
    if not isinstance(actions, list) or len(actions) < 2:
        raise ValueError("an instance must be a list of at least 2 actions")
    episode: list[Observation] = []
    week = 0
    previous = -1.0
    for action in actions:
        day, slot, _device, _control, action_id = (int(x) for x in action)
        if not (0 <= day < 7 and 0 <= slot < 24 // SLOT_HOURS):
            raise ValueError(f"day {day} or hour slot {slot} out of range")
        if action_id not in names:
            raise KeyError(f"unknown action id {action_id}")
        when = slot_time(day, slot, week)
        if when < previous:  # the sequence wrapped past Sunday
            week += 1
            when = slot_time(day, slot, week)
        previous = when
        episode.append(Observation(when, names[action_id], Kind.ACTION, origin="voice"))
    return episode


def is_smartthings_folder(folder: Path) -> bool:
    return (folder / "dictionary.json").is_file() and find_file(folder, "test.jsonl") is not None
