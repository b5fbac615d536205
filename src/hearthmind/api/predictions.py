"""What the routines learner expects people to do next, for the REST API
(`GET /api/hearthmind/predictions?k=5`) and the WebSocket API (`hearthmind/predictions`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hearthmind.core import Hub

from .operations import ApiError


def next_actions(hub: Hub, k: int = 5) -> dict[str, Any]:
    """The learner's state and its `k` likeliest next device actions by people, each with
    probability, expected time (ISO, UTC) and the model's explanation. 404 without the
    routines component."""
    # the routines need the learn extra (numpy, LightGBM): loaded on demand, so the API serves
    # a hub set up without it
    from hearthmind.routines.component import get_learner

    learner = get_learner(hub)
    if learner is None:
        raise ApiError(404, "not_found", "routines are not learned on this hub")
    k = max(1, min(k, 50))
    model = learner.model
    body: dict[str, Any] = {
        "model": None if model is None else model.name,
        "history": len(learner.history),
        "updates": learner.updates,
        "refits": learner.refits,
        "predictions": [],
    }
    if model is None:
        return body
    # what people do to devices: the agent's candidates; sensors only fill the model's context
    for guess in learner.likely_actions(k):
        entity_id, _sep, value = guess.item.rpartition(":")
        expected = guess.expected_time
        body["predictions"].append(
            {
                "entity_id": entity_id,
                "value": value,
                "probability": round(guess.probability, 4),
                "expected_time": None
                if expected is None
                else datetime.fromtimestamp(learner.utc(expected), UTC).isoformat(),
                "explanation": model.explain(guess),
            }
        )
    return body
