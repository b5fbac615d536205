"""A profile: its JSON both ways, a newer or malformed one refused, values that fall back from
travel to home, learning only from people's own changes, consent cutting what a space gets."""

from __future__ import annotations

import pytest

from hearthmind.core import Context, Origin, SpaceKind, State
from hearthmind.spaces.consent import shared_view, unconsented_keys
from hearthmind.spaces.fitting import fit_preferences
from hearthmind.spaces.learning import learn, observation_of, preferences_in
from hearthmind.spaces.profile import (
    Activity,
    Category,
    ContextSet,
    ProfileFormatError,
    profile_from_dict,
)

from .conftest import ana_profile


def test_export_and_import_give_the_same_profile() -> None:
    profile = ana_profile()
    again = profile_from_dict(profile.as_dict())
    assert again.as_dict() == profile.as_dict()


def test_a_newer_or_malformed_profile_is_refused() -> None:
    data = ana_profile().as_dict()
    with pytest.raises(ProfileFormatError, match="version 2 is newer"):
        profile_from_dict({**data, "version": 2})
    with pytest.raises(ProfileFormatError, match="malformed"):
        profile_from_dict({**data, "preferences": {"home": {"day": {"warmth": {"value": 1}}}}})
    with pytest.raises(ProfileFormatError, match="no version"):
        profile_from_dict({"person_id": "x"})


def test_travel_falls_back_to_the_same_activity_at_home() -> None:
    profile = ana_profile()
    sleep = profile.get(ContextSet.TRAVEL, Activity.SLEEP, "temperature")
    assert sleep is not None and sleep.value == 19.0
    assert sleep.confidence == pytest.approx(0.9 * 0.8)  # less sure away from home


def test_a_space_gets_only_what_is_shared_with_its_kind() -> None:
    profile = ana_profile()
    car = shared_view(profile, SpaceKind.VEHICLE)
    keys = {k for act in car["preferences"].values() for k in act}
    assert keys == {"temperature", "seat_heating"}  # comfort only, no light
    assert shared_view(profile, SpaceKind.OFFICE)["preferences"] == {}  # nothing shared
    assert unconsented_keys(car, profile.consent, SpaceKind.VEHICLE) == []
    hotel = shared_view(profile, SpaceKind.HOTEL_ROOM)
    assert unconsented_keys(hotel, profile.consent, SpaceKind.VEHICLE) != []


def _state(entity_id: str, state: str, attrs: dict[str, object], origin: Origin) -> State:
    return State(entity_id, state, attrs, 100.0, 100.0, Context("c", origin, "ana"))


def test_learning_reads_people_never_the_hub() -> None:
    by_hand = _state("climate.room", "heat", {"temperature": 22.0}, Origin.PHYSICAL)
    by_hub = _state("climate.room", "heat", {"temperature": 25.0}, Origin.AGENT)
    assert observation_of(by_hub, "ana") is None
    obs = observation_of(by_hand, "ana")
    assert obs is not None and preferences_in(obs, by_hand.attributes) == {"temperature": 22.0}
    light = _state(
        "light.desk", "on", {"brightness": 128, "color_temp_kelvin": 4000}, Origin.PHYSICAL
    )
    lobs = observation_of(light, "ana")
    assert lobs is not None
    assert preferences_in(lobs, light.attributes) == {"brightness": 50.2, "color_temp": 4000.0}


def test_learned_values_move_less_as_evidence_grows_and_edits_win() -> None:
    profile = ana_profile()
    profile.preferences.clear()
    for value in (20.0, 22.0, 22.0, 22.0):
        learn(profile, SpaceKind.HOME, "h", 12 * 3600.0, {"temperature": value})
    found = profile.preferences[(ContextSet.HOME, Activity.DAY, "temperature")]
    assert 21.0 < float(found.value) < 22.0 and found.count == 4
    assert found.confidence == pytest.approx(4 / 6)
    profile.preferences[(ContextSet.HOME, Activity.DAY, "temperature")].source = "edited"
    assert learn(profile, SpaceKind.HOME, "h", 12 * 3600.0, {"temperature": 30.0}) == []


def test_nothing_fits_where_no_device_is() -> None:
    fit = fit_preferences({"temperature": 21.0, "media_source": "Jazz FM"}, [])
    assert fit.calls == [] and fit.taken_share == 0.0
    assert set(fit.unmet) == {"temperature", "media_source"}
    assert Category.MEDIA.value == "media"
