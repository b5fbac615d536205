"""From habit to rule: a learned routine as a Home Assistant automation a person can pin
(`hearthmind routines propose ROUTINE_ID`), in HA's own format, so that the automations
loader, and Home Assistant itself, accept it as it is.

"weekdays 06:35-06:50, after the bedroom motion sensor: kitchen light on" becomes a state
trigger on the motion sensor, conditions (inside the window, on weekdays, the light not on
yet: a rule that does what the person already did would only repeat it) and the service call
`light.turn_on`. A routine with no usual event before it is triggered by the time its window
opens. Times are the home's wall clock, as the routines code and HA's time trigger read them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hearthmind.core import DOMAIN_SERVICES, valid_entity_id

from .readable import Routine, describe_item

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAYS = {"weekdays": WEEKDAYS[:5], "weekends": WEEKDAYS[5:]}
# the service that brings an entity to a value, by domain (then generic on/off)
_SERVICES: dict[str, dict[str, str]] = {
    "cover": {"open": "open_cover", "closed": "close_cover"},
    "lock": {"locked": "lock", "unlocked": "unlock"},
    "media_player": {"playing": "media_play", "paused": "media_pause", "idle": "media_stop"},
}
_ON_OFF = {"on": "turn_on", "off": "turn_off"}


class ProposalError(ValueError):
    """A routine that no rule can do (an activity, a value no service sets)."""


def _time(seconds: float, *, up: bool = False) -> str:
    """A wall-clock time in whole minutes, as a person would write it (down, or `up`)."""
    minutes = int(-(-seconds // 60) if up else seconds // 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def action_for(item: str) -> dict[str, Any]:
    """The service call that makes `item` ("light.kitchen:on", "climate.living:heat@20.5")
    come true, in HA's action format."""
    entity_id, _, value = item.rpartition(":")
    domain = entity_id.partition(".")[0]
    if not valid_entity_id(entity_id) or domain not in DOMAIN_SERVICES:
        raise ProposalError(f"{describe_item(item)!r} is not something a rule can do to a device")
    data: dict[str, Any] = {}
    if domain == "climate" and value != "off":
        mode, _, setpoint = value.partition("@")
        service, data = "set_hvac_mode", {"hvac_mode": mode}
        if setpoint:  # a learned set-point: the temperature is the choice (observations.py)
            service, data = "set_temperature", {"hvac_mode": mode, "temperature": float(setpoint)}
    else:
        service = _SERVICES.get(domain, {}).get(value) or _ON_OFF.get(value, "")
    if service not in DOMAIN_SERVICES[domain]:
        raise ProposalError(f"no {domain} service sets {entity_id} to {value!r}")
    action: dict[str, Any] = {"action": f"{domain}.{service}", "target": {"entity_id": entity_id}}
    if data:
        action["data"] = data
    return action


def _days(routine: Routine, day_start: float) -> list[str] | None:
    """The calendar days the rule may run on. The miner's days turn over at the home's
    quietest night hour, so a weekday habit at 00:30 happens on the calendar's next day."""
    days = _DAYS.get(routine.day_kind)
    if days is None:
        return None  # every day
    index = [WEEKDAYS.index(d) for d in days]
    after_midnight = routine.start < day_start
    crosses = routine.end < routine.start  # 23:40-00:20: the late part is the next day
    if after_midnight:
        index = [(i + 1) % 7 for i in index]
    elif crosses:
        index += [(i + 1) % 7 for i in index]
    return [WEEKDAYS[i] for i in sorted(set(index))]


def _trigger(routine: Routine) -> dict[str, Any]:
    after = routine.after
    entity_id, _, value = (after or "").rpartition(":")
    if after is None or not valid_entity_id(entity_id) or entity_id.startswith("activity."):
        return {"trigger": "time", "at": _time(routine.start)}
    trigger: dict[str, Any] = {"trigger": "state", "entity_id": entity_id}
    state = value.partition("@")[0]  # a thermostat's learned set-point: its mode is the state
    if state:
        trigger["to"] = state
    return trigger


def automation_for(
    routine: Routine,
    routine_id: str,
    *,
    day_start: float = 0.0,
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One routine as an HA automation (a mapping ready for YAML), described in the routines
    code's words (`Routine.text`) with `names` (entity id -> friendly name) for the devices;
    `day_start`: where the miner's days turned over (`RoutineMiner.day_start`)."""
    entity_id, _, value = routine.item.rpartition(":")
    action = action_for(routine.item)
    trigger = _trigger(routine)
    conditions: list[dict[str, Any]] = []
    if trigger["trigger"] == "state":  # the time the habit happens in
        conditions.append(
            # `before` is exclusive: the window's last minute is in it
            {
                "condition": "time",
                "after": _time(routine.start),
                "before": _time(routine.end + 60, up=True),
            }
        )
    days = _days(routine, day_start)
    if days is not None:
        if conditions:
            conditions[0]["weekday"] = days
        else:
            conditions.append({"condition": "time", "weekday": days})
    state = value.partition("@")[0]
    if "@" not in value:  # a set-point is an attribute: setting it again is harmless
        conditions.append(
            {
                "condition": "not",
                "conditions": [{"condition": "state", "entity_id": entity_id, "state": state}],
            }
        )
    what = describe_item(routine.item, names=names)
    return {
        "id": "hearthmind_" + "".join(c if c.isalnum() else "_" for c in routine_id).strip("_"),
        "alias": f"{what[:1].upper()}{what[1:]} ({routine.day_kind}, pinned routine)",
        "description": (
            f"Pinned from the routine {routine_id} that Hearthmind learned: {routine.text(names)}"
        ),
        "mode": "single",
        "triggers": [trigger],
        "conditions": conditions,
        "actions": [action],
    }


def automations_for(
    routines: Sequence[Routine],
    routine_id: str,
    *,
    day_start: float = 0.0,
    names: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The rules of one routine id (a habit may have a weekday and a weekend form), the one
    seen on the most days first; each rule's id is unique within the list."""
    ordered = sorted(routines, key=lambda r: (-r.support, r.start))
    rules = [automation_for(r, routine_id, day_start=day_start, names=names) for r in ordered]
    for n, rule in enumerate(rules[1:], start=2):
        rule["id"] = f"{rule['id']}_{n}"
    return rules
