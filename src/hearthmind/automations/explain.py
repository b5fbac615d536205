""" "Why did this light turn on?": walk the parent ids of recorded contexts, from an effect back
to its first cause (the light's state change <- the automation's run <- the motion sensor).

Works on what the recorder returns (`StateRow`/`EventRow`: `context_id`, `parent_id`,
`origin`), on core `Event`s, and on Home Assistant's event JSON shape (`Event.as_dict()`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Happening:
    """One recorded thing, reduced to what the explanation needs."""

    context_id: str
    parent_id: str | None
    origin: str
    user_id: str | None
    summary: str
    time: float | None = None
    kind: str = ""  # the event type ("state_changed" for state rows)
    entity_id: str | None = None


@dataclass(slots=True)
class ChainLink:
    """One context of the chain and what happened in it, oldest first."""

    context_id: str
    parent_id: str | None
    origin: str
    user_id: str | None
    happenings: list[Happening] = field(default_factory=list)

    def describe(self) -> str:
        who = f"{self.origin}" + (f" by {self.user_id}" if self.user_id else "")
        what = "; ".join(h.summary for h in self.happenings) or "(not recorded)"
        return f"{what} [{who}]"


def _state_summary(entity_id: str, state: Any) -> str:
    return f"{entity_id} removed" if state is None else f"{entity_id} became {state}"


def _event_summary(event_type: str, data: Mapping[str, Any]) -> str:
    if event_type == "automation_triggered":
        return (
            f"automation {data.get('name')!r} ({data.get('entity_id')}) ran on {data.get('source')}"
        )
    if event_type == "call_service":
        target = (data.get("service_data") or {}).get("entity_id")
        suffix = (
            f" on {', '.join(target) if isinstance(target, list) else target}" if target else ""
        )
        return f"called {data.get('domain')}.{data.get('service')}{suffix}"
    if event_type == "state_changed":
        new = data.get("new_state")
        state = getattr(new, "state", None) if not isinstance(new, Mapping) else new.get("state")
        return _state_summary(str(data.get("entity_id")), state)
    return f"event {event_type}"


def as_happening(item: Any) -> Happening | None:
    """A recorder row, a core Event or an event dict as a `Happening` (None if none of those)."""
    if hasattr(item, "context_id"):  # recorder rows
        if hasattr(item, "entity_id"):
            return Happening(
                item.context_id,
                item.parent_id,
                str(item.origin),
                item.user_id,
                _state_summary(item.entity_id, item.state),
                getattr(item, "last_updated_ts", None),
                "state_changed",
                item.entity_id,
            )
        data = item.data or {}
        return Happening(
            item.context_id,
            item.parent_id,
            str(item.origin),
            item.user_id,
            _event_summary(item.event_type, data),
            getattr(item, "time_fired_ts", None),
            item.event_type,
            data.get("entity_id"),
        )
    context = getattr(item, "context", None)
    if context is not None and hasattr(context, "id"):  # core Event
        return Happening(
            context.id,
            context.parent_id,
            str(context.origin),
            context.user_id,
            _event_summary(item.event_type, item.data),
            getattr(item, "time_fired", None),
            item.event_type,
            item.data.get("entity_id"),
        )
    if isinstance(item, Mapping) and isinstance(item.get("context"), Mapping):
        ctx = item["context"]
        return Happening(
            str(ctx.get("id")),
            ctx.get("parent_id"),
            str(ctx.get("origin", "")),
            ctx.get("user_id"),
            _event_summary(str(item.get("event_type")), item.get("data") or {}),
            kind=str(item.get("event_type")),
            entity_id=(item.get("data") or {}).get("entity_id"),
        )
    return None


def explain_context_chain(records: Iterable[Any], context_id: str) -> list[ChainLink]:
    """The chain of causes of `context_id`, first cause first. A parent that was not recorded
    ends the chain with an empty link (its origin 'unknown')."""
    by_context: dict[str, list[Happening]] = {}
    for record in records:
        happening = as_happening(record)
        if happening is not None:
            by_context.setdefault(happening.context_id, []).append(happening)
    chain: list[ChainLink] = []
    seen: set[str] = set()
    current: str | None = context_id
    while current is not None and current not in seen:
        seen.add(current)
        happenings = by_context.get(current)
        if not happenings:
            chain.append(ChainLink(current, None, "unknown", None))
            break
        first = happenings[0]
        chain.append(
            ChainLink(current, first.parent_id, first.origin, first.user_id, _relevant(happenings))
        )
        current = first.parent_id
    chain.reverse()
    return chain


def _relevant(happenings: list[Happening]) -> list[Happening]:
    """A run's own bookkeeping (its automation entity's last_triggered/current updates) says
    nothing the `automation_triggered` event does not."""
    runs = {h.entity_id for h in happenings if h.kind == "automation_triggered"}
    return [h for h in happenings if not (h.kind == "state_changed" and h.entity_id in runs)]


def describe_chain(chain: list[ChainLink]) -> str:
    """One line per cause, first cause first: readable in a terminal or a chat answer."""
    return "\n".join(
        f"{'  ' * i}{'<- ' if i else ''}{link.describe()}" for i, link in enumerate(reversed(chain))
    )
