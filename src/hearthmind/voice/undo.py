"""'Undo' within a conversation: the states of what the last turn changed, put back.

Before each turn the conversation keeps the states as they were (`snapshot`); after it,
`restorations` works out, for each device the turn acted on, the call that brings its
previous state back (a light's level, a thermostat's set-point, a player's volume, a blind's
position, on or off). "Undo" then makes those calls through `Acting`, so the safety check
holds for them too: undoing "lock the back door" would unlock it, and is refused by voice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hearthmind.core import Hub, State

from . import answers
from .acting import Acting
from .home import NamedEntity
from .intents import IntentMatch
from .turns import NotUnderstood, ServiceAction, Turn, VoiceAnswer

ON_STATES = frozenset({"on", "playing", "paused", "idle", "buffering", "heat", "cool", "auto"})


@dataclass(frozen=True, slots=True)
class Restore:
    entity_id: str
    service: str
    data: dict[str, Any] = field(default_factory=dict)


def snapshot(hub: Hub) -> dict[str, State]:
    return {state.entity_id: state for state in hub.states.async_all()}


def restorations(before: dict[str, State], actions: list[ServiceAction], hub: Hub) -> list[Restore]:
    """The calls that undo `actions`, given the states `before` them."""
    out: list[Restore] = []
    seen: set[str] = set()
    for action in actions:
        for entity_id in action.entity_ids:
            old, new = before.get(entity_id), hub.states.get(entity_id)
            if old is None or entity_id in seen:
                continue
            seen.add(entity_id)
            restore = _restore(old, new, action)
            if restore is not None:
                out.append(restore)
    return out


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _restore(old: State, new: State | None, action: ServiceAction) -> Restore | None:
    domain, eid, attrs = action.domain, old.entity_id, old.attributes
    changed = new is None or new.state != old.state
    if domain == "climate" and action.service == "set_temperature":
        previous = _number(attrs.get("temperature"))
        if previous is None:
            previous = _number(attrs.get("current_temperature"))
        if previous is None:
            return None
        return Restore(eid, "set_temperature", {"temperature": previous})
    if domain == "media_player" and action.service == "volume_set":
        level = _number(attrs.get("volume_level"))
        if level is None:
            return None
        return Restore(eid, "volume_set", {"volume_level": level / 100 if level > 1 else level})
    if domain == "light":
        if old.state != "on":
            return Restore(eid, "turn_off") if changed else None
        if _number(attrs.get("brightness")) is not None:
            return Restore(eid, "turn_on", {"brightness": int(float(attrs["brightness"]))})
        step = _number(action.data.get("brightness_step_pct"))
        if step is not None:
            return Restore(eid, "turn_on", {"brightness_step_pct": -step})
        if _number(attrs.get("brightness_pct")) is not None:
            return Restore(eid, "turn_on", {"brightness_pct": float(attrs["brightness_pct"])})
        return Restore(eid, "turn_on") if changed else None
    if domain in ("cover", "valve") and action.service.startswith("set_"):
        position = _number(attrs.get("current_position", attrs.get("position")))
        if position is None:
            return None
        return Restore(eid, action.service, {"position": int(position)})
    if not changed:
        return None
    if domain == "cover":
        return Restore(eid, "open_cover" if old.state in ("open", "opening") else "close_cover")
    if domain == "valve":
        return Restore(eid, "open_valve" if old.state in ("open", "opening") else "close_valve")
    if domain == "lock":
        return Restore(eid, "lock" if old.state == "locked" else "unlock")
    if domain == "vacuum":
        return Restore(eid, "start" if old.state == "cleaning" else "return_to_base")
    if domain in ("scene", "script", "button", "todo"):
        return None  # what a scene or script did is not one state to put back
    return Restore(eid, "turn_on" if old.state in ON_STATES else "turn_off")


async def undo_turn(act: Acting, turn: Turn) -> VoiceAnswer:
    """Handler of HubUndoTurn: the conversation's `hub_restore` calls, each through the
    safety check; what may not be undone by voice is said."""
    restores: list[Restore] = list(turn.slot("hub_restore") or [])
    by_id = {e.entity_id: e for e in turn.home.entities}
    actions: list[ServiceAction] = []
    done: list[str] = []
    refused: list[str] = []
    for restore in restores:
        entity = by_id.get(restore.entity_id)
        if entity is None:
            continue
        try:
            actions += await act.call(turn, [entity], _service(restore), restore.data)
        except NotUnderstood as err:
            if err.error != "needs_confirmation":
                raise
            refused.append(_refusal(entity, restore))
            continue
        done.append(entity.name)
    if refused and not done:
        raise NotUnderstood(f"I can't undo that by voice: {refused[0]}", "needs_confirmation")
    if not done:
        return act.done(turn, "There was nothing to put back.", [])
    said = f"Undone: {answers.things(done, 'device')} {'is' if len(done) == 1 else 'are'} back as before."
    if refused:
        said += f" But {refused[0]}"
    return act.done(turn, said, actions)


def _service(restore: Restore) -> Callable[[NamedEntity], str]:
    return lambda _: restore.service


def _refusal(entity: NamedEntity, restore: Restore) -> str:
    verb = restore.service.replace("_", " ").replace(" valve", "").replace(" cover", "")
    return f"for safety, please {verb} {answers.the(entity.name)} in the app."


# the way back, offered after a change a person may want to take back at once
UNDO_OFFER = {
    ("HubClimateStep", "up"): "Say 'undo' if that's too warm.",
    ("HubClimateStep", "down"): "Say 'undo' if that's too cool.",
    ("HubLightStep", "up"): "Say 'undo' to put the lights back.",
    ("HubLightStep", "down"): "Say 'undo' to put the lights back.",
    ("HubVolumeStep", "up"): "Say 'undo' to put the volume back.",
    ("HubVolumeStep", "down"): "Say 'undo' to put the volume back.",
    ("HubEverythingOff", None): "Say 'undo' to turn them back on.",
}


def undo_offer(match: IntentMatch | None) -> str | None:
    """The way back said after a change a person may want to take back at once."""
    if match is None:
        return None
    direction = match.slots.get("direction") if match.intent != "HubEverythingOff" else None
    return UNDO_OFFER.get((match.intent, direction))
