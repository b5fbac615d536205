"""The sentences the agent says: what it did or asks, why (the habit and its evidence), how
sure, and how to stop it."""

from __future__ import annotations

from .units import RoutineUnit

_VERBS = {
    "on": ("turn on", "turned on"),
    "off": ("turn off", "turned off"),
    "open": ("open", "opened"),
    "closed": ("close", "closed"),
    "locked": ("lock", "locked"),
    "unlocked": ("unlock", "unlocked"),
    "playing": ("start", "started"),
    "paused": ("pause", "paused"),
}


def doing(name: str, value: str, *, past: bool) -> str:
    """'turned on the Kitchen light' / 'set the Thermostat to heat at 20.5'."""
    verbs = _VERBS.get(value)
    if verbs is not None:
        return f"{verbs[1] if past else verbs[0]} the {name}"
    if "@" in value:
        mode, _, setpoint = value.partition("@")
        value = f"{mode} at {setpoint}"
    return f"set the {name} to {value.replace('_', ' ')}"


def evidence_phrase(unit: RoutineUnit) -> str:
    ev = unit.evidence
    if not ev.recent:
        return ""
    return f"; it came true {sum(ev.recent)} of the last {len(ev.recent)} times"


def action_sentence(
    unit: RoutineUnit,
    name: str,
    habit: str,
    probability: float,
    undo_minutes: float,
    confirmed_by: str | None = None,
) -> str:
    what = doing(name, unit.value, past=True)
    head = f"I {what}" + (f" because {confirmed_by} said yes" if confirmed_by else "")
    return (
        f"{head}. Your habit: {habit}. I was {probability:.0%} sure{evidence_phrase(unit)}. "
        f"Undo it within {undo_minutes:g} minutes and I will ask first next time; "
        f"to stop it for good: `hearthmind agent forbid {unit.routine_id}`."
    )


def suggestion_sentence(unit: RoutineUnit, name: str, habit: str, probability: float) -> str:
    what = doing(name, unit.value, past=False)
    asked = f" It is {unit.safety}: I only ever ask." if unit.safety else ""
    return (
        f"Shall I {what}? Your habit: {habit}. I am {probability:.0%} sure"
        f"{evidence_phrase(unit)}.{asked} Answer yes, no, not now or never."
    )
