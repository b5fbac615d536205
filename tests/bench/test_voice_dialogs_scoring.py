"""The dialog benchmark's comparison by effect (bench/voice_dialogs.py `_in_effect`): a plain
call that finds its device already in the state it asks for changes nothing, so it is neither
missing nor wrong; every call that changes something must be expected, and every expected
change made. Cases worked out by hand."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from voice_dialogs import _in_effect

OPEN_L = ("cover.open_cover", "cover.curtain_left")
OPEN_R = ("cover.open_cover", "cover.curtain_right")
START = {"cover.curtain_left": "open", "cover.curtain_right": "closed"}
END = {"cover.curtain_left": "open", "cover.curtain_right": "open"}
NOOP_L = [{"service": OPEN_L[0], "entity_id": OPEN_L[1]}]


def right(
    made: list[tuple[str, str]],
    want: list[tuple[str, str]],
    noops: list[dict[str, str]] | None = None,
) -> bool:
    a, b = _in_effect(sorted(made), sorted(want), NOOP_L if noops is None else noops, START, END)
    return a == b


def test_opening_an_open_curtain_is_neither_wrong_nor_missing() -> None:
    assert right([OPEN_L, OPEN_R], [OPEN_R])  # every curtain opened, the closed one expected
    assert right([OPEN_R], [OPEN_L, OPEN_R])  # only the closed one opened, both expected
    assert right([OPEN_L, OPEN_R], [OPEN_L, OPEN_R])


def test_a_change_not_made_or_not_expected_is_still_wrong() -> None:
    assert not right([OPEN_L], [OPEN_R])  # the closed curtain stayed closed
    assert not right([OPEN_L, OPEN_R], [], noops=NOOP_L)  # the right one was opened unasked
    close_l = ("cover.close_cover", "cover.curtain_left")
    assert not right([close_l, OPEN_R], [OPEN_R], noops=[])  # closing the open one changes it


def test_a_no_op_expected_twice_is_kept_when_made_twice() -> None:
    noops = NOOP_L * 2
    assert right([OPEN_L, OPEN_L, OPEN_R], [OPEN_L, OPEN_L, OPEN_R], noops)


def test_an_expected_no_op_whose_device_moved_must_be_made() -> None:
    # the left curtain was open at the start but closed by the end: its "open" was no no-op
    moved = {**END, "cover.curtain_left": "closed"}
    a, b = _in_effect([OPEN_R], sorted([OPEN_L, OPEN_R]), [], START, moved)
    assert a != b
