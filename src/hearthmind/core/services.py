"""The service registry: `light.turn_on` with a target and data, validated before it runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .context import Context
from .errors import InvalidServiceDataError, ServiceNotFoundError, UnknownEntityError
from .events import EVENT_CALL_SERVICE, EventBus
from .health import HealthCounters
from .states import StateMachine

_LOGGER = logging.getLogger(__name__)


class ServiceData(BaseModel):
    """Base of service data schemas. Unknown keys are refused, so a typo is an error."""

    model_config = ConfigDict(extra="forbid")


class AnyServiceData(BaseModel):
    model_config = ConfigDict(extra="allow")


@dataclass(frozen=True, slots=True)
class ServiceCall:
    domain: str
    service: str
    entity_ids: tuple[str, ...]
    data: BaseModel
    context: Context
    raw_data: Mapping[str, Any] = field(default_factory=dict)


ServiceHandler = Callable[[ServiceCall], Awaitable[Any]]


@dataclass(slots=True)
class Service:
    domain: str
    service: str
    handler: ServiceHandler
    schema: type[BaseModel]
    needs_target: bool
    description: str = ""


def _entity_ids_from(target: Mapping[str, Any] | None, data: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    for source in (target or {}, data):
        raw = source.get("entity_id")
        if raw is None:
            continue
        if isinstance(raw, str):
            ids.extend(part.strip() for part in raw.split(",") if part.strip())
        elif isinstance(raw, list | tuple):
            ids.extend(str(x) for x in raw)
        else:
            raise TypeError(f"entity_id must be a string or a list, got {type(raw).__name__}")
    data.pop("entity_id", None)
    return ids


def validate_service_data(
    domain: str, service: str, schema: type[BaseModel], payload: Mapping[str, Any]
) -> BaseModel:
    """The service's data checked against its schema; InvalidServiceDataError names each wrong
    field. The hub and the CLI (which checks a call before sending it) share this one rule."""
    try:
        return schema.model_validate(payload)
    except ValidationError as exc:
        reason = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'data'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidServiceDataError(domain, service, reason) from exc


class ServiceRegistry:
    def __init__(
        self,
        bus: EventBus,
        states: StateMachine,
        health: HealthCounters,
        clock_ts: Callable[[], float],
        area_entities: Callable[[str], list[str]] | None = None,
    ) -> None:
        self._services: dict[str, dict[str, Service]] = {}
        self._detached: set[asyncio.Task[None]] = set()
        self._bus = bus
        self._states = states
        self._health = health
        self._clock_ts = clock_ts
        # resolves `target: {area_id: kitchen}` to entity ids; set by the hub
        self.area_entities = area_entities

    def async_register(
        self,
        domain: str,
        service: str,
        handler: ServiceHandler,
        schema: type[BaseModel] = AnyServiceData,
        *,
        needs_target: bool = True,
        description: str = "",
    ) -> None:
        self._services.setdefault(domain, {})[service] = Service(
            domain, service, handler, schema, needs_target, description
        )

    def async_remove(self, domain: str, service: str) -> None:
        self._services.get(domain, {}).pop(service, None)

    def has_service(self, domain: str, service: str) -> bool:
        return service in self._services.get(domain, {})

    def async_services(self) -> dict[str, dict[str, Service]]:
        return {d: dict(s) for d, s in self._services.items()}

    def _fail(self, err: Exception, counter: str) -> None:
        self._health.problem(counter, str(err), self._clock_ts())

    async def async_call(
        self,
        domain: str,
        service: str,
        data: Mapping[str, Any] | None = None,
        *,
        context: Context,
        target: Mapping[str, Any] | None = None,
        blocking: bool = True,
    ) -> Any:
        """Validate and run a service call. Raises a `HearthmindError` that names the problem
        (and counts it) for an unknown service, an unknown entity or bad data."""
        svc = self._services.get(domain, {}).get(service)
        if svc is None:
            err: Exception = ServiceNotFoundError(domain, service)
            self._fail(err, ServiceNotFoundError.counter)
            raise err
        payload = dict(data or {})
        try:
            entity_ids = _entity_ids_from(target, payload)
            if target and target.get("area_id") and self.area_entities is not None:
                areas = target["area_id"]
                for area in [areas] if isinstance(areas, str) else list(areas):
                    entity_ids.extend(
                        e for e in self.area_entities(str(area)) if e.startswith(domain + ".")
                    )
        except TypeError as exc:
            err = InvalidServiceDataError(domain, service, str(exc))
            self._fail(err, InvalidServiceDataError.counter)
            raise err from exc
        for entity_id in entity_ids:
            if entity_id not in self._states:
                err = UnknownEntityError(entity_id)
                self._fail(err, UnknownEntityError.counter)
                raise err
        if svc.needs_target and not entity_ids:
            err = InvalidServiceDataError(domain, service, "no target entity_id given")
            self._fail(err, InvalidServiceDataError.counter)
            raise err
        try:
            model = validate_service_data(domain, service, svc.schema, payload)
        except InvalidServiceDataError as err:
            self._fail(err, InvalidServiceDataError.counter)
            raise
        self._health.counts["service_calls"] += 1
        self._bus.async_fire(
            EVENT_CALL_SERVICE,
            {
                "domain": domain,
                "service": service,
                "service_data": {"entity_id": entity_ids, **payload} if entity_ids else payload,
            },
            context,
        )
        call = ServiceCall(
            domain, service, tuple(dict.fromkeys(entity_ids)), model, context, payload
        )
        if blocking:
            return await svc.handler(call)
        task = asyncio.ensure_future(self._run_detached(svc, call))
        self._detached.add(task)
        task.add_done_callback(self._detached.discard)
        return None

    async def _run_detached(self, svc: Service, call: ServiceCall) -> None:
        try:
            await svc.handler(call)
        except Exception as err:
            self._fail(err, "service_errors")
            _LOGGER.exception("service %s.%s failed", svc.domain, svc.service)


def describe_services(registry: ServiceRegistry) -> list[dict[str, Any]]:
    """Home Assistant's `GET /api/services` shape."""
    out = []
    for domain, services in sorted(registry.async_services().items()):
        out.append(
            {
                "domain": domain,
                "services": {
                    name: {
                        "name": name.replace("_", " "),
                        "description": svc.description,
                        "fields": {
                            fname: {"required": f.is_required()}
                            for fname, f in svc.schema.model_fields.items()
                        },
                        **(
                            {"target": {"entity": [{"domain": [domain]}]}}
                            if svc.needs_target
                            else {}
                        ),
                    }
                    for name, svc in sorted(services.items())
                },
            }
        )
    return out


def entity_ids_in(ids: Iterable[str], domain: str) -> list[str]:
    return [e for e in ids if e.startswith(domain + ".")]
