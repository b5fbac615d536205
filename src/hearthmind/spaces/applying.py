"""Applying a person's shared preferences in an area: fit them to the devices (fitting.py),
then act, suggest or only note, by the space's level (the agent's ladder: observe, suggest,
act), each time with an explanation and a way back (undo restores what was there before).

The calls carry a Context of origin `agent` whose parent is the application's own, so the
recorder links every change to it and no learner mistakes it for the person's choice."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hearthmind.core import Context, HearthmindError, Origin, State
from hearthmind.core.events import EventType

from .fitting import Fit, PlannedCall, fit_preferences
from .trust import REVERT_WINDOW, Ladder, Level, is_pull_back

if TYPE_CHECKING:
    from hearthmind.core import Hub

_LOGGER = logging.getLogger(__name__)

EVENT_PROFILE_APPLIED: EventType[dict[str, Any]] = EventType("spaces_profile_applied")
EVENT_PROFILE_SUGGESTION: EventType[dict[str, Any]] = EventType("spaces_profile_suggestion")
EVENT_PROFILE_UNDONE: EventType[dict[str, Any]] = EventType("spaces_profile_undone")


@dataclass
class Application:
    """One application of a profile in one area, with what it replaced."""

    action_id: str
    person: str
    space_id: str
    area_id: str
    activity: str
    time: float
    level: Level
    fit: Fit
    explanation: str
    previous: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)  # what each entity read once set
    kind: str = ""
    status: str = "applied"  # applied | suggested | noted | undone | failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "action_id": self.action_id,
            "person": self.person,
            "space_id": self.space_id,
            "area_id": self.area_id,
            "activity": self.activity,
            "time": self.time,
            "level": self.level,
            "status": self.status,
            "explanation": self.explanation,
            "taken_share": round(self.fit.taken_share, 3),
            "calls": [
                {"entity_id": c.entity_id, "service": f"{c.domain}.{c.service}", "data": c.data}
                for c in self.fit.calls
            ],
            "unmet": dict(self.fit.unmet),
        }


def explain(
    person_name: str,
    area_name: str,
    view: dict[str, dict[str, Any]],
    fit: Fit,
    kind: str,
) -> str:
    parts = []
    for call in fit.calls:
        info = view.get(call.key, {})
        shown = call.data.get("temperature") or call.data.get("brightness_pct") or call.applied
        parts.append(
            f"{call.key} {shown} on {call.entity_id} (your profile, "
            f"{info.get('source', '?')}, sure {float(info.get('confidence', 0)):.2f})"
        )
    text = f"For {person_name} in {area_name}: " + ("; ".join(parts) or "nothing to set")
    if fit.unmet:
        text += ". Not here: " + "; ".join(f"{k}: {why}" for k, why in sorted(fit.unmet.items()))
    return text + f". Shared by you with {kind.replace('_', ' ')}s. Say undo to go back."


class Applier:
    """Makes and keeps the applications of one hub."""

    def __init__(self, hub: Hub, level: Level = "act") -> None:
        self.hub = hub
        self.ladder = Ladder(level)
        self.applications: dict[str, Application] = {}
        # (kind of space, share taken) of every application, kept after its person leaves
        self.taken: list[tuple[str, float]] = []

    @property
    def level(self) -> Level:
        """The space's own level: the ceiling of every person's standing here."""
        return self.ladder.ceiling

    @level.setter
    def level(self, level: Level) -> None:
        self.ladder.ceiling = level

    def plan(self, area_id: str, prefs: dict[str, float | str]) -> Fit:
        entity_ids = self.hub.registries.entities_in_area(area_id)
        states = [s for e in entity_ids if (s := self.hub.states.get(e)) is not None]
        return fit_preferences(prefs, states)

    async def async_apply(
        self,
        person: str,
        person_name: str,
        space_id: str,
        area_id: str,
        activity: str,
        view: dict[str, dict[str, Any]],
        kind: str,
        context: Context | None = None,
    ) -> Application:
        prefs = {k: v["value"] for k, v in view.items()}
        fit = self.plan(area_id, prefs)
        area = self.hub.registries.areas.get(area_id)
        text = explain(person_name, area.name if area else area_id, view, fit, kind)
        parent = context or self.hub.context(Origin.AGENT, person)
        level = self.ladder.level(person, kind)
        app = Application(
            parent.id,
            person,
            space_id,
            area_id,
            activity,
            self.hub.clock.timestamp(),
            level,
            fit,
            text,
            kind=kind,
        )
        self.applications[app.action_id] = app
        self.taken.append((kind, fit.taken_share))
        for key, why in fit.unmet.items():
            self.hub.health.incr("spaces_unmet_preferences")
            _LOGGER.debug("%s: %s", key, why)
        if level == "observe":
            app.status = "noted"
        elif level == "suggest":
            app.status = "suggested"
            self.hub.health.incr("spaces_suggested")
            self.hub.bus.async_fire(EVENT_PROFILE_SUGGESTION, app.as_dict(), parent)
        else:
            await self._run(app, fit.calls, parent)
        return app

    async def _run(self, app: Application, calls: list[PlannedCall], parent: Context) -> None:
        for call in calls:
            state = self.hub.states.get(call.entity_id)
            if state is not None and call.entity_id not in app.previous:
                app.previous[call.entity_id] = (state.state, dict(state.attributes))
            try:
                await self.hub.services.async_call(
                    call.domain,
                    call.service,
                    call.data,
                    target={"entity_id": call.entity_id},
                    context=self.hub.context(Origin.AGENT, app.person, parent),
                )
            except HearthmindError as err:
                # the device keeps what it had; the rest of the profile still goes on
                app.fit.unmet[call.key] = f"{call.entity_id} refused: {err}"
                self.hub.health.problem(
                    "spaces_apply_failed", f"{app.action_id}: {err}", self.hub.clock.timestamp()
                )
        for call in calls:
            state = self.hub.states.get(call.entity_id)
            value = numeric(state) if state is not None else None
            if value is not None:
                app.after[call.entity_id] = value
        app.status = "applied"
        self.hub.bus.async_fire(EVENT_PROFILE_APPLIED, app.as_dict(), parent)

    async def async_accept(self, action_id: str) -> Application:
        """A person said yes to a suggested application."""
        app = self._get(action_id)
        if app.status != "suggested":
            raise HearthmindError(f"application {action_id} is {app.status}, not suggested")
        await self._run(app, app.fit.calls, self.hub.context(Origin.APP, app.person))
        self.ladder.answered(app.person, app.kind, yes=True)
        self.hub.health.incr("spaces_accepted")
        return app

    def decline(self, action_id: str) -> Application:
        """A person said no to a suggested application: nothing changes in the room."""
        app = self._get(action_id)
        if app.status != "suggested":
            raise HearthmindError(f"application {action_id} is {app.status}, not suggested")
        app.status = "declined"
        self.ladder.answered(app.person, app.kind, yes=False)
        self.hub.health.incr("spaces_declined")
        return app

    def note_change(self, person: str, state: State) -> bool:
        """A person's own change of a device: a revert when it pulls back, within minutes,
        towards what an application of their profile replaced (the ladder falls)."""
        now = self.hub.clock.timestamp()
        value = numeric(state)
        if value is None:
            return False
        for app in self.applications.values():
            if app.person != person or app.status != "applied" or now - app.time > REVERT_WINDOW:
                continue
            before = app.previous.get(state.entity_id)
            after = app.after.get(state.entity_id)
            old = numeric_of(state.entity_id, *before) if before else None
            if old is None or after is None or not is_pull_back(old, after, value):
                continue
            app.status = "reverted"
            self.ladder.revert(person, app.kind)
            self.hub.health.incr("spaces_reverts")
            return True
        return False

    async def async_undo(self, action_id: str | None, context: Context) -> Application:
        """Put back what the application replaced (the last one without an id)."""
        if action_id is None:
            done = [a for a in self.applications.values() if a.status == "applied"]
            if not done:
                raise HearthmindError("nothing to undo")
            action_id = max(done, key=lambda a: a.time).action_id
        app = self._get(action_id)
        for entity_id, (state, attrs) in app.previous.items():
            domain = entity_id.split(".", 1)[0]
            service, data = _restoring_call(domain, state, attrs)
            if service is None:
                continue
            try:
                await self.hub.services.async_call(
                    domain, service, data, target={"entity_id": entity_id}, context=context
                )
            except HearthmindError as err:
                self.hub.health.problem("spaces_undo_failed", str(err), self.hub.clock.timestamp())
        app.status = "undone"
        if context.user_id == app.person:  # the person's own undo: trust falls here
            self.ladder.revert(app.person, app.kind)
        self.hub.bus.async_fire(EVENT_PROFILE_UNDONE, app.as_dict(), context)
        return app

    def _get(self, action_id: str) -> Application:
        app = self.applications.get(action_id)
        if app is None:
            raise HearthmindError(f"no profile application {action_id!r}")
        return app

    def forget_person(self, person: str) -> int:
        gone = [k for k, a in self.applications.items() if a.person == person]
        for key in gone:
            del self.applications[key]
        return len(gone)


def numeric_of(entity_id: str, state: str, attrs: Mapping[str, Any]) -> float | None:
    """The one number a person sets on a device: a set-point, a brightness in percent, a fan
    speed, a seat heater's level."""
    domain = entity_id.split(".", 1)[0]
    raw: Any = None
    if domain == "climate":
        raw = attrs.get("temperature")
    elif domain == "light":
        raw = 0.0 if state == "off" else (attrs.get("brightness") or 0) / 255 * 100
    elif domain == "fan":
        raw = attrs.get("percentage") or 0
    elif domain == "number":
        raw = state
    try:
        return None if raw is None else float(raw)
    except (TypeError, ValueError):
        return None


def numeric(state: State) -> float | None:
    return numeric_of(state.entity_id, state.state, state.attributes)


def _restoring_call(
    domain: str, state: str, attrs: dict[str, Any]
) -> tuple[str | None, dict[str, Any]]:
    if domain == "climate":
        temp = attrs.get("temperature")
        return ("set_temperature", {"temperature": temp}) if temp is not None else (None, {})
    if domain == "light":
        if state == "off":
            return "turn_off", {}
        data: dict[str, Any] = {}
        if attrs.get("brightness") is not None:
            data["brightness"] = int(attrs["brightness"])
        if attrs.get("color_temp_kelvin") is not None:
            data["color_temp_kelvin"] = int(attrs["color_temp_kelvin"])
        return "turn_on", data
    if domain == "fan":
        return "set_percentage", {"percentage": int(attrs.get("percentage") or 0)}
    if domain == "number":
        try:
            return "set_value", {"value": float(state)}
        except ValueError:
            return None, {}
    if domain == "media_player" and attrs.get("source"):
        return "select_source", {"source": attrs["source"]}
    if domain == "select":
        return "select_option", {"option": state}
    return None, {}
