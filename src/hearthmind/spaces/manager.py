"""The spaces component of one hub (`SpacesHub`): the people whose profiles live here, the
stays in its spaces, and its messages to and from other hubs.

A hub is a person's home hub when it holds their profile; every other hub (their car, a hotel
chain, the office) asks that hub for the view the person shares with its kind of space, learns
what the person chooses while there, and sends that home when they leave. A hotel keeps
nothing of a guest after check-out; a guest it cannot fetch a profile for (unknown, offline,
refused) gets the room's defaults. Each refusal is counted in the hub's health counters."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hearthmind.core import EVENT_STATE_CHANGED, DataKey, Event, Origin, SpaceKind, StateChangedData

from .applying import Applier
from .arrivals import LEAD_MINUTES, ArrivalRoutine
from .consent import shared_view
from .editing import edit_consent, edit_preference
from .exchange import ExchangeError, NonceMemory, PeerKeys, Transport, open_envelope, seal
from .learning import learn, observation_of, preferences_in
from .profile import (
    PREFERENCE_KEYS,
    PROFILE_VERSION,
    Activity,
    Profile,
    activity_at,
    next_activity_change,
)
from .stays import SpacesError, Stay
from .trust import Level

if TYPE_CHECKING:
    from collections.abc import Callable

    from hearthmind.core import Hub

    from .store import ProfileStore

_LOGGER = logging.getLogger(__name__)
NO_SHOW_HOURS = 2.0  # after the expected arrival: nobody came, the space goes back
SPACES: DataKey[SpacesHub] = DataKey("spaces")


class SpacesHub:
    def __init__(
        self,
        hub: Hub,
        hub_id: str,
        transport: Transport | None = None,
        store: ProfileStore | None = None,
        level: Level = "act",
        lead_minutes: dict[str, float] | None = None,
    ) -> None:
        self.hub = hub
        self.keys = PeerKeys(hub_id)
        self.nonces = NonceMemory()
        self.transport = transport
        self.store = store
        self.applier = Applier(hub, level)
        self.lead_minutes = {**LEAD_MINUTES, **(lead_minutes or {})}
        self.routines: dict[tuple[str, str], ArrivalRoutine] = {}
        self.prepared: list[tuple[str, str, float, float]] = []
        problems: list[str] = []
        loaded = store.load_all(problems) if store else []
        for message in problems:
            hub.health.problem("spaces_bad_profile", message, hub.clock.timestamp())
        self.profiles: dict[str, Profile] = {p.person_id: p for p in loaded}
        self.stays: dict[str, Stay] = {}  # by area id
        self.home_areas: dict[str, list[str]] = {}  # person -> areas of their home here
        self.shared: dict[str, set[tuple[str, str]]] = {}  # person -> {(peer, kind)}
        # kept until a peer answers, on disk when there is a store
        self.outbox: list[tuple[str, str, dict[str, Any]]] = store.load_outbox() if store else []
        self.on_send: list[Callable[[str, dict[str, Any]], None]] = []
        # how this hub's spaces recognise people: a phone, a car key, a voice, a booking name
        # -> (subject, their home hub or None for a profile kept here)
        self.identities: dict[str, tuple[str, str | None]] = {}
        self._nonce = 0
        self._unlisten = hub.bus.async_listen(EVENT_STATE_CHANGED, self._state_changed)
        hub.data[SPACES] = self

    @property
    def hub_id(self) -> str:
        return self.keys.hub_id

    def _problem(self, err: SpacesError | ExchangeError) -> None:
        self.hub.health.problem(err.counter, str(err), self.hub.clock.timestamp())

    # -- spaces and people --------------------------------------------------------------------

    def kind_of_area(self, area_id: str) -> tuple[str, SpaceKind]:
        area = self.hub.registries.areas.get(area_id)
        if area is None or area.space_id is None:
            err = SpacesError("spaces_unknown_room", f"no room or area {area_id!r} here", 404)
            self._problem(err)
            raise err
        space = self.hub.registries.spaces[area.space_id]
        return space.id, space.kind

    def zone_of(self, space_id: str) -> tzinfo | None:
        """A space's own clock, for its activities (a hotel in another time zone)."""
        space = self.hub.registries.spaces.get(space_id)
        if space is None or space.time_zone in ("", "UTC"):
            return None
        try:
            return ZoneInfo(space.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return None

    def add_profile(self, profile: Profile, home_areas: list[str] | None = None) -> Profile:
        self.profiles[profile.person_id] = profile
        for identity in profile.identity.as_dict().values():
            if identity:
                self.identities[identity] = (profile.person_id, None)
        if home_areas:
            self.home_areas[profile.person_id] = list(home_areas)
        self._save(profile)
        return profile

    def _save(self, profile: Profile) -> None:
        if self.store is not None:
            self.store.save(profile, self.hub.clock.timestamp())

    def profile(self, person: str) -> Profile:
        found = self.profiles.get(person)
        if found is None:
            err = SpacesError("spaces_unknown_person", f"no profile for {person!r} here", 404)
            self._problem(err)
            raise err
        return found

    def export(self, person: str) -> dict[str, Any]:
        data = self.profile(person).as_dict()
        shared = sorted(self.shared.get(person, set()))
        data["shared_with"] = [{"peer": peer, "kind": kind} for peer, kind in shared]
        return data

    def edit(self, person: str, change: dict[str, Any]) -> dict[str, Any]:
        """A person's own edit: {"context", "activity", "key", "value"} sets a value;
        {"kind", "categories"} what they share with a kind of space; {"keep_hotel_learning"}."""
        profile = self.profile(person)
        try:
            if "key" in change:
                edit_preference(profile, str(change.get("context", "home")),
                                str(change.get("activity", "day")), str(change["key"]),
                                change.get("value"), self.hub.clock.timestamp())  # fmt: skip
            elif "kind" in change:
                edit_consent(profile, str(change["kind"]), list(change.get("categories") or []))
            elif isinstance(change.get("keep_hotel_learning"), bool):
                profile.keep_hotel_learning = change["keep_hotel_learning"]
            else:
                raise SpacesError("spaces_bad_edit", f"nothing to edit in {sorted(change)}")
        except SpacesError as err:
            self._problem(err)
            raise
        self._save(profile)
        return self.export(person)

    async def async_delete_profile(self, person: str) -> dict[str, Any]:
        """Delete a person's profile here and in every hub it was shared with."""
        self.profile(person)
        peers = sorted({peer for peer, _ in self.shared.pop(person, set())})
        del self.profiles[person]
        self.home_areas.pop(person, None)
        self._forget_locally(person)
        if self.store is not None:
            self.store.delete_person(person)
        reached = []
        for peer in peers:
            if await self._send(peer, "delete", {"subject": person}, keep=True) is not False:
                reached.append(peer)
        return {"deleted": person, "reached": reached, "pending": sorted(set(peers) - set(reached))}

    def _forget_locally(self, person: str) -> None:
        self.identities = {k: v for k, v in self.identities.items() if v[0] != person}
        for area_id, stay in list(self.stays.items()):
            if stay.person == person:
                stay.cancel_timers()
                del self.stays[area_id]
        self.applier.forget_person(person)
        self.applier.ladder.forget(person)
        for key in [k for k in self.routines if k[0] == person]:
            del self.routines[key]

    # -- stays ---------------------------------------------------------------------------------

    async def async_expect(
        self, area_id: str, person: str, home_hub: str | None, at: float
    ) -> Stay:
        """Someone will arrive at `at` (a booking, a car's ETA, a routine): fetch what they
        share with this kind of space and apply it `lead` before."""
        stay = await self._stay(area_id, person, home_hub)
        stay.expected_at = at
        stay.cancel_timers()
        lead = self.lead_minutes.get(stay.kind.value, 30.0) * 60
        when = max(self.hub.clock.timestamp(), at - lead)
        self._at(stay, when, at)

        def no_show() -> None:
            self.hub.async_create_task(self._no_show(stay), name="spaces-no-show")

        when_late = datetime.fromtimestamp(at + NO_SHOW_HOURS * 3600, UTC)
        stay.timers.append(self.hub.clock.call_at(when_late, no_show))
        return stay

    async def _no_show(self, stay: Stay) -> None:
        """Nobody came: put back what was set for them (the space's own settings, its away
        mode) and forget the stay."""
        if self.stays.get(stay.area_id) is not stay or stay.present:
            return
        stay.cancel_timers()
        del self.stays[stay.area_id]
        self.hub.health.incr("spaces_no_shows")
        ctx = self.hub.context(Origin.AGENT)
        for action_id in stay.applications:
            app = self.applier.applications.get(action_id)
            if app is not None and app.status == "applied":
                await self.applier.async_undo(action_id, ctx)

    def recognise(self, identity: str, person: str, home_hub: str | None = None) -> None:
        """Learn who a phone, a key, a voice or a booking name belongs to (pairing a key)."""
        self.identities[identity] = (person, home_hub)

    async def async_arrive_as(self, area_id: str, identity: str) -> Stay | None:
        """Someone recognised by a phone, key or voice arrives; someone unknown is a guest:
        counted, nothing applied, the space keeps its defaults."""
        known = self.identities.get(identity)
        if known is None:
            self.kind_of_area(area_id)  # an unknown area is refused first
            err = SpacesError("spaces_unknown_identity", f"nobody known by {identity!r}: a guest")
            self._problem(err)
            return None
        return await self.async_arrive(area_id, known[0], known[1])

    async def async_arrive(self, area_id: str, person: str, home_hub: str | None = None) -> Stay:
        stay = self.stays.get(area_id)
        if stay is None or stay.person != person:
            stay = await self._stay(area_id, person, home_hub)
        stay.present = True
        now = self.hub.clock.timestamp()
        self.routines.setdefault((person, area_id), ArrivalRoutine()).add(now)
        if stay.applied_activity != activity_at(now, self.zone_of(stay.space_id)).value:
            await self._apply(stay, now)
        stay.cancel_timers()
        self._at(stay, next_activity_change(now, self.zone_of(stay.space_id)), None)
        return stay

    async def async_depart(self, area_id: str) -> dict[str, Any]:
        """The person left (checked out, got out of the car, left the desk): what they chose
        here goes to their home hub, and this hub forgets them."""
        stay = self.stays.pop(area_id, None)
        if stay is None:
            err = SpacesError("spaces_no_stay", f"nobody is staying in {area_id!r}", 404)
            self._problem(err)
            raise err
        stay.cancel_timers()
        sent = False
        if stay.home_hub is not None and stay.learned:
            body = {
                "subject": stay.person,
                "kind": stay.kind.value,
                "space_id": stay.space_id,
                "observations": stay.learned,
            }
            sent = await self._send(stay.home_hub, "learned", body, keep=True) is not False
        self.applier.forget_person(stay.person)
        if stay.home_hub is not None:  # a visited space keeps nothing of the person
            self.applier.ladder.forget(stay.person)
        if stay.kind == SpaceKind.HOTEL_ROOM:  # not even when they came (check-out forgets)
            self.routines.pop((stay.person, area_id), None)
        routine = self.routines.get((stay.person, area_id))
        due = routine.next_after(self.hub.clock.timestamp()) if routine else None
        if due is not None:  # they usually come back then: be ready (a routine)
            await self.async_expect(area_id, stay.person, stay.home_hub, due)
        return {
            "area_id": area_id,
            "person": stay.person,
            "learned_sent": sent,
            "learned": len(stay.learned),
        }

    async def _stay(self, area_id: str, person: str, home_hub: str | None) -> Stay:
        space_id, kind = self.kind_of_area(area_id)
        old = self.stays.get(area_id)
        if old is not None and old.person == person:
            return old
        if old is not None:
            old.cancel_timers()
        stay = Stay(person, home_hub, space_id, area_id, kind)
        self.stays[area_id] = stay
        await self._fetch(stay)
        return stay

    async def _fetch(self, stay: Stay) -> None:
        stay.fetched = True
        if stay.home_hub is None:
            profile = self.profiles.get(stay.person)
            stay.view = shared_view(profile, stay.kind)["preferences"] if profile else None
            return
        answer = await self._send(
            stay.home_hub, "profile_request", {"subject": stay.person, "kind": stay.kind.value}
        )
        if not isinstance(answer, dict):
            return  # refused or offline: counted in _send; the space stays on its defaults
        try:
            opened = open_envelope(self.keys, answer, self.nonces)
            body = opened["body"]
            version = body.get("profile_version")
            if not isinstance(version, int) or version > PROFILE_VERSION:
                raise ExchangeError(
                    "spaces_newer_version",
                    f"profile version {version!r} is newer than this hub reads ({PROFILE_VERSION})",
                )
            if opened["type"] != "profile" or body.get("subject") != stay.person:
                raise ExchangeError("spaces_bad_message", "answer is not this person's profile")
            prefs = body.get("preferences")
            if not isinstance(prefs, dict):
                raise ExchangeError("spaces_bad_message", "profile without preferences")
            stay.view = prefs
            stay.categories = {str(c) for c in body.get("categories", [])}
        except ExchangeError as err:
            self._problem(err)

    def _at(self, stay: Stay, when: float, arrival: float | None) -> None:
        def fire() -> None:
            self.hub.async_create_task(self._timer(stay, arrival), name="spaces-apply")

        stay.timers.append(self.hub.clock.call_at(datetime.fromtimestamp(when, UTC), fire))

    async def _timer(self, stay: Stay, arrival: float | None) -> None:
        if self.stays.get(stay.area_id) is not stay:
            return
        now = self.hub.clock.timestamp()
        if not stay.present and stay.view and stay.expected_at is not None:
            # got ready for someone not here yet: kept (kind, area, when, expected) so what
            # readiness costs when they do not come can be counted
            self.prepared.append((stay.kind.value, stay.area_id, now, stay.expected_at))
        await self._apply(stay, arrival if arrival is not None and arrival > now else now)
        if stay.present or (arrival is not None and arrival > now):
            zone = self.zone_of(stay.space_id)
            self._at(stay, next_activity_change(max(now, arrival or now), zone), None)

    async def _apply(self, stay: Stay, for_time: float) -> None:
        activity = activity_at(for_time, self.zone_of(stay.space_id)).value
        stay.applied_activity = activity
        if not stay.view:
            return  # a guest without profile (or sharing nothing): the space's defaults
        view = dict(stay.view.get("day", {}))
        view.update(stay.view.get(activity, {}))
        profile = self.profiles.get(stay.person)
        name = profile.name if profile else stay.person
        app = await self.applier.async_apply(
            stay.person, name, stay.space_id, stay.area_id, activity, view, stay.kind.value
        )
        stay.applications.append(app.action_id)

    # -- learning ------------------------------------------------------------------------------

    def _state_changed(self, event: Event[StateChangedData]) -> None:
        new = event.data["new_state"]
        if new is None:
            return
        area = self.hub.registries.area_of(new.entity_id)
        stay = self.stays.get(area.id) if area is not None else None
        if stay is None or not stay.present:
            return
        obs = observation_of(new, stay.person)
        if obs is None:
            return
        self.applier.note_change(stay.person, new)  # a pull-back is a revert: trust falls
        values = preferences_in(obs, new.attributes)
        if not values:
            return
        profile = self.profiles.get(stay.person) if stay.home_hub is None else None
        if profile is not None:
            learn(profile, stay.kind, stay.space_id, obs.time, values, self.zone_of(stay.space_id))
            self._save(profile)
            return
        # a visited space learns only what the person shares with it
        shared = {k: v for k, v in values.items() if PREFERENCE_KEYS[k].value in stay.categories}
        if shared:
            activity = activity_at(obs.time, self.zone_of(stay.space_id)).value
            stay.learned.append({"ts": obs.time, "values": shared, "activity": activity})

    # -- messages ------------------------------------------------------------------------------

    def _next_nonce(self) -> str:
        self._nonce += 1
        return f"{self.hub_id}-{self.hub.contexts.new_id()}-{self._nonce}"

    async def _send(
        self, peer: str, kind: str, body: dict[str, Any], keep: bool = False
    ) -> dict[str, Any] | bool | None:
        """Seal and send; False when it could not be sent (counted; kept to retry if `keep`)."""
        if self.transport is None:
            err = ExchangeError("spaces_peer_offline", "this hub talks to no other hub")
            self._problem(err)
            return False
        try:
            envelope = seal(
                self.keys, peer, kind, body, self.hub.clock.timestamp(), self._next_nonce()
            )
            for hook in self.on_send:
                hook(peer, envelope)
            return await self.transport.send(peer, envelope)
        except ExchangeError as err:
            self._problem(err)
            if keep:
                self.outbox.append((peer, kind, body))
                if self.store is not None:
                    self.store.save_outbox(self.outbox)
            return False

    async def async_flush_outbox(self) -> int:
        """Send again what could not be sent (learned data, deletions); returns how many went."""
        pending, self.outbox = self.outbox, []
        went = 0
        for peer, kind, body in pending:
            if await self._send(peer, kind, body, keep=True) is not False:
                went += 1
        if self.store is not None:
            self.store.save_outbox(self.outbox)
        return went

    async def async_send_eta(self, peer: str, person: str, eta: float, kind: str = "eta") -> bool:
        """Tell a person's home hub when they will be there (a car's ETA, the office's hint)."""
        return await self._send(peer, kind, {"subject": person, "eta": eta}) is not False

    async def async_receive(self, envelope: Any) -> dict[str, Any] | None:
        """A message from another hub; its answer (an envelope) or None. Refusals raise an
        ExchangeError or SpacesError (counted) and change nothing here."""
        try:
            opened = open_envelope(self.keys, envelope, self.nonces)
        except ExchangeError as err:
            self._problem(err)
            raise
        peer, kind, body = opened["issuer"], opened["type"], opened["body"]
        subject = str(body.get("subject", ""))
        if kind == "delete":
            self._forget_locally(subject)
            return None
        if kind == "profile_request":
            profile = self.profile(subject)
            try:
                space_kind = SpaceKind(body.get("kind"))
            except ValueError as err:
                bad = ExchangeError(
                    "spaces_bad_message", f"unknown kind of space {body.get('kind')!r}"
                )
                self._problem(bad)
                raise bad from err
            view = shared_view(profile, space_kind)
            view["profile_version"] = PROFILE_VERSION
            self.shared.setdefault(subject, set()).add((peer, space_kind.value))
            if self.store is not None:
                self.store.record_share(subject, peer, space_kind.value, self.hub.clock.timestamp())
            answer = seal(
                self.keys, peer, "profile", view, self.hub.clock.timestamp(), self._next_nonce()
            )
            for hook in self.on_send:  # an answer leaves this hub too
                hook(peer, answer)
            return answer
        if kind == "learned":
            self._learned(self.profile(subject), body)
            return None
        if kind in ("eta", "hint"):
            self.profile(subject)
            eta = float(body.get("eta", 0.0))
            for area_id in self.home_areas.get(subject, []):
                await self.async_expect(area_id, subject, None, eta)
            return None
        raise ExchangeError("spaces_bad_message", f"{kind} is not something this hub answers")

    def _learned(self, profile: Profile, body: dict[str, Any]) -> None:
        kind = SpaceKind(body.get("kind", "home"))
        if kind == SpaceKind.HOTEL_ROOM and not profile.keep_hotel_learning:
            return  # the person keeps nothing of hotel stays
        for item in body.get("observations", []):
            act = item.get("activity")
            learn(
                profile, kind, str(body.get("space_id", "?")), float(item["ts"]), item["values"],
                activity=Activity(act) if act in {a.value for a in Activity} else None,
            )  # fmt: skip
        self._save(profile)

    def close(self) -> None:
        self._unlisten()
        for stay in self.stays.values():
            stay.cancel_timers()
