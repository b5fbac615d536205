"""Talking with the agent: answering its question ("yes", "not now", "never"), "undo that",
and, through the hub intents' explain, "why did you do that?". The answers go to the agent's
own services with the speaker's voice Context, so the agent learns from them as from a tap."""

from __future__ import annotations

from hearthmind.core import HearthmindError

from .. import answers
from ..acting import Acting
from ..agent_link import AGENT_DOMAIN, SERVICE_ANSWER, SERVICE_FORBID, SERVICE_UNDO, AgentLink
from ..turns import Turn, VoiceAnswer
from . import hub_intents

REPLY = {
    "yes": "All right.",
    "no": "All right, I won't.",
    "not_now": "Okay, not now.",
    "never": "I won't ask about that again.",
}


async def answer(link: AgentLink, act: Acting, turn: Turn) -> VoiceAnswer:
    said = str(turn.slot("agent_answer") or "")
    if said not in REPLY:
        return VoiceAnswer("Sorry, was that a yes or a no?", None, False, error="no_answer")
    waiting = link.waiting_for(turn.user_id)
    if waiting is None or not link.has_agent:
        return VoiceAnswer("There's nothing waiting for your answer.", None, True)
    try:
        await act.hub.services.async_call(
            AGENT_DOMAIN,
            SERVICE_ANSWER,
            {"suggestion_id": waiting.suggestion_id, "answer": said},
            context=turn.context,
        )
    except HearthmindError as err:  # expired between the question and the answer, say
        return VoiceAnswer(f"Too late for that one: {err}", None, False, error="failed")
    return act.done(turn, REPLY[said], [])


async def undo(link: AgentLink, act: Acting, turn: Turn) -> VoiceAnswer:
    last = link.last_action(turn.user_id)
    if last is None or not act.hub.services.has_service(AGENT_DOMAIN, SERVICE_UNDO):
        return VoiceAnswer("There's nothing I did recently to undo.", None, True)
    try:
        await act.hub.services.async_call(
            AGENT_DOMAIN, SERVICE_UNDO, {"action_id": last.action_id}, context=turn.context
        )
    except HearthmindError as err:
        return VoiceAnswer(f"I couldn't undo that: {err}", None, False, error="failed")
    state = act.hub.states.get(last.entity_id)
    name = state.name if state is not None else last.entity_id
    now = f": {answers.the(name)} is {state.state} again" if state is not None else ""
    return act.done(turn, f"Undone{now}. I'll remember you didn't want it.", [])


async def reject(link: AgentLink, act: Acting, turn: Turn) -> VoiceAnswer:
    """ "Don't do that again": the routine behind the agent's last action is forbidden (the
    agent falls back to asking only when a person sets it again); a change made by anything
    else goes to the hub's feedback as before."""
    last = link.last_action(turn.user_id)
    if last is None or not act.hub.services.has_service(AGENT_DOMAIN, SERVICE_FORBID):
        return await hub_intents.reject(act, turn)
    try:
        await act.hub.services.async_call(
            AGENT_DOMAIN, SERVICE_FORBID, {"routine_id": last.routine_id}, context=turn.context
        )
    except HearthmindError as err:
        return VoiceAnswer(f"I couldn't change that: {err}", None, False, error="failed")
    state = act.hub.states.get(last.entity_id)
    name = state.name if state is not None else last.entity_id
    return act.done(
        turn, f"Understood. I won't change {answers.the(name)} like that on my own again.", []
    )
