"""What the agent says on the bus and which services it answers: the contract between the agent,
the API, voice and the simulated residents (who react to it without importing it, by these
names, as Home Assistant integrations talk through events and services).

Every action the agent takes is a service call with a Context whose origin is `agent` and
whose `parent_id` is the id of the routine run that caused it; the action event carries the
same context, so the recorder links an entity's change to the routine by the Context chain."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from hearthmind.core.events import EventType

DOMAIN = "agent"

Level = Literal["off", "observe", "suggest", "act"]
LEVELS: tuple[Level, ...] = ("off", "observe", "suggest", "act")
Answer = Literal["yes", "no", "not_now", "never"]


class AgentActionData(TypedDict):
    action_id: str
    routine_id: str
    person: str | None  # the user id the routine belongs to
    entity_id: str
    service: str  # "light.turn_on"
    service_data: dict[str, object]
    explanation: str  # what, why (habit and evidence), how sure, how to stop it
    # added by the agent: the suggestion a person said yes to (None: done on its own; every
    # safety-class action has one), and how sure the model was
    suggestion_id: NotRequired[str | None]
    probability: NotRequired[float]


class AgentSuggestionData(TypedDict):
    suggestion_id: str
    routine_id: str
    person: str | None
    entity_id: str
    service: str
    service_data: dict[str, object]
    explanation: str
    expires: float  # epoch seconds on the hub's clock; an answer after it is refused
    probability: NotRequired[float]  # added by the agent: how sure the model was


class AgentMomentData(TypedDict):
    """A routine's moment, at which the agent asks or acts: fired in the run's Context, whose
    parent is the change that triggered it, so "why" can follow an action back to it."""

    routine_id: str
    level: Level  # "suggest" or "act": what the agent does at this moment
    source: str  # what told it the moment came: "binary_sensor.hall_motion:on", or "model"
    probability: float
    expected: float  # epoch seconds on the hub's clock: when the routine is due


class SuggestionAnsweredData(TypedDict):
    suggestion_id: str
    routine_id: str
    answer: Answer | Literal["ignored"]


class AgentFeedbackData(TypedDict):
    routine_id: str
    kind: Literal[
        "revert", "missed", "came_true", "accepted", "declined", "ignored",
        # added by the agent: a prediction that did not come true, an action nobody undid,
        # "not now", a device that did not do it, a call that failed, two routines wanting
        # opposite things, an answer after the suggestion expired, one person's "never"
        "not_true", "kept", "not_now", "device_ignored", "failed", "conflict", "late_answer",
        "refused",
    ]  # fmt: skip
    action_id: str | None
    suggestion_id: NotRequired[str | None]  # added by the agent


EVENT_AGENT_ACTION: EventType[AgentActionData] = EventType("agent_action")
EVENT_AGENT_SUGGESTION: EventType[AgentSuggestionData] = EventType("agent_suggestion")
EVENT_AGENT_MOMENT: EventType[AgentMomentData] = EventType("agent_moment")
EVENT_SUGGESTION_ANSWERED: EventType[SuggestionAnsweredData] = EventType(
    "agent_suggestion_answered"
)
EVENT_AGENT_FEEDBACK: EventType[AgentFeedbackData] = EventType("agent_feedback")

# services in domain "agent"; data keys in brackets
SERVICE_ANSWER = "answer"  # {suggestion_id, answer: yes|no|not_now|never}
SERVICE_UNDO = "undo"  # {action_id} (or none: the last action)
SERVICE_SET_LEVEL = "set_level"  # {routine_id, level}
SERVICE_FORBID = "forbid"  # {routine_id}
SERVICE_OPT_OUT = "opt_out"  # {person, opted_out: bool}
# the off switch for the whole agent is an entity, as Home Assistant users expect
SWITCH_ENTITY_ID = "switch.hearthmind_agent"
