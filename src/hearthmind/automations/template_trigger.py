"""HA's `template` trigger: fires when `value_template` becomes true (from false), optionally
after it stayed true `for` a while.

Like HA, it re-renders only when a state the last render read changes (tracked during the
render), on every state change if it iterated over states, and each minute if it read the
time; so a template trigger costs nothing when unrelated entities change."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from hearthmind.core import EVENT_STATE_CHANGED, Context, Event

from .templates import RenderInfo, TemplateError, native, template_true
from .trigger import TRIGGER_KEYS, Detach, FireTrigger, Trigger
from .validation import KeyPath, RuleError, check_keys, parse_duration

if TYPE_CHECKING:
    from hearthmind.core.clock import TimerHandle

    from .environment import RuleEnvironment


class TemplateTrigger(Trigger):
    platform = "template"

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        super().__init__(config, path, index, env)
        check_keys(config, TRIGGER_KEYS | {"value_template", "for"}, path, "a template trigger")
        text = config.get("value_template")
        if not isinstance(text, str):
            raise RuleError((*path, "value_template"), "a template trigger needs 'value_template'")
        self.template = env.templates.compile(text, (*path, "value_template"))
        self.for_ = parse_duration(config["for"], (*path, "for")) if "for" in config else None
        self.description = "template"

    def attach(self, fire: FireTrigger) -> Detach:
        return _Watch(self, fire).detach


class _Watch:
    """One attached template trigger: its subscription follows what the last render read."""

    def __init__(self, trigger: TemplateTrigger, fire: FireTrigger) -> None:
        self.trigger = trigger
        self.fire = fire
        self.hub = trigger.env.hub
        self.was_true = False
        self.watched: frozenset[str] | None = frozenset()  # None: every state change
        self.unsubscribe: Detach | None = None
        self.tick: TimerHandle | None = None
        self.pending: TimerHandle | None = None
        self.was_true = self.evaluate(None, fire_on_rise=False)  # true at set-up does not fire

    def evaluate(self, event: Event | None, *, fire_on_rise: bool = True) -> bool:
        trigger = self.trigger
        variables: dict[str, Any] = {"trigger": trigger.base_variables()}
        try:
            text, info = trigger.env.templates.render_tracked(trigger.template, variables)
            now_true = template_true(native(text))
        except TemplateError as err:
            self.hub.health.problem(
                "automation_template_errors",
                f"template trigger: {err}",
                self.hub.clock.timestamp(),
            )
            read = err.info
            if read is None or not (read.entities or read.all_states):
                read = RenderInfo(all_states=True)  # nothing to go by: retry on any change
            info, now_true = read, False
        self.follow(info)
        if not now_true:
            self.cancel_pending()
        elif not self.was_true and fire_on_rise:
            self.rise(event)
        self.was_true = now_true
        return now_true

    def rise(self, event: Event | None) -> None:
        trigger = self.trigger
        data = event.data if event is not None else {}
        variables = {
            **trigger.base_variables(),
            "entity_id": data.get("entity_id"),
            "from_state": data.get("old_state"),
            "to_state": data.get("new_state"),
            "for": timedelta(seconds=trigger.for_) if trigger.for_ is not None else None,
            "description": trigger.description,
        }
        context: Context | None = event.context if event is not None else None
        if trigger.for_ is None:
            self.fire(variables, context)
            return

        def elapsed() -> None:
            self.pending = None
            self.fire(variables, context)

        self.cancel_pending()
        when = datetime.fromtimestamp(self.hub.clock.timestamp() + trigger.for_, UTC)
        self.pending = self.hub.clock.call_at(when, elapsed)

    def cancel_pending(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None

    def follow(self, info: RenderInfo) -> None:
        watched = None if info.all_states else frozenset(info.entities)
        if watched != self.watched or self.unsubscribe is None:
            if self.unsubscribe is not None:
                self.unsubscribe()
            if watched is None:
                self.unsubscribe = self.hub.bus.async_listen(EVENT_STATE_CHANGED, self.on_change)
            else:
                self.unsubscribe = self.hub.states.async_track_entities(watched, self.on_change)
            self.watched = watched
        if info.uses_now and self.tick is None:
            now = self.hub.clock.now()
            next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
            self.tick = self.hub.clock.call_at(next_minute, self.on_tick)

    def on_change(self, event: Event) -> None:
        self.evaluate(event)

    def on_tick(self) -> None:
        self.tick = None
        self.evaluate(None)

    def detach(self) -> None:
        if self.unsubscribe is not None:
            self.unsubscribe()
            self.unsubscribe = None
        for handle in (self.tick, self.pending):
            if handle is not None:
                handle.cancel()
        self.tick = self.pending = None
