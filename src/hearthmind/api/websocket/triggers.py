"""`subscribe_trigger`: the automations' own triggers (state, numeric_state, event, time,
time_pattern, sun, homeassistant), fired to a WebSocket client instead of a rule's actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hearthmind.api.operations import ApiError
from hearthmind.api.rules import rule_environment
from hearthmind.core import Context, Hub

Forward = Callable[[dict[str, Any], dict[str, Any] | None], None]


def subscribe_trigger(hub: Hub, config: Any, forward: Forward) -> Callable[[], None]:
    """Attach the triggers in `config` (one or a list); returns the detach function.
    `forward(variables, context)` gets HA's `{"trigger": {...}}` variables."""
    env = rule_environment(hub)  # a 400 naming the automations extra when it is missing
    # the automations extra (jinja2, astral) is optional: loaded on demand, as in rules.py
    from hearthmind.automations.triggers import compile_triggers
    from hearthmind.automations.validation import RuleError

    try:
        triggers = compile_triggers(config, ("trigger",), env)
    except RuleError as err:
        where = ".".join(str(p) for p in err.path)
        hub.health.problem(
            "ws_invalid_message", f"subscribe_trigger: {where}: {err.reason}", hub.clock.timestamp()
        )
        raise ApiError(400, "invalid_format", f"{where}: {err.reason}", counted=True) from err
    if not triggers:
        raise ApiError(400, "invalid_format", "trigger: no enabled trigger given")

    def fire(variables: dict[str, Any], context: Context | None) -> None:
        forward({"trigger": variables}, context.as_dict() if context is not None else None)

    detaches = [trigger.attach(fire) for trigger in triggers]

    def detach() -> None:
        for d in detaches:
            d()

    return detach
