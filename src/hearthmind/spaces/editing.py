"""A person editing their own profile: a value they set themselves (kept over what the hub
learns, source "edited"), what they share with each kind of space, whether hotel stays teach
their profile. Each edit is checked and refused with what is wrong in it."""

from __future__ import annotations

from typing import Any

from hearthmind.core import SpaceKind

from .profile import (
    NUMERIC_KEYS,
    PREFERENCE_KEYS,
    Activity,
    Category,
    ContextSet,
    PreferenceValue,
    Profile,
)
from .stays import SpacesError

LIMITS = {
    "temperature": (5.0, 35.0),
    "fan": (0.0, 100.0),
    "seat_heating": (0.0, 3.0),
    "brightness": (0.0, 100.0),
    "color_temp": (1500.0, 9000.0),
}


def edit_preference(
    profile: Profile, context: str, activity: str, key: str, value: Any, ts: float
) -> PreferenceValue:
    try:
        ctx, act = ContextSet(context), Activity(activity)
    except ValueError as err:
        raise SpacesError("spaces_bad_edit", f"bad context set or activity: {err}") from err
    if key not in PREFERENCE_KEYS:
        raise SpacesError(
            "spaces_bad_edit", f"unknown preference {key!r} (known: {', '.join(PREFERENCE_KEYS)})"
        )
    if key in NUMERIC_KEYS:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SpacesError("spaces_bad_edit", f"{key} must be a number, got {value!r}")
        low, high = LIMITS[key]
        if not low <= float(value) <= high:
            raise SpacesError("spaces_bad_edit", f"{key} {value} is outside {low:g}-{high:g}")
        stored: float | str = float(value)
    else:
        if not isinstance(value, str) or not value or len(value) > 64:
            raise SpacesError("spaces_bad_edit", f"{key} must be a short text, got {value!r}")
        stored = value
    pref = PreferenceValue(stored, 1.0, "edited", 1, ts)
    profile.set(ctx, act, key, pref)
    return pref


def edit_consent(profile: Profile, kind: str, categories: list[str]) -> set[Category]:
    try:
        space_kind = SpaceKind(kind)
        chosen = {Category(c) for c in categories}
    except ValueError as err:
        raise SpacesError("spaces_bad_edit", f"bad kind or category: {err}") from err
    profile.consent[space_kind] = chosen
    return chosen
