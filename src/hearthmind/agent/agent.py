"""The agent: at each moment (every change people make, every sensor event, every action of
its own, and every few minutes of the clock) it looks for the routines whose moment it is,
by the routines model (what will people do next, how sure) and by each routine's own trusted
triggers (triggers.py), and for each does what the routine's level says: record what it
would have done (observe), ask (suggest, asking.py), or do it at the predicted moment (act).
Then it learns from what people do: a prediction that came true, a manual action it could
have done (a missed chance), a suggestion accepted, declined or ignored, an action undone
within the undo window (a revert). Every outcome moves the routine on the ladder (ladder.py)
and is stored (store.py). What people ask of it (undo, levels, the off switch) is in
requests.py.

One moment per routine is open at a time (a *run*, runs.py, after the hard rules of gate.py:
a Context of origin agent whose parent is the change that triggered it); the action's Context has the run as parent, so the recorder
links the change to the routine. The agent never repeats itself: an open run is not opened
again, an item it just did is left alone while it may be undone, and an item undone,
declined or put off is not tried again for `REPEAT_BLOCK`."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from hearthmind.core import (
    EVENT_STATE_CHANGED,
    HUMAN_ORIGINS,
    Context,
    Event,
    Hub,
    Origin,
    StateChangedData,
)
from hearthmind.core.clock import TimerHandle
from hearthmind.routines.observations import Kind, Observation
from hearthmind.routines.online import RoutineLearner
from hearthmind.routines.predictor import Prediction
from hearthmind.routines.timeofday import DAY

from . import asking, doing, gate, moments, proposals, requests, runs
from .acting import service_for, value_of
from .config import AgentConfig
from .errors import UnknownRoutineError
from .events import (
    EVENT_AGENT_FEEDBACK,
    SWITCH_ENTITY_ID,
    Answer,
    Level,
)
from .ladder import Policy, after_outcome, make_policy
from .moments import Moment
from .runs import Run
from .safety import (
    QuestionBudget,
    Undoers,
    safety_class,
)
from .store import ActionRecord, AgentStore, Outcome, SuggestionRecord
from .triggers import Occasion, TriggerBook
from .units import (
    RoutineUnit,
    habits_by_unit,
    is_proposed,
    lower,
    mine_habits,
    part_of_day,
    routine_id,
)

_LOGGER = logging.getLogger(__name__)

REPEAT_BLOCK = 3 * 3600.0  # seconds an undone, declined or put-off item is left alone
KEEP_IN_MEMORY = DAY  # actions and suggestions kept for undo and answers (all are stored)
HOUSEKEEPING = 3600.0  # seconds between looks at whether the model was refitted
TICK = 300.0  # seconds between looks by the clock alone (habits of a time, not an event)


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
        self.proposals: dict[str, proposals.Occasion] = {}  # other components' (proposals.py)
        self.actions: dict[str, ActionRecord] = {}
        self.suggestions: dict[str, SuggestionRecord] = {}
        self.enabled = True
        self.opted_out: set[str] = set()
        self.budget = QuestionBudget(config.max_questions_per_person_per_day)
        self.triggers = TriggerBook(config.ladder)
        self.undoers = Undoers()
        # a switch-off undone by someone who came into the room for a use of their own is
        # not a revert: the left-on watcher says who left (left_on.py), else None
        self.new_use: Callable[[ActionRecord, str], str | None] | None = None
        self.counts: Counter[str] = Counter()
        self._by_part: defaultdict[str, list[RoutineUnit]] = defaultdict(list)
        self.blocked: dict[str, float] = {}  # item -> until (hub clock)
        self._acted: set[str] = set()  # items people do to devices: what the agent may do
        self._doers: defaultdict[str, Counter[str]] = defaultdict(Counter)  # routine id -> users
        self.last_seen: Observation | None = None
        self.waiting: dict[str, list[Occasion]] = {}  # action id -> occasions it closed
        self._habits_at_refit = -1
        self._timers: dict[int, TimerHandle] = {}  # by id(): a timer may not hash
        self._unsub: Callable[[], None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._mining: asyncio.Future[Any] | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    async def async_start(self) -> None:
        now = self.hub.clock.timestamp()
        loaded = await self.store.async_load(since=now - KEEP_IN_MEMORY)
        for unit in loaded.routines.values():
            self._add_unit(unit)
            self._classify(unit)
        for action in loaded.actions:
            self.actions[action.action_id] = action
            if action.status in ("sent", "done"):
                doing.schedule_close(self, action)
        for suggestion in loaded.suggestions:
            self.suggestions[suggestion.suggestion_id] = suggestion
            if suggestion.status == "open":
                self.call_at(suggestion.expires, functools.partial(asking.expire, self, suggestion))
            gate.spend_question(self, suggestion.person, suggestion.created)  # today's budget
        self.enabled = bool(loaded.settings.get("enabled", True))
        self.opted_out = set(loaded.settings.get("opted_out", []))
        self.undoers = Undoers(loaded.settings.get("undoers"))
        self._unsub = self.hub.bus.async_listen(EVENT_STATE_CHANGED, self._on_state_changed)
        self.call_at(now, self._housekeeping)
        self.call_at(now + TICK, self._tick)

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

    def call_at(self, when: float, callback: Callable[[], None]) -> TimerHandle:
        handle: TimerHandle | None = None

        def fire() -> None:
            self._timers.pop(id(handle), None)
            try:
                callback()
            except Exception as err:  # a bug here must not stop the clock's other timers
                self.problem("agent_errors", f"agent timer failed: {err!r}")
                _LOGGER.exception("agent timer failed")

        handle = self.hub.clock.call_at(datetime.fromtimestamp(when, UTC), fire)
        self._timers[id(handle)] = handle
        return handle

    def cancel(self, timer: TimerHandle | None) -> None:
        if timer is not None:
            timer.cancel()
            self._timers.pop(id(timer), None)

    def spawn(self, coro: Any, name: str) -> None:
        task = self.hub.async_create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def problem(self, counter: str, message: str) -> None:
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

    def habit(self, unit: RoutineUnit) -> str:
        return unit.sentence(self.name_of)

    def unit_for(self, entity_id: str, value: str, part: str) -> RoutineUnit:
        rid = routine_id(entity_id, value, part)
        unit = self.units.get(rid)
        if unit is None:
            now = self.hub.clock.timestamp()
            unit = RoutineUnit(rid, entity_id, value, part, created=now, updated=now)
            unit.people = Counter(self._doers.get(rid, {}))
            self._classify(unit)
            self._add_unit(unit)
            self.store.save_routine(unit)
        return unit

    def _add_unit(self, unit: RoutineUnit) -> None:
        self.units[unit.routine_id] = unit
        if not is_proposed(unit.routine_id):  # a proposed one's moments are its component's
            self._by_part[unit.part].append(unit)

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

    def _housekeeping(self) -> None:
        """Hourly: forget what is closed and older than a day (it stays stored); once the
        model was refitted, read the habits again (in a thread)."""
        now = self.hub.clock.timestamp()
        self.call_at(now + HOUSEKEEPING, self._housekeeping)
        cutoff = now - KEEP_IN_MEMORY
        for key, action in list(self.actions.items()):
            if action.closed is not None and action.closed < cutoff:
                del self.actions[key]
        for key, suggestion in list(self.suggestions.items()):
            if suggestion.closed is not None and suggestion.closed < cutoff:
                del self.suggestions[key]
        for item, until in list(self.blocked.items()):
            if until < now:
                del self.blocked[item]
        self.triggers.forget_before(now)
        refits = self.learner.refits
        if refits == self._habits_at_refit or (self._mining and not self._mining.done()):
            return
        if self.learner.model is None and not self.learner.history:
            return
        self._habits_at_refit = refits
        self.spawn(self.async_refresh_habits(), "agent-habits")

    async def async_refresh_habits(self) -> None:
        """The routines code's habits and who does what, from the learner's history."""
        history = list(self.learner.history)
        loop = asyncio.get_running_loop()
        self._mining = loop.run_in_executor(None, mine_habits, history)
        try:
            mined, doers, acted = await self._mining
        except Exception as err:
            self.problem("agent_errors", f"cannot read the habits: {err!r}")
            return
        self._acted |= acted
        self._doers = doers
        for rid, sentence in habits_by_unit(mined, self.name_of).items():
            entity_id, _, rest = rid.rpartition(":")
            value, _, part = rest.rpartition("@")
            self.unit_for(entity_id, value, part).habit = sentence
        for unit in self.units.values():
            unit.people = Counter(doers.get(unit.routine_id, unit.people))
            self.store.save_routine(unit)

    # -- what happens ------------------------------------------------------------------------

    def _on_state_changed(self, event: Event[StateChangedData]) -> None:
        new = event.data["new_state"]
        if new is None:
            return
        ctx = event.context
        value = value_of(new)
        now = event.time_fired
        own = self.actions.get(ctx.id) if ctx.origin == Origin.AGENT else None
        if own is not None:
            if own.status == "sent" and value == own.target:
                own.status = "done"
                self.store.save_action(own)
            # what it did is a trigger for what comes next, as if a person had done it
            if self.enabled and value == own.target:
                self._moments(None, own.target_item, now, None)
            return
        if ctx.origin in HUMAN_ORIGINS and value is not None:
            self._person_did(new.entity_id, value, ctx, now)
        seen = self.learner.recent[-1] if self.learner.recent else None
        if seen is None or seen is self.last_seen:
            return  # nothing the routines learn from (the hub's own, a reading, ...)
        self.last_seen = seen
        if seen.kind is Kind.ACTION:
            self._learn_doer(seen)
        if self.enabled:
            self._moments(ctx, seen.item, now, seen)

    def _learn_doer(self, seen: Observation) -> None:
        """Everything people do to devices is a routine the agent may come to do."""
        self._acted.add(seen.item)
        if service_for(seen.entity_id, seen.value) is None or seen.entity_id == SWITCH_ENTITY_ID:
            return
        unit = self.unit_for(seen.entity_id, seen.value, part_of_day(seen.time))
        if seen.user_id:
            self._doers[unit.routine_id][seen.user_id] += 1
            unit.people[seen.user_id] += 1

    def _tick(self) -> None:
        """The clock's own moments: what is due now though nothing happened (the light
        switched off at 23:00 every night follows no event)."""
        now = self.hub.clock.timestamp()
        self.call_at(now + TICK, self._tick)
        if self.enabled:
            self._moments(None, None, now, None)

    def _person_did(self, entity_id: str, value: str, ctx: Context, when: float) -> None:
        """A person changed an entity: a revert of an agent action, a prediction come true,
        a missed chance, or a suggestion made moot."""
        undo_window = self.config.undo_window(entity_id)
        for action in list(self.actions.values()):
            if (
                action.entity_id == entity_id
                and action.status in ("sent", "done")
                and when - action.time <= undo_window
                and value != action.target
            ):
                doing.opposite_change(self, action, ctx.user_id, when)
        proposals.person_did(self, entity_id, value)
        item = f"{entity_id}:{value}"
        self.triggers.done(item, when, self.units)
        for run in list(self.runs.values()):
            if run.unit.item != item or run.closed:
                continue
            suggestion = self.suggestions.get(run.suggestion_id or "")
            if suggestion is not None and suggestion.status == "open":
                suggestion.status = "done_by_person"
                suggestion.answered_by = ctx.user_id
                suggestion.closed = when
                run.unit.evidence.question(False, suggestion.created)  # asked too late
                self.store.save_suggestion(suggestion)
            kind = "missed" if run.level == "act" and run.action_id is None else "came_true"
            self.close_run(run, kind)

    # -- moments -----------------------------------------------------------------------------

    def predictions(self) -> list[Prediction]:
        return moments.predictions(self)

    async def async_propose(
        self, proposal: proposals.Proposal, context: Context | None = None
    ) -> proposals.ProposalStatus:
        """Another component's change for a routine of its own (proposals.py): asked, done
        or observed as the routine's level and the hard rules say."""
        return await proposals.propose(self, proposal, context)

    def _moments(
        self, trigger: Context | None, item: str | None, now: float, seen: Observation | None
    ) -> None:
        """The routines whose moment it is, by the model (not on the agent's own actions,
        which the model does not see) and by their own triggers (on an event)."""
        found: dict[str, Moment] = {}
        due = moments.by_model(self, now) if seen is not None or item is None else []
        if item is not None:
            due += moments.by_trigger(self, item, now)
        for moment in due:  # per routine one moment: a trusted one if there is one
            other = found.get(moment.unit.routine_id)
            if other is None or (moment.trusted and not other.trusted):
                found[moment.unit.routine_id] = moment
        for moment in moments.without_conflicts(self, list(found.values())):
            runs.open_run(self, moment, trigger, seen, now)

    # -- runs --------------------------------------------------------------------------------

    def close_run(self, run: Run, kind: str | None) -> None:
        if run.closed:
            return
        run.closed = True
        self.cancel(run.timer)
        if self.runs.get(run.unit.routine_id) is run:
            del self.runs[run.unit.routine_id]
        if kind is not None:
            self.outcome(run.unit, kind, suggestion_id=run.suggestion_id, trusted=run.trusted)

    def block(self, item: str, seconds: float = REPEAT_BLOCK) -> None:
        until = self.hub.clock.timestamp() + seconds
        self.blocked[item] = max(until, self.blocked.get(item, 0.0))

    # -- feedback ----------------------------------------------------------------------------

    def outcome(
        self,
        unit: RoutineUnit,
        kind: str,
        *,
        action_id: str | None = None,
        suggestion_id: str | None = None,
        detail: str | None = None,
        trusted: bool = True,
    ) -> None:
        """Every outcome: the routine's evidence and level, stored, and said on the bus."""
        before = unit.level
        after_outcome(unit, kind, self.rules, trusted)
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

    # -- what people ask (requests.py, asking.py) --------------------------------------------

    async def async_answer(self, suggestion_id: str, answer: Answer, context: Context) -> str:
        return await asking.answer(self, suggestion_id, answer, context)

    async def async_undo(self, action_id: str | None, context: Context) -> str:
        return await requests.undo(self, action_id, context)

    def set_level(self, rid: str, level: Level, by: str | None) -> RoutineUnit:
        return requests.set_level(self, rid, level, by)

    def forbid(self, rid: str, by: str | None) -> RoutineUnit:
        return requests.set_level(self, rid, "off", by)

    def opt_out(self, person: str, opted_out: bool) -> None:
        requests.opt_out(self, person, opted_out)

    def set_enabled(self, on: bool) -> None:
        requests.set_enabled(self, on)

    def routines(self) -> list[dict[str, Any]]:
        return requests.routines(self)

    def open_suggestions(self) -> list[SuggestionRecord]:
        now = self.hub.clock.timestamp()
        return [s for s in self.suggestions.values() if s.status == "open" and s.expires > now]

    def last_action(self) -> ActionRecord | None:
        done = [a for a in self.actions.values() if a.status != "failed"]
        return max(done, key=lambda a: a.time) if done else None

    # voice asks these (voice/sources.py: ExplanationSource, FeedbackSink)

    def last_action_reason(self, user_id: str | None) -> str | None:
        last = self.last_action()
        return None if last is None else last.explanation

    def reject_last_action(self, user_id: str | None, context: Context) -> str | None:
        return requests.reject_last_action(self, user_id)
