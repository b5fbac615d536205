"""Talking with the agent by voice (issue 18, item 8): its question is said and answered
("yes", "not now", "never"), "undo that" and "why did you do that?" reach the agent through
its services with the speaker's voice Context.

The agent here is the bus contract's other side (hearthmind.agent.events: its events and the
services agent.answer, agent.undo, agent.forbid), played by a small stand-in that records what
it is asked, so each test says exactly what voice sends; tests/agent covers the agent itself."""

from __future__ import annotations

from typing import Any

from hearthmind.core import EVENT_STATE_CHANGED, Event, Hub, Origin, ServiceCall
from hearthmind.voice.pipeline import VoicePipeline


class AgentStandIn:
    """Plays the agent's side of the contract on a real hub."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.calls: list[tuple[str, dict[str, Any], ServiceCall]] = []
        for service in ("answer", "undo", "forbid"):
            hub.services.async_register("agent", service, self._record(service), needs_target=False)

    def _record(self, service: str) -> Any:
        async def handle(call: ServiceCall) -> None:
            data = call.data.model_dump()
            self.calls.append((service, data, call))
            if service == "answer":
                self.hub.bus.async_fire(
                    "agent_suggestion_answered",
                    {"suggestion_id": data["suggestion_id"], "routine_id": "r1", "answer": data["answer"]},
                    call.context,
                )  # fmt: skip
            if service == "undo":
                await self.hub.services.async_call(
                    "light", "turn_off", {}, target={"entity_id": "light.kitchen"},
                    context=self.hub.context(Origin.AGENT),
                )  # fmt: skip

        return handle

    def suggest(self, suggestion_id: str = "s1", person: str | None = "mina") -> None:
        self.hub.bus.async_fire(
            "agent_suggestion",
            {
                "suggestion_id": suggestion_id, "routine_id": "r1", "person": person,
                "entity_id": "light.kitchen", "service": "light.turn_on", "service_data": {},
                "explanation": "On weekdays around 06:40 you turn on the Kitchen Light (38 of 41 days).",
                "expires": self.hub.clock.timestamp() + 600,
            },
            self.hub.context(Origin.AGENT),
        )  # fmt: skip

    async def act(self) -> None:
        ctx = self.hub.context(Origin.AGENT)
        self.hub.bus.async_fire(
            "agent_action",
            {
                "action_id": "a1", "routine_id": "r1", "person": "mina",
                "entity_id": "light.kitchen", "service": "light.turn_on", "service_data": {},
                "explanation": "On weekdays around 06:40 you turn on the Kitchen Light "
                "(38 of 41 days); say 'never' to stop it.",
            },
            ctx,
        )  # fmt: skip
        await self.hub.services.async_call(
            "light", "turn_on", {}, target={"entity_id": "light.kitchen"}, context=ctx
        )


async def test_a_question_is_said_and_answered_yes(hub: Hub, pipeline: VoicePipeline) -> None:
    agent = AgentStandIn(hub)
    prompts: list[Event[Any]] = []
    hub.bus.async_listen("voice_prompt", prompts.append)
    agent.suggest()
    await hub.async_block_till_done()
    assert prompts and prompts[0].data["text"].startswith("Shall I turn on the Kitchen Light?")
    assert "38 of 41 days" in prompts[0].data["text"]

    result = await pipeline.handle_text("yes please", user_id="mina")
    assert result.answer.handled
    (service, data, call), *_ = agent.calls
    assert (service, data["suggestion_id"], data["answer"]) == ("answer", "s1", "yes")
    assert call.context.origin == Origin.VOICE and call.context.user_id == "mina"
    # answered: a second "yes" has nothing left to answer, and asks nothing of the agent
    again = await pipeline.handle_text("yes", user_id="mina")
    assert not again.answer.handled and len(agent.calls) == 1


async def test_not_now_and_never(hub: Hub, pipeline: VoicePipeline) -> None:
    agent = AgentStandIn(hub)
    agent.suggest("s1")
    await pipeline.handle_text("not now", user_id="mina")
    agent.suggest("s2")
    await pipeline.handle_text("don't ask me that again", user_id="mina")
    assert [(d["suggestion_id"], d["answer"]) for _, d, _ in agent.calls] == [
        ("s1", "not_now"),
        ("s2", "never"),
    ]


async def test_yes_with_no_question_open_does_nothing(hub: Hub, pipeline: VoicePipeline) -> None:
    agent = AgentStandIn(hub)
    seen: list[Event[Any]] = []
    hub.bus.async_listen(EVENT_STATE_CHANGED, seen.append)
    result = await pipeline.handle_text("yes")
    assert not result.answer.handled and agent.calls == [] and seen == []
    # someone else's question is not mine to answer
    agent.suggest(person="sam")
    await pipeline.handle_text("yes", user_id="mina")
    assert agent.calls == []


async def test_why_undo_and_never_again(hub: Hub, pipeline: VoicePipeline) -> None:
    agent = AgentStandIn(hub)
    await agent.act()
    why = await pipeline.handle_text("why did you do that", user_id="mina")
    assert "38 of 41 days" in why.speech and "turned the Kitchen Light on" in why.speech

    undone = await pipeline.handle_text("undo that", user_id="mina")
    assert undone.answer.handled and "Kitchen Light is off again" in undone.speech
    assert [(s, d["action_id"]) for s, d, _ in agent.calls] == [("undo", "a1")]

    await pipeline.handle_text("don't do that again", user_id="mina")
    assert agent.calls[-1][0] == "forbid" and agent.calls[-1][1]["routine_id"] == "r1"
    assert agent.calls[-1][2].context.origin == Origin.VOICE


async def test_without_an_agent_undo_says_so(hub: Hub, pipeline: VoicePipeline) -> None:
    result = await pipeline.handle_text("undo that")
    assert result.speech == "There's nothing I did recently to undo."


async def test_a_malformed_agent_event_is_counted(hub: Hub, pipeline: VoicePipeline) -> None:
    hub.bus.async_fire("agent_suggestion", {"suggestion_id": "s9"}, hub.context(Origin.AGENT))
    assert hub.health["voice_agent_event_invalid"] == 1
    assert (await pipeline.handle_text("yes")).answer.handled is False
