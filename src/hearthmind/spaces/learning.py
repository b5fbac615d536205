"""Learning preferences from what a person does in any space: a set-point they choose, the
light they dim to, the fan, the seat heating. Only people's own changes teach (the routines'
rule: human origins, never what the hub or the agent did), read through the routines'
`Observation` and `learned_value`, so the thermostat's choice is its set-point.

Each value is a running mean that moves less as it gathers evidence; its confidence grows
with the number of times the person chose it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from hearthmind.core import HUMAN_ORIGINS, SpaceKind, State
from hearthmind.routines.observations import Kind, Observation, learned_value

from .profile import CONTEXT_OF_KIND, NUMERIC_KEYS, Activity, PreferenceValue, Profile, activity_at

MAX_CONFIDENCE = 0.95


def observation_of(state: State, user_id: str | None) -> Observation | None:
    """A person's change as the routines see it, or None for anything else."""
    if state.context.origin not in HUMAN_ORIGINS:
        return None
    value = learned_value(state.entity_id, state.state, state.attributes)
    return Observation(
        state.last_updated,
        f"{state.entity_id}:{value}",
        Kind.ACTION,
        user_id or state.context.user_id,
        state.context.origin.value,
    )


def preferences_in(obs: Observation, attributes: Mapping[str, Any]) -> dict[str, float | str]:
    """The preference values a person's change says: a thermostat's set-point, a light's
    brightness and colour temperature, a fan's speed, a seat heater's level, a media source."""
    domain, object_id = obs.entity_id.split(".", 1)
    value = obs.value
    out: dict[str, float | str] = {}
    if domain == "climate" and "@" in value:
        out["temperature"] = float(value.split("@", 1)[1])
    elif domain == "light":
        if value == "off":
            return out
        bright = attributes.get("brightness")
        if isinstance(bright, int | float):
            out["brightness"] = round(float(bright) / 255 * 100, 1)
        kelvin = attributes.get("color_temp_kelvin")
        if isinstance(kelvin, int | float):
            out["color_temp"] = float(kelvin)
    elif domain == "fan":
        pct = attributes.get("percentage")
        out["fan"] = float(pct) if isinstance(pct, int | float) else 0.0
    elif domain == "number" and "seat_heat" in object_id:
        try:
            out["seat_heating"] = float(value)
        except ValueError:
            return out
    elif domain == "media_player":
        source = attributes.get("source")
        if isinstance(source, str):
            out["media_source"] = source
    elif domain == "select" and "language" in object_id:
        out["language"] = value
    return out


def learn(
    profile: Profile,
    kind: SpaceKind,
    space_id: str,
    ts: float,
    values: Mapping[str, float | str],
    zone: tzinfo | None = None,
    activity: Activity | None = None,
) -> list[str]:
    """Fold what the person chose into their profile (context set of the space's kind,
    activity of the hour); returns the keys that changed."""
    context = CONTEXT_OF_KIND[kind]
    activity = activity or activity_at(ts, zone)
    changed = []
    for key, value in values.items():
        old = profile.preferences.get((context, activity, key))
        if old is not None and old.source == "edited":
            continue  # what the person wrote themselves wins over what the hub saw
        source = f"learned:{kind.value}:{space_id}"
        if old is None:
            new = PreferenceValue(value, 1 / 3, source, 1, ts)
        else:
            count = old.count + 1
            if key in NUMERIC_KEYS and isinstance(value, float) and isinstance(old.value, float):
                step = max(0.25, 1 / count)
                value = round(old.value + (value - old.value) * step, 2)
            new = PreferenceValue(
                value, min(MAX_CONFIDENCE, count / (count + 2)), source, count, ts
            )
        profile.set(context, activity, key, new)
        changed.append(key)
    return changed
