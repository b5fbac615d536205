"""The residents' days: each day's plans made at PLAN_AT for the household and each resident,
each resident's planned steps run on the home's clock (moving, deciding, acting by hand), and
their reactions to what the hub does and asks (who answers a question: `ask`; how they answer:
answers.py), and how they come to leave switching off to the hub (reliance.py). The home
(home.py) is the world they act in."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from hearthmind.core.clock import TimerHandle

from .answers import AnswerLog, Reply, Suggestion, answers_path_for, decide_answer, suggested_target
from .intentions import Intention, Move, Step
from .planner import HouseholdDay, HouseholdPlanner, ResidentPlanner, ResidentStatus
from .records import EntityChange
from .reliance import RELY_KINDS, RelianceKeeper
from .residents import Reaction, Resident
from .spec import HomeSpec

if TYPE_CHECKING:
    from .home import SimulatedHome

PLAN_AT = time(3, 30)  # local time each day's plans are made (everyone is asleep or away)


class _ResidentRun:
    """A resident's queue of planned steps and the one timer waiting for the next."""

    __slots__ = ("queue", "resident", "status", "timer")

    def __init__(self, resident: Resident) -> None:
        self.resident = resident
        self.status = ResidentStatus(location=resident.spec.bedroom)
        self.queue: list[Step] = []
        self.timer: TimerHandle | None = None


class ResidentDays:
    """Plans and runs the residents of one home; `runs` keeps each one's queue and timer."""

    def __init__(
        self, home: SimulatedHome, spec: HomeSpec, seed: int, reliance: bool = True
    ) -> None:
        self.home = home
        self._household = HouseholdPlanner(spec, random.Random(f"{seed}:household"))
        self.runs: list[_ResidentRun] = []
        self._planners: dict[str, ResidentPlanner] = {}
        # answering suggestions draws from generators of its own: plans and undos stay the
        # same whether the hub asks or not
        self._answer_rngs: dict[str, random.Random] = {}
        self._askee_rng = random.Random(f"{seed}:askee")
        path = home.intentions.path
        self.answers = AnswerLog(
            answers_path_for(path) if path is not None else None, spec.time_zone
        )
        for rs in spec.residents:
            resident = Resident(
                rs,
                random.Random(f"{seed}:{rs.id}"),
                random.Random(f"{seed}:{rs.id}:react"),
                relies=reliance,
            )
            self._answer_rngs[rs.id] = random.Random(f"{seed}:{rs.id}:answer")
            self.runs.append(_ResidentRun(resident))
            self._planners[rs.id] = ResidentPlanner(rs, home.layout, home.zone)
        self.reliance = RelianceKeeper(self)

    @property
    def residents(self) -> list[Resident]:
        return [r.resident for r in self.runs]

    def start(self, now: float) -> None:
        """Plan today (catching up when started after PLAN_AT), then every day at PLAN_AT."""
        today = datetime.fromtimestamp(now, self.home.zone).date()
        if now <= self.home.local(today, PLAN_AT):
            self.home.at(self.home.local(today, PLAN_AT), lambda: self.plan_day(today))
        else:
            self.plan_day(today, catch_up=True)

    def stop(self) -> None:
        for run in self.runs:
            if run.timer is not None:
                run.timer.cancel()
                run.timer = None

    def react(self, change: EntityChange) -> None:
        """The residents see a change the hub made; the first who minds reacts to it. A
        change someone at home was about to make is wanted, and nobody minds it (unless they
        dislike automation)."""
        now = self.home.clock.timestamp()
        wanted = not change.entity_id.startswith("person.") and any(
            run.resident.wants_soon(now, change.entity_id, run.queue, self.home) is not None
            for run in self.runs
        )
        for run in self.runs:
            reaction = run.resident.observe(change, self.home, wanted)
            if reaction is not None:
                self.schedule_reaction(run.resident, reaction)
                break  # one person undoing is enough
        self.reliance.hub_changed(change)

    def plan_day(self, day: date, catch_up: bool = False) -> None:
        if not self.home.running:
            return
        statuses = {run.resident.id: run.status for run in self.runs}
        rngs = {run.resident.id: run.resident.rng for run in self.runs}
        hh = self._household.plan(day, statuses, rngs)
        self.home.stats.days_planned += 1
        self.home.stats.labels = [day.strftime("%a %d %b"), *hh.labels]
        now = self.home.clock.timestamp()
        for run in self.runs:
            steps = self._planners[run.resident.id].plan(day, hh, run.status, run.resident.rng)
            if catch_up:
                steps = self._skip_past(run.resident, steps, now)
            self._enqueue(run, steps)
        self._schedule_guests(hh, day, now)
        tomorrow = day + timedelta(days=1)
        self.home.at(self.home.local(tomorrow, PLAN_AT), lambda: self.plan_day(tomorrow))

    def _skip_past(self, resident: Resident, steps: list[Step], now: float) -> list[Step]:
        """Starting mid-day: put the resident where the plan has them now."""
        keep = [s for s in steps if s.at >= now]
        for step in steps:
            if step.at >= now:
                break
            resident.asleep = step.activity == "sleep"
            if step.move is not None:
                self.home.move(resident, step.move, quiet=True)
        return keep

    def _schedule_guests(self, hh: HouseholdDay, day: date, now: float) -> None:
        if hh.guests is None:
            return
        arrive, leave, count = hh.guests
        midnight = datetime.combine(day, time(0))

        def local(minutes: float) -> float:
            return (
                (midnight + timedelta(minutes=minutes)).replace(tzinfo=self.home.zone).timestamp()
            )

        def come() -> None:
            self.home.guests = count
            self.home.door_pulse()

        def go() -> None:
            self.home.guests = 0
            self.home.door_pulse()

        if local(arrive) >= now:
            self.home.at(local(arrive), come)
        if local(leave) >= now:
            self.home.at(local(leave), go)

    def _enqueue(self, run: _ResidentRun, steps: list[Step]) -> None:
        if not steps:
            return
        if run.queue and run.queue[-1].at > steps[0].at:
            run.queue = sorted([*run.queue, *steps], key=lambda s: s.at)
        else:
            run.queue.extend(steps)
        self._schedule_run(run)

    def _schedule_run(self, run: _ResidentRun) -> None:
        if run.timer is not None:
            run.timer.cancel()
            run.timer = None
        if not run.queue or not self.home.running:
            return
        when = datetime.fromtimestamp(run.queue[0].at, UTC)
        run.timer = self.home.clock.call_at(when, lambda: self._fire(run))

    def _fire(self, run: _ResidentRun) -> None:
        run.timer = None
        if not self.home.running or not run.queue:
            return
        step = run.queue.pop(0)
        self.home.stats.steps += 1
        now = self.home.clock.timestamp()
        try:
            decision = run.resident.decide(now, step, self.home)
            if isinstance(decision, Move):
                self.home.move(run.resident, decision.area)
            elif isinstance(decision, Intention):
                assert step.want is not None  # an intention comes of a want
                if not self.reliance.leaves_to_hub(run.resident, step.want, decision):
                    self.carry_out(run.resident, decision)
        except Exception as err:  # one bad step must not end a resident's life
            self.home.problem(
                "simulator_step_errors", f"{run.resident.id} at {step.activity!r}: {err!r}"
            )
        self._schedule_run(run)

    def carry_out(self, resident: Resident, intention: Intention) -> None:
        self.home.intentions.write(intention)
        self.home.stats.intentions += 1
        command = resident.act(intention)
        if command is None:
            self.home.stats.already_satisfied += 1
            return
        self.home.stats.executed += 1
        entity_id, target = command
        self.home.by_hand(entity_id, target, resident.id)

    def schedule_reaction(self, resident: Resident, reaction: Reaction) -> None:
        def react() -> None:
            if not self.home.running or not resident.home:
                return
            intention = resident.decide_want(
                self.home.clock.timestamp(),
                reaction.want,
                reaction.activity,
                self.home,
                reaction_to=reaction.reaction_to,
            )
            if intention is not None and not intention.satisfied:
                self.home.stats.reactions += 1
                self.carry_out(resident, intention)

        self.home.at(self.home.clock.timestamp() + reaction.delay, react)

    # -- the hub's questions ----------------------------------------------------------------

    def ask(self, suggestion: Suggestion, reply: Reply) -> None:
        """A suggestion reaches the residents (answers.py): the person it names, or the one at
        home and awake who was about to do it, else any at home and awake, answers after a
        while; `reply(suggestion_id, answer, user_id)` sends it unless it is ignored or too
        late. Every answer, sent or not, goes to the answers log."""
        now = self.home.clock.timestamp()
        try:
            entity = self.home.entity(suggestion.entity_id)
        except KeyError:
            self.home.problem(
                "simulator_suggestion_errors",
                f"suggestion {suggestion.suggestion_id} names no simulated entity "
                f"{suggestion.entity_id!r}",
            )
            return
        target = suggested_target(entity, suggestion.service, suggestion.service_data)
        wants = {
            run.resident.id: target is not None
            and run.resident.wants_soon(now, entity.entity_id, run.queue, self.home, target)
            is not None
            for run in self.runs
        }
        resident = self._askee(suggestion, wants)
        if resident is None:
            return
        already = target is not None and entity.satisfies(target)
        # a light or TV burning in a room nobody is in, or about to come into, is wanted off
        # by anyone; the askee stays whoever was about to do it (else anyone up)
        empty = target == "off" and self._left_on_empty(entity.entity_id, now)
        wanted = wants[resident.id] or empty
        if not resident.home or resident.asleep:
            reason = "away" if not resident.home else "asleep"
            answer = decide_answer(
                user_id=resident.id,
                wanted=wanted,
                already=already,
                attitude=resident.spec.agent,
                rng=self._answer_rngs[resident.id],
            )
            self.answers.write(
                now,
                suggestion,
                target,
                dataclasses.replace(answer, answer="ignored", reason=reason),
            )
            return
        answer = decide_answer(
            user_id=resident.id,
            wanted=wanted,
            already=already,
            attitude=resident.spec.agent,
            rng=self._answer_rngs[resident.id],
        )
        if answer.answer == "yes" and answer.reason == "about to do it" and not wants[resident.id]:
            answer = dataclasses.replace(answer, reason="left on in an empty room")
        if answer.answer == "ignored":
            self.answers.write(now, suggestion, target, answer)
            return
        when = now + answer.delay

        def send() -> None:
            if when > suggestion.expires:
                late = dataclasses.replace(answer, answer="ignored", reason="too late")
                self.answers.write(when, suggestion, target, late)
                return
            self.answers.write(when, suggestion, target, answer)
            if answer.answer == "yes" and target == "off" and entity.kind in RELY_KINDS:
                # the hub acts on a yes at once; ten minutes is ample to tie the two
                self.reliance.asked_off(resident, entity.entity_id, when + 600.0)
            reply(suggestion.suggestion_id, answer.answer, resident.id)

        self.home.at(when, send)

    def _left_on_empty(self, entity_id: str, now: float) -> bool:
        """A light or TV in a room nobody is in, and nobody's plan brings them into within
        their `agent: horizon_minutes` (then it would only be switched on again)."""
        entity = self.home.entity(entity_id)
        area = entity.area
        if entity.kind not in RELY_KINDS or self.home.others_in(area, ""):
            return False
        for run in self.runs:
            horizon = run.resident.spec.agent.horizon_minutes * 60.0
            for step in run.queue:
                if step.at - now > horizon:
                    break
                if step.move == area:
                    return False
        return True

    def _askee(self, suggestion: Suggestion, wants: dict[str, bool]) -> Resident | None:
        by_id = {run.resident.id: run.resident for run in self.runs}
        if suggestion.person is not None:
            return by_id.get(suggestion.person)  # someone who does not live here: nobody
        keen = [r for r in self.residents if wants[r.id] and r.home and not r.asleep]
        if keen:
            return keen[0]
        around = [r for r in self.residents if r.home and not r.asleep]
        if not around:
            return None
        return around[self._askee_rng.randrange(len(around))]
