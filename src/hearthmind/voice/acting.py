"""Acting on a request: each chosen device's service called through the core with the voice
Context (the speaker as user), grouped by domain, after the safety check; and the answer's
warm close (the speaker's name)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from hearthmind.core import Hub

from . import answers
from .home import NamedEntity
from .safety import refuse_unconfirmed
from .sources import RecentActionLog
from .targets import NOUN
from .turns import NotUnderstood, ServiceAction, Turn, VoiceAnswer


class Acting:
    """What every handler acts through: the hub's services and states, for one hub."""

    def __init__(self, hub: Hub, action_log: RecentActionLog) -> None:
        self.hub = hub
        self.action_log = action_log  # what the hub changed lately (until an agent answers)

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
            refuse_unconfirmed(entity, service, data)
            groups[(entity.domain, service)].append(entity.entity_id)
        actions: list[ServiceAction] = []
        for (domain, service), ids in groups.items():
            if not self.hub.services.has_service(domain, service):
                raise NotUnderstood(
                    f"I can't {service.replace('_', ' ')} {answers.things([self.name(turn, i) for i in ids], NOUN.get(domain, 'device'))} yet.",
                    "unsupported",
                )
            payload = dict(data or {})
            await self.hub.services.async_call(
                domain, service, payload, target={"entity_id": ids}, context=turn.context
            )
            actions.append(ServiceAction(domain, service, tuple(ids), payload))
        return actions

    def name(self, turn: Turn, entity_id: str) -> str:
        for e in turn.home.entities:
            if e.entity_id == entity_id:
                return e.name
        return entity_id

    def state(self, entity: NamedEntity) -> str | None:
        state = self.hub.states.get(entity.entity_id)
        return state.state if state else None

    def done(self, turn: Turn, speech: str, actions: list[ServiceAction]) -> VoiceAnswer:
        name = answers.speaker_name(self.hub, turn.user_id)
        return VoiceAnswer(answers.with_name(speech, name), None, True, actions)
