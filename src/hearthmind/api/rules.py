"""The automations' rule environment (templates, triggers) for API clients: Home Assistant's
`subscribe_trigger` and `render_template` use the very code rules use. The automations extra
(jinja2, astral) is optional, so its modules are imported on demand: without it these answer
a 400 that names the extra, and the rest of the API serves as usual."""

from __future__ import annotations

import asyncio
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from hearthmind.core import Hub

from .operations import ApiError

if TYPE_CHECKING:
    from hearthmind.automations.environment import RuleEnvironment

_ENVIRONMENTS: weakref.WeakKeyDictionary[Hub, Any] = weakref.WeakKeyDictionary()
# API templates render here, not on the event loop: two at a time, each within its budget
# (template_limits.WORKER_LIMITS), so a runaway one delays only other templates
_RENDERERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hearthmind-template")


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


def compile_template(hub: Hub, text: str) -> Any:
    """A compiled template; a syntax error is a 400 naming it (and counted)."""
    from hearthmind.automations.validation import RuleError

    templates = rule_environment(hub).templates
    try:
        return templates.compile(text, ("template",))
    except RuleError as err:
        raise _template_error(hub, err.reason) from err


def render_compiled(
    hub: Hub, template: Any, variables: dict[str, Any] | None = None, *, worker: bool = False
) -> str:
    """Render with the hub's current states; a failure is a 400 naming it (and counted).
    On the event loop (the default) with the loop's budget, in a worker with the worker's."""
    from hearthmind.automations.templates import TemplateError
    from hearthmind.core.template_limits import LOOP_LIMITS, WORKER_LIMITS

    limits = WORKER_LIMITS if worker else LOOP_LIMITS
    try:
        return rule_environment(hub).templates.render_template(template, variables or {}, limits)
    except TemplateError as err:
        raise _template_error(hub, str(err)) from err


async def render_off_loop(hub: Hub, template: Any, variables: dict[str, Any] | None) -> str:
    """Render in a worker thread: the loop serves other requests meanwhile."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        _RENDERERS, lambda: render_compiled(hub, template, variables, worker=True)
    )


async def compile_off_loop(hub: Hub, text: str) -> Any:
    """Compile in a worker thread: a long, deeply nested template takes a while to parse."""
    rule_environment(hub)  # created on the loop: it subscribes to the hub
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_RENDERERS, compile_template, hub, text)


async def render_template(hub: Hub, text: str, variables: dict[str, Any] | None = None) -> str:
    """Render a template as `POST /api/template` does: compiled and rendered off the loop."""
    template = await compile_off_loop(hub, text)
    return await render_off_loop(hub, template, variables)


def _template_error(hub: Hub, message: str) -> ApiError:
    hub.health.problem("api_template_errors", message, hub.clock.timestamp())
    return ApiError(400, "template_error", f"Error rendering template: {message}", counted=True)
