"""A request as understanding.py read it (`Request`: what to do, to which named devices, or to
which kind of device where) and how it is resolved against the home as it is now: the
devices it points at and the intent the handlers act on (handlers/adjust.py for the
conversation's own). Kept apart from the reading so each stays one job: reading words, and
finding devices."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from .home import HomeVocabulary, NamedEntity, NamedFloor, normalize_name
from .intents import IntentMatch
from .naming import entity_names, named_by
from .places import area_named
from .words import DOWNSTAIRS, KINDS, UPSTAIRS, Kind

# the domains a spoken command may act on (a sensor named "Light" is no light to turn on)
ACTIONABLE = frozenset(
    {
        "light", "switch", "fan", "cover", "lock", "climate", "media_player", "vacuum",
        "valve", "scene", "script", "alarm_control_panel", "input_boolean", "humidifier",
        "water_heater", "siren", "button", "input_button",
    }
)  # fmt: skip
# what "everything off" turns off (never locks, covers, valves or the heating)
EVERYTHING_DOMAINS = frozenset({"light", "switch", "fan", "media_player"})
# the kind a named device is, when its request moves to another room ("and the bedroom one"
# after "turn off the kitchen switch" is the bedroom's switch, not all its devices)
DOMAIN_KINDS = {
    "light": "light", "switch": "switch", "fan": "fan", "cover": "covering", "lock": "lock",
    "climate": "climate", "media_player": "media", "vacuum": "vacuum", "valve": "valve",
}  # fmt: skip
# answers that are no device action, by the action read
ANSWERS = {
    "help": "HubHelp", "thanks": "HubThanks", "ack": "HassNevermind",
    "hello": "HubHello", "coffee": "HubMakeCoffee",
    "who_home": "HubWhoIsHome",
    "outside": "HubOutsideTemperature", "later": "HubLater",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Request:
    """A request as read: `action` (on, off, open, close, lock, unlock, start, stop, home,
    disarm, arm, warmer, cooler, adjust, brighter, dimmer, louder, quieter, everything_off,
    everything_on, state, setting, help, thanks, ack, outside, unknown), the devices named,
    else a kind of device and where."""

    action: str
    entity_ids: tuple[str, ...] = ()
    kind: str | None = None
    area: str | None = None  # an area id said ("in the kitchen"), or the speaker's ("here")
    floor: str | None = None  # a floor id said
    whole_home: bool = False  # "all the lights", "everything"
    amount: float | None = None
    small: bool = False  # "a bit", "a little"
    state: str | None = None  # what a yes/no question asks about
    pronoun: bool = False  # "turn it down": nothing named
    one: bool = False  # one said ("the curtain"): several found are asked about
    unknown: tuple[str, str] | None = None  # ("room", "spare room"): said, not in this home

    def elsewhere(self, home: HomeVocabulary, place: str) -> Request | None:
        """The same request for another area or device: "and the bedroom?"."""
        kind = self.kind or self._named_kind(home)
        area = area_named(home, place)
        if area is not None:
            return replace(
                self, entity_ids=(), kind=kind, area=area.id, floor=None, whole_home=False
            )
        floor = floor_said(home, normalize_name(place))
        if floor is not None:
            return replace(
                self, entity_ids=(), kind=kind, area=None, floor=floor.id, whole_home=False
            )
        said = re.sub(r"^(?:the|my|our)\s+", "", normalize_name(place))
        found = entity_names(home, ACTIONABLE).get(said)
        if found is not None:
            return replace(self, entity_ids=(found,), area=None, floor=None)
        if kind in KINDS and said:
            # "and the back one" after the front door: the one of the kind whose name says so
            ids = [
                e.entity_id
                for e in of_kind(home.entities, KINDS[kind])
                if named_by(e, said.split())
            ]
            if ids:
                return replace(self, entity_ids=tuple(ids), area=None, floor=None, one=True)
        return None

    def _named_kind(self, home: HomeVocabulary) -> str | None:
        domains = {e.domain for e in home.entities if e.entity_id in self.entity_ids}
        return DOMAIN_KINDS.get(domains.pop()) if len(domains) == 1 else None

    def resolve(
        self, home: HomeVocabulary, speaker_area: str | None, context: tuple[str, ...] = ()
    ) -> IntentMatch:
        """The intent with its devices, as the home is now; `context` holds the devices the
        conversation acted on last (what "louder" means after "turn on the TV")."""
        slots: dict[str, Any] = {}
        if self.action in ANSWERS:
            return IntentMatch(ANSWERS[self.action], source="reader")
        if self.action == "unknown" and self.unknown is not None:
            # said and not known: answered as the grammar's unknown names are, nothing done
            what, said = self.unknown
            slot = "area" if what == "room" else "name"
            return IntentMatch("HubDeviceAction", unmatched={slot: said}, source="reader")
        if self.action == "where":
            return IntentMatch(
                "HubWhereIs", {"name": self.unknown[1] if self.unknown else ""}, source="reader"
            )
        if self.action == "humidity":
            return IntentMatch("HubHumidity", self._where(home), source="reader")
        if self.action == "reading":
            where = {"hub_entity_ids": list(self.entity_ids)} if self.entity_ids else {}
            return IntentMatch(
                "HassClimateGetTemperature", {**where, **self._where(home)}, source="reader"
            )
        if self.action == "setting":
            return IntentMatch(
                "HubGetSetting", {"hub_entity_ids": list(self.entity_ids)}, source="reader"
            )
        if self.action in ("everything_off", "everything_on"):
            return IntentMatch(
                "HubEverythingOff" if self.action == "everything_off" else "HubEverythingOn",
                {"hub_entity_ids": self._everything(home, speaker_area), **self._where(home)},
                source="reader",
            )
        if self.action == "state":
            return self._question(home, speaker_area)
        if self.action == "set_temperature":
            kind = KINDS["ac"] if self.kind == "ac" else KINDS["climate"]
            ids = self.targets(home, speaker_area, kind, fall_back_to_home=True)
            slots = {"temperature": self.amount}
            return self._match("HassClimateSetTemperature", home, ids, slots, kind)
        if self.action == "set_brightness":
            ids = self.targets(home, speaker_area, KINDS["light"])
            return self._match(
                "HassLightSet", home, ids, {"brightness": self.amount}, KINDS["light"]
            )
        if self.action == "set_volume":
            ids = self.targets(home, speaker_area, KINDS["media"], fall_back_to_home=True)
            slots = {"volume_level": self.amount}
            return self._match("HassSetVolume", home, ids, slots, KINDS["media"])
        if self.action in ("warmer", "cooler", "adjust"):
            direction = {"warmer": "up", "cooler": "down"}.get(self.action)
            slots = {"direction": direction, "hub_amount": self.amount, "hub_small": self.small}
            # "turn down the AC" is about an air conditioner, not any thermostat
            kind = KINDS["ac"] if self.kind == "ac" else KINDS["climate"]
            ids = self.targets(home, speaker_area, kind, fall_back_to_home=True)
            return self._match("HubClimateStep", home, ids, slots, kind)
        if self.action in ("brighter", "dimmer"):
            slots = {
                "direction": "up" if self.action == "brighter" else "down",
                "step_pct": 10 if self.small else 25,
            }
            ids = self.targets(home, speaker_area, KINDS["light"])
            return self._match("HubLightStep", home, ids, slots, KINDS["light"])
        if self.action in ("louder", "quieter"):
            slots = {"direction": "up" if self.action == "louder" else "down"}
            players = [i for i in context if i.startswith("media_player.")]
            ids = (
                players
                if players and not self.entity_ids and not self.area and self.kind is None
                else self.targets(home, speaker_area, KINDS["media"], fall_back_to_home=True)
            )
            return self._match("HubVolumeStep", home, ids, slots, KINDS["media"])
        said_kind = KINDS.get(self.kind or "")
        ids = self.targets(home, speaker_area, said_kind, fall_back_to_home=True)
        # a kind found only beyond the speaker's room ("start the hoover") is asked about
        # when there are several, rather than all of them started
        near = self.entity_ids or self.targets(home, speaker_area, said_kind)
        slots = {"hub_action": self.action, "hub_ask_if_many": bool(ids) and (not near or self.one)}
        return self._match("HubDeviceAction", home, ids, slots, said_kind)

    # -- resolving ---------------------------------------------------------------------

    def _match(
        self,
        intent: str,
        home: HomeVocabulary,
        ids: list[str],
        slots: dict[str, Any],
        kind: Kind | None,
    ) -> IntentMatch:
        if not ids and kind is not None and not of_kind(home.entities, kind):
            # the home has nothing of the kind at all: say so rather than "which device?"
            return IntentMatch("HubNoSuchDevice", {"hub_noun": kind.noun}, source="reader")
        noun = {"hub_noun": kind.noun} if kind is not None and not ids else {}
        return IntentMatch(
            intent, {**slots, "hub_entity_ids": ids, **noun, **self._where(home)}, source="reader"
        )

    def _where(self, home: HomeVocabulary) -> dict[str, Any]:
        """The place said, by name, for the answer ("in the Kitchen", "upstairs")."""
        if self.area and (area := home.area(self.area)) is not None:
            return {"area": area.name}
        if self.floor and (floor := home.floor(self.floor)) is not None:
            return {"floor": floor.name}
        return {}

    def _scope(self, home: HomeVocabulary, speaker_area: str | None) -> list[NamedEntity]:
        """The entities where the request points: the area or floor said, the whole home
        for "all", else the speaker's area."""
        if self.area:
            return [e for e in home.entities if e.area_id == self.area]
        if self.floor:
            areas = {a.id for a in home.areas if a.floor_id == self.floor}
            return [e for e in home.entities if e.area_id in areas]
        if self.whole_home or not speaker_area:
            return list(home.entities)
        area = home.area(speaker_area)
        return [e for e in home.entities if area is not None and e.area_id == area.id]

    def targets(
        self,
        home: HomeVocabulary,
        speaker_area: str | None,
        kind: Kind | None,
        *,
        fall_back_to_home: bool = False,
    ) -> list[str]:
        if self.entity_ids:
            return list(self.entity_ids)
        if kind is None:
            return []
        found = of_kind(self._scope(home, speaker_area), kind)
        said_where = self.area or self.floor or self.whole_home
        if not found and fall_back_to_home and not said_where:
            # "start the hoover" from a room without one: the home's, where it is the only
            # one of its kind (several are asked about by the handler)
            found = of_kind(home.entities, kind)
        return [e.entity_id for e in found]

    def _everything(self, home: HomeVocabulary, speaker_area: str | None) -> list[str]:
        scoped = self._scope(home, speaker_area) if self.area or self.floor else home.entities
        return [e.entity_id for e in scoped if e.domain in EVERYTHING_DOMAINS]

    def _question(self, home: HomeVocabulary, speaker_area: str | None) -> IntentMatch:
        slots: dict[str, Any] = {"state": self.state}
        if self.entity_ids:
            named = [e for e in home.entities if e.entity_id == self.entity_ids[0]]
            slots["name"] = named[0].name if named else self.entity_ids[0]
        else:
            kind = KINDS.get(self.kind or "")
            ids = self.targets(home, speaker_area, kind)
            slots["hub_entity_ids"] = ids
            slots.update(self._where(home))
        return IntentMatch("HassGetState", slots, source="reader")


def of_kind(entities: list[NamedEntity], kind: Kind) -> list[NamedEntity]:
    out = []
    for entity in entities:
        if entity.domain not in kind.domains:
            continue
        words = " " + " ".join(normalize_name(n) for n in entity.names) + " "
        named = any(f" {w} " in words for w in kind.name_words)
        if kind.by_name_only:
            if named:
                out.append(entity)
            continue
        klass = entity.attributes.get("device_class")
        if not kind.device_classes or klass in kind.device_classes or (named and klass is None):
            out.append(entity)
    if kind.domains == {"media_player"} and kind.device_classes and not out:
        # a TV that does not say it is one: the home's players stand in for it
        out = [e for e in entities if e.domain == "media_player"]
    return out


def floor_said(home: HomeVocabulary, said: str) -> NamedFloor | None:
    for floor in home.floors:
        if any(normalize_name(n) == said for n in floor.names):
            return floor
    if DOWNSTAIRS.fullmatch(said):
        ground = [f for f in home.floors if f.level == 0]
        return ground[0] if ground else _floor_named(home, ("ground floor", "downstairs"))
    if UPSTAIRS.fullmatch(said):
        above = sorted((f for f in home.floors if (f.level or 0) >= 1), key=lambda f: f.level or 0)
        return above[0] if above else _floor_named(home, ("upstairs", "first floor"))
    return None


def _floor_named(home: HomeVocabulary, names: tuple[str, ...]) -> NamedFloor | None:
    for name in names:
        for floor in home.floors:
            if any(normalize_name(n) == name for n in floor.names):
                return floor
    return None
