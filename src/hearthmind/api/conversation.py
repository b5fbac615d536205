"""Home Assistant's conversation API: `POST /api/conversation/process` with `{"text",
"conversation_id"?, "language"?, "agent_id"?, "device_id"?}`, answered in HA's shape
(`response` with `response_type`, `speech.plain.speech`, `data.success/failed/targets`, and
the `conversation_id` to send with the next turn), so HA's apps and satellites talk to the hub
as they talk to HA. The speaker is the token's user; a follow-up leans on the turns before it
(voice/conversation.py, the hub's one set of conversations, shared with the Wyoming server).
`device_id` is the satellite's device, as HA has it: its area is the speaker's ("in here", a
request naming no room); a device the hub does not know is a 400, counted as
`unknown_device`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from hearthmind.core import Hub

from .auth import Authorized, Runtime
from .operations import ApiError, count_problem
from .rest import JsonResponse, _json_body
from .voice import _pipeline

router = APIRouter(prefix="/api/conversation", default_response_class=JsonResponse)

# our answer's error -> HA's conversation error code
_ERROR_CODES = {
    "no_intent": "no_intent_match",
    "unknown_device": "no_valid_targets",
    "no_target": "no_valid_targets",
    "unsupported": "no_intent_match",
    "failed": "failed_to_handle",
}


def ha_response(turn: Any, hub: Any) -> dict[str, Any]:
    answer = turn.result.answer
    targets = []
    for action in answer.actions:
        for entity_id in action.entity_ids:
            state = hub.states.get(entity_id)
            targets.append(
                {"name": state.name if state else entity_id, "type": "entity", "id": entity_id}
            )
    data: dict[str, Any]
    if answer.handled and answer.actions:
        kind, data = "action_done", {"targets": [], "success": targets, "failed": []}
    elif answer.handled or turn.asked:
        kind, data = "query_answer", {"targets": [], "success": [], "failed": []}
    else:
        kind, data = "error", {"code": _ERROR_CODES.get(answer.error or "", "unknown")}
    return {
        "response": {
            "response_type": kind,
            "language": "en",
            "data": data,
            "speech": {"plain": {"speech": answer.speech, "extra_data": None}},
            "card": {},
        },
        "conversation_id": turn.conversation_id,
        "continue_conversation": turn.asked,
    }


def speaker_area(hub: Hub, device_id: Any) -> str | None:
    """The area of the satellite's device (HA's `device_id`): where the speaker is."""
    if device_id is None:
        return None
    if not isinstance(device_id, str):
        raise ApiError(400, "invalid_format", "device_id must be a string")
    device = hub.registries.devices.get(device_id)
    if device is None:
        count_problem(hub, "unknown_device", f"unknown device: {device_id}")
        raise ApiError(400, "invalid_format", f"unknown device: {device_id}", counted=True)
    return device.area_id


@router.post("/process", summary="A turn of a conversation: do it, answer, keep the thread")
async def process(request: Request, rt: Runtime, token: Authorized) -> JsonResponse:
    from hearthmind.voice import conversations_for

    body = await _json_body(request, rt)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise ApiError(400, "invalid_format", 'want a JSON object with a "text"')
    language = body.get("language") or "en"
    if not isinstance(language, str) or not language.casefold().startswith("en"):
        raise ApiError(400, "invalid_format", f"language {language!r}: only English is spoken here")
    conversation_id = body.get("conversation_id")
    if conversation_id is not None and not isinstance(conversation_id, str):
        raise ApiError(400, "invalid_format", "conversation_id must be a string")
    area = speaker_area(rt.hub, body.get("device_id"))
    conversations = conversations_for(rt.hub, await _pipeline(rt.hub, with_stt=False))
    turn = await conversations.process(
        body["text"][:1000], conversation_id, user_id=token.user_id, area=area
    )
    return JsonResponse(ha_response(turn, rt.hub))
