"""What the routines learner expects people to do next, for the REST API
(`GET /api/hearthmind/predictions?k=5`) and the WebSocket API (`hearthmind/predictions`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hearthmind.core import Hub

from .operations import ApiError


def next_actions(hub: Hub, k: int = 5) -> dict[str, Any]:
    """The learner's state and its `k` likeliest next device actions by people worth showing
    (not already so, not under `routines: min_probability`: routines/showing.py), each with
    probability, expected time (ISO 8601 with the home's offset), the device's friendly name
    and the model's evidence; `shown` of `considered` says what was left out. 404 without the
    routines component."""
    # the routines need the learn extra (numpy, LightGBM): loaded on demand, so the API serves
    # a hub set up without it
    from hearthmind.routines.component import RoutinesConfig, get_learner
    from hearthmind.routines.observations import learned_value
    from hearthmind.routines.showing import evidence_text, friendly_item, worth_showing

    learner = get_learner(hub)
    if learner is None:
        raise ApiError(404, "not_found", "routines are not learned on this hub")
    k = max(1, min(k, 50))
    threshold = hub.config.section("routines", RoutinesConfig).min_probability
    model = learner.model
    body: dict[str, Any] = {
        "model": None if model is None else model.name,
        "history": len(learner.history),
        "updates": learner.updates,
        "refits": learner.refits,
        "min_probability": threshold,
        "considered": 0,
        "shown": 0,
        "predictions": [],
    }
    if model is None:
        return body

    def current(entity_id: str) -> str | None:
        state = hub.states.get(entity_id)
        return None if state is None else learned_value(entity_id, state.state, state.attributes)

    names = {
        s.entity_id: str(s.attributes["friendly_name"])
        for s in hub.states.async_all()
        if s.attributes.get("friendly_name")
    }
    zone = hub.config.zone
    # what people do to devices: the agent's candidates; sensors only fill the model's context
    shown = worth_showing(learner.likely_actions(max(4 * k, 20)), current, threshold, k)
    body["considered"], body["shown"] = shown.considered, len(shown.kept)
    body["summary"] = shown.summary(threshold)
    for guess in shown.kept:
        entity_id, _sep, value = guess.item.rpartition(":")
        expected = guess.expected_time
        explanation = model.explain(guess)
        body["predictions"].append(
            {
                "entity_id": entity_id,
                "value": value,
                "name": friendly_item(guess.item, names),
                "probability": round(guess.probability, 4),
                "expected_time": None
                if expected is None
                else datetime.fromtimestamp(learner.utc(expected), zone).isoformat(),
                "explanation": explanation,
                "evidence": evidence_text(explanation),
            }
        )
    return body
