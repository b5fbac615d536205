"""What of a profile a kind of space may have: only the categories the person shares with that
kind, resolved for that kind's context set (a hotel room gets the travel values, filled from
home where travel has none) and nothing else: no identity beyond the subject id, no history,
no other context sets.

`shared_view` is the one place a profile is cut for a space; `unconsented_keys` is the check
the benchmark runs on every message that leaves a hub."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hearthmind.core import SpaceKind

from .profile import (
    CONTEXT_OF_KIND,
    PREFERENCE_KEYS,
    STEADY_KEYS,
    Activity,
    Category,
    Profile,
)


def shared_view(profile: Profile, kind: SpaceKind) -> dict[str, Any]:
    """The preferences a space of `kind` may use: {activity: {key: {value, confidence,
    source}}}; empty when the person shares nothing with that kind."""
    allowed = profile.consent.get(kind, set())
    context = CONTEXT_OF_KIND[kind]
    out: dict[str, dict[str, Any]] = {}
    for activity in Activity:
        for key, category in PREFERENCE_KEYS.items():
            if category not in allowed or (key in STEADY_KEYS and activity != Activity.DAY):
                continue
            found = profile.get(context, activity, key)
            if found is None:
                continue
            out.setdefault(activity.value, {})[key] = {
                "value": found.value,
                "confidence": round(found.confidence, 3),
                # where it was learned, by kind only: which home or which hotel stays home
                "source": found.source.split(":")[0]
                + (":" + found.source.split(":")[1] if found.source.count(":") else ""),
            }
    return {
        "subject": profile.person_id,
        "kind": kind.value,
        "context_set": context.value,
        "categories": sorted(c.value for c in allowed),
        "preferences": out,
    }


def unconsented_keys(
    message_body: Mapping[str, Any], consent: Mapping[SpaceKind, set[Category]], kind: SpaceKind
) -> list[str]:
    """Every preference in a message body (at any depth) that the person does not share with
    `kind`. Independent of `shared_view`: it walks whatever was sent."""
    allowed = consent.get(kind, set())
    found: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                category = PREFERENCE_KEYS.get(str(key))
                if category is not None and category not in allowed:
                    found.append(f"{path}/{key}")
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}/{i}")

    walk(message_body, "")
    return found
