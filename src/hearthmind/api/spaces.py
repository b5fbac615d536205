"""Spaces, stays and people's profiles over HTTP (issue 24), in the agent API's shapes.

    GET    /api/hearthmind/spaces                          spaces: kind, areas, stays
    GET    /api/hearthmind/spaces/applications             profiles applied here (explained)
    POST   /api/hearthmind/spaces/applications/{id}/undo   put back what one replaced
    POST   /api/hearthmind/spaces/applications/{id}/accept (or /decline) a suggested one
    POST   /api/hearthmind/spaces/areas/{area}/expect      {"person", "home_hub"?, "at"}: a
                                                           booking, an ETA
    POST   /api/hearthmind/spaces/areas/{area}/arrive      {"person", "home_hub"?}: check-in
    POST   /api/hearthmind/spaces/areas/{area}/depart      check-out
    POST   /api/hearthmind/spaces/exchange                 a signed envelope from a paired hub
    GET    /api/hearthmind/profiles                        the people whose profile is here
    GET    /api/hearthmind/profiles/{person}               the whole profile (what export gives)
    GET    /api/hearthmind/profiles/{person}/export        the same, as a JSON download
    POST   /api/hearthmind/profiles/{person}               an edit (editing.py's shapes)
    DELETE /api/hearthmind/profiles/{person}               delete here and in every hub it
                                                           went to

Every route but `exchange` takes the hub's token. `exchange` is for other hubs: it needs no
token, because the envelope's HMAC signature with the pair's key is its authentication; a
message that fails it is refused (401/403/409/422) and counted, and changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request

from .auth import Authorized, Runtime
from .operations import ApiError, context_for
from .rest import JsonResponse, _json_body

if TYPE_CHECKING:
    from hearthmind.core import Hub
    from hearthmind.spaces import SpacesHub

router = APIRouter(prefix="/api/hearthmind", default_response_class=JsonResponse)


def spaces_of(hub: Hub) -> SpacesHub:
    from hearthmind.spaces import SPACES

    found = hub.data.get(SPACES)
    if found is None:
        raise ApiError(404, "not_found", "spaces are not set up on this hub")
    return found


async def _guarded(call: Any) -> Any:
    """A refusal of the spaces package as an HTTP answer with its status (already counted)."""
    from hearthmind.core import HearthmindError
    from hearthmind.spaces.exchange import ExchangeError
    from hearthmind.spaces.stays import SpacesError

    try:
        return await call
    except (SpacesError, ExchangeError) as err:
        raise ApiError(err.status, err.counter, str(err), counted=True) from err
    except HearthmindError as err:
        raise ApiError(409, "refused", str(err)) from err


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "the body must be a JSON object")
    return body


def describe(spaces: SpacesHub) -> list[dict[str, Any]]:
    hub = spaces.hub
    out = []
    for space in hub.registries.spaces.values():
        areas = [a for a in hub.registries.areas.values() if a.space_id == space.id]
        out.append(
            {
                "space_id": space.id,
                "name": space.name,
                "kind": space.kind.value,
                "areas": [
                    {
                        "area_id": a.id,
                        "name": a.name,
                        "entities": hub.registries.entities_in_area(a.id),
                        "stay": spaces.stays[a.id].as_dict() if a.id in spaces.stays else None,
                    }
                    for a in areas
                ],
            }
        )
    return out


@router.get("/spaces", summary="Spaces of this hub: kind, areas, who stays where")
async def get_spaces(rt: Runtime, _: Authorized) -> JsonResponse:
    return JsonResponse(describe(spaces_of(rt.hub)))


@router.get("/spaces/applications", summary="Profiles applied here, with explanations")
async def get_applications(rt: Runtime, _: Authorized) -> JsonResponse:
    apps = spaces_of(rt.hub).applier.applications.values()
    return JsonResponse([a.as_dict() for a in sorted(apps, key=lambda a: -a.time)])


@router.post("/spaces/applications/{action_id}/undo", summary="Undo an application")
async def post_undo(rt: Runtime, token: Authorized, action_id: str) -> JsonResponse:
    spaces = spaces_of(rt.hub)
    ctx = context_for(rt.hub, token)
    app = await _guarded(spaces.applier.async_undo(action_id, ctx))
    return JsonResponse(app.as_dict())


async def _answer(spaces: SpacesHub, action_id: str, yes: bool) -> Any:
    if yes:
        return await spaces.applier.async_accept(action_id)
    return spaces.applier.decline(action_id)


@router.post("/spaces/applications/{action_id}/{answer}", summary="Yes or no to a suggestion")
async def post_answer(rt: Runtime, _: Authorized, action_id: str, answer: str) -> JsonResponse:
    if answer not in ("accept", "decline"):
        raise ApiError(404, "not_found", f"no such answer {answer!r}: accept or decline")
    app = await _guarded(_answer(spaces_of(rt.hub), action_id, answer == "accept"))
    return JsonResponse(app.as_dict())


@router.post("/spaces/areas/{area_id}/{what}", summary="A booking, an arrival, a departure")
async def post_stay(
    request: Request, rt: Runtime, _: Authorized, area_id: str, what: str
) -> JsonResponse:
    spaces = spaces_of(rt.hub)
    body = _object(await _json_body(request, rt)) if what != "depart" else {}
    if what == "depart":
        return JsonResponse(await _guarded(spaces.async_depart(area_id)))
    person = body.get("person")
    if not isinstance(person, str) or not person:
        raise ApiError(400, "bad_request", 'say which person: {"person": ...}')
    home_hub = body.get("home_hub")
    if home_hub is not None and not isinstance(home_hub, str):
        raise ApiError(400, "bad_request", "home_hub must be a hub id")
    if what == "expect":
        at = body.get("at")
        if isinstance(at, bool) or not isinstance(at, int | float):
            raise ApiError(400, "bad_request", "at: the arrival, epoch seconds")
        stay = await _guarded(spaces.async_expect(area_id, person, home_hub, float(at)))
    elif what == "arrive":
        stay = await _guarded(spaces.async_arrive(area_id, person, home_hub))
    else:
        raise ApiError(404, "not_found", f"no such step {what!r}: expect, arrive or depart")
    return JsonResponse(stay.as_dict())


@router.post("/spaces/exchange", summary="A signed message from a paired hub (no token)")
async def post_exchange(request: Request, rt: Runtime) -> JsonResponse:
    spaces = spaces_of(rt.hub)
    body = await _json_body(request, rt)
    answer = await _guarded(spaces.async_receive(body))
    return JsonResponse(answer or {})


@router.get("/profiles", summary="People whose profile lives in this hub")
async def get_profiles(rt: Runtime, _: Authorized) -> JsonResponse:
    spaces = spaces_of(rt.hub)
    return JsonResponse(
        [{"person_id": p.person_id, "name": p.name} for p in spaces.profiles.values()]
    )


async def _export(spaces: SpacesHub, person: str) -> dict[str, Any]:
    return spaces.export(person)


@router.get("/profiles/{person}", summary="A person's whole profile")
async def get_profile(rt: Runtime, _: Authorized, person: str) -> JsonResponse:
    return JsonResponse(await _guarded(_export(spaces_of(rt.hub), person)))


@router.get("/profiles/{person}/export", summary="A person's profile as a JSON download")
async def get_export(rt: Runtime, _: Authorized, person: str) -> JsonResponse:
    data = await _guarded(_export(spaces_of(rt.hub), person))
    return JsonResponse(
        data, headers={"Content-Disposition": f'attachment; filename="profile-{person}.json"'}
    )


async def _edit(spaces: SpacesHub, person: str, change: dict[str, Any]) -> dict[str, Any]:
    return spaces.edit(person, change)


@router.post("/profiles/{person}", summary="Edit a preference, a consent, hotel learning")
async def post_profile(request: Request, rt: Runtime, _: Authorized, person: str) -> JsonResponse:
    change = _object(await _json_body(request, rt))
    return JsonResponse(await _guarded(_edit(spaces_of(rt.hub), person, change)))


@router.delete("/profiles/{person}", summary="Delete a profile here and wherever it went")
async def delete_profile(rt: Runtime, _: Authorized, person: str) -> JsonResponse:
    return JsonResponse(await _guarded(spaces_of(rt.hub).async_delete_profile(person)))
