"""Voice over HTTP: text or a WAV recording in, the action done, the answer back.

`POST /api/hearthmind/voice/say` takes `{"text": ..., "area"?: ..., "conversation_id"?: ...}`
and is a turn of a conversation (voice/conversation.py, the hub's one set, shared with HA's
conversation API and the Wyoming server): the answer carries the `conversation_id` to send
with a follow-up ("turn it off") or the answer to its question (`continue_conversation`).
`GET /api/hearthmind/voice/names` lists the names people taught the hub in conversation
(voice/learned.py), `DELETE /api/hearthmind/voice/names/{said}` forgets one.
`POST /api/hearthmind/voice/listen?area=&conversation_id=` takes the audio file as the body:
its transcript is a turn of the same conversations, read against the recording (the speech
recognition scores the snapped candidates against the audio, as `handle_audio` does). The
speaker is
the token's user, never one the request names (a `user_id` other than the token's is a 403:
anyone with a token could otherwise act as anyone); the Context's origin is `voice`.
The hub's configured pipeline (`voice:` section) is used when there is one; otherwise one is
built on first use (models load off the event loop)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request

from hearthmind.core import DataKey

from .auth import Authorized, Runtime
from .operations import ApiError
from .rest import JsonResponse, _json_body
from .tokens import TokenInfo

if TYPE_CHECKING:
    from hearthmind.core import Hub
    from hearthmind.voice import VoicePipeline, VoiceResult

router = APIRouter(prefix="/api/hearthmind/voice", default_response_class=JsonResponse)

# the API's own pipelines, made on first use when the hub has no `voice:` section
_WITH_STT: DataKey[VoicePipeline] = DataKey("voice_api_stt")
_TEXT_ONLY: DataKey[VoicePipeline] = DataKey("voice_api_text")
MAX_AUDIO_BYTES = 16 * 1024 * 1024  # about 8 minutes of 16 kHz 16-bit mono


async def _pipeline(hub: Hub, with_stt: bool) -> VoicePipeline:
    # the voice extra (models, hassil) is optional and heavy: loaded on demand
    from hearthmind.voice import DATA_KEY as VOICE_KEY
    from hearthmind.voice import build_pipeline

    configured = hub.data.get(VOICE_KEY)
    if configured is not None:
        return configured
    key = _WITH_STT if with_stt else _TEXT_ONLY
    cached = hub.data.get(key)
    if cached is not None:
        return cached
    pipeline = await asyncio.to_thread(build_pipeline, hub, None, stt=with_stt, tts=False)
    hub.data[key] = pipeline
    hub.async_on_stop(_closer(pipeline))
    return pipeline


def _closer(pipeline: VoicePipeline) -> Any:
    async def close() -> None:
        pipeline.close()

    return close


def _result(result: VoiceResult) -> dict[str, Any]:
    answer = result.answer
    return {
        "heard": result.heard,
        "understood_as": result.understood_as,
        "speech": answer.speech,
        "intent": answer.intent,
        "handled": answer.handled,
        "error": answer.error,
        "actions": [
            {
                "domain": a.domain,
                "service": a.service,
                "entity_ids": list(a.entity_ids),
                "data": a.data,
            }
            for a in answer.actions
        ],
        "context": answer.context.as_dict() if answer.context is not None else None,
    }


def _speaker(token: TokenInfo, named: Any) -> str:
    """Who speaks: the token's user. A request naming another is refused, not believed."""
    if named is not None and str(named) != token.user_id:
        raise ApiError(
            403,
            "unauthorized",
            f"this token speaks for {token.user_id!r}; it cannot speak for {str(named)!r}",
        )
    return token.user_id


@router.post("/say", summary="A typed command: do it, and answer")
async def say(request: Request, rt: Runtime, token: Authorized) -> JsonResponse:
    from hearthmind.voice import conversations_for

    body = await _json_body(request, rt)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("text"), str)
        or not body["text"].strip()
    ):
        raise ApiError(400, "invalid_format", 'want a JSON object with a non-empty "text"')
    speaker = _speaker(token, body.get("user_id"))
    conversation_id = body.get("conversation_id")
    if conversation_id is not None and not isinstance(conversation_id, str):
        raise ApiError(400, "invalid_format", "conversation_id must be a string")
    conversations = conversations_for(rt.hub, await _pipeline(rt.hub, with_stt=False))
    turn = await conversations.process(
        body["text"][:1000],
        conversation_id,
        user_id=speaker,
        area=body.get("area") if isinstance(body.get("area"), str) else None,
    )
    answer = _result(turn.result)
    answer.update(conversation_id=turn.conversation_id, continue_conversation=turn.asked)
    return JsonResponse(answer)


@router.post("/listen", summary="A recorded command (WAV body): do it, and answer")
async def listen(
    request: Request,
    rt: Runtime,
    token: Authorized,
    user_id: str | None = None,
    area: str | None = None,
    conversation_id: str | None = None,
) -> JsonResponse:
    from hearthmind.voice import AudioError, conversations_for, load_audio

    speaker = _speaker(token, user_id)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_AUDIO_BYTES:
            raise ApiError(413, "invalid_format", f"the recording is over {MAX_AUDIO_BYTES} bytes")
        chunks.append(chunk)
    try:
        clip = load_audio(b"".join(chunks))
    except AudioError as err:
        raise ApiError(400, "invalid_format", str(err)) from err
    pipeline = await _pipeline(rt.hub, with_stt=True)
    try:
        transcript, rescore = await pipeline.listen(clip, area=area)
    except AudioError as err:
        return JsonResponse(_result(pipeline.unheard(err)))
    turn = await conversations_for(rt.hub, pipeline).process(
        transcript.text,
        conversation_id,
        user_id=speaker,
        area=area,
        from_speech=True,
        rescore=rescore,
    )
    answer = _result(turn.result)
    answer.update(
        heard=transcript.text,  # what was heard, before the conversation filled it in
        conversation_id=turn.conversation_id,
        continue_conversation=turn.asked,
    )
    return JsonResponse(answer)


@router.get("/names", summary="The names people taught the hub in conversation")
async def names(rt: Runtime, token: Authorized) -> JsonResponse:
    from hearthmind.voice.learned import learned_names

    return JsonResponse({"names": learned_names(rt.hub).entries()})


@router.delete("/names/{said}", summary="Forget a name people taught the hub")
async def forget_name(said: str, rt: Runtime, token: Authorized) -> JsonResponse:
    from hearthmind.voice.learned import learned_names

    gone = learned_names(rt.hub).forget(said)
    if not gone:
        raise ApiError(404, "not_found", f"no learned name {said!r}")
    return JsonResponse({"forgotten": said, "entries": gone})
