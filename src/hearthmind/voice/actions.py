"""From an intent to what the hub does and says: `IntentHandler` dispatches each intent to its
handler (handlers/: devices, questions, the hub's own), which finds the targets (targets.py),
acts through the core with the voice Context after the safety check (acting.py, safety.py), and
answers shortly and warmly (answers.py). A request naming no known device does nothing and says
so."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from hearthmind.core import Context, HearthmindError, Hub, Origin

from . import undo
from .acting import Acting
from .agent_link import AgentLink
from .handlers import adjust, agent_turns, devices, hub_intents, lists, questions
from .handlers.devices import TurnHandler
from .home import HomeVocabulary
from .intents import IntentMatch
from .sources import RecentActionLog
from .targets import has_target
from .timers import VoiceTimers
from .turns import AskBack, NotUnderstood, ServiceAction, Turn, VoiceAnswer

__all__ = ["IntentHandler", "ServiceAction", "Turn", "VoiceAnswer"]

_LOGGER = logging.getLogger(__name__)
Handler = Callable[[Turn], Awaitable[VoiceAnswer]]
# intents that mean something only as the answer to the agent's open question
ANSWERS_A_QUESTION = frozenset({"HubAnswer"})


class IntentHandler:
    """Turns intents into service calls and answers."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.timers = VoiceTimers(hub)
        self.agent = AgentLink(hub)  # the agent's open questions and last actions
        self.action_log = RecentActionLog(hub, self.agent.explanation_for)
        act = Acting(hub, self.action_log)

        def bound(handler: TurnHandler) -> Handler:
            return functools.partial(handler, act)

        self._handlers: dict[str, Handler] = {
            "HassTurnOn": bound(devices.turn_on),
            "HassTurnOff": bound(devices.turn_off),
            "HassLightSet": bound(devices.light_set),
            "HubLightStep": bound(devices.light_step),
            "HassSetPosition": bound(devices.set_position),
            "HassGetState": bound(questions.get_state),
            "HassClimateGetTemperature": bound(questions.get_temperature),
            "HassClimateSetTemperature": bound(devices.set_temperature),
            "HassVacuumStart": bound(devices.vacuum_start),
            "HassVacuumReturnToBase": bound(devices.vacuum_return),
            "HassMediaPause": bound(devices.media("media_pause", "Paused")),
            "HassMediaUnpause": bound(devices.media("media_play", "Resumed")),
            "HassMediaNext": bound(devices.media("media_next_track", "Skipped")),
            "HassMediaPrevious": bound(devices.media("media_previous_track", "Going back")),
            "HassSetVolume": bound(devices.set_volume),
            "HassGetCurrentTime": bound(questions.current_time),
            "HassGetCurrentDate": bound(questions.current_date),
            "HassGetWeather": bound(questions.weather),
            "HassNevermind": bound(questions.nevermind),
            "HassStartTimer": self.timers.start,
            "HassCancelTimer": self.timers.cancel,
            "HassCancelAllTimers": self.timers.cancel_all,
            "HassTimerStatus": self.timers.status,
            "HassPauseTimer": self.timers.pause,
            "HassUnpauseTimer": self.timers.unpause,
            "HassIncreaseTimer": self.timers.increase,
            "HassDecreaseTimer": self.timers.decrease,
            "HassShoppingListAddItem": bound(lists.shopping_add),
            "HassListAddItem": bound(lists.list_add),
            "HassShoppingListCompleteItem": bound(lists.shopping_complete),
            "HassListCompleteItem": bound(lists.list_complete),
            "HubMakeCoffee": bound(devices.coffee),
            "HubExplain": bound(hub_intents.explain),
            "HubRejectLast": functools.partial(agent_turns.reject, self.agent, act),
            "HubAnswer": functools.partial(agent_turns.answer, self.agent, act),
            "HubUndo": functools.partial(agent_turns.undo, self.agent, act),
            "HubUsualRoutine": bound(hub_intents.usual),
            "HubGoodNight": bound(hub_intents.good_night),
            "HubGoodMorning": bound(hub_intents.good_morning),
            # read by the conversation layer after the grammar (understanding.py); the
            # grammar never yields these
            "HubClimateStep": bound(adjust.climate_step),
            "HubVolumeStep": bound(adjust.volume_step),
            "HubDeviceAction": bound(adjust.device_action),
            "HubEverythingOff": bound(adjust.everything_off),
            "HubEverythingOn": bound(adjust.everything_on),
            "HubNoSuchDevice": bound(adjust.no_such_device),
            "HubLater": bound(adjust.later),
            "HubHelp": bound(adjust.help_here),
            "HubThanks": bound(adjust.thanks),
            "HubHello": bound(adjust.hello),
            "HubGetSetting": bound(questions.get_setting),
            "HubWhoIsHome": bound(questions.who_is_home),
            "HubWhereIs": bound(questions.where_is),
            "HubHumidity": bound(questions.humidity),
            "HubOutsideTemperature": bound(questions.outside_temperature),
            "HubUndoTurn": bound(undo.undo_turn),
        }

    @property
    def supported_intents(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def close(self) -> None:
        self.agent.close()
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
        except AskBack as err:  # nothing done yet: the conversation's next turn answers
            return VoiceAnswer(
                err.speech, match.intent, False, error=err.error, context=ctx, question=err.question
            )
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

    def has_target(self, match: IntentMatch, home: HomeVocabulary, area: str | None) -> bool:
        """Whether a device intent points at something this home has (targets.has_target);
        an answer ("yes", "not now") only while the agent has asked something."""
        if match.intent in ANSWERS_A_QUESTION:
            return self.agent.waiting_for(None) is not None
        return has_target(Turn(match, home, self.hub.context(Origin.VOICE), None, area))
