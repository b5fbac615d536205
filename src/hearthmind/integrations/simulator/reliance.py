"""Residents who come to rely on the hub switching off behind them.

People who have seen a hub switch lights off in rooms they left stop doing it by hand, as
occupants of rooms with occupancy-sensor lighting do. Each resident keeps, per light or TV,
a reliance: the chance that, leaving a room (a planned "alone" switch-off of its lights and
TV), they leave that one on for the hub. It starts at 0 and

- grows by `agent: reliance_step` (up to `reliance_max`) each time they find the hub (origin
  agent or automation) switched off one they had left on: one they left to the hub, one they
  forgot, or one they asked the hub to switch off by answering yes;
- is multiplied by `reliance_drop` each time one they left to the hub is still on when they
  notice it, `notice_minutes` later (a uniform draw); they then switch it off by hand.

Only what the hub did moves it: a room the hub never switches off behind them (it cannot tell
the room is empty, with no motion sensor there and no room-presence sensor on them) keeps it
at 0.

Chances come from the resident's reaction generator, and none is drawn while the reliance is
0, so without a hub (or with `reliance_max: 0`, or `simulator: reliance: false`) the plans,
the steps and the intentions log are exactly what they were without reliance.

A switch-off left to the hub is logged at once with `left_to_hub: true` (not executed, not
satisfied: not a want yet), and ends as one more record when they notice: found off
(`satisfied_by` the origin of whoever switched it off: "agent" is a takeover) or switched off
by hand (executed). It ends in nothing when someone comes into the room while it is still on
(the room is in use again; its light is theirs). While it waits it is a planned want of
"off" (`Resident.wants_soon`): the hub switching it off is what they were about to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hearthmind.core import Origin

from .intentions import Intention, Want
from .layout import AWAY

if TYPE_CHECKING:
    from .days import ResidentDays
    from .home import SimulatedHome
    from .records import EntityChange
    from .residents import Resident
    from .spec import AgentAttitudeSpec

RELY_KINDS = frozenset({"light", "tv"})  # what a hub switches off in an empty room
# people using the app or their voice mean it; only what the hub does on its own is judged
# (residents.py reads it from here too)
HUB_ORIGINS = frozenset({Origin.AGENT, Origin.AUTOMATION})


@dataclass(slots=True)
class Pending:
    """A switch-off left to the hub, until they notice what came of it."""

    entity_id: str
    area: str
    activity: str  # the activity they were leaving the room for
    off_by: str | None = None  # found off when someone came in: by whom (an origin)
    on_return: bool = False  # they were out when the time came: they look when back


class Reliance:
    """One resident's reliance on the hub, per entity, for the run (kept in memory)."""

    def __init__(self, attitude: AgentAttitudeSpec, enabled: bool = True) -> None:
        # `enabled` false: the simulator's sensitivity run, residents who never rely
        self.max = attitude.reliance_max if enabled else 0.0
        self.step = attitude.reliance_step
        self.drop = attitude.reliance_drop
        self.notice = attitude.notice_minutes
        self.level: dict[str, float] = {}
        self.pending: dict[str, Pending] = {}

    def of(self, entity_id: str) -> float:
        return self.level.get(entity_id, 0.0)

    def grow(self, entity_id: str) -> None:
        if self.max > 0:
            self.level[entity_id] = min(self.max, self.of(entity_id) + self.step)

    def fall(self, entity_id: str) -> None:
        if entity_id in self.level:
            self.level[entity_id] *= self.drop


class RelianceKeeper:
    """The home's side of reliance: decides at leave time, schedules the check, tracks who
    left each room last, and credits the hub's switch-offs. Owned by `ResidentDays`."""

    def __init__(self, days: ResidentDays) -> None:
        self.days = days
        self.home: SimulatedHome = days.home
        # area -> (who left it empty last, the lights and TVs still on then)
        self._last_out: dict[str, tuple[str, set[str]]] = {}
        # entity -> (resident who said yes to switching it off, until when)
        self._asked_off: dict[str, tuple[str, float]] = {}

    # -- leaving a room ---------------------------------------------------------------------

    def leaves_to_hub(self, resident: Resident, want: Want, intention: Intention) -> bool:
        """Whether this planned switch-off is left on for the hub; if so it is logged and
        the check scheduled. Draws a chance only when their reliance on it is above 0."""
        if want.when != "alone" or intention.target != "off" or intention.satisfied:
            return False
        entity = self.home.entity(intention.entity_id)
        if entity.kind not in RELY_KINDS:
            return False
        level = resident.reliance.of(entity.entity_id)
        if level <= 0 or resident.react_rng.random() >= level:
            return False
        left = Intention(
            intention.time,
            resident.id,
            intention.activity,
            intention.entity_id,
            "off",
            False,
            state=intention.state,
            left_to_hub=True,
        )
        self.home.intentions.write(left)
        self.home.stats.intentions += 1
        self.home.stats.left_to_hub += 1
        old = resident.reliance.pending.get(entity.entity_id)
        if old is not None and old.off_by is not None:
            self._settle(resident, old)  # the earlier one was done; it ends now
        pending = Pending(entity.entity_id, entity.area, intention.activity)
        resident.reliance.pending[entity.entity_id] = pending
        lo, hi = resident.reliance.notice
        when = intention.time + resident.react_rng.uniform(lo, hi) * 60.0
        self.home.at(when, lambda: self._check(resident, pending))
        return True

    def _check(self, resident: Resident, pending: Pending) -> None:
        if resident.reliance.pending.get(pending.entity_id) is not pending:
            return  # dropped (the room was used again) or replaced
        if pending.off_by is None and not resident.home:
            entity = self.home.entity(pending.entity_id)
            if entity.state != "off":
                pending.on_return = True  # out: they find it when they come home
                return
        self._settle(resident, pending)

    def _settle(self, resident: Resident, pending: Pending) -> None:
        """What they find: off (by the hub: relied on rightly) or still on (by hand)."""
        reliance = resident.reliance
        if reliance.pending.get(pending.entity_id) is pending:
            del reliance.pending[pending.entity_id]
        home = self.home
        if pending.off_by is None and home.others_in(pending.area, ""):
            home.stats.relied_dropped += 1  # in use again: the light is theirs now
            return
        now = home.clock.timestamp()
        entity = home.entity(pending.entity_id)
        if pending.off_by is not None or entity.state == "off":
            by = pending.off_by
            if by is None and entity.last_context is not None:
                by = entity.last_context.origin.value
            found = Intention(
                now,
                resident.id,
                pending.activity,
                pending.entity_id,
                "off",
                True,
                by,
                None,
                entity.target_state("off"),
            )
            self.days.carry_out(resident, found)
            if by in {o.value for o in HUB_ORIGINS}:
                reliance.grow(pending.entity_id)
            return
        by_hand = Intention(
            now,
            resident.id,
            pending.activity,
            pending.entity_id,
            "off",
            False,
            state=entity.target_state("off"),
        )
        self.days.carry_out(resident, by_hand)
        reliance.fall(pending.entity_id)

    # -- moving about -----------------------------------------------------------------------

    def moved(self, resident: Resident, old: str, new: str) -> None:
        """Someone moved from `old` to `new`: who left a room empty last (and what was on),
        and what a room in use again means for switch-offs left to the hub there."""
        home = self.home
        if old != AWAY and not home.others_in(old, ""):
            on = {
                e
                for e in (*home.layout.areas[old].lights, *home.layout.areas[old].tvs)
                if home.entity(e).state != "off"
            }
            self._last_out[old] = (resident.id, on)
        if new == AWAY:
            return
        for other in home.residents:
            for pending in list(other.reliance.pending.values()):
                if pending.area != new or pending.off_by is not None:
                    continue
                entity = home.entity(pending.entity_id)
                if entity.state != "off":
                    del other.reliance.pending[pending.entity_id]
                    home.stats.relied_dropped += 1
                elif entity.last_context is not None:
                    pending.off_by = entity.last_context.origin.value  # done: seen done
        if old == AWAY:
            for pending in list(resident.reliance.pending.values()):
                if pending.on_return:
                    self._settle(resident, pending)

    # -- the hub's doings -------------------------------------------------------------------

    def asked_off(self, resident: Resident, entity_id: str, until: float) -> None:
        """They said yes to the hub switching this off: its doing so is behind them too."""
        self._asked_off[entity_id] = (resident.id, until)

    def hub_changed(self, change: EntityChange) -> None:
        """The hub switched off a light or TV in an empty room: whoever left it on there (or
        asked for it) learns that the hub does it. One left to the hub is credited when they
        notice it (`_settle`), not here as well."""
        if change.context.origin not in HUB_ORIGINS or change.state != "off":
            return
        home = self.home
        entity = home.entity(change.entity_id)
        if entity.kind not in RELY_KINDS or home.others_in(entity.area, ""):
            return
        asker = self._asked_off.pop(entity.entity_id, None)
        last = self._last_out.get(entity.area)
        who: str | None = None
        if asker is not None and asker[1] >= home.clock.timestamp():
            who = asker[0]
        elif last is not None and entity.entity_id in last[1]:
            who = last[0]
        if last is not None:
            last[1].discard(entity.entity_id)  # once off, it is no longer "left on"
        for resident in home.residents:
            if (
                resident.id == who
                and resident.home
                and entity.entity_id not in resident.reliance.pending
            ):
                resident.reliance.grow(entity.entity_id)
