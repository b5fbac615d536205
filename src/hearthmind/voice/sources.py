"""What the hub's other parts tell the voice pipeline, as small protocols.

The agent (when there is one) explains its actions, takes "don't do that again" and knows a
person's routines; it registers under the typed keys at the end of this module. Until it exists, `RecentActionLog` watches the bus for the last change
made by an automation or the agent, so "why did you do that" still gets a true answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from hearthmind.core import EVENT_STATE_CHANGED, Context, DataKey, Event, Hub, Origin

from . import answers

EVENT_VOICE_FEEDBACK = "voice_feedback"


@runtime_checkable
class ExplanationSource(Protocol):
    def last_action_reason(self, user_id: str | None) -> str | None:
        """Why the hub's last action (for this person) happened, in one sentence."""
        ...


@runtime_checkable
class FeedbackSink(Protocol):
    def reject_last_action(self, user_id: str | None, context: Context) -> str | None:
        """Take "don't do that again" for the last action; say what changes, or None."""
        ...


@runtime_checkable
class RoutineSource(Protocol):
    def describe_usual(
        self, user_id: str | None, weekday: str | None, part_of_day: str | None
    ) -> str | None:
        """What this person usually does then, in one or two sentences."""
        ...


@dataclass(frozen=True, slots=True)
class RecordedAction:
    entity_id: str
    name: str
    old: str | None
    new: str
    when: float
    context: Context
    reason: str | None


class RecentActionLog:
    """The last state change the hub itself made (origin agent or automation)."""

    def __init__(self, hub: Hub, explain: Callable[[str], str | None] | None = None) -> None:
        self.hub = hub
        self.last: RecordedAction | None = None
        # the agent's own sentence for a change it made, by the change's context id
        self._explain = explain
        self._unsub = hub.bus.async_listen(EVENT_STATE_CHANGED, self._on_state_changed)

    def close(self) -> None:
        self._unsub()

    def _on_state_changed(self, event: Event) -> None:
        ctx = event.context
        if ctx is None or ctx.origin not in (Origin.AGENT, Origin.AUTOMATION):
            return
        new = event.data.get("new_state")
        if new is None:
            return
        old = event.data.get("old_state")
        reason = new.attributes.get("reason") if hasattr(new, "attributes") else None
        if ctx.origin == Origin.AGENT and self._explain is not None:
            reason = self._explain(ctx.id) or reason
        self.last = RecordedAction(
            new.entity_id,
            new.name,
            old.state if old is not None else None,
            new.state,
            event.time_fired,
            ctx,
            reason if isinstance(reason, str) else None,
        )

    def last_action_reason(self, user_id: str | None) -> str | None:
        last = self.last
        if last is None:
            return None
        from datetime import UTC, datetime

        from .answers import local_now

        tz = local_now(self.hub).tzinfo or UTC
        at = datetime.fromtimestamp(last.when, tz).strftime("%H:%M")
        did = (
            f"turned {answers.the(last.name)} {last.new}"
            if last.new in ("on", "off")
            else (f"set {answers.the(last.name)} to {last.new}")
        )
        if last.context.origin == Origin.AGENT and self._explain is not None:
            sentence = self._explain(last.context.id)
            if sentence:  # the agent's own words: what, why, how sure, how to stop it
                return f"At {at}, I {did}. {sentence}"
        who = "one of your automations" if last.context.origin == Origin.AUTOMATION else "I"
        because = f" because {last.reason}" if last.reason else ""
        if who == "I":
            return f"I {did} at {at}{because}."
        return f"At {at}, {who} {did}{because}."

    def reject_last_action(self, user_id: str | None, context: Context) -> str | None:
        last = self.last
        if last is None:
            return None
        # no agent yet: tell whoever listens (the agent, when it exists, and the recorder)
        self.hub.bus.async_fire(
            EVENT_VOICE_FEEDBACK,
            {
                "kind": "reject",
                "entity_id": last.entity_id,
                "rejected_context_id": last.context.id,
                "user_id": user_id,
            },
            context,
        )
        return f"I won't change {answers.the(last.name)} like that on my own again."


# Where the part of the hub that knows (the agent, when there is one) registers itself:
# `hub.data[EXPLANATION_SOURCE] = agent`. Voice reads these keys; it never scans for a type.
EXPLANATION_SOURCE: DataKey[ExplanationSource] = DataKey("voice_explanation_source")
FEEDBACK_SINK: DataKey[FeedbackSink] = DataKey("voice_feedback_sink")
ROUTINE_SOURCE: DataKey[RoutineSource] = DataKey("voice_routine_source")
