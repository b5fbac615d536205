"""The agent: at each moment the routines model sees (every change people make and every
sensor event it learns from), it asks the model what people will do next, and for each
routine whose moment it is, does what the routine's level says: record what it would have
done (observe), ask (suggest), or do it at the predicted moment (act). Then it learns from
what people do: a prediction that came true, a manual action it could have done (a missed
chance), a suggestion accepted, declined or ignored, an action undone within the undo
window (a revert). Every outcome moves the routine on the ladder (ladder.py) and is stored.

One moment per routine is open at a time (a *run*: a Context of origin agent whose parent is
the change that triggered it); the action's Context has the run as parent, so the recorder
links the change to the routine. The agent never repeats itself: an open run is not opened
again, and an item undone, declined or put off is not tried again for `REPEAT_BLOCK`."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from hearthmind.core import (
    EVENT_STATE_CHANGED,
    HUMAN_ORIGINS,
    Context,
    Event,
    HearthmindError,
    Hub,
    Origin,
    StateChangedData,
)
from hearthmind.core.clock import TimerHandle
from hearthmind.routines.observations import Kind, Observation
from hearthmind.routines.online import RoutineLearner
from hearthmind.routines.predictor import Prediction, likely_actions
from hearthmind.routines.timeofday import DAY, to_wall_clock

from . import explain, ladder
from .acting import name_of, service_for, value_of
from .config import AgentConfig
from .errors import (
    AlreadyAnsweredError,
    EntityGoneError,
    LevelRefusedError,
    NothingToUndoError,
    SuggestionExpiredError,
    UnknownActionError,
    UnknownRoutineError,
    UnknownSuggestionError,
)
from .events import (
    EVENT_AGENT_ACTION,
    EVENT_AGENT_FEEDBACK,
    EVENT_AGENT_SUGGESTION,
    EVENT_SUGGESTION_ANSWERED,
    LEVELS,
    SWITCH_ENTITY_ID,
    Answer,
    Level,
)
from .ladder import Policy, after_outcome, make_policy
from .safety import OFF_LIKE, QuestionBudget, anyone_home, is_away, safety_class
from .store import ActionRecord, AgentStore, Outcome, SuggestionRecord
from .units import SUCCESSES, RoutineUnit, habits_by_unit, lower, part_of_day, routine_id

_LOGGER = logging.getLogger(__name__)

REPEAT_BLOCK = 3 * 3600.0  # seconds an undone, declined or put-off item is left alone
KEEP_IN_MEMORY = DAY  # actions and suggestions kept for undo and answers (all are stored)
HABITS_EVERY = 3600.0  # seconds between looks at whether the model was refitted
CANDIDATES = 5  # likeliest next actions looked at per moment
TRIGGER_MIN = 2  # successes after an event before it is the routine's trigger
TICK = 300.0  # seconds between looks by the clock alone (habits of a time, not an event)


@dataclass
class Run:
    """One open moment of a routine: what the agent does with it, and until when it waits
    for the person to do it."""

    run: Context
    unit: RoutineUnit
    probability: float
    level: Level  # what the agent does at this moment: observe, suggest or act
    started: float
    act_at: float
    deadline: float
    seen: Observation | None  # the model's last observation when the run opened
    trigger: str | None = None  # the event that opened it (None: the clock)
    by_trigger: bool = False  # opened on the routine's own trigger, not the model's say
    held: str | None = None  # why a higher level was held back
    suggestion_id: str | None = None
    action_id: str | None = None
    timer: TimerHandle | None = None
    closed: bool = False


class Agent:
    def __init__(
        self,
        hub: Hub,
        config: AgentConfig,
        learner: RoutineLearner,
        store: AgentStore,
        policy: Policy | None = None,
    ) -> None:
        self.hub = hub
        self.config = config
        self.learner = learner
        self.store = store
        self.policy = policy or make_policy(config)
        self.rules = config.ladder
        self.zone: tzinfo | None = learner.zone
        self.units: dict[str, RoutineUnit] = {}
        self.runs: dict[str, Run] = {}
        self.actions: dict[str, ActionRecord] = {}
        self.suggestions: dict[str, SuggestionRecord] = {}
        self.enabled = True
        self.opted_out: set[str] = set()
        self.budget = QuestionBudget(config.max_questions_per_person_per_day)
        self.counts: Counter[str] = Counter()
        self._blocked: dict[str, float] = {}  # item -> until (hub clock)
        self._acted: set[str] = set()  # items people do to devices: what the agent may do
        self._doers: defaultdict[str, Counter[str]] = defaultdict(Counter)  # routine id -> users
        self._last_seen: Observation | None = None
        self._done: dict[str, int] = {}  # routine id -> the home day it was last done
        self._action_triggers: dict[str, str | None] = {}  # action id -> its run's trigger
        self._habits_at_refit = -1
        self._timers: dict[int, TimerHandle] = {}  # by id(): a timer may not hash
        self._unsub: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._mining: asyncio.Future[Any] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def async_start(self) -> None:
        now = self.hub.clock.timestamp()
        loaded = await self.store.async_load(since=now - KEEP_IN_MEMORY)
        self.units = loaded.routines
        for unit in self.units.values():
            self._classify(unit)
        for action in loaded.actions:
            self.actions[action.action_id] = action
            if action.status in ("sent", "done"):
                self._schedule_action_close(action)
        for suggestion in loaded.suggestions:
            self.suggestions[suggestion.suggestion_id] = suggestion
            if suggestion.status == "open":
                self._call_at(suggestion.expires, functools.partial(self._expire, suggestion))
            self._spend_question(suggestion.person, suggestion.created)  # today's budget
        self.enabled = bool(loaded.settings.get("enabled", True))
        self.opted_out = set(loaded.settings.get("opted_out", []))
        self._unsub = self.hub.bus.async_listen(EVENT_STATE_CHANGED, self._on_state_changed)
        self._call_at(now, self._habits_due)
        self._call_at(now + TICK, self._tick)

    async def async_stop(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        for timer in list(self._timers.values()):
            timer.cancel()
        self._timers.clear()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.store.async_close()

    def _call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle:
        handle: TimerHandle | None = None

        def fire() -> None:
            self._timers.pop(id(handle), None)
            try:
                callback()
            except Exception as err:  # a bug here must not stop the clock's other timers
                self._problem("agent_errors", f"agent timer failed: {err!r}")
                _LOGGER.exception("agent timer failed")

        handle = self.hub.clock.call_at(datetime.fromtimestamp(when, UTC), fire)
        self._timers[id(handle)] = handle
        return handle

    def _spawn(self, coro: Any, name: str) -> None:
        task = self.hub.async_create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _problem(self, counter: str, message: str) -> None:
        self.hub.health.problem(counter, message, self.hub.clock.timestamp())

    # -- routines ----------------------------------------------------------------------------

    def name_of(self, entity_id: str) -> str | None:
        state = self.hub.states.get(entity_id)
        if state is None:
            return None
        name = state.attributes.get("friendly_name")
        return str(name) if name else None

    def unit(self, rid: str) -> RoutineUnit:
        unit = self.units.get(rid)
        if unit is None:
            raise UnknownRoutineError(rid)
        return unit

    def _forget_before(self, cutoff: float) -> None:
        for key, action in list(self.actions.items()):
            if action.closed is not None and action.closed < cutoff:
                del self.actions[key]
        for key, suggestion in list(self.suggestions.items()):
            if suggestion.closed is not None and suggestion.closed < cutoff:
                del self.suggestions[key]
        for item, until in list(self._blocked.items()):
            if until < cutoff:
                del self._blocked[item]

    def _unit_for(self, entity_id: str, value: str, part: str) -> RoutineUnit:
        rid = routine_id(entity_id, value, part)
        unit = self.units.get(rid)
        if unit is None:
            now = self.hub.clock.timestamp()
            unit = RoutineUnit(rid, entity_id, value, part, created=now, updated=now)
            unit.people = Counter(self._doers.get(rid, {}))
            self._classify(unit)
            self.units[rid] = unit
            self.store.save_routine(unit)
        return unit

    def _classify(self, unit: RoutineUnit) -> None:
        """Safety class from the entity as it is now and the configured sensitive ids."""
        state = self.hub.states.get(unit.entity_id)
        reason = safety_class(unit.entity_id, state, self.config.sensitive)
        if reason is None and state is None and unit.safety is not None:
            return  # the entity is not there yet: keep what was known
        unit.safety = reason
        if reason is not None and unit.ceiling == "act":
            unit.ceiling = "suggest"
            unit.level = lower(unit.level, "suggest")
        elif reason is None and unit.ceiling == "suggest" and unit.set_by is None:
            unit.ceiling = "act"

    def _habit(self, unit: RoutineUnit) -> str:
        return unit.sentence(self.name_of)

    def _habits_due(self) -> None:
        """Now and then: once the model was refitted, read the habits again (in a thread);
        forget closed actions and suggestions older than a day (they stay stored)."""
        now = self.hub.clock.timestamp()
        self._call_at(now + HABITS_EVERY, self._habits_due)
        self._forget_before(now - KEEP_IN_MEMORY)
        refits = self.learner.refits
        if refits == self._habits_at_refit or (self._mining and not self._mining.done()):
            return
        if self.learner.model is None and not self.learner.history:
            return
        self._habits_at_refit = refits
        self._spawn(self.async_refresh_habits(), "agent-habits")

    async def async_refresh_habits(self) -> None:
        """The routines code's habits and who does what, from the learner's history."""
        history = list(self.learner.history)
        loop = asyncio.get_running_loop()
        self._mining = loop.run_in_executor(None, _mine, history)
        try:
            mined, doers, acted = await self._mining
        except Exception as err:
            self._problem("agent_errors", f"cannot read the habits: {err!r}")
            return
        self._acted |= acted
        self._doers = doers
        habits = habits_by_unit(mined, self.name_of)
        for rid, sentence in habits.items():
            entity_id, _, rest = rid.rpartition(":")
            value, _, part = rest.rpartition("@")
            unit = self._unit_for(entity_id, value, part)
            unit.habit = sentence
        for unit in self.units.values():
            unit.people = Counter(doers.get(unit.routine_id, unit.people))
            self.store.save_routine(unit)

    # -- what happens ------------------------------------------------------------------------

    def _on_state_changed(self, event: Event[StateChangedData]) -> None:
        new = event.data["new_state"]
        ctx = event.context
        if new is None:
            return
        entity_id = new.entity_id
        value = value_of(new)
        awaited = self.actions.get(ctx.id)
        if awaited is not None and ctx.origin == Origin.AGENT:
            if awaited.status == "sent" and value == awaited.target:
                awaited.status = "done"
                self.store.save_action(awaited)
            return
        if ctx.origin in HUMAN_ORIGINS and value is not None:
            self._person_did(entity_id, value, ctx, event.time_fired)
        seen = self.learner.recent[-1] if self.learner.recent else None
        if seen is not None and seen is not self._last_seen:
            self._last_seen = seen
            if seen.kind is Kind.ACTION:
                self._acted.add(seen.item)
                if seen.user_id:
                    rid = routine_id(seen.entity_id, seen.value, part_of_day(seen.time))
                    self._doers[rid][seen.user_id] += 1
                    unit = self.units.get(rid)
                    if unit is not None:
                        unit.people[seen.user_id] += 1
            if self.enabled:
                self._decide(ctx, seen)

    def _tick(self) -> None:
        """The clock's own moments: what is due now though nothing happened (the light
        switched off at 23:00 every night follows no event)."""
        self._call_at(self.hub.clock.timestamp() + TICK, self._tick)
        if self.enabled:
            self._decide(None, None)

    def _person_did(self, entity_id: str, value: str, ctx: Context, when: float) -> None:
        """A person changed an entity: a revert of an agent action, a prediction come true,
        a missed chance, or a suggestion made moot."""
        window = self.config.undo_window_minutes * 60.0
        for action in list(self.actions.values()):
            if (
                action.entity_id == entity_id
                and action.status in ("sent", "done")
                and when - action.time <= window
                and value != action.target
            ):
                self._close_action(action, "reverted", "revert", f"by {ctx.user_id or 'a person'}")
                self._block(action.target_item)
        item = f"{entity_id}:{value}"
        for run in list(self.runs.values()):
            if run.unit.item != item or run.closed:
                continue
            suggestion = self.suggestions.get(run.suggestion_id or "")
            if suggestion is not None and suggestion.status == "open":
                suggestion.status = "done_by_person"
                suggestion.answered_by = ctx.user_id
                suggestion.closed = when
                self.store.save_suggestion(suggestion)
            kind = "missed" if run.level == "act" and run.action_id is None else "came_true"
            self._close_run(run, kind, delay=when - run.started)

    # -- deciding ----------------------------------------------------------------------------

    def predictions(self) -> list[Prediction]:
        model = self.learner.model
        if model is None or not self.learner.recent:
            return []
        now = to_wall_clock(self.hub.clock.timestamp(), self.zone)
        try:
            return likely_actions(model, now, list(self.learner.recent), self._acted, CANDIDATES)
        except Exception as err:  # a model bug must not stop the hub
            self._problem("agent_errors", f"{model.name} could not predict: {err!r}")
            return []

    def _decide(self, trigger: Context | None, seen: Observation | None) -> None:
        now = self.hub.clock.timestamp()
        wanted: dict[str, tuple[RoutineUnit, float, float, bool]] = {}
        for guess in self.predictions():
            if not self.policy.considers(guess.probability):
                continue
            entity_id, _, value = guess.item.rpartition(":")
            if not self._can_do(entity_id, value):
                continue
            expected = now
            if guess.expected_time is not None:
                expected = max(now, self.learner.utc(guess.expected_time))
            if expected - now > self.rules.horizon_minutes * 60.0:
                continue
            part = part_of_day(to_wall_clock(expected, self.zone))
            unit = self._unit_for(entity_id, value, part)
            wanted.setdefault(unit.routine_id, (unit, guess.probability, expected, False))
        if self.policy.uses_triggers and seen is not None:
            for unit, probability, expected in self._triggered(seen, now):
                wanted.setdefault(unit.routine_id, (unit, probability, expected, True))
        for unit, probability, expected, by_trigger in self._without_conflicts(
            list(wanted.values())
        ):
            self._open_run(unit, probability, expected, trigger, seen, now, by_trigger)

    def _can_do(self, entity_id: str, value: str) -> bool:
        """A device the agent may command, not already so, and a service that does it."""
        if entity_id == SWITCH_ENTITY_ID:
            return False
        state = self.hub.states.get(entity_id)
        entry = self.hub.entities.get(entity_id)
        if state is None or entry is None or entry.handler is None:
            return False
        return value_of(state) != value and service_for(entity_id, value, state.state) is not None

    def _triggered(self, seen: Observation, now: float) -> list[tuple[RoutineUnit, float, float]]:
        """Routines at suggest or act whose usual trigger this event is, due in their part of
        the day and not yet done today: once a day each, as a habit is."""
        today = self._day(now)
        out = []
        for unit in self.units.values():
            ev = unit.evidence
            if unit.level not in ("suggest", "act") or unit.routine_id in self.runs:
                continue
            if (
                not ev.usual_trigger(seen.item, TRIGGER_MIN)
                or self._done.get(unit.routine_id) == today
            ):
                continue
            expected = now + (ev.delay or 0.0)
            if part_of_day(to_wall_clock(expected, self.zone)) != unit.part:
                continue
            if expected - now > self.rules.horizon_minutes * 60.0:
                continue
            if self._can_do(unit.entity_id, unit.value):
                out.append((unit, ev.rate or 0.0, expected))
        return out

    def _day(self, when: float) -> int:
        return int(to_wall_clock(when, self.zone) // DAY)

    def _without_conflicts(
        self, wanted: list[tuple[RoutineUnit, float, float, bool]]
    ) -> list[tuple[RoutineUnit, float, float, bool]]:
        """Two routines that want opposite things of one entity at once: neither is done."""
        by_entity: defaultdict[str, set[str]] = defaultdict(set)
        for unit, *_ in wanted:
            by_entity[unit.entity_id].add(unit.value)
        for run in self.runs.values():
            if not run.closed and run.level in ("act", "suggest"):
                by_entity[run.unit.entity_id].add(run.unit.value)
        out = []
        for entry in wanted:
            unit = entry[0]
            if len(by_entity[unit.entity_id]) > 1:
                if unit.routine_id not in self.runs:
                    self.counts["conflicts"] += 1
                    self._outcome(unit, "conflict", detail="another routine wants the opposite")
                for run in list(self.runs.values()):
                    if run.unit.entity_id == unit.entity_id and run.level == "act":
                        run.level, run.held = "observe", "another routine wants the opposite"
                continue
            out.append(entry)
        return out

    def _open_run(
        self,
        unit: RoutineUnit,
        probability: float,
        expected: float,
        trigger: Context | None,
        seen: Observation | None,
        now: float,
        by_trigger: bool = False,
    ) -> None:
        if unit.routine_id in self.runs or self._blocked.get(unit.item, 0.0) > now:
            return
        level = self.policy.level_for(unit, probability)
        if level == "off":
            return
        level, held = self._hold_back(unit, level, now)
        act_at = max(now, expected - self.rules.act_lead_seconds)
        deadline = max(act_at, expected) + self.rules.truth_window_minutes * 60.0
        run = Run(
            self.hub.context(Origin.AGENT, parent=trigger),
            unit,
            probability,
            level,
            now,
            act_at,
            deadline,
            self.learner.recent[-1] if self.learner.recent else None,
            None if seen is None else seen.item,
            by_trigger,
            held,
        )
        self.runs[unit.routine_id] = run
        self.counts[f"runs_{level}"] += 1
        if level == "suggest":
            self._suggest(run, now)
        if level == "act" and act_at <= now:
            self._spawn(self._act_now(run), "agent-act")
            self._wait(run, run.deadline)
        else:
            self._wait(run, act_at if level == "act" else run.deadline)

    def _hold_back(self, unit: RoutineUnit, level: Level, now: float) -> tuple[Level, str | None]:
        """The hard rules: people who opted out or are away, quiet hours, the question budget.
        What is held back is still observed (it is evidence all the same)."""
        if level == "observe":
            return level, None
        people = unit.main_people() or ([unit.person] if unit.person else [])
        if people and all(p in self.opted_out for p in people):
            return "observe", "opted out"
        if not self._present_for(unit, people):
            return "observe", "away"
        if level == "suggest":
            wall = to_wall_clock(now, self.zone)
            quiet = self.config.quiet_hours
            if quiet is not None and quiet.contains(wall % DAY):
                return "observe", "quiet hours"
            person = self._asked_person(unit)
            if self.budget.left(person, int(wall // DAY)) <= 0:
                return "observe", "question budget"
        return level, None

    def _present_for(self, unit: RoutineUnit, people: list[str]) -> bool:
        """Someone the routine is for is home; or, with nobody home, it switches something
        off (the last one out, lights off)."""
        if not people:
            return anyone_home(self.hub) or unit.value in OFF_LIKE
        if any(not is_away(self.hub, p) for p in people):
            return True
        return unit.value in OFF_LIKE and not anyone_home(self.hub)

    def _asked_person(self, unit: RoutineUnit) -> str | None:
        """Whom to ask: the routine's person, or the one of its people who is home."""
        for person in [unit.person, *unit.main_people()]:
            if person is not None and not is_away(self.hub, person):
                return person
        return unit.person

    def _wait(self, run: Run, until: float) -> None:
        if run.timer is not None:
            run.timer.cancel()
            self._timers.pop(id(run.timer), None)
        run.timer = self._call_at(until, lambda: self._run_due(run))

    def _run_due(self, run: Run) -> None:
        if run.closed:
            return
        now = self.hub.clock.timestamp()
        if run.level == "act" and run.action_id is None and now < run.deadline:
            self._wait(run, run.deadline)
            self._spawn(self._act_now(run), "agent-act")
            return
        if run.action_id is None:
            self._close_run(run, "not_true")

    def _close_run(self, run: Run, kind: str | None, delay: float | None = None) -> None:
        if run.closed:
            return
        run.closed = True
        if run.timer is not None:
            run.timer.cancel()
            self._timers.pop(id(run.timer), None)
        if self.runs.get(run.unit.routine_id) is run:
            del self.runs[run.unit.routine_id]
        if kind in SUCCESSES:
            self._succeeded(run.unit, run.trigger, delay if run.trigger else None)
        if kind is not None:
            self._outcome(run.unit, kind, suggestion_id=run.suggestion_id)

    def _succeeded(self, unit: RoutineUnit, trigger: str | None, delay: float | None) -> None:
        """The routine was done today; remember what it followed and how long after."""
        unit.evidence.triggered(trigger, delay)
        self._done[unit.routine_id] = self._day(self.hub.clock.timestamp())

    # -- acting ------------------------------------------------------------------------------

    async def _act_now(self, run: Run) -> None:
        """The run's moment: do it, unless it is already done, the agent was switched off, or
        what happened since makes it unlikely now."""
        if run.closed or run.action_id is not None or not self.enabled:
            return
        unit = run.unit
        state = self.hub.states.get(unit.entity_id)
        if state is None or value_of(state) == unit.value:
            self._close_run(run, None)  # gone, or done by something other than a person
            return
        seen = self.learner.recent[-1] if self.learner.recent else None
        if seen is not run.seen:
            still = next((g for g in self.predictions() if g.item == unit.item), None)
            if still is None or not self.policy.considers(still.probability):
                run.level, run.held = "observe", "no longer likely"
                return
        level, held = self._hold_back(unit, "act", self.hub.clock.timestamp())
        if level != "act":
            run.level, run.held = level, held
            return
        action = await self._perform(unit, run.run, run.probability, None, None)
        if action is None:
            self._close_run(run, None)
            return
        run.action_id = action.action_id
        self._action_triggers[action.action_id] = run.trigger
        self._done[unit.routine_id] = self._day(self.hub.clock.timestamp())
        self._close_run(run, None)  # its outcome comes from the action: kept or reverted

    async def _perform(
        self,
        unit: RoutineUnit,
        parent: Context,
        probability: float,
        suggestion_id: str | None,
        confirmed_by: str | None,
    ) -> ActionRecord | None:
        """The service call, with a Context of origin agent whose parent is the run; the
        action is announced (agent_action) and may be undone."""
        state = self.hub.states.get(unit.entity_id)
        call = None if state is None else service_for(unit.entity_id, unit.value, state.state)
        if call is None or state is None:
            return None
        domain, service, data = call
        ctx = self.hub.context(Origin.AGENT, confirmed_by, parent=parent)
        name = name_of(state, unit.entity_id)
        action = ActionRecord(
            ctx.id, unit.routine_id, unit.person, unit.entity_id, f"{domain}.{service}", data,
            unit.value, value_of(state), ctx.id, parent.id, suggestion_id, probability,
            explain.action_sentence(
                unit, name, self._habit(unit), probability, self.config.undo_window_minutes,
                confirmed_by,
            ),
            "sent", self.hub.clock.timestamp(),
        )  # fmt: skip
        self.actions[action.action_id] = action
        try:
            await self.hub.services.async_call(
                domain, service, data, target={"entity_id": unit.entity_id}, context=ctx
            )
        except (HearthmindError, Exception) as err:
            action.status, action.closed = "failed", self.hub.clock.timestamp()
            self.store.save_action(action)
            self._problem("agent_action_errors", f"{action.service} {unit.entity_id}: {err}")
            self._outcome(unit, "failed", action_id=action.action_id, detail=str(err))
            self._block(unit.item)
            return None
        if value_of(self.hub.states.get(unit.entity_id)) == unit.value:
            action.status = "done"
        # not again while it may still be undone or the device may still answer
        hold = max(self.config.undo_window_minutes * 60.0, self.config.device_timeout_seconds)
        self._block(unit.item, hold)
        self.counts["actions"] += 1
        self.store.save_action(action)
        self.hub.bus.async_fire(
            EVENT_AGENT_ACTION,
            {
                "action_id": action.action_id,
                "routine_id": unit.routine_id,
                "person": unit.person,
                "entity_id": unit.entity_id,
                "service": action.service,
                "service_data": dict(data),
                "explanation": action.explanation,
                "suggestion_id": suggestion_id,
                "probability": round(probability, 4),
            },
            ctx,
        )
        self._schedule_action_close(action)
        return action

    def _schedule_action_close(self, action: ActionRecord) -> None:
        """A device that did not do it is found out after `device_timeout_seconds`; an
        action nobody undid within the undo window is kept."""
        if action.status == "sent":
            self._call_at(
                action.time + self.config.device_timeout_seconds,
                lambda: self._device_due(action),
            )
        self._call_at(
            action.time + self.config.undo_window_minutes * 60.0,
            lambda: self._undo_window_over(action),
        )

    def _device_due(self, action: ActionRecord) -> None:
        if action.status != "sent":
            return
        if value_of(self.hub.states.get(action.entity_id)) == action.target:
            action.status = "done"  # it got there, though not with our context
            self.store.save_action(action)
            return
        self._problem(
            "agent_device_ignored",
            f"{action.entity_id} did not do {action.service} "
            f"within {self.config.device_timeout_seconds:g} s",
        )
        self._close_action(action, "device_ignored", "device_ignored", "the device did not do it")
        self._block(action.target_item)  # asking the device again and again helps nobody

    def _undo_window_over(self, action: ActionRecord) -> None:
        trigger = self._action_triggers.pop(action.action_id, None)
        if action.status != "done":
            return
        unit = self.units.get(action.routine_id)
        if unit is not None and trigger is not None:
            unit.evidence.triggered(trigger, None)
        self._close_action(action, "kept", "kept", None)

    def _close_action(
        self, action: ActionRecord, status: str, kind: str, detail: str | None
    ) -> None:
        action.status = status
        action.closed = self.hub.clock.timestamp()
        self.store.save_action(action)
        unit = self.units.get(action.routine_id)
        if unit is not None:
            self._outcome(
                unit, kind, action_id=action.action_id, suggestion_id=action.suggestion_id,
                detail=detail,
            )  # fmt: skip

    def _block(self, item: str, seconds: float = REPEAT_BLOCK) -> None:
        until = self.hub.clock.timestamp() + seconds
        self._blocked[item] = max(until, self._blocked.get(item, 0.0))

    # -- asking ------------------------------------------------------------------------------

    def _suggest(self, run: Run, now: float) -> None:
        unit = run.unit
        state = self.hub.states.get(unit.entity_id)
        call = None if state is None else service_for(unit.entity_id, unit.value, state.state)
        if call is None or state is None:
            return
        domain, service, data = call
        person = self._asked_person(unit)
        ctx = self.hub.context(Origin.AGENT, parent=run.run)
        expires = now + self.config.suggestion_expires_minutes * 60.0
        suggestion = SuggestionRecord(
            ctx.id, unit.routine_id, person, unit.entity_id, f"{domain}.{service}", data,
            unit.value, ctx.id, run.run.id, run.probability,
            explain.suggestion_sentence(
                unit, name_of(state, unit.entity_id), self._habit(unit), run.probability
            ),
            "open", now, expires,
        )  # fmt: skip
        self.suggestions[suggestion.suggestion_id] = suggestion
        run.suggestion_id = suggestion.suggestion_id
        run.deadline = max(run.deadline, expires)
        self._spend_question(person, now)
        self.counts["suggestions"] += 1
        self.store.save_suggestion(suggestion)
        self._call_at(expires, lambda: self._expire(suggestion))
        self.hub.bus.async_fire(
            EVENT_AGENT_SUGGESTION,
            {
                "suggestion_id": suggestion.suggestion_id,
                "routine_id": unit.routine_id,
                "person": person,
                "entity_id": unit.entity_id,
                "service": suggestion.service,
                "service_data": dict(data),
                "explanation": suggestion.explanation,
                "expires": expires,
                "probability": round(run.probability, 4),
            },
            ctx,
        )

    def _spend_question(self, person: str | None, when: float) -> None:
        day = int(to_wall_clock(when, self.zone) // DAY)
        self.budget.spend(person, day)

    def _expire(self, suggestion: SuggestionRecord) -> None:
        if suggestion.status != "open":
            return
        suggestion.status = "ignored"
        suggestion.closed = self.hub.clock.timestamp()
        self.store.save_suggestion(suggestion)
        self.hub.bus.async_fire(
            EVENT_SUGGESTION_ANSWERED,
            {
                "suggestion_id": suggestion.suggestion_id,
                "routine_id": suggestion.routine_id,
                "answer": "ignored",
            },
            self.hub.contexts.new(Origin.AGENT, None, suggestion.parent_id),
        )
        unit = self.units.get(suggestion.routine_id)
        if unit is not None:
            self._outcome(unit, "ignored", suggestion_id=suggestion.suggestion_id)

    async def async_answer(self, suggestion_id: str, answer: Answer, context: Context) -> str:
        """A person's answer to a suggestion: yes does it (with their confirmation), no and
        never lower the routine (never forbids it), not now leaves it be for a while."""
        suggestion = self.suggestions.get(suggestion_id)
        if suggestion is None:
            raise UnknownSuggestionError(suggestion_id)
        now = self.hub.clock.timestamp()
        if suggestion.status == "open" and now >= suggestion.expires:
            self._expire(suggestion)
        unit = self.units.get(suggestion.routine_id)
        who = context.user_id or "someone"
        if suggestion.status != "open":
            late = suggestion.status in ("ignored", "done_by_person")
            if unit is not None and late:
                if answer == "never":
                    ladder.forbid(unit, context.user_id)
                self._outcome(
                    unit, "late_answer", suggestion_id=suggestion_id,
                    detail=f"{who} said {answer} after it was {suggestion.status}",
                )  # fmt: skip
            if suggestion.status == "ignored":
                until = datetime.fromtimestamp(suggestion.expires, UTC).isoformat()
                raise SuggestionExpiredError(
                    f"suggestion {suggestion_id} expired at {until}: nothing was done"
                    + (", and the routine is forbidden as asked" if answer == "never" else "")
                    + " (your answer is noted)"
                )
            if suggestion.status == "done_by_person":
                return f"{suggestion.entity_id} was already done by hand; answer noted"
            raise AlreadyAnsweredError(
                f"suggestion {suggestion_id} was already answered ({suggestion.status})"
            )
        suggestion.status = {"yes": "accepted", "no": "declined"}.get(answer, answer)
        suggestion.answered_by = context.user_id
        suggestion.closed = now
        self.store.save_suggestion(suggestion)
        self.hub.bus.async_fire(
            EVENT_SUGGESTION_ANSWERED,
            {
                "suggestion_id": suggestion_id,
                "routine_id": suggestion.routine_id,
                "answer": answer,
            },
            context,
        )
        run = self.runs.get(suggestion.routine_id)
        if run is not None and run.suggestion_id != suggestion_id:
            run = None
        if unit is None:
            return "noted"
        if answer == "yes":
            if run is not None:
                self._close_run(run, None)
                self._succeeded(unit, run.trigger, None)
            self._outcome(unit, "accepted", suggestion_id=suggestion_id)
            state = self.hub.states.get(unit.entity_id)
            if state is None:
                raise EntityGoneError(
                    f"{unit.entity_id} is no longer there: nothing done (your yes is noted)"
                )
            if value_of(state) == unit.value:
                return f"{state.name} is already {unit.value}"
            parent = run.run if run is not None else self.hub.context(Origin.AGENT)
            action = await self._perform(
                unit, parent, suggestion.probability or 1.0, suggestion_id, context.user_id
            )
            if action is None:
                return f"could not {suggestion.service} {unit.entity_id} (see the health counters)"
            return action.explanation
        if run is not None:
            self._close_run(run, None)
        self._block(unit.item)
        if answer == "not_now":
            self._outcome(unit, "not_now", suggestion_id=suggestion_id)
            return "not now: I will not ask again for a while"
        if answer == "never":
            ladder.forbid(unit, context.user_id)
        self._outcome(unit, "declined", suggestion_id=suggestion_id)
        if answer == "never":
            return f"I will never do this again: {self._habit(unit)}"
        return "declined: I will watch a while longer before I ask again"

    # -- feedback ----------------------------------------------------------------------------

    def _outcome(
        self,
        unit: RoutineUnit,
        kind: str,
        *,
        action_id: str | None = None,
        suggestion_id: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Every outcome: the routine's evidence and level, stored, and said on the bus."""
        before = unit.level
        after_outcome(unit, kind, self.rules)
        now = self.hub.clock.timestamp()
        unit.updated = now
        self.counts[f"outcome_{kind}"] += 1
        if unit.level != before:
            self.counts[f"level_{before}_{unit.level}"] += 1
        self.store.save_routine(unit)
        self.store.add_outcome(
            Outcome(unit.routine_id, kind, now, action_id, suggestion_id, detail)
        )
        self.hub.bus.async_fire(
            EVENT_AGENT_FEEDBACK,
            {
                "routine_id": unit.routine_id,
                "kind": kind,
                "action_id": action_id,
                "suggestion_id": suggestion_id,
            },
            self.hub.context(Origin.AGENT),
        )

    # -- what people ask ---------------------------------------------------------------------

    async def async_undo(self, action_id: str | None, context: Context) -> str:
        """Undo an action (the last one when no id is given): the entity goes back to what it
        was, and the routine takes it as a revert."""
        if action_id is None:
            done = [a for a in self.actions.values() if a.status in ("sent", "done", "kept")]
            if not done:
                raise NothingToUndoError("the agent has done nothing that could be undone")
            action = max(done, key=lambda a: a.time)
        else:
            found = self.actions.get(action_id)
            if found is None:
                raise UnknownActionError(f"no action {action_id!r}")
            action = found
        if action.status in ("reverted", "undone"):
            raise NothingToUndoError(f"action {action.action_id} was already undone")
        if action.status in ("failed", "device_ignored"):
            raise NothingToUndoError(
                f"action {action.action_id} did nothing ({action.status}): nothing to undo"
            )
        self._close_action(action, "undone", "revert", f"undone by {context.user_id or 'a person'}")
        self._block(action.target_item)
        state = self.hub.states.get(action.entity_id)
        entry = self.hub.entities.get(action.entity_id)
        if state is None or entry is None or entry.handler is None:
            raise EntityGoneError(
                f"{action.entity_id} is no longer there, so it cannot be put back; the routine "
                "takes it as undone all the same"
            )
        if action.previous is None or value_of(state) == action.previous:
            return f"{state.name} is already {action.previous or state.state}"
        call = service_for(action.entity_id, action.previous, state.state)
        if call is None:
            raise NothingToUndoError(
                f"no service puts {action.entity_id} back to {action.previous!r}; the routine "
                "takes it as undone all the same"
            )
        domain, service, data = call
        ctx = self.hub.contexts.new(context.origin, context.user_id, action.context_id)
        await self.hub.services.async_call(
            domain, service, data, target={"entity_id": action.entity_id}, context=ctx
        )
        return f"undone: {state.name} back to {action.previous}"

    def set_level(self, rid: str, level: Level, by: str | None) -> RoutineUnit:
        unit = self.unit(rid)
        if level not in LEVELS:
            raise LevelRefusedError(f"no level {level!r} (levels: {', '.join(LEVELS)})")
        if level == "act" and unit.safety is not None:
            raise LevelRefusedError(
                f"{unit.entity_id} is {unit.safety}: the agent only suggests it, never acts "
                "on it without a person's yes"
            )
        ladder.set_level(unit, level, by)
        unit.updated = self.hub.clock.timestamp()
        self.store.save_routine(unit)
        if level in ("off", "observe"):
            run = self.runs.get(rid)
            if run is not None:
                self._close_run(run, None)
        return unit

    def forbid(self, rid: str, by: str | None) -> RoutineUnit:
        return self.set_level(rid, "off", by)

    def opt_out(self, person: str, opted_out: bool) -> None:
        if opted_out:
            self.opted_out.add(person)
        else:
            self.opted_out.discard(person)
        self.store.save_setting("opted_out", sorted(self.opted_out))

    def set_enabled(self, on: bool) -> None:
        """The off switch: off, the agent does nothing at all (earlier actions' feedback
        still counts); its open runs are closed."""
        self.enabled = on
        self.store.save_setting("enabled", on)
        if not on:
            for run in list(self.runs.values()):
                self._close_run(run, None)

    # -- reading -----------------------------------------------------------------------------

    def routines(self) -> list[dict[str, Any]]:
        order = {level: i for i, level in enumerate(reversed(LEVELS))}
        units = sorted(self.units.values(), key=lambda u: (order[u.level], u.routine_id))
        return [u.as_dict(self.name_of) for u in units]

    def open_suggestions(self) -> list[SuggestionRecord]:
        now = self.hub.clock.timestamp()
        return [s for s in self.suggestions.values() if s.status == "open" and s.expires > now]

    def last_action(self) -> ActionRecord | None:
        done = [a for a in self.actions.values() if a.status not in ("failed",)]
        return max(done, key=lambda a: a.time) if done else None

    # voice asks these (voice/sources.py: ExplanationSource, FeedbackSink)

    def last_action_reason(self, user_id: str | None) -> str | None:
        last = self.last_action()
        return None if last is None else last.explanation

    def reject_last_action(self, user_id: str | None, context: Context) -> str | None:
        """ "Don't do that again": the last action's routine is forbidden."""
        last = self.last_action()
        if last is None or last.routine_id not in self.units:
            return None
        unit = self.forbid(last.routine_id, user_id)
        self._outcome(unit, "declined", action_id=last.action_id, detail="don't do that again")
        name = self.name_of(unit.entity_id) or unit.entity_id
        return f"I won't {explain.doing(name, unit.value, past=False)} on my own again."


def _mine(
    history: list[Observation],
) -> tuple[list[Any], defaultdict[str, Counter[str]], set[str]]:
    """In a thread: the habits the routines code finds, who did each routine, what people
    do to devices."""
    from hearthmind.routines.observations import HomeLog
    from hearthmind.routines.readable import RoutineMiner

    doers: defaultdict[str, Counter[str]] = defaultdict(Counter)
    acted: set[str] = set()
    for obs in history:
        if obs.kind is Kind.ACTION:
            acted.add(obs.item)
            if obs.user_id:
                rid = routine_id(obs.entity_id, obs.value, part_of_day(obs.time))
                doers[rid][obs.user_id] += 1
    mined = RoutineMiner().mine_log(HomeLog("home", history)) if history else []
    return mined, doers, acted
