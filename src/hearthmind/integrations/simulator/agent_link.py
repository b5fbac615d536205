"""The residents hear the hub's agent: each `agent_suggestion` event goes to the residents
(`ResidentDays.ask`), and their answers come back as the `agent.answer` service, called with
an app context of the resident who answered, as a person's phone would.

The simulator imports nothing of the agent: it goes by the names of the bus contract
(hearthmind.agent.events), copied here, as Home Assistant integrations talk through events
and services. The agent's actions need no event here: they reach the devices as commands with
an `agent` context, and residents see those (`Resident.observe`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from hearthmind.core import Event, HearthmindError, Hub, Origin

from .answers import Suggestion
from .home import SimulatedHome

# hearthmind.agent.events: EVENT_AGENT_SUGGESTION, DOMAIN, SERVICE_ANSWER
EVENT_AGENT_SUGGESTION = "agent_suggestion"
AGENT_DOMAIN = "agent"
SERVICE_ANSWER = "answer"

_LOGGER = logging.getLogger(__name__)


class AgentLink:
    """Listens for suggestions on the hub's bus; answers through the hub's services."""

    def __init__(self, hub: Hub, home: SimulatedHome) -> None:
        self.hub = hub
        self.home = home
        self.asked = 0
        self.sent = 0
        self._unsub: Callable[[], None] | None = None
        self._entity_ids = frozenset(e.entity_id for e in home.entities())

    def _problem(self, counter: str, message: str) -> None:
        _LOGGER.warning("simulator: %s", message)
        self.hub.health.problem(counter, message, self.hub.clock.timestamp())

    def attach(self) -> None:
        if self._unsub is None:
            self._unsub = self.hub.bus.async_listen(EVENT_AGENT_SUGGESTION, self._on_suggestion)

    def detach(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    def _on_suggestion(self, event: Event[Any]) -> None:
        data = event.data
        try:
            suggestion = Suggestion(
                str(data["suggestion_id"]),
                str(data.get("routine_id", "")),
                None if data.get("person") is None else str(data["person"]),
                str(data["entity_id"]),
                str(data["service"]),
                dict(data.get("service_data") or {}),
                float(data["expires"]),
            )
        except (KeyError, TypeError, ValueError) as err:
            self._problem(
                "simulator_suggestion_errors", f"unreadable agent_suggestion {data!r}: {err!r}"
            )
            return
        if suggestion.entity_id not in self._entity_ids:
            self._problem(
                "simulator_suggestion_errors",
                f"suggestion {suggestion.suggestion_id} names no simulated entity "
                f"{suggestion.entity_id!r}",
            )
            return
        self.asked += 1
        self.home.days.ask(suggestion, self._reply)

    def _reply(self, suggestion_id: str, answer: str, user_id: str) -> None:
        if not self.hub.services.has_service(AGENT_DOMAIN, SERVICE_ANSWER):
            self._problem(
                "simulator_suggestion_errors",
                f"{user_id} answered {suggestion_id} but the hub has no agent.answer service",
            )
            return
        self.sent += 1
        context = self.hub.context(Origin.APP, user_id)
        self.hub.async_create_task(
            self._call(suggestion_id, answer, context), name="simulator-answer"
        )

    async def _call(self, suggestion_id: str, answer: str, context: Any) -> None:
        try:
            await self.hub.services.async_call(
                AGENT_DOMAIN,
                SERVICE_ANSWER,
                {"suggestion_id": suggestion_id, "answer": answer},
                context=context,
            )
        except HearthmindError as err:  # refused (expired, unknown): counted by the hub
            self._problem("simulator_answer_refused", f"agent.answer {suggestion_id}: {err}")
