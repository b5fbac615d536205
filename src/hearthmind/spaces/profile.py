"""A person's portable preference profile: who they are to a space (identity), what they like
by context set (home, travel, work) and activity (day, evening, sleep), and with whom they
share which kind of preference (consent, consent.py).

Every value says where it was learned (which kind of space, which space, or "edited" by the
person) and how sure the hub is of it, so a space can explain what it applies and a person can
see why their profile says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from hearthmind.core import SpaceKind

PROFILE_VERSION = 1  # the shape of a profile as JSON (export, exchange); newer ones are refused


class ContextSet(StrEnum):
    """Several "needs and preferences" sets per person, as ISO/IEC 24751 keeps them."""

    HOME = "home"
    TRAVEL = "travel"
    WORK = "work"


class Activity(StrEnum):
    DAY = "day"
    EVENING = "evening"
    SLEEP = "sleep"


class Category(StrEnum):
    """What a person shares (or not) with a kind of space."""

    COMFORT = "comfort"  # temperature, fan, seat heating
    LIGHT = "light"  # brightness, colour temperature
    MEDIA = "media"
    LANGUAGE = "language"  # language and units


# each preference key, its category and its kind of value
PREFERENCE_KEYS: dict[str, Category] = {
    "temperature": Category.COMFORT,  # degrees Celsius
    "fan": Category.COMFORT,  # percentage 0-100
    "seat_heating": Category.COMFORT,  # level 0-3
    "brightness": Category.LIGHT,  # percent 0-100
    "color_temp": Category.LIGHT,  # kelvin
    "media_source": Category.MEDIA,
    "language": Category.LANGUAGE,
    "units": Category.LANGUAGE,  # "metric" | "imperial"
}
NUMERIC_KEYS = frozenset({"temperature", "fan", "seat_heating", "brightness", "color_temp"})
# preferences that do not depend on the activity (kept under "day")
STEADY_KEYS = frozenset({"media_source", "language", "units"})

CONTEXT_OF_KIND: dict[SpaceKind, ContextSet] = {
    SpaceKind.HOME: ContextSet.HOME,
    SpaceKind.VEHICLE: ContextSet.TRAVEL,
    SpaceKind.HOTEL_ROOM: ContextSet.TRAVEL,
    SpaceKind.OFFICE: ContextSet.WORK,
    SpaceKind.DATA_HALL: ContextSet.WORK,
}

# the hours each activity starts (wall clock of the space): sleep 22:30-07:00 and so on
ACTIVITY_STARTS: tuple[tuple[float, Activity], ...] = (
    (7.0, Activity.DAY),
    (18.0, Activity.EVENING),
    (22.5, Activity.SLEEP),
)


def activity_at(ts: float, zone: tzinfo | None = None) -> Activity:
    """The activity of an hour on the space's own clock (its time zone; UTC if none)."""
    local = datetime.fromtimestamp(ts, zone or UTC)
    hour = local.hour + local.minute / 60.0
    current = Activity.SLEEP
    for start, activity in ACTIVITY_STARTS:
        if hour >= start:
            current = activity
    return current


def next_activity_change(ts: float, zone: tzinfo | None = None) -> float:
    """The epoch second the next activity starts on the space's clock, to apply again then."""
    local = datetime.fromtimestamp(ts, zone or UTC)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    for days in (0, 1, 2):
        for start, _ in ACTIVITY_STARTS:
            at = (midnight + timedelta(days=days, hours=start)).timestamp()
            if at > ts:
                return at
    return ts + 86400


@dataclass(slots=True)
class PreferenceValue:
    """One learned or edited value: `source` is "learned:<kind>:<space_id>" or "edited"."""

    value: float | str
    confidence: float
    source: str
    count: int = 1
    updated: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "confidence": round(self.confidence, 3),
            "source": self.source,
            "count": self.count,
            "updated": self.updated,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PreferenceValue:
        value = raw["value"]
        if not isinstance(value, int | float | str) or isinstance(value, bool):
            raise ValueError(f"a preference value must be a number or text, got {value!r}")
        return cls(
            float(value) if isinstance(value, int | float) else value,
            float(raw.get("confidence", 0.5)),
            str(raw.get("source", "imported")),
            int(raw.get("count", 1)),
            float(raw.get("updated", 0.0)),
        )


PrefKey = tuple[ContextSet, Activity, str]


@dataclass
class Identity:
    """How a space recognises the person: a phone or car key, a booking name, a voice id."""

    phone: str | None = None
    key_id: str | None = None
    voice_id: str | None = None
    booking_name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "phone": self.phone,
            "key_id": self.key_id,
            "voice_id": self.voice_id,
            "booking_name": self.booking_name,
        }


@dataclass
class Profile:
    person_id: str
    name: str
    identity: Identity = field(default_factory=Identity)
    preferences: dict[PrefKey, PreferenceValue] = field(default_factory=dict)
    # per kind of space, the categories the person shares with it
    consent: dict[SpaceKind, set[Category]] = field(default_factory=dict)
    # learned in a hotel room: kept in the profile after check-out (else forgotten there)
    keep_hotel_learning: bool = True
    version: int = PROFILE_VERSION

    def get(self, context: ContextSet, activity: Activity, key: str) -> PreferenceValue | None:
        """The value for a context and activity, falling back to the home set and then to the
        day, with the confidence lowered for each step away from what was asked."""
        act = Activity.DAY if key in STEADY_KEYS else activity
        # the same activity in the home set before another activity in this one: how warm
        # someone sleeps travels better than how warm they like their evenings
        order = [(context, act, 1.0), (ContextSet.HOME, act, 0.8)]
        order += [(c, a, 0.6) for c in (context, ContextSet.HOME) for a in Activity if a != act]
        for ctx, a, factor in order:
            found = self.preferences.get((ctx, a, key))
            if found is None:
                continue
            if factor == 1.0:
                return found
            return PreferenceValue(
                found.value, found.confidence * factor, found.source, found.count, found.updated
            )
        return None

    def set(
        self, context: ContextSet, activity: Activity, key: str, value: PreferenceValue
    ) -> None:
        if key not in PREFERENCE_KEYS:
            raise ValueError(f"unknown preference {key!r} (known: {', '.join(PREFERENCE_KEYS)})")
        self.preferences[(context, Activity.DAY if key in STEADY_KEYS else activity, key)] = value

    def shares(self, kind: SpaceKind, key: str) -> bool:
        return PREFERENCE_KEYS[key] in self.consent.get(kind, set())

    def as_dict(self) -> dict[str, Any]:
        """The whole profile as JSON (what `hearthmind profile export` writes)."""
        prefs: dict[str, dict[str, dict[str, Any]]] = {}
        for (ctx, act, key), value in sorted(self.preferences.items()):
            prefs.setdefault(ctx.value, {}).setdefault(act.value, {})[key] = value.as_dict()
        return {
            "format": "hearthmind.profile",
            "version": self.version,
            "person_id": self.person_id,
            "name": self.name,
            "identity": self.identity.as_dict(),
            "preferences": prefs,
            "consent": {k.value: sorted(c.value for c in v) for k, v in self.consent.items()},
            "keep_hotel_learning": self.keep_hotel_learning,
        }


class ProfileFormatError(ValueError):
    counter = "spaces_bad_profile"


def profile_from_dict(raw: dict[str, Any]) -> Profile:
    """A profile read back from JSON; a newer version or a malformed one is refused with what
    is wrong in it (never half read)."""
    version = raw.get("version")
    if not isinstance(version, int):
        raise ProfileFormatError("profile has no version number")
    if version > PROFILE_VERSION:
        raise ProfileFormatError(
            f"profile version {version} is newer than this hub reads ({PROFILE_VERSION})"
        )
    try:
        ident = raw.get("identity") or {}
        profile = Profile(
            str(raw["person_id"]),
            str(raw.get("name", raw["person_id"])),
            Identity(
                ident.get("phone"),
                ident.get("key_id"),
                ident.get("voice_id"),
                ident.get("booking_name"),
            ),
            keep_hotel_learning=bool(raw.get("keep_hotel_learning", True)),
        )
        for ctx, acts in (raw.get("preferences") or {}).items():
            for act, keys in acts.items():
                for key, value in keys.items():
                    profile.set(
                        ContextSet(ctx), Activity(act), key, PreferenceValue.from_dict(value)
                    )
        for kind, cats in (raw.get("consent") or {}).items():
            profile.consent[SpaceKind(kind)] = {Category(c) for c in cats}
    except (KeyError, ValueError, TypeError, AttributeError) as err:
        raise ProfileFormatError(f"malformed profile: {err!r}") from err
    return profile
