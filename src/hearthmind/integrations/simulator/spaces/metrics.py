"""What a run of a `World` measured: manual comfort adjustments per first stay (a space the
person never used before), minutes out of their comfort band in the two hours after arrival,
the share of each applied profile the devices could take, and every message that left a hub
checked against what its person consented to share with the receiving hub's kind of space."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

from hearthmind.core import SpaceKind
from hearthmind.spaces.consent import unconsented_keys
from hearthmind.spaces.profile import Category

from .world import World

# what a message to a person's home may carry beyond preferences (nothing else of a home
# leaves it: these are the only top-level body keys any message has)
ALLOWED_BODY_KEYS = frozenset(
    {
        "subject",
        "kind",
        "context_set",
        "categories",
        "preferences",
        "profile_version",
        "space_id",
        "observations",
        "eta",
    }
)


def audit_messages(world: World) -> dict[str, Any]:
    unconsented: list[str] = []
    foreign: list[str] = []
    by_type: Counter[str] = Counter()
    for sender, peer, envelope in world.messages:
        body = envelope.get("body", {})
        by_type[str(envelope.get("type"))] += 1
        person = world.people.get(str(body.get("subject", "")))
        consent: dict[SpaceKind, set[Category]] = {}
        if person is not None:
            consent = {k: {Category(c) for c in v} for k, v in person.consent.items()}
        kind = world.kinds[peer]  # the receiving hub's kind, not what the message says
        for path in unconsented_keys(body, consent, kind):
            unconsented.append(f"{sender}->{peer} {envelope.get('type')}: {path}")
        foreign += [f"{sender}->{peer}: {k}" for k in body if k not in ALLOWED_BODY_KEYS]
    return {
        "messages": len(world.messages),
        "by_type": dict(sorted(by_type.items())),
        "unconsented_shares": len(unconsented),
        "unconsented_examples": unconsented[:5],
        "foreign_fields": len(foreign),
    }


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def summarize(world: World) -> dict[str, Any]:
    measured = [r for r in world.results if r.measured]
    first = [r for r in measured if r.first]
    arrivals = [r for r in measured if r.window_min > 0]
    by_place: dict[str, dict[str, float]] = {}
    for place in sorted({r.place for r in measured}):
        rs = [r for r in measured if r.place == place]
        fs = [r for r in rs if r.first]
        by_place[place] = {
            "stays": len(rs),
            "first_stays": len(fs),
            "adjustments_per_first_stay": round(_mean([r.adjustments for r in fs]), 3),
            "adjustments_per_stay": round(_mean([r.adjustments for r in rs]), 3),
            "out_of_band_min_per_arrival": round(_mean([r.out_of_band_min for r in rs]), 2),
        }
    shares = [share for spaces in world.spaces.values() for _, share in spaces.applier.taken]
    # readiness that waited for nobody: a space got ready for an arrival (a routine, a
    # booking, an ETA) and the person did not come within two hours of it
    starts: dict[str, list[float]] = {}
    for r in world.results:
        starts.setdefault(r.area_id, []).append(r.start)
    prepared = [p for spaces in world.spaces.values() for p in spaces.prepared]
    missed = [
        (kind, at, expected)
        for kind, area, at, expected in prepared
        if not any(at <= t <= expected + 7200 for t in starts.get(area, []))
    ]
    readiness = {
        "prepared": len(prepared),
        "missed": len(missed),
        "missed_by_kind": dict(Counter(kind for kind, _, _ in missed)),
        # held ready until the expected arrival and two hours more (then it goes back)
        "missed_hours": round(
            sum(max(0.0, expected + 7200 - at) for _, at, expected in missed) / 3600, 1
        ),
    }
    health: Counter[str] = Counter()
    for hub in world.hubs.values():
        health.update({k: v for k, v in hub.health.counts.items() if k.startswith("spaces_")})
    return {
        "first_stays": len(first),
        "adjustments_per_first_stay": round(_mean([r.adjustments for r in first]), 4),
        "arrivals": len(arrivals),
        "out_of_band_min_per_arrival": round(_mean([r.out_of_band_min for r in arrivals]), 3),
        "out_of_band_min_per_first_stay": round(_mean([r.out_of_band_min for r in first]), 3),
        "adjustments_per_stay": round(_mean([r.adjustments for r in measured]), 4),
        "profiles_applied": len(shares),
        "taken_share_mean": round(_mean(shares), 4) if shares else None,
        "taken_share_full": round(sum(s >= 0.999 for s in shares) / len(shares), 4)
        if shares
        else None,
        "by_place": by_place,
        "readiness": readiness,
        "health": dict(sorted(health.items())),
        "audit": audit_messages(world),
    }
