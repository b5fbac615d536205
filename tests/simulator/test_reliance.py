"""Residents who come to rely on the hub switching off behind them (reliance.py): reliance
grows when the hub switches off what they left on, falls when what they left to it is still
on; what they leave to the hub ends as exactly one want (taken over, or done by hand).

Most tests script a resident's steps in the night of the first day, before the first plans
are made (03:30): both residents of the couple are in bed, so nothing else happens."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from hearthmind.core import Origin, SetupOptions
from hearthmind.integrations.simulator import HomeSpec, Step, Want, create_home, load_home
from hearthmind.integrations.simulator.answers import answers_path_for
from hearthmind.integrations.simulator.reliance import RelianceKeeper
from hearthmind.integrations.simulator.residents import Resident

from .helpers import SimRun
from .test_reacting import Answers, _suggest, _with

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from agent_metrics import is_need

KITCHEN = "light.kitchen"


def _records(log: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []


async def _night(tmp_path: Path, **attitude: Any) -> tuple[SimRun, Path]:
    log = tmp_path / "x.db.intentions.jsonl"
    run = SimRun(_with("couple", **attitude), log=log)
    await run.start_home()
    await run.run_until(0, 1)  # 01:00: both asleep, no plans yet
    return run, log


def _script(run: SimRun, who: int, steps: list[tuple[float, Step]]) -> Resident:
    """Queue steps for resident `who`, each `(seconds from now, step)`."""
    now = run.clock.timestamp()
    days_run = run.home.days.runs[who]
    timed = [Step(now + dt, s.activity, s.move, s.want) for dt, s in steps]
    run.home.days._enqueue(days_run, timed)
    return days_run.resident


def _snack(leave_to: str = "bedroom", switch_off: bool = True) -> list[tuple[float, Step]]:
    """Into the kitchen, its light on, out again (switching off on the way out)."""
    steps = [
        (60.0, Step(0, "snack", move="kitchen")),
        (70.0, Step(0, "snack", want=Want(KITCHEN, "on"))),
    ]
    if switch_off:
        steps.append((300.0, Step(0, "snack", want=Want(KITCHEN, "off", "alone"))))
    steps.append((310.0, Step(0, "snack", move=leave_to)))
    return steps


async def _later(run: SimRun, seconds: float) -> None:
    await run.clock.async_run_until(run.local(run.clock.timestamp() + seconds))


async def _hub_off(run: SimRun, entity_id: str = KITCHEN) -> None:
    await run.hub.services.async_call(
        entity_id.split(".")[0],
        "turn_off",
        {},
        context=run.hub.context(Origin.AGENT),
        target={"entity_id": entity_id},
    )


async def test_reliance_grows_when_the_hub_switches_off_a_light_they_left_on(
    tmp_path: Path,
) -> None:
    run, _log = await _night(tmp_path)
    ana = _script(run, 0, _snack(switch_off=False))  # she forgets it
    await _later(run, 320)
    assert run.home.entity(KITCHEN).state == "on" and ana.location == "bedroom"
    await _later(run, 150)  # the kitchen's motion sensor went off
    await _hub_off(run)
    assert ana.reliance.of(KITCHEN) == pytest.approx(0.25)
    ben = run.home.residents[1]
    assert ben.reliance.of(KITCHEN) == 0.0  # he was not the one who left it on
    assert run.home.stats.reactions == 0


async def test_a_relied_light_still_on_is_switched_off_by_hand_and_reliance_falls(
    tmp_path: Path,
) -> None:
    run, log = await _night(tmp_path, reliance_max=1.0)
    ana = run.home.residents[0]
    ana.reliance.level[KITCHEN] = 1.0
    _script(run, 0, _snack())
    await _later(run, 320)
    assert run.home.entity(KITCHEN).state == "on"  # left on for the hub
    assert KITCHEN in ana.reliance.pending
    await _later(run, 16 * 60)  # no hub: she notices it still on
    run.home.close()
    assert run.home.entity(KITCHEN).state == "off"
    assert run.home.entity(KITCHEN).last_context.origin is Origin.PHYSICAL  # type: ignore[union-attr]
    assert ana.reliance.of(KITCHEN) == pytest.approx(0.5)
    offs = [r for r in _records(log) if r["action"] == f"{KITCHEN}:off"]
    assert [(r["executed"], r["already_satisfied"], r.get("left_to_hub")) for r in offs] == [
        (False, False, True),
        (True, False, None),
    ]
    assert offs[1]["activity"] == "snack" and offs[1]["reaction_to"] is None
    assert 5 * 60 <= offs[1]["epoch"] - offs[0]["epoch"] <= 15 * 60
    assert [is_need(r) for r in offs] == [False, True]  # one want, done by hand


async def test_a_relied_light_the_hub_switched_off_is_a_takeover(tmp_path: Path) -> None:
    run, log = await _night(tmp_path, reliance_max=0.8)
    ana = run.home.residents[0]
    ana.reliance.level[KITCHEN] = 0.8
    hits = 0
    for _ in range(6):  # leaves it to the hub with chance 0.8: some rounds she does not
        _script(run, 0, _snack())
        await _later(run, 320)
        if KITCHEN in ana.reliance.pending:
            hits += 1
            await _later(run, 150)  # the motion sensor is off: the hub switches it off
            assert run.home.entity(KITCHEN).state == "on"
            await _hub_off(run)
        await _later(run, 16 * 60)
    run.home.close()
    assert hits >= 2 and not ana.reliance.pending
    assert ana.reliance.of(KITCHEN) == pytest.approx(0.8)  # at its most
    assert run.home.stats.reactions == 0
    offs = [r for r in _records(log) if r["action"] == f"{KITCHEN}:off"]
    left = [r for r in offs if r.get("left_to_hub")]
    taken = [r for r in offs if r["satisfied_by"] == "agent"]
    assert len(left) == len(taken) == hits == run.home.stats.left_to_hub
    assert all(not r["executed"] and r["already_satisfied"] for r in taken)
    assert all(r["activity"] == "snack" and r["reaction_to"] is None for r in taken)
    # six switch-offs, six wants: those she did and those the hub took over
    assert sum(is_need(r) for r in offs) == 6


async def test_a_pending_relied_switch_off_is_what_they_were_about_to_do(
    tmp_path: Path,
) -> None:
    run, log = await _night(tmp_path, reliance_max=1.0, ignore=0.0, noise=0.0)
    ana = run.home.residents[0]
    ana.reliance.level[KITCHEN] = 1.0
    hub_side = Answers(run)
    _script(run, 0, _snack(leave_to="living_room"))  # awake, in the living room
    await _later(run, 320)
    queue = run.home.days.runs[0].queue
    now = run.clock.timestamp()
    assert ana.wants_soon(now, KITCHEN, queue, run.home, "off") == Want(KITCHEN, "off", "alone")
    assert ana.wants_soon(now, KITCHEN, queue, run.home, "on") is None
    _suggest(run, "s1", KITCHEN, "light.turn_off", None)
    await _later(run, 600)
    run.home.close()
    assert [(c["suggestion_id"], c["answer"]) for c, _ in hub_side.calls] == [("s1", "yes")]
    truth = [json.loads(x) for x in answers_path_for(log).read_text().splitlines()]
    assert [(t["user_id"], t["wanted"], t["reason"]) for t in truth] == [
        ("ana", True, "about to do it")
    ]


async def test_the_hub_switching_off_a_pending_one_is_not_undone(tmp_path: Path) -> None:
    # Tom-like: undoes even what he wanted, but only in sight; she is not in the kitchen
    run, _log = await _night(tmp_path, reliance_max=1.0, revert_wanted=1.0)
    run.home.residents[0].reliance.level[KITCHEN] = 1.0
    _script(run, 0, _snack(leave_to="living_room"))
    await _later(run, 470)
    await _hub_off(run)
    await _later(run, 16 * 60)
    run.home.close()
    assert run.home.stats.reactions == 0
    assert run.home.entity(KITCHEN).state == "off"


async def test_an_empty_room_suggestion_is_answered_as_wanted(tmp_path: Path) -> None:
    run, log = await _night(tmp_path, ignore=0.0, noise=0.0)
    ana = _script(run, 0, _snack(leave_to="living_room", switch_off=False))
    hub_side = Answers(run)
    await _later(run, 320)
    _suggest(run, "s2", KITCHEN, "light.turn_off", None)
    await _later(run, 600)
    # she answered yes, and the hub switching it off teaches her it does
    assert [(c["suggestion_id"], c["answer"]) for c, _ in hub_side.calls] == [("s2", "yes")]
    await _hub_off(run)
    assert ana.reliance.of(KITCHEN) == pytest.approx(0.25)
    # a room someone is about to walk into: switching its light off is not wanted
    run.home.by_hand(KITCHEN, "on", "ben")
    _script(run, 0, [(120.0, Step(0, "snack", move="kitchen"))])
    _suggest(run, "s3", KITCHEN, "light.turn_off", None)
    await _later(run, 600)
    run.home.close()
    truth = [json.loads(x) for x in answers_path_for(log).read_text().splitlines()]
    assert [(t["suggestion_id"], t["wanted"], t["reason"]) for t in truth] == [
        ("s2", True, "left on in an empty room"),
        ("s3", False, "not wanted"),
    ]


def test_the_resident_who_dislikes_automation_never_relies() -> None:
    family = load_home("family")
    assert [r.id for r in family.residents if r.agent.reliance_max == 0] == ["tom"]
    run = SimRun("family")
    by_id = {r.id: r for r in run.home.residents}
    for resident in by_id.values():
        resident.reliance.grow(KITCHEN)
    assert by_id["tom"].reliance.of(KITCHEN) == 0.0
    assert by_id["lena"].reliance.of(KITCHEN) == pytest.approx(0.25)


def test_reliance_false_in_the_simulator_section_means_nobody_relies() -> None:
    run = SimRun("couple")
    run.hub.config.raw["simulator"] = {"home": "couple", "reliance": False}
    home = create_home(run.hub, load_home("couple"), SetupOptions(record=False))
    assert all(r.reliance.max == 0.0 for r in home.residents)
    run.hub.config.raw["simulator"] = {"home": "couple"}
    home = create_home(run.hub, load_home("couple"), SetupOptions(record=False))
    assert [r.reliance.max for r in home.residents] == [0.8, 0.8]


class MotionHub:
    """A hub that switches off the lights and TV of a room a while after its motion sensors
    have all gone off (except in `skip` rooms), as the agent will."""

    def __init__(self, run: SimRun, skip: tuple[str, ...] = (), delay: float = 30.0) -> None:
        self.run = run
        self.skip = skip
        self.delay = delay
        run.home.subscribe(self._changed)

    def _changed(self, change: Any) -> None:
        home = self.run.home
        try:
            entity = home.entity(change.entity_id)
        except KeyError:  # a person, or a resident's area sensor
            return
        if entity.kind != "motion" or change.state != "off":
            return
        area = entity.area
        if area in self.skip:
            return
        home.at(home.clock.timestamp() + self.delay, lambda: self._off(area))

    def _off(self, area: str) -> None:
        home = self.run.home
        things = home.layout.areas[area]
        if any(home.entity(m).state == "on" for m in things.motion):
            return
        for entity_id in (*things.lights, *things.tvs):
            if home.entity(entity_id).state != "off":
                home.apply_command(entity_id, "turn_off", {}, self.run.hub.context(Origin.AGENT))


async def _two_days(folder: Path, spec: HomeSpec, reliance: bool, hub: bool) -> bytes:
    folder.mkdir()
    log = folder / "x.db.intentions.jsonl"
    run = SimRun(spec, seed=11, log=log, reliance=reliance)
    if hub:
        MotionHub(run)
    await run.start_home()
    await run.run_until(2, 0)
    run.home.close()
    return log.read_bytes()


async def test_without_a_hub_or_reliance_the_log_is_byte_for_byte_the_same(
    tmp_path: Path,
) -> None:
    family = load_home("family")
    off = await _two_days(tmp_path / "off", family, reliance=False, hub=False)
    on = await _two_days(tmp_path / "on", family, reliance=True, hub=False)
    assert off == on and len(off.splitlines()) > 100
    # with a hub acting: reliance_max 0 everywhere is the same as `reliance: false`
    zero = _with("family", reliance_max=0.0)
    a = await _two_days(tmp_path / "a", zero, reliance=True, hub=True)
    b = await _two_days(tmp_path / "b", family, reliance=False, hub=True)
    assert a == b and b"left_to_hub" not in a


async def test_each_relied_switch_off_ends_as_exactly_one_want(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settled: dict[int, int] = {}
    written: list[dict[str, Any]] = []
    original = RelianceKeeper._settle

    def spy(self: RelianceKeeper, resident: Resident, pending: Any) -> None:
        before = self.home.intentions.count
        original(self, resident, pending)
        settled[id(pending)] = settled.get(id(pending), 0) + 1
        if self.home.intentions.count > before:
            written.append({"n": self.home.intentions.count - before})

    monkeypatch.setattr(RelianceKeeper, "_settle", spy)
    log = tmp_path / "x.db.intentions.jsonl"
    # quick to trust, so that a few days hold many; the hub misses the bathroom
    spec = _with("couple", reliance_step=0.5, reliance_max=0.9)
    run = SimRun(spec, seed=3, log=log)
    MotionHub(run, skip=("bathroom",))
    await run.start_home()
    await run.run_until(5, 0)
    outstanding = sum(len(r.reliance.pending) for r in run.home.residents)
    run.home.close()
    records = _records(log)
    left = [r for r in records if r.get("left_to_hub")]
    stats = run.home.stats
    assert len(left) == stats.left_to_hub >= 10
    assert all(n == 1 for n in settled.values())  # each looked at once at most
    assert all(w["n"] == 1 for w in written)  # ... writing one record
    assert len(left) == len(written) + stats.relied_dropped + outstanding
    assert all(not is_need(r) for r in left)
    takeovers = [r for r in records if r["satisfied_by"] == "agent" and not r["reaction_to"]]
    assert takeovers  # relied-upon switch-offs the hub took over
