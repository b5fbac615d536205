"""Value and command templates as MQTT discovery writes them (`{{ value_json.state }}`,
`{{ value | int }}`), rendered in Jinja2's sandbox with Home Assistant's variables: `value`
(the payload text) and `value_json` (the payload parsed as JSON, when it is JSON).

Templates are compiled once per discovery config and cached by source; the common shape
`{{ value_json.a.b }}` is read straight from the parsed JSON without Jinja at all, because
it is on the hot path of every state message."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

import jinja2

from hearthmind.core.template_limits import BudgetedEnvironment, TemplateLimits

from . import template_extensions
from .payloads import PayloadError, parse_json

# HA enables Jinja's loop controls: Zigbee2MQTT's event template uses {% continue %}
_ENV = BudgetedEnvironment(
    undefined=jinja2.StrictUndefined, autoescape=False, extensions=["jinja2.ext.loopcontrols"]
)
template_extensions.install(_ENV)  # HA's filters, tests and functions, guarded as the rest
_ENV.guard_filters()
# a device's value template renders on the event loop for every message: it gets a small
# budget, so a runaway one (a discovery config is a device's word) fails alone, quickly
LIMITS = TemplateLimits(operations=20_000, seconds=0.02)
_MISSING = object()

# `{{ value_json.a.b }}`, `{{ value_json['a'] }}`, `{{ value_json[0] }}`, `{{ value }}`
_SIMPLE = re.compile(
    r"^\{\{\s*(value_json|value)((?:\s*\.\s*[A-Za-z_]\w*|\s*\[\s*(?:'[^'\\]*'|\"[^\"\\]*\"|\d+)\s*\])*)\s*\}\}$"
)
_STEP = re.compile(r"\.\s*([A-Za-z_]\w*)|\[\s*(?:'([^']*)'|\"([^\"]*)\"|(\d+))\s*\]")
# attribute names that Jinja resolves to dict/list methods before keys
_METHOD_NAMES = frozenset(dir({})) | frozenset(dir([]))


class TemplateError(ValueError):
    """A template that does not compile, or fails on a payload (names the template)."""


def _scalar_text(value: Any) -> str:
    # Jinja renders Python objects with str(); keep that so both paths agree
    return str(value)


class ValueTemplate:
    """A compiled template; `render(text)` gives the rendered text or raises TemplateError."""

    __slots__ = ("_error", "_path", "_root", "_template", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._template: jinja2.Template | None = None
        # a template that does not compile fails each message it is asked to render, as in
        # HA: the entity is still made, and its other values still work
        self._error: str | None = None
        self._path: tuple[str | int, ...] | None = None
        self._root = ""
        match = _SIMPLE.match(source.strip())
        if match is not None:
            steps: list[str | int] = []
            for attr, sq, dq, idx in _STEP.findall(match.group(2)):
                if attr:
                    steps.append(attr)
                elif idx:
                    steps.append(int(idx))
                else:
                    steps.append(sq or dq)
            if not any(isinstance(s, str) and s in _METHOD_NAMES for s in steps) and (
                match.group(1) == "value_json" or not steps
            ):
                self._path = tuple(steps)
                self._root = match.group(1)
        if self._path is None:
            try:
                self._template = _ENV.from_string(source)
            except (jinja2.TemplateSyntaxError, RecursionError, MemoryError, SyntaxError) as err:
                self._error = f"template {source[:200]!r} does not compile: {err}"

    @property
    def compile_error(self) -> str | None:
        return self._error

    @property
    def uses_json(self) -> bool:
        return self._root == "value_json" or "value_json" in self.source

    def render(self, text: str, json_value: Any = _MISSING, **variables: Any) -> str:
        """Render for one payload; `json_value` may be given when already parsed."""
        if self._path is not None:
            if self._root == "value":
                return text.strip()  # HA strips what a template renders
            current = json_value if json_value is not _MISSING else _json_or_missing(text)
            if current is _MISSING:
                raise TemplateError(f"template {self.source!r}: the payload is not JSON")
            for step in self._path:
                current = _step(current, step)
                if current is _MISSING:
                    raise TemplateError(f"template {self.source!r}: payload has no {step!r}")
            return _scalar_text(current).strip()
        if self._template is None:
            raise TemplateError(str(self._error))
        context: dict[str, Any] = {"value": text, **variables}
        if "value_json" in self.source:
            parsed = json_value if json_value is not _MISSING else _json_or_missing(text)
            if parsed is not _MISSING:
                context["value_json"] = parsed
        template = self._template
        try:
            # HA strips what a template renders (`{% if .. %} white {% endif %}` is "white")
            return _ENV.run(LIMITS, lambda: template.render(context)).strip()
        except Exception as err:  # sandbox violations, undefined names, bad arithmetic
            raise TemplateError(
                f"{type(err).__name__}: {err} rendering template {self.source!r}"
            ) from err

    def render_command(self, value: Any, **variables: Any) -> str:
        """A command template: `value` is what is being sent (a number, a mode)."""
        if self._path is not None and self._root == "value":
            return _scalar_text(value)
        if self._template is None:
            raise TemplateError(self._error or f"command template {self.source!r} reads value_json")
        template = self._template
        try:
            rendered = _ENV.run(LIMITS, lambda: template.render({"value": value, **variables}))
            return rendered.strip()
        except Exception as err:
            raise TemplateError(f"command template {self.source!r} failed: {err}") from err


class _LastJson:
    """The last payload parsed: the entities of one Zigbee2MQTT device share its topic, and
    each reads its own key from the same message; parse it once, not once per entity."""

    text: str | None = None
    value: Any = _MISSING


def _json_or_missing(text: str) -> Any:
    if text is _LastJson.text:
        return _LastJson.value
    try:
        value = parse_json(text)
    except PayloadError:
        value = _MISSING
    _LastJson.text, _LastJson.value = text, value
    return value


def _step(current: Any, step: str | int) -> Any:
    if isinstance(current, Mapping):
        return current.get(step, _MISSING)
    if isinstance(current, list) and isinstance(step, int):
        return current[step] if step < len(current) else _MISSING
    return _MISSING


@functools.lru_cache(maxsize=4096)
def compile_template(source: str) -> ValueTemplate:
    """Compile once per distinct source: 1,000 devices with the same template share it."""
    return ValueTemplate(source)


def optional_template(source: str | None) -> ValueTemplate | None:
    return None if source is None else compile_template(source)


Renderer = Callable[[str], str]
