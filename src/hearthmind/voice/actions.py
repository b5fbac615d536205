"""From an intent to what the hub does and says: service calls through the core, with the
voice origin and the speaker in the Context, and a short, warm answer.

Safety: unlocking and opening garage doors by voice are refused (a person confirms those in
the app); a command naming no known device does nothing and says so."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from hearthmind.core import Context, HearthmindError, Hub, Origin

from . import answers
from .home import HomeVocabulary, NamedEntity
from .intents import IntentMatch
from .sources import (
    ExplanationSource,
    FeedbackSink,
    RecentActionLog,
    RoutineSource,
    find_source,
)
from .timers import VoiceTimers

_LOGGER = logging.getLogger(__name__)

ON_SERVICE = {
    "cover": "open_cover",
    "valve": "open_valve",
    "lock": "lock",
    "vacuum": "start",
    "button": "press",
    "input_button": "press",
}
OFF_SERVICE = {
    "cover": "close_cover",
    "valve": "close_valve",
    "lock": "unlock",
    "vacuum": "return_to_base",
}
# acting on these needs a person's confirmation in the app (DESIGN: safety classes)
NEEDS_CONFIRMATION = {("lock", "unlock"), ("lock", "open"), ("cover", "open_cover:garage")}
NOUN = {
    "light": "light",
    "switch": "switch",
    "fan": "fan",
    "cover": "cover",
    "lock": "lock",
    "media_player": "player",
    "climate": "thermostat",
    "vacuum": "vacuum",
    "scene": "scene",
    "script": "script",
}
COLOR_RGB = {
    "white": (255, 255, 255), "red": (255, 0, 0), "orange": (255, 165, 0),
    "yellow": (255, 255, 0), "green": (0, 255, 0), "blue": (0, 0, 255),
    "purple": (128, 0, 128), "pink": (255, 192, 203), "brown": (165, 42, 42),
    "violet": (238, 130, 238), "cyan": (0, 255, 255), "magenta": (255, 0, 255),
    "indigo": (75, 0, 130), "gold": (255, 215, 0), "teal": (0, 128, 128),
    "turquoise": (64, 224, 208), "lavender": (230, 230, 250), "black": (0, 0, 0),
}  # fmt: skip


# device intents, with the domains their target must be in (None: any)
TARGETED_INTENTS: dict[str, set[str] | None] = {
    "HassTurnOn": None,
    "HassTurnOff": None,
    "HassLightSet": {"light"},
    "HubLightStep": {"light"},
    "HassSetPosition": {"cover", "valve"},
    "HassGetState": None,
    "HassClimateGetTemperature": {"climate", "sensor"},
    "HassClimateSetTemperature": {"climate"},
    "HassGetWeather": {"weather"},
}


@dataclass(frozen=True, slots=True)
class ServiceAction:
    domain: str
    service: str
    entity_ids: tuple[str, ...]
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class VoiceAnswer:
    speech: str
    intent: str | None = None
    handled: bool = False  # the hub did, or answered, what was asked
    actions: list[ServiceAction] = field(default_factory=list)
    error: str | None = None  # "no_intent", "unknown_device", "unsupported", "failed", ...
    context: Context | None = None


class NotUnderstood(Exception):
    """A target the home does not have; the message is the spoken answer."""

    def __init__(self, speech: str, error: str = "unknown_device") -> None:
        super().__init__(speech)
        self.speech = speech
        self.error = error


Handler = Callable[["Turn"], Awaitable[VoiceAnswer]]


@dataclass(slots=True)
class Turn:
    """One request being handled: the intent, who asked, where, and the home as known now."""

    match: IntentMatch
    home: HomeVocabulary
    context: Context
    user_id: str | None
    area: str | None

    def slot(self, name: str) -> Any:
        return self.match.slots.get(name)


class IntentHandler:
    """Turns intents into service calls and answers."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.timers = VoiceTimers(hub)
        self.action_log = RecentActionLog(hub)
        self._handlers: dict[str, Handler] = {
            "HassTurnOn": self._turn_on,
            "HassTurnOff": self._turn_off,
            "HassLightSet": self._light_set,
            "HubLightStep": self._light_step,
            "HassSetPosition": self._set_position,
            "HassGetState": self._get_state,
            "HassClimateGetTemperature": self._get_temperature,
            "HassClimateSetTemperature": self._set_temperature,
            "HassVacuumStart": self._vacuum_start,
            "HassVacuumReturnToBase": self._vacuum_return,
            "HassMediaPause": self._media("media_pause", "Paused"),
            "HassMediaUnpause": self._media("media_play", "Resumed"),
            "HassMediaNext": self._media("media_next_track", "Skipped"),
            "HassMediaPrevious": self._media("media_previous_track", "Going back"),
            "HassSetVolume": self._set_volume,
            "HassGetCurrentTime": self._time,
            "HassGetCurrentDate": self._date,
            "HassGetWeather": self._weather,
            "HassNevermind": self._nevermind,
            "HassStartTimer": self.timers.start,
            "HassCancelTimer": self.timers.cancel,
            "HassCancelAllTimers": self.timers.cancel_all,
            "HassTimerStatus": self.timers.status,
            "HassPauseTimer": self.timers.pause,
            "HassUnpauseTimer": self.timers.unpause,
            "HassIncreaseTimer": self.timers.increase,
            "HassDecreaseTimer": self.timers.decrease,
            "HubMakeCoffee": self._coffee,
            "HubExplain": self._explain,
            "HubRejectLast": self._reject,
            "HubUsualRoutine": self._usual,
            "HubGoodNight": self._good_night,
            "HubGoodMorning": self._good_morning,
        }

    @property
    def supported_intents(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def close(self) -> None:
        self.action_log.close()
        self.timers.cancel_all_now()

    async def handle(
        self,
        match: IntentMatch,
        home: HomeVocabulary,
        *,
        user_id: str | None = None,
        area: str | None = None,
        context: Context | None = None,
    ) -> VoiceAnswer:
        ctx = context or self.hub.context(Origin.VOICE, user_id=user_id)
        if match.unmatched:
            return self._unknown(match, ctx)
        handler = self._handlers.get(match.intent)
        if handler is None:
            return VoiceAnswer(
                "I understood, but I can't do that yet.",
                match.intent,
                False,
                error="unsupported",
                context=ctx,
            )
        turn = Turn(match, home, ctx, user_id, area)
        try:
            answer = await handler(turn)
        except NotUnderstood as err:
            self.hub.health.problem("voice_unknown_target", err.speech, self.hub.clock.timestamp())
            return VoiceAnswer(err.speech, match.intent, False, error=err.error, context=ctx)
        except HearthmindError as err:
            _LOGGER.warning("voice action failed: %s", err)
            return VoiceAnswer(
                f"Sorry, that didn't work: {err}", match.intent, False, error="failed", context=ctx
            )
        answer.intent = match.intent
        answer.context = ctx
        return answer

    # -- unknown names ------------------------------------------------------------------

    def _unknown(self, match: IntentMatch, ctx: Context) -> VoiceAnswer:
        if "name" in match.unmatched:
            where = f" in the {match.slots['area']}" if match.slots.get("area") else ""
            speech = f"I don't know a device called {match.unmatched['name']}{where}."
        elif "area" in match.unmatched:
            speech = f"I don't know a room called {match.unmatched['area']}."
        else:
            speech = f"I don't know {next(iter(match.unmatched.values()))}."
        self.hub.health.problem("voice_unknown_target", speech, self.hub.clock.timestamp())
        return VoiceAnswer(speech, match.intent, False, error="unknown_device", context=ctx)

    # -- targets ------------------------------------------------------------------------

    def has_target(self, match: IntentMatch, home: HomeVocabulary, area: str | None) -> bool:
        """Whether a device intent points at something this home has ("turn on the living
        room fan" does not, in a home with no fan there). Intents without a target pass."""
        if match.intent not in TARGETED_INTENTS:
            return True
        turn = Turn(match, home, self.hub.context(Origin.VOICE), None, area)
        try:
            self.targets(turn, TARGETED_INTENTS[match.intent], allow_whole_home=True)
        except NotUnderstood:
            return False
        return True

    def targets(
        self, turn: Turn, domains: set[str] | None = None, *, allow_whole_home: bool = False
    ) -> list[NamedEntity]:
        """The entities an intent's slots point at; NotUnderstood when there are none."""
        name = turn.slot("name")
        area = turn.slot("area")
        floor = turn.slot("floor")
        domain_slot = turn.slot("domain")
        wanted = set(domains or ())
        if domain_slot:
            slot_domains = {domain_slot} if isinstance(domain_slot, str) else set(domain_slot)
            wanted = wanted & slot_domains if wanted else slot_domains
        classes = turn.slot("device_class")
        class_set = {classes} if isinstance(classes, str) else set(classes or ()) or None
        home = turn.home
        if name:
            found = home.find_entities(
                name=name, area=area if area and "area" not in turn.match.context_slots else None
            )
            if not found:
                found = home.find_entities(name=name)
            if wanted:
                found = [e for e in found if e.domain in wanted] or found
            if not found:
                raise NotUnderstood(f"I don't know a device called {name}.")
            return found
        if area or floor:
            found = home.find_entities(
                area=area, floor=floor, domains=wanted or None, device_classes=class_set
            )
            if not found:
                where = f"the {area}" if area else f"the {floor}"
                noun = NOUN.get(next(iter(wanted)), "device") if len(wanted) == 1 else "device"
                raise NotUnderstood(f"There's no {noun} in {where} that I know of.", "no_target")
            return found
        if turn.area:
            found = home.find_entities(
                area=turn.area, domains=wanted or None, device_classes=class_set
            )
            if found:
                return found
        if wanted and (allow_whole_home or wanted <= {"light"}):
            found = home.find_entities(domains=wanted, device_classes=class_set)
            if found:
                return found
        raise NotUnderstood("Which device do you mean?", "no_target")

    async def call(
        self,
        turn: Turn,
        entities: list[NamedEntity],
        service_for: Callable[[NamedEntity], str | None],
        data: dict[str, Any] | None = None,
    ) -> list[ServiceAction]:
        """Call each entity's service, grouped by domain, with the voice context."""
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for entity in entities:
            service = service_for(entity)
            if service is None:
                continue
            key = service
            if entity.domain == "cover" and entity.attributes.get("device_class") in (
                "garage",
                "gate",
            ):
                key = f"{service}:garage"
            if (entity.domain, key) in NEEDS_CONFIRMATION:
                raise NotUnderstood(
                    f"For safety, please confirm that in the app: I don't {service.replace('_', ' ')} "
                    f"the {entity.name} by voice alone.",
                    "needs_confirmation",
                )
            groups[(entity.domain, service)].append(entity.entity_id)
        actions: list[ServiceAction] = []
        for (domain, service), ids in groups.items():
            if not self.hub.services.has_service(domain, service):
                raise NotUnderstood(
                    f"I can't {service.replace('_', ' ')} {answers.things([self._name(turn, i) for i in ids], NOUN.get(domain, 'device'))} yet.",
                    "unsupported",
                )
            payload = dict(data or {})
            await self.hub.services.async_call(
                domain, service, payload, target={"entity_id": ids}, context=turn.context
            )
            actions.append(ServiceAction(domain, service, tuple(ids), payload))
        return actions

    def _name(self, turn: Turn, entity_id: str) -> str:
        for e in turn.home.entities:
            if e.entity_id == entity_id:
                return e.name
        return entity_id

    def _done(self, turn: Turn, speech: str, actions: list[ServiceAction]) -> VoiceAnswer:
        name = answers.speaker_name(self.hub, turn.user_id)
        return VoiceAnswer(answers.with_name(speech, name), None, True, actions)

    # -- device intents -----------------------------------------------------------------

    async def _turn_on(self, turn: Turn) -> VoiceAnswer:
        entities = self.targets(turn)
        actions = await self.call(turn, entities, lambda e: ON_SERVICE.get(e.domain, "turn_on"))
        what = answers.things([e.name for e in entities], NOUN.get(entities[0].domain, "device"))
        verb = {
            "lock": "Locked", "cover": "Opened", "valve": "Opened", "vacuum": "Started",
            "scene": "Activated", "script": "Started",
        }.get(entities[0].domain, "Turned on")  # fmt: skip
        return self._done(turn, f"{verb} {what}.", actions)

    async def _turn_off(self, turn: Turn) -> VoiceAnswer:
        entities = self.targets(turn)
        actions = await self.call(turn, entities, lambda e: OFF_SERVICE.get(e.domain, "turn_off"))
        what = answers.things([e.name for e in entities], NOUN.get(entities[0].domain, "device"))
        verb = {"cover": "Closed", "valve": "Closed", "vacuum": "Sent home"}.get(
            entities[0].domain, "Turned off"
        )
        return self._done(turn, f"{verb} {what}.", actions)

    async def _light_set(self, turn: Turn) -> VoiceAnswer:
        entities = self.targets(turn, {"light"})
        data: dict[str, Any] = {}
        said = ""
        if turn.slot("brightness") is not None:
            pct = max(0.0, min(100.0, float(turn.slot("brightness"))))
            data["brightness_pct"] = pct
            said = f"to {pct:.0f} percent"
        elif turn.slot("color") is not None:
            color = str(turn.slot("color")).lower()
            rgb = COLOR_RGB.get(color)
            if rgb is None:
                raise NotUnderstood(f"I don't know the colour {color}.", "bad_value")
            data["rgb_color"] = rgb
            said = f"to {color}"
        elif turn.slot("temperature") is not None:
            data["color_temp_kelvin"] = int(float(turn.slot("temperature")))
            said = f"to {data['color_temp_kelvin']} kelvin"
        else:
            raise NotUnderstood("How should I set the light?", "no_value")
        actions = await self.call(
            turn, entities, lambda e: "turn_on" if e.domain == "light" else None, data
        )
        what = answers.things([e.name for e in entities], "light")
        return self._done(turn, f"Set {what} {said}.", actions)

    async def _light_step(self, turn: Turn) -> VoiceAnswer:
        entities = self.targets(turn, {"light"})
        step = float(turn.slot("step_pct") or 25)
        down = turn.slot("direction") == "down"
        data = {"brightness_step_pct": -step if down else step}
        actions = await self.call(
            turn, entities, lambda e: "turn_on" if e.domain == "light" else None, data
        )
        what = answers.things([e.name for e in entities], "light")
        return self._done(turn, f"{'Dimmed' if down else 'Brightened'} {what}.", actions)

    async def _set_position(self, turn: Turn) -> VoiceAnswer:
        entities = self.targets(turn, {"cover", "valve"})
        position = int(float(turn.slot("position")))
        actions = await self.call(
            turn,
            entities,
            lambda e: "set_cover_position" if e.domain == "cover" else "set_valve_position",
            {"position": position},
        )
        what = answers.things([e.name for e in entities], "cover")
        return self._done(turn, f"Set {what} to {position} percent.", actions)

    async def _vacuum_start(self, turn: Turn) -> VoiceAnswer:
        entities = self.targets(turn, {"vacuum"}, allow_whole_home=True)
        actions = await self.call(turn, entities, lambda e: "start")
        return self._done(turn, "Cleaning has started.", actions)

    async def _vacuum_return(self, turn: Turn) -> VoiceAnswer:
        entities = self.targets(turn, {"vacuum"}, allow_whole_home=True)
        actions = await self.call(turn, entities, lambda e: "return_to_base")
        return self._done(turn, "Sending the vacuum home.", actions)

    def _media(self, service: str, verb: str) -> Handler:
        async def handle(turn: Turn) -> VoiceAnswer:
            entities = self.targets(turn, {"media_player"}, allow_whole_home=True)
            playing = [e for e in entities if self._state(e) == "playing"] or entities
            actions = await self.call(turn, playing[:1], lambda e: service)
            return self._done(turn, f"{verb}.", actions)

        return handle

    async def _set_volume(self, turn: Turn) -> VoiceAnswer:
        entities = self.targets(turn, {"media_player"}, allow_whole_home=True)
        level = max(0.0, min(100.0, float(turn.slot("volume_level") or turn.slot("volume") or 50)))
        actions = await self.call(
            turn, entities[:1], lambda e: "volume_set", {"volume_level": level / 100}
        )
        return self._done(turn, f"Volume set to {level:.0f}.", actions)

    async def _set_temperature(self, turn: Turn) -> VoiceAnswer:
        entities = self.targets(turn, {"climate"}, allow_whole_home=True)
        temp = float(turn.slot("temperature"))
        actions = await self.call(
            turn, entities, lambda e: "set_temperature", {"temperature": temp}
        )
        return self._done(turn, f"Set the temperature to {temp:g} degrees.", actions)

    async def _coffee(self, turn: Turn) -> VoiceAnswer:
        makers = [e for e in turn.home.entities if "coffee" in e.name.lower()]
        if not makers:
            raise NotUnderstood("I don't know a coffee machine in this home.")
        actions = await self.call(turn, makers[:1], lambda e: ON_SERVICE.get(e.domain, "turn_on"))
        return self._done(turn, "Your coffee is on its way.", actions)

    # -- questions ----------------------------------------------------------------------

    def _state(self, entity: NamedEntity) -> str | None:
        state = self.hub.states.get(entity.entity_id)
        return state.state if state else None

    async def _get_state(self, turn: Turn) -> VoiceAnswer:
        entities = self.targets(turn, allow_whole_home=True)
        wanted = turn.slot("state")
        if wanted is not None:
            matching = [e for e in entities if self._state(e) == wanted]
            if turn.slot("name"):
                speech = f"{'Yes' if matching else 'No'}, the {entities[0].name} is {self._state(entities[0]) or 'unknown'}."
            elif matching:
                speech = f"Yes: {answers.join_names([e.name for e in matching[:4]])}."
            else:
                speech = "No, none of them."
            return VoiceAnswer(speech, None, True)
        parts = []
        for entity in entities[:3]:
            state = self.hub.states.get(entity.entity_id)
            value = state.state if state else "unknown"
            unit = state.attributes.get("unit_of_measurement", "") if state else ""
            parts.append(f"the {entity.name} is {value}{(' ' + str(unit)) if unit else ''}")
        speech = answers.join_names(parts)
        return VoiceAnswer(speech[0].upper() + speech[1:] + ".", None, True)

    async def _get_temperature(self, turn: Turn) -> VoiceAnswer:
        entities = self.targets(turn, {"climate", "sensor"}, allow_whole_home=True)
        for entity in entities:
            state = self.hub.states.get(entity.entity_id)
            if state is None:
                continue
            temp = state.attributes.get("current_temperature", None)
            if temp is None and entity.domain == "sensor":
                temp = state.state
            if temp is not None:
                return VoiceAnswer(f"It's {temp} degrees.", None, True)
        return VoiceAnswer(
            "I don't have a temperature reading right now.", None, False, error="no_value"
        )

    async def _time(self, turn: Turn) -> VoiceAnswer:
        now = answers.local_now(self.hub)
        return VoiceAnswer(f"It's {now.strftime('%H:%M')}.", None, True)

    async def _date(self, turn: Turn) -> VoiceAnswer:
        now = answers.local_now(self.hub)
        return VoiceAnswer(f"It's {now.strftime('%A, %B')} {now.day}.", None, True)

    async def _weather(self, turn: Turn) -> VoiceAnswer:
        entities = self.targets(turn, {"weather"}, allow_whole_home=True)
        state = self.hub.states.get(entities[0].entity_id)
        if state is None:
            return VoiceAnswer("I have no weather report right now.", None, False, error="no_value")
        temp = state.attributes.get("temperature")
        extra = f" and {temp} degrees" if temp is not None else ""
        return VoiceAnswer(f"It's {state.state}{extra}.", None, True)

    async def _nevermind(self, turn: Turn) -> VoiceAnswer:
        return VoiceAnswer("Okay.", None, True)

    # -- the hub's own intents ----------------------------------------------------------

    async def _explain(self, turn: Turn) -> VoiceAnswer:
        source = find_source(self.hub, ExplanationSource) or self.action_log
        reason = source.last_action_reason(turn.user_id)
        if reason is None:
            return VoiceAnswer("I haven't changed anything on my own lately.", None, True)
        return VoiceAnswer(reason, None, True)

    async def _reject(self, turn: Turn) -> VoiceAnswer:
        sink = find_source(self.hub, FeedbackSink) or self.action_log
        change = sink.reject_last_action(turn.user_id, turn.context)
        if change is None:
            return VoiceAnswer(
                "There's nothing I did recently to stop, but thank you for telling me.", None, True
            )
        return VoiceAnswer(f"Understood. {change}", None, True)

    async def _usual(self, turn: Turn) -> VoiceAnswer:
        weekday = turn.slot("weekday")
        when = turn.slot("part_of_day")
        source = find_source(self.hub, RoutineSource)
        text = source.describe_usual(turn.user_id, weekday, when) if source else None
        if text:
            return VoiceAnswer(text, None, True)
        span = " ".join(str(x) for x in (weekday, when) if x) or "days"
        span = span if span.endswith("s") else span + "s"
        return VoiceAnswer(
            f"I'm still learning your {span.capitalize() if weekday else span}; ask me again in a week or two.",
            None,
            True,
        )

    async def _good_night(self, turn: Turn) -> VoiceAnswer:
        lights = [e for e in turn.home.entities if e.domain == "light" and self._state(e) == "on"]
        actions = await self.call(turn, lights, lambda e: "turn_off") if lights else []
        name = answers.speaker_name(self.hub, turn.user_id)
        parts = [f"Good night, {name}." if name else "Good night."]
        if lights:
            parts.append(f"I've turned off {answers.things([e.name for e in lights], 'light')}.")
        unlocked = [
            e for e in turn.home.entities if e.domain == "lock" and self._state(e) == "unlocked"
        ]
        if unlocked:
            parts.append(f"The {unlocked[0].name} is still unlocked.")
        return VoiceAnswer(" ".join(parts), None, True, actions)

    async def _good_morning(self, turn: Turn) -> VoiceAnswer:
        parts = [answers.greeting(self.hub, turn.user_id)]
        source = find_source(self.hub, RoutineSource)
        if source is not None:
            usual = source.describe_usual(turn.user_id, None, "morning")
            if usual:
                parts.append(usual)
        weather = [e for e in turn.home.entities if e.domain == "weather"]
        if weather and (state := self.hub.states.get(weather[0].entity_id)):
            parts.append(f"It's {state.state} outside.")
        return VoiceAnswer(" ".join(parts), None, True)
