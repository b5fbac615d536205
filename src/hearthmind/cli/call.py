"""`hearthmind call`: a service call through the running hub's API, as Home Assistant's own
clients do: the hub owns the devices, so a second hub built from the same config must not
drive them behind its back. The call is first checked here exactly as the hub would (service
known, data valid against the service's schema), then sent to the folder's running hub
(hubclient.py: the address and token it keeps in the folder; `--url` and `--token` or
HEARTHMIND_TOKEN to reach another). With no hub answering, it says so and how to start one."""

from __future__ import annotations

import urllib.error
from typing import Annotated, Any

import typer
import yaml

from hearthmind.core import (
    DOMAIN_SERVICES,
    HealthCounters,
    HearthmindError,
    InvalidEntityIdError,
    InvalidServiceDataError,
    ServiceNotFoundError,
    valid_entity_id,
    validate_service_data,
)

from .common import (
    DEFAULT_CONFIG,
    EXIT_UNAVAILABLE,
    ConfigDir,
    config_dir,
    console,
    fail,
    user_errors,
)
from .hubclient import HubRequestError, find_running_hub, no_hub_message

# The command line starts fast: the hub's packages load inside the command that needs them.


def parse_service_data(pairs: list[str]) -> dict[str, Any]:
    """`brightness=120 rgb_color=[255,0,0] transition=1.5` -> typed values (YAML scalars)."""
    data: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidServiceDataError("call", "data", f"{pair!r} is not key=value")
        try:
            data[key.strip()] = yaml.safe_load(value) if value.strip() else ""
        except yaml.YAMLError:
            data[key.strip()] = value
    return data


def validate_call(
    service: str, entity_id: str, data: dict[str, Any], health: HealthCounters
) -> tuple[str, str]:
    """Check a service call the way the hub will (service known, data valid), and count what
    is wrong, before anything goes over the wire."""
    domain, _, name = service.partition(".")
    if not valid_entity_id(entity_id):
        err: HearthmindError = InvalidEntityIdError(entity_id)
        health.problem(err.counter, str(err))
        raise err
    if not name or (domain not in DOMAIN_SERVICES and domain != "homeassistant"):
        err = ServiceNotFoundError(domain, name)
        health.problem(err.counter, str(err))
        raise err
    schemas = DOMAIN_SERVICES.get(domain, {})
    if domain != "homeassistant":
        schema = schemas.get(name)
        if schema is None:
            err = ServiceNotFoundError(domain, name)
            health.problem(err.counter, str(err))
            raise err
        try:
            validate_service_data(domain, name, schema, data)
        except InvalidServiceDataError as err:
            health.problem(err.counter, str(err))
            raise
    return domain, name


def call(
    service: Annotated[str, typer.Argument(help="domain.service, e.g. light.turn_on")],
    entity_id: Annotated[str, typer.Argument(help="The target, e.g. light.kitchen")],
    data: Annotated[list[str] | None, typer.Argument(help="key=value service data")] = None,
    config: ConfigDir = DEFAULT_CONFIG,
    url: Annotated[
        str | None,
        typer.Option("--url", help="The hub's API (default: where the folder's hub said it is)."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="HEARTHMIND_TOKEN",
            help="An API token (default: the one the running hub keeps for the command line).",
        ),
    ] = None,
) -> None:
    """Call a service on the running hub, through its API.

    The call is checked here first, then sent to the hub running from the folder."""
    health = HealthCounters()
    cfg = config_dir(config)
    with user_errors():
        payload = parse_service_data(data or [])
        domain, name = validate_call(service, entity_id, payload, health)
    try:
        hub = find_running_hub(cfg, url, token)
    except HubRequestError as err:  # a hub answers but refuses the token: bad input
        raise fail(str(err)) from err
    if hub is None:
        raise fail(
            no_hub_message(cfg, url) + " (calls go through the running hub: it owns the devices)",
            EXIT_UNAVAILABLE,
        )
    try:
        answer = hub.post(f"/api/services/{domain}/{name}", {"entity_id": entity_id, **payload})
    except HubRequestError as err:
        raise fail(f"the hub refused {service} on {entity_id}: {err}") from err
    except (urllib.error.URLError, OSError) as err:
        raise fail(f"the hub at {hub.url} stopped answering: {err}", EXIT_UNAVAILABLE) from err
    changed = answer if isinstance(answer, list) else []
    console.print(f"{service} {entity_id}: ok (hub at {hub.url})", highlight=False)
    for state in changed:
        if isinstance(state, dict):
            console.print(f"  {state.get('entity_id')} -> {state.get('state')}", highlight=False)


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    app.command("call")(call)
