""" "Why did my light turn on?" in words: a recorded change and its chain of causes
(`causes.py`) as an answer a person reads and a program parses, whoever made the change: a
person at the device, by voice or in an app; an automation (which one, on which trigger,
after what); the agent (which routine, its sentence and evidence, from the `agent_action`
event recorded in the same Context); or the device on its own. The API, the WebSocket and the
CLI answer with this one wording. Times a person reads are in the home's time zone.

Only recorded rows are read here: the agent's and the automations' words come from their
events' data (`agent_action`: routine_id, person, explanation; `automation_triggered`: name,
entity_id, source), not from their packages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from .causes import CauseLink, ChangeCauses
from .history import EventRow, StateRow

HUMAN = {"physical": "by hand, at the device", "voice": "by voice", "app": "from the app"}
AGENT_ACTION = "agent_action"  # hearthmind.agent.events.EVENT_AGENT_ACTION, by name
AGENT_MOMENT = "agent_moment"  # hearthmind.agent.events.EVENT_AGENT_MOMENT: a routine's run
AUTOMATION_TRIGGERED = "automation_triggered"  # hearthmind.automations' event, by name
_VERBS = {"open": "opened", "closed": "closed", "locked": "locked", "unlocked": "unlocked"}


def _name(row: StateRow, *others: StateRow | None) -> str:
    """Its friendly name (from an earlier row when this one has none), else its entity id."""
    for candidate in (row, *others):
        friendly = candidate.attributes.get("friendly_name") if candidate else None
        if isinstance(friendly, str) and friendly:
            return friendly
    return row.entity_id


def _what(change: StateRow, previous: StateRow | None, name: str) -> str:
    """What was done to the entity, as a verb phrase: "turned Kitchen on"."""
    state = change.state
    if state is None:
        return f"removed {name}"
    if previous is not None and previous.state == state:
        return f"changed {name} (still {state})"  # attributes only: a brightness, a set-point
    if state in ("on", "off"):
        return f"turned {name} {state}"
    if state in _VERBS:
        return f"{_VERBS[state]} {name}"
    return f"set {name} to {state}"


def _when(ts: float, zone: tzinfo) -> str:
    t = datetime.fromtimestamp(ts, zone)
    return f"{t:%H:%M} on {t:%a} {t.day} {t:%b}"


def _person(user_id: str | None, names: Mapping[str, str]) -> str | None:
    return None if user_id is None else names.get(user_id, user_id)


def _event_summary(event: EventRow) -> str:
    data = event.data
    if event.event_type == AUTOMATION_TRIGGERED:
        return (
            f"automation {data.get('name')!r} ({data.get('entity_id')}) ran on {data.get('source')}"
        )
    if event.event_type == AGENT_ACTION:
        return f"the agent acted for routine {data.get('routine_id')}: {data.get('explanation')}"
    if event.event_type == AGENT_MOMENT:
        return _moment(data)
    if event.event_type == "call_service":
        target = (data.get("service_data") or {}).get("entity_id")
        targets = ", ".join(target) if isinstance(target, list) else target
        return f"called {data.get('domain')}.{data.get('service')}" + (
            f" on {targets}" if targets else ""
        )
    return f"event {event.event_type}"


def _moment(data: Mapping[str, Any]) -> str:
    source = data.get("source")
    by = "the routines model's prediction" if source == "model" else f"its trigger {source}"
    return f"the moment of routine {data.get('routine_id')}, by {by}"


def _changes(link: CauseLink) -> list[StateRow]:
    """The link's state changes, less a run's own bookkeeping (its automation entity's
    last_triggered), which says nothing the automation_triggered event does not."""
    runs = {e.data.get("entity_id") for e in link.events if e.event_type == AUTOMATION_TRIGGERED}
    return [s for s in link.states if s.entity_id not in runs]


def _link_json(link: CauseLink, names: Mapping[str, str], zone: tzinfo) -> dict[str, Any]:
    times = [e.time_fired_ts for e in link.events] + [s.last_updated_ts for s in link.states]
    return {
        "context_id": link.context_id,
        "origin": link.origin,
        "user_id": link.user_id,
        "person": _person(link.user_id, names),
        "parent_id": link.parent_id,
        "time": datetime.fromtimestamp(min(times), zone).isoformat() if times else None,
        "what": [_event_summary(e) for e in link.events]
        + [f"{s.entity_id} became {s.state}" for s in _changes(link)],
    }


def _cause(link: CauseLink, names: Mapping[str, str]) -> str:
    """A cause in a few words, with who or what made it: "Hall motion became on (the
    device itself)"."""
    changes, run = _changes(link), link.event(AUTOMATION_TRIGGERED)
    if changes:
        what = f"{_name(changes[0])} became {changes[0].state}"
    elif run is not None:
        what = f"the automation {run.data.get('name')!r} ran"
    elif (act := link.event(AGENT_ACTION)) is not None:
        what = f"the agent acted for routine {act.data.get('routine_id')}"
    elif (moment := link.event(AGENT_MOMENT)) is not None:
        return _moment(moment.data)
    elif link.events:
        what = _event_summary(link.events[0])
    else:
        return f"a cause that was not recorded (context {link.context_id})"
    if link.origin in HUMAN:
        who = _person(link.user_id, names) or "someone"
        return f"{what} ({who}, {HUMAN[link.origin]})"
    if link.origin == "automation" and run is not None and changes:
        return f"{what} (the automation {run.data.get('name')!r}, on {run.data.get('source')})"
    by = {"sensor": "the device itself", "automation": "an automation", "agent": "the agent"}
    return f"{what} ({by.get(link.origin, link.origin)})"


def _by_and_sentence(
    causes: ChangeCauses, names: Mapping[str, str], zone: tzinfo, name: str
) -> tuple[str, str]:
    change, chain = causes.change, causes.chain
    own = chain[0]
    what, when = _what(change, causes.previous, name), _when(change.last_updated_ts, zone)
    if own.origin in HUMAN:
        who = _person(own.user_id, names)
        return who or "someone", f"{who or 'Someone'} {what} {HUMAN[own.origin]}, at {when}."
    if own.origin == "automation":
        run = own.event(AUTOMATION_TRIGGERED)
        alias = run.data.get("name") if run else None
        entity = run.data.get("entity_id") if run else None
        label = f"automation {alias!r}" if alias else (entity or "an automation")
        if alias:
            subject = f"The automation {alias!r}" + (f" ({entity})" if entity else "")
        else:  # no automation_triggered in its Context (a run begun before the recorder was)
            subject = f"The automation {entity}" if entity else "An automation"
        sentence = f"{subject} {what} at {when}"
        if run is not None and run.data.get("source"):
            sentence += f", on its trigger ({run.data['source']})"
        return label, sentence + _causes_text(chain, names) + "."
    if own.origin == "agent":
        act = own.event(AGENT_ACTION)
        if act is None:
            return "the agent", (
                f"Hearthmind's agent {what} at {when}; no agent_action was recorded with it, so "
                "which routine is not known."
            )
        routine = act.data.get("routine_id")
        person = _person(act.data.get("person"), names)
        sentence = f"Hearthmind's agent {what} at {when} for the routine {routine}"
        sentence += f" of {person}" if person else ""
        if act.data.get("suggestion_id"):  # it asked first; the Context names who said yes
            sentence += f", when {_person(own.user_id, names) or 'someone'} said yes"
        explanation = str(act.data.get("explanation") or "").strip().rstrip(".")
        if len(chain) > 1 and chain[1].recorded:  # its run: the routine's moment and trigger
            sentence += _causes_text(chain, names) + "."
            return f"agent routine {routine}", sentence + (
                f" {explanation}." if explanation else ""
            )
        return f"agent routine {routine}", sentence + (f": {explanation}." if explanation else ".")
    if own.origin == "sensor":
        same = causes.previous is not None and causes.previous.state == change.state
        became = (
            f"{name}'s attributes changed (still {change.state})"
            if same
            else f"{name} became {change.state}"
        )
        sentence = f"{became} at {when}, reported by the device itself"
        if len(chain) > 1:
            return "the device", sentence + _causes_text(chain, names) + "."
        return "the device", sentence + ": no person, rule or agent caused it."
    return own.origin, f"{what[0].upper()}{what[1:]} at {when} (origin {own.origin})."


def _causes_text(chain: tuple[CauseLink, ...], names: Mapping[str, str]) -> str:
    """ ", after <the parent>; the first cause: <the chain's end>" as far as it was recorded."""
    if len(chain) < 2:
        return ""
    text = f", after {_cause(chain[1], names)}"
    first = chain[-1] if chain[-1].recorded else chain[-2]
    if first is not chain[1] and first is not chain[0]:
        text += f"; the first cause: {_cause(first, names)}"
    return text


def explain_change(
    causes: ChangeCauses,
    *,
    zone: tzinfo,
    names: Mapping[str, str] | None = None,
    others: Sequence[StateRow] = (),
) -> dict[str, Any]:
    """One change as {entity_id, state, changed_at (ISO, the home's offset), origin, by,
    chain (the change's own Context first, back to its first cause), sentence}. `others`:
    more rows of the entity, whose friendly name serves when the change's own has none."""
    names = names or {}
    change = causes.change
    name = _name(change, causes.previous, *others)
    by, sentence = _by_and_sentence(causes, names, zone, name)
    return {
        "entity_id": change.entity_id,
        "state": change.state,
        "previous_state": None if causes.previous is None else causes.previous.state,
        "changed_at": datetime.fromtimestamp(change.last_updated_ts, zone).isoformat(),
        "origin": change.origin,
        "by": by,
        "context_id": change.context_id,
        "chain": [_link_json(link, names, zone) for link in causes.chain],
        "sentence": sentence,
    }


def why_answer(
    entity_id: str,
    found: list[ChangeCauses],
    *,
    zone: tzinfo,
    names: Mapping[str, str] | None = None,
    current_state: str | None = None,
    at: float | None = None,
) -> dict[str, Any]:
    """The answer about an entity: its last change's fields at the top, and `changes` (the
    last N, newest first). With no recorded change, the fields are empty and the sentence
    says so (up to `at`, when the question was about a time)."""
    rows = [c.change for c in found]
    changes = [explain_change(c, zone=zone, names=names, others=rows) for c in found]
    if not changes:
        until = f" up to {_when(at, zone)}" if at is not None else ""
        now = f" (it is {current_state} now)" if current_state is not None else ""
        return {
            "entity_id": entity_id,
            "state": current_state,
            "previous_state": None,
            "changed_at": None,
            "origin": None,
            "by": None,
            "context_id": None,
            "chain": [],
            "sentence": f"{entity_id} has no recorded change{until}{now}.",
            "changes": [],
        }
    return {**changes[0], "changes": changes}
