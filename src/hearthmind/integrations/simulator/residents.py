"""A resident: a person who follows a plan, decides at each step with what they see, acts
on devices with their own hands, and notices what the hub does around them.

The decide/act seam is what lets later work make residents react to the hub: `decide` looks
at the home as it is (a light someone already switched on stays as it is, and the intention
is logged as already satisfied, noting who satisfied it), `act` changes devices, and
`observe` is shown every change the hub made on its own (origin agent, automation) and may
return a `Reaction`: an undo within minutes when the change goes against them.

They also come to rely on the hub (reliance.py): once they have found it switching off a
light or TV they left on in an empty room, they leave some of their switch-offs on leaving
a room to it, more so each time it does and less each time they find one still on. One left
to the hub and not yet looked at is, for `wants_soon`, something they were about to do."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from .devices import SimEntity
from .intentions import Intention, Move, Step, Want
from .layout import AWAY
from .reliance import HUB_ORIGINS, Reliance
from .spec import ResidentSpec

if TYPE_CHECKING:
    from .records import EntityChange

OFF_STATES = frozenset({"off", "closed", "locked"})
OFF_SOON = 180.0  # seconds: switching off in the room they are in is wanted only this soon


class HomeView(Protocol):
    """What a resident can see of the home (the devices themselves, not the hub)."""

    comfort: float

    def entity(self, entity_id: str) -> SimEntity: ...

    def is_dark(self, area: str) -> bool: ...

    def is_night(self) -> bool: ...

    def heating_season(self) -> bool: ...

    def others_in(self, area: str, resident_id: str) -> bool: ...

    def others_home(self, resident_id: str) -> bool: ...

    def others_awake(self, resident_id: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Reaction:
    """An undo the resident will carry out `delay` seconds from now, if still wanted then."""

    delay: float
    want: Want
    reaction_to: str  # the context id of the change being undone
    activity: str = "undo"


class Resident:
    def __init__(
        self,
        spec: ResidentSpec,
        rng: random.Random,
        react_rng: random.Random,
        relies: bool = True,
    ) -> None:
        self.spec = spec
        self.id = spec.id
        self.rng = rng  # plans
        self.react_rng = (
            react_rng  # reactions to the hub, so plans stay the same with or without it
        )
        self.location = spec.bedroom
        self.asleep = True
        self.activity = "sleep"
        self.entered_at = 0.0  # when they came into the room they are in
        # what they leave to the hub; `relies` false: never (the simulator's sensitivity run)
        self.reliance = Reliance(spec.agent, relies)

    @property
    def home(self) -> bool:
        return self.location != AWAY

    # -- decide then act --------------------------------------------------------------------

    def decide(self, now: float, step: Step, view: HomeView) -> Intention | Move | None:
        """What the resident intends at this step, given the home as they find it."""
        self.activity = step.activity
        self.asleep = step.activity == "sleep"
        if step.move is not None:
            self.entered_at = now
            return Move(now, self.id, step.activity, step.move)
        if step.want is None:
            return None
        return self.decide_want(now, step.want, step.activity, view)

    def decide_want(
        self,
        now: float,
        want: Want,
        activity: str,
        view: HomeView,
        reaction_to: str | None = None,
    ) -> Intention | None:
        entity = view.entity(want.entity_id)
        if not self._condition_holds(want, entity, view):
            return None
        satisfied = entity.satisfies(want.target)
        by = None
        if satisfied and entity.last_context is not None:
            by = entity.last_context.origin.value
        return Intention(
            now,
            self.id,
            activity,
            want.entity_id,
            want.target,
            satisfied,
            by,
            reaction_to,
            entity.target_state(want.target),
        )

    def _condition_holds(self, want: Want, entity: SimEntity, view: HomeView) -> bool:
        if entity.kind == "thermostat" and not view.heating_season():
            return False  # nobody touches the thermostat in summer
        if want.when == "always":
            return True
        if want.when == "dark":
            return view.is_dark(entity.area)
        if want.when == "dusk":
            return view.is_dark(entity.area) and not entity.satisfies(want.target)
        if want.when == "alone":
            if view.others_in(entity.area, self.id):
                return False
            # switching off on the way out: only what was on while they were in the room
            # (or was switched off since, by someone else or the hub)
            return entity.state not in OFF_STATES or entity.last_changed >= self.entered_at
        if want.when == "last_out":
            return not view.others_home(self.id)
        return not view.others_awake(self.id)  # last_up

    def act(self, intention: Intention) -> tuple[str, str] | None:
        """The device command the resident carries out by hand, as (entity_id, target)."""
        if intention.satisfied:
            return None
        return intention.entity_id, intention.target

    # -- the hub's doings -------------------------------------------------------------------

    def wants_soon(
        self,
        now: float,
        entity_id: str,
        upcoming: Sequence[Step],
        view: HomeView,
        target: str | None = None,
    ) -> Want | None:
        """The planned want of theirs, coming soon, that the entity's present state fulfils
        (or, given, `target`: the state the hub proposes): what they were about to do. Their
        plan counts even while they are out: the hall light just before they come home."""
        entity = view.entity(entity_id)
        if (
            entity_id in self.reliance.pending
            and (entity.satisfies("off") if target is None else _same("off", target))
            and not view.others_in(entity.area, "")
        ):
            # left on for the hub as they went: its switching off is what they meant to do
            return Want(entity_id, "off", "alone")
        horizon = self.spec.agent.horizon_minutes * 60.0
        for step in upcoming:
            if step.at - now > horizon:
                break
            want = step.want
            if want is None or want.entity_id != entity_id:
                continue
            if not (
                entity.satisfies(want.target) if target is None else _same(want.target, target)
            ):
                continue
            if want.when in ("dark", "dusk") and not view.is_dark(entity.area):
                continue  # a light they want only when it is dark
            if entity.kind == "thermostat" and not view.heating_season():
                continue
            if (
                want.target in OFF_STATES
                and entity.area == self.location
                and step.at - now > OFF_SOON
            ):
                continue  # still in the room: off now is too early
            return want
        return None

    def observe(
        self, change: EntityChange, view: HomeView, wanted: bool = False
    ) -> Reaction | None:
        """See a change the hub made; return an undo if it goes against the resident.
        `wanted`: someone at home was about to make this very change (`wants_soon`): only
        a resident who dislikes automation may still undo it, and only in sight."""
        origin = change.context.origin
        if origin not in HUB_ORIGINS or change.context.user_id == self.id:
            return None
        if not self.home:
            return None
        entity = view.entity(change.entity_id)
        rng = self.react_rng
        rate = self.spec.undo_rate
        here = entity.area == self.location
        kind = entity.kind
        if wanted:
            if here and not self.asleep and rng.random() < self.spec.agent.revert_wanted:
                undo = _opposite(entity.kind, change.state)
                if undo is not None:
                    return Reaction(
                        rng.uniform(20, 180), Want(entity.entity_id, undo), change.context.id
                    )
            return None
        if kind == "lock":
            # the hub must not unlock a door on its own; whoever is home locks it again
            if change.state == "unlocked" and not self.asleep:
                return Reaction(
                    rng.uniform(10, 60), Want(entity.entity_id, "locked"), change.context.id
                )
            return None
        if kind == "thermostat":
            target = entity.attributes.get("temperature")
            if (
                not self.asleep
                and not self.spec.schedule.child
                and isinstance(target, int | float)
                and target < view.comfort - 0.75
                and rng.random() < rate * 0.6
            ):
                return Reaction(
                    rng.uniform(120, 1200),
                    Want(entity.entity_id, f"{view.comfort:.1f}"),
                    change.context.id,
                )
            return None
        if not here:
            # out of sight, but a light or the TV left running in an empty room is noticed
            # by someone up and about, later
            if (
                kind in ("light", "tv")
                and change.state != "off"
                and not self.asleep
                and not view.others_in(entity.area, "")
                and rng.random() < rate * 0.3
            ):
                return Reaction(
                    rng.uniform(60, 600), Want(entity.entity_id, "off"), change.context.id
                )
            return None
        if kind in ("light", "tv", "fan", "switch"):
            if self.asleep:
                if change.state != "off" and rng.random() < rate:
                    return Reaction(
                        rng.uniform(20, 90), Want(entity.entity_id, "off"), change.context.id
                    )
                return None
            if change.state == "off":
                # a kettle switched off is no loss; a light in the dark or the TV they watch is
                wanted = kind in ("tv", "fan") or (kind == "light" and view.is_dark(entity.area))
                if wanted and rng.random() < rate:
                    return Reaction(
                        rng.uniform(5, 60), Want(entity.entity_id, "on"), change.context.id
                    )
            elif kind == "light" and not view.is_dark(entity.area) and rng.random() < rate * 0.5:
                return Reaction(
                    rng.uniform(30, 300), Want(entity.entity_id, "off"), change.context.id
                )
            elif kind in ("tv", "fan", "switch") and rng.random() < rate:
                # the TV, a fan or the coffee machine started when nobody asked for it
                return Reaction(
                    rng.uniform(10, 90), Want(entity.entity_id, "off"), change.context.id
                )
            return None
        if (
            kind == "cover"
            and not self.asleep
            and change.state == "closed"
            and not view.is_night()
            and rng.random() < rate * 0.5
        ):
            return Reaction(rng.uniform(30, 240), Want(entity.entity_id, "open"), change.context.id)
        return None


def _opposite(kind: str, state: str) -> str | None:
    """The target that undoes a change to `state` (None for a thermostat: no plain undo)."""
    if kind == "cover":
        return "closed" if state == "open" else "open"
    if kind == "lock":
        return "unlocked" if state == "locked" else "locked"
    if kind == "thermostat":
        return None
    return "on" if state == "off" else "off"


def _same(wanted: str, proposed: str) -> bool:
    """Targets compare as set-points when both are numbers ("20.5" and "20.50")."""
    try:
        return abs(float(wanted) - float(proposed)) < 0.25
    except ValueError:
        return wanted == proposed
