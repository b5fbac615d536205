"""What the agent refuses, in words a person can act on. Each is a `HearthmindError` (so a
service call through any face of the hub gets the message, and it is counted); `status` is
the HTTP status the REST API answers with."""

from __future__ import annotations

from hearthmind.core import HearthmindError


class AgentError(HearthmindError):
    counter = "agent_refused"
    status = 400


class UnknownRoutineError(AgentError):
    status = 404

    def __init__(self, routine_id: str) -> None:
        super().__init__(
            f"no routine {routine_id!r} (`hearthmind agent list` shows the routine ids)"
        )


class UnknownSuggestionError(AgentError):
    status = 404

    def __init__(self, suggestion_id: str) -> None:
        super().__init__(f"no suggestion {suggestion_id!r}")


class UnknownActionError(AgentError):
    status = 404


class SuggestionExpiredError(AgentError):
    status = 410


class AlreadyAnsweredError(AgentError):
    status = 409


class NothingToUndoError(AgentError):
    status = 409


class EntityGoneError(AgentError):
    status = 409


class LevelRefusedError(AgentError):
    status = 409
