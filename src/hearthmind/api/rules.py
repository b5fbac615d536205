"""The automations' rule environment (templates, triggers) for API clients: Home Assistant's
`subscribe_trigger` and `render_template` use the very code rules use."""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from hearthmind.core import Hub

from .operations import ApiError

if TYPE_CHECKING:
    from hearthmind.automations.environment import RuleEnvironment

_ENVIRONMENTS: weakref.WeakKeyDictionary[Hub, Any] = weakref.WeakKeyDictionary()


def rule_environment(hub: Hub) -> RuleEnvironment:
    """One per hub (it holds the compiled template environment)."""
    try:
        from hearthmind.automations.environment import RuleEnvironment
    except ImportError as err:  # jinja2/astral come with the automations extra
        raise ApiError(
            400, "not_supported", f"templates and triggers need the automations extra: {err}"
        ) from err
    env = _ENVIRONMENTS.get(hub)
    if env is None:
        env = _ENVIRONMENTS[hub] = RuleEnvironment(hub)
    assert isinstance(env, RuleEnvironment)
    return env


def render_template(hub: Hub, text: str, variables: dict[str, Any] | None = None) -> str:
    """Render a template as `POST /api/template` does; errors name the problem (400)."""
    from hearthmind.automations.templates import TemplateError
    from hearthmind.automations.validation import RuleError

    templates = rule_environment(hub).templates
    try:
        template = templates.compile(text, ("template",))
        return templates.render_template(template, variables or {})
    except (RuleError, TemplateError) as err:
        message = err.reason if isinstance(err, RuleError) else str(err)
        hub.health.problem("api_template_errors", message, hub.clock.timestamp())
        raise ApiError(
            400, "template_error", f"Error rendering template: {message}", counted=True
        ) from err
