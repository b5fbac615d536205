"""Running a `World`: rooms, desks and cars assigned to the planned stays, every arrival,
check and departure in time order on the simulated clock, and what each stay cost the person
(manual adjustments, minutes out of their comfort band after arrival)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

from hearthmind.core import Event, Origin, SpaceKind
from hearthmind.spaces.applying import EVENT_PROFILE_SUGGESTION
from hearthmind.spaces.exchange import ExchangeError, InProcessTransport

from .itinerary import DAY, HOUR, MINUTE, PlannedStay, plan_days
from .pms import PmsLink, pms_message
from .world import CHECKS_MIN, HOME_RETURN_GUESS, START, WINDOW_MIN, StayResult, World

Step = Callable[[], Awaitable[Any] | None]
HUB_OF = {"desk": "office", "meeting": "office", "hotel": "hotel", "rental": "rental"}


class LinkTransport:
    """One hub's connection: down while its car is out of reach."""

    def __init__(self, inner: InProcessTransport) -> None:
        self.inner = inner
        self.up = True

    async def send(self, peer_id: str, envelope: dict[str, Any]) -> dict[str, Any] | None:
        if not self.up:
            raise ExchangeError("spaces_peer_offline", "no connection (out of reach)", 503)
        return await self.inner.send(peer_id, envelope)


class Runner:
    def __init__(self, world: World, progress: Callable[[float], None] | None = None) -> None:
        self.w = world
        self.rng = random.Random(world.seed * 7919 + 1)
        self.events: list[tuple[float, int, int, Step]] = []
        self.busy: dict[str, list[tuple[float, float]]] = {}
        self.used: set[tuple[str, str]] = set()
        self.progress = progress
        self.links: dict[str, LinkTransport] = {}
        for hub_id, spaces in world.spaces.items():
            link = LinkTransport(world.transport)
            spaces.transport = link
            self.links[hub_id] = link
        self.measure_from = START.timestamp() + world.warmup_days * DAY
        self.pms = PmsLink(world.hubs["hotel"], "hotel", world.spaces.get("hotel"))
        for hub_id in world.spaces:
            world.hubs[hub_id].bus.async_listen(EVENT_PROFILE_SUGGESTION, self._answer(hub_id))
        self.answers = {"yes": 0, "no": 0}

    def _answer(self, hub_id: str) -> Callable[[Event[Any]], None]:
        """People answer a suggested profile on their phone: yes when it is near what they
        will want when they are there (people.Person.likes)."""
        spaces = self.w.spaces[hub_id]
        hub = self.w.hubs[hub_id]

        def on(event: Event[Any]) -> None:
            data = event.data
            person = self.w.people.get(str(data["person"]))
            if person is None:
                return
            stay = spaces.stays.get(str(data["area_id"]))
            now = hub.clock.timestamp()
            at = max(now, stay.expected_at or now) if stay is not None else now
            kind = self.w.areas[str(data["area_id"])].kind
            if person.likes(kind, at, list(data["calls"])):
                self.answers["yes"] += 1
                hub.async_create_task(spaces.applier.async_accept(str(data["action_id"])))
            else:
                self.answers["no"] += 1
                spaces.applier.decline(str(data["action_id"]))

        return on

    def hub_of(self, stay: PlannedStay) -> str:
        if stay.place == "home":
            return f"home-{stay.person}"
        if stay.place == "car":
            return f"car-{stay.person}"
        return HUB_OF[stay.place]

    def _free(self, candidates: list[str], start: float, end: float) -> str | None:
        free = [
            a for a in candidates if all(e <= start or s >= end for s, e in self.busy.get(a, []))
        ]
        if not free:
            return None  # all taken: the person goes without (meets elsewhere, ...)
        choice = self.rng.choice(free)
        self.busy.setdefault(choice, []).append((start, end))
        return choice

    def plan(self) -> list[PlannedStay]:
        w = self.w
        start = START.timestamp()
        trips = max(1, w.days // 14)
        stays: list[PlannedStay] = []
        for pid, person in w.people.items():
            rng = random.Random(w.seed * 1000 + int(pid[1:]))
            stays += plan_days(pid, rng, start, w.days, w.warmup_days, trips, w.offline_rate)
            self.used |= {(pid, f"home_{pid}_living"), (pid, f"car_{pid}_cabin")}
            del person
        by_kind: dict[str, list[str]] = {"desk": [], "meeting": [], "hotel": [], "rental": []}
        for area_id in w.areas:
            for key in by_kind:
                if f"_{key}_" in area_id or (key == "hotel" and "_room_" in area_id):
                    by_kind[key].append(area_id)
        rental_of: dict[str, str | None] = {}
        for stay in sorted(stays, key=lambda s: s.start):
            if stay.place == "home":
                stay.area_id = f"home_{stay.person}_living"
            elif stay.place == "car":
                stay.area_id = f"car_{stay.person}_cabin"
            elif stay.place == "rental":
                if stay.known_at is not None and stay.known_at < stay.start - HOUR:
                    rental_of[stay.person] = self._free(
                        [a for a in w.areas if a.startswith("rental_")],
                        stay.start,
                        stay.start + 3 * DAY,
                    )
                stay.area_id = rental_of.get(stay.person) or ""
            else:
                stay.area_id = self._free(by_kind[stay.place], stay.start, stay.end) or ""
        return [s for s in stays if s.area_id]

    def _add(self, ts: float, order: int, step: Step) -> None:
        self.events.append((ts, order, len(self.events), step))

    def schedule(self, stays: list[PlannedStay]) -> None:
        for stay in stays:
            self._schedule_stay(stay)
        self._background_guests()

    def _schedule_stay(self, stay: PlannedStay) -> None:
        w = self.w
        hub_id = self.hub_of(stay)
        area = w.areas[stay.area_id]
        person = w.people[stay.person]
        home_id = f"home-{stay.person}"
        spaces = w.spaces.get(hub_id)
        remote = None if stay.place == "home" else home_id
        first = (stay.person, stay.area_id) not in self.used
        self.used.add((stay.person, stay.area_id))
        result = StayResult(
            stay.person,
            stay.place,
            stay.area_id,
            stay.start,
            first,
            stay.start >= self.measure_from,
        )
        w.results.append(result)
        if stay.place == "hotel":
            prep = max(stay.start - DAY, stay.start - stay.start % DAY + 14 * HOUR)
            self._add(min(prep, stay.start - MINUTE), 1, lambda: w._housekeeping(area, sold=True))
        room = stay.area_id.rsplit("_", 1)[-1]
        link = {"subject": stay.person, "home_hub": home_id}
        reservation = f"{stay.person}-{int(stay.start)}"
        if stay.place == "hotel" and stay.known_at is not None:
            # the hotel hears of its guests as its PMS tells it: a reservation, check-in, -out
            message = pms_message("reservation", room, reservation, stay.person, stay.start, link)
            self._add(stay.known_at, 2, lambda: self.pms.receive(message))
        elif spaces is not None and stay.known_at is not None and stay.known_at < stay.start:
            self._add(
                stay.known_at,
                2,
                lambda: spaces.async_expect(stay.area_id, stay.person, remote, stay.start),
            )

        async def arrive() -> None:
            w._space_arrival(area, w.hubs[hub_id])
            if spaces is not None:
                if stay.place == "car":
                    self.links[hub_id].up = not stay.offline
                    if not stay.offline:
                        await spaces.async_flush_outbox()
                if stay.place == "hotel":
                    await self.pms.receive(
                        pms_message("check_in", room, reservation, "", None, link)
                    )
                else:
                    await spaces.async_arrive(stay.area_id, stay.person, remote)
                if stay.eta_home:
                    await spaces.async_send_eta(home_id, stay.person, stay.end)

        self._add(stay.start, 3, arrive)
        ctx_hub = w.hubs[hub_id]
        times = [stay.start + m * MINUTE for m in CHECKS_MIN]
        if stay.place in ("home", "hotel"):
            day0 = stay.start - stay.start % DAY
            for d in range(int((stay.end - day0) // DAY) + 1):
                base = day0 + d * DAY
                times += [
                    base + person.wake_hour * HOUR + 5 * MINUTE,
                    base + 18.5 * HOUR,
                    base + person.bed_hour * HOUR + 5 * MINUTE,
                ]
        for at in sorted(set(times)):
            if stay.start <= at < stay.end:

                def check(at: float = at) -> None:
                    ctx = ctx_hub.context(Origin.PHYSICAL, stay.person)
                    result.adjustments += person.check(area, at, ctx)

                self._add(at, 4, check)

        async def depart() -> None:
            window = int(min(WINDOW_MIN, (stay.end - stay.start) // MINUTE))
            result.window_min = window
            result.out_of_band_min = sum(
                person.out_of_band(area, stay.start + m * MINUTE + 30) for m in range(window)
            )
            if spaces is not None:
                if stay.place == "hotel":
                    await self.pms.receive(pms_message("check_out", room, reservation, ""))
                else:
                    await spaces.async_depart(stay.area_id)
                if stay.hint_home:
                    await spaces.async_send_eta(
                        home_id, stay.person, stay.end + HOME_RETURN_GUESS, kind="hint"
                    )
            w._space_departure(area, ctx_hub)

        self._add(stay.end, 0, depart)

    def _background_guests(self) -> None:
        """Other guests fill most of the hotel's nights: no profile, the room's defaults."""
        w = self.w
        start = START.timestamp()
        rooms = [a for a in w.areas if "_room_" in a]
        for night in range(w.warmup_days + w.days - 1):
            arrive = start + night * DAY + 15 * HOUR
            leave = start + (night + 1) * DAY + 10 * HOUR
            for room in rooms:
                if self.rng.random() >= w.hotel_fill:
                    continue
                if any(not (e <= arrive or s >= leave) for s, e in self.busy.get(room, [])):
                    continue
                self.busy.setdefault(room, []).append((arrive, leave))
                area = w.areas[room]
                at = arrive + self.rng.uniform(0, 6) * HOUR
                guest = f"guest-{night}-{room}"

                def prepare(a: Any = area) -> None:
                    w._housekeeping(a, sold=True)

                self._add(arrive - HOUR, 1, prepare)

                async def come(a: Any = area, r: str = room, g: str = guest) -> None:
                    w._space_arrival(a, w.hubs["hotel"])
                    await self.pms.receive(pms_message("check_in", r.rsplit("_", 1)[-1], g, g))

                async def go(a: Any = area, r: str = room, g: str = guest) -> None:
                    await self.pms.receive(pms_message("check_out", r.rsplit("_", 1)[-1], g, g))
                    w._space_departure(a, w.hubs["hotel"])

                self._add(at, 3, come)
                self._add(leave, 0, go)

    async def run(self) -> None:
        from datetime import UTC, datetime

        self.schedule(self.plan())
        self.events.sort(key=lambda e: (e[0], e[1], e[2]))
        end = self.events[-1][0] if self.events else START.timestamp()
        for i, (ts, _order, _n, step) in enumerate(self.events):
            await self.w.clock.async_run_until(datetime.fromtimestamp(ts, UTC))
            outcome = step()
            if outcome is not None:
                await outcome
            if self.progress is not None and i % 500 == 0:
                self.progress((ts - START.timestamp()) / max(1.0, end - START.timestamp()))
        for hub in self.w.hubs.values():
            await hub.async_block_till_done()


def kind_of_place(place: str) -> SpaceKind:
    return {
        "home": SpaceKind.HOME,
        "car": SpaceKind.VEHICLE,
        "rental": SpaceKind.VEHICLE,
        "hotel": SpaceKind.HOTEL_ROOM,
        "desk": SpaceKind.OFFICE,
        "meeting": SpaceKind.OFFICE,
    }[place]
