"""`hearthmind call`: a service call through the running hub's API, as Home Assistant's own
clients do: the hub owns the devices, so a second hub built from the same config must not
drive them behind its back. The call is first checked here exactly as the hub would (service
known, data valid against the service's schema), then sent with a token (`--token` or
HEARTHMIND_TOKEN) to `--url` (default: the `api:` section's host and port, else
127.0.0.1:8770). With no hub answering, it says so and how to start one."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
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
    load_config,
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
        str | None, typer.Option("--url", help="The hub's API (default from the config).")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="HEARTHMIND_TOKEN", help="An API token."),
    ] = None,
) -> None:
    """Call a service on the running hub, through its API.

    The call is checked here first, then sent with a token (`hearthmind token create`)."""
    health = HealthCounters()
    cfg = config_dir(config)
    with user_errors():
        payload = parse_service_data(data or [])
        domain, name = validate_call(service, entity_id, payload, health)
        base = url or _api_url(cfg)
    if not token:
        raise fail(
            "no API token: create one with `hearthmind token create -c DIR --name cli` and "
            "pass it with --token or HEARTHMIND_TOKEN",
            EXIT_UNAVAILABLE,
        )
    body = json.dumps({"entity_id": entity_id, **payload}).encode()
    request = urllib.request.Request(
        f"{base.rstrip('/')}/api/services/{domain}/{name}",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        message = _http_message(err)
        raise fail(f"the hub refused {service} on {entity_id}: {message}") from err
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise fail(
            f"no hub API answering at {base} ({reason}): start it with `hearthmind run -c DIR` "
            "or `hearthmind demo -c DIR --port N` (calls go through the running hub, which "
            "owns the devices)",
            EXIT_UNAVAILABLE,
        ) from err
    changed = answer if isinstance(answer, list) else []
    console.print(f"{service} {entity_id}: ok", highlight=False)
    for state in changed:
        if isinstance(state, dict):
            console.print(f"  {state.get('entity_id')} -> {state.get('state')}", highlight=False)


def _api_url(cfg: Path) -> str:
    config = load_config(cfg, create=False)
    section = config.raw.get("api") or {}
    host = section.get("host", "127.0.0.1") if isinstance(section, dict) else "127.0.0.1"
    port = section.get("port", 8770) if isinstance(section, dict) else 8770
    return f"http://{host}:{port}"


def _http_message(err: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(err.read() or b"{}")
        if isinstance(body, dict) and body.get("message"):
            return f"HTTP {err.code}: {body['message']}"
    except (ValueError, OSError):
        pass
    return f"HTTP {err.code} {err.reason}"


def register(app: typer.Typer) -> None:
    """Adds this module's commands to the `hearthmind` app."""
    app.command("call")(call)
