"""Spaces and people's portable preference profiles (issue 24).

One hub, or several, serve spaces of different kinds (home, vehicle, hotel room, office,
data hall: `hearthmind.core.SpaceKind`), each with its areas and devices; a person's profile
lives in their home hub and follows them:

- `profile`: the profile (identity, preferences by context set and activity, each with where
  it was learned and how sure, consent per kind of space), its JSON export and import.
- `consent`: the one place a profile is cut for a kind of space (`shared_view`), and the
  check of any message for preferences a person did not share (`unconsented_keys`).
- `learning`: preferences learned from people's own changes in any space (the routines'
  observations; never from what a hub did).
- `fitting`: preferences fitted onto what an area's devices can do, with what is left unmet.
- `applying`: applying through the agent's ladder (observe, suggest, act), explained, undoable.
- `arrivals`: when a person usually arrives (a routine), for getting a space ready.
- `exchange`: signed (HMAC-SHA256, per-peer keys), versioned messages between hubs.
- `manager`: `SpacesHub`, the component of one hub: stays, bookings, ETAs, hints, check-out
  forgetting, deletion that reaches every hub the profile went to, health counters.
- `store`: the package's own SQLite tables, schema versioned with step-by-step migrations.
- `services`: the `spaces.*` services."""

from .manager import SPACES, SpacesHub
from .profile import Activity, Category, ContextSet, Identity, Profile, profile_from_dict

__all__ = [
    "SPACES",
    "Activity",
    "Category",
    "ContextSet",
    "Identity",
    "Profile",
    "SpacesHub",
    "profile_from_dict",
]
