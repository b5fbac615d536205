"""Jinja2 templates as Home Assistant writes them (`{{ trigger.to_state.state }}`,
`{{ states('sensor.x') | float(0) }}`), rendered in a sandbox: a rule cannot reach Python
internals, and an undefined name is an error rather than a silent empty string.

Templates are compiled once when a rule is loaded (a syntax error rejects the rule); a value
tree without templates renders to itself at no cost, which keeps the hot path cheap."""

from __future__ import annotations

import ast
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

import jinja2

from hearthmind.core.template_limits import (
    LOOP_LIMITS,
    BudgetedEnvironment,
    TemplateLimits,
    TemplateOverBudget,
)
from hearthmind.core.template_limits import (
    TemplateError as TemplateError,  # raised by renders: importers take it from here
)

from .validation import KeyPath, RuleError

if TYPE_CHECKING:
    from hearthmind.core import Hub, State

Variables = Mapping[str, Any]
Render = Callable[[Variables], Any]

_MARKERS = ("{{", "{%", "{#")


_DICT_ATTRIBUTES = frozenset(dir(dict))


def is_template(value: Any) -> bool:
    return isinstance(value, str) and any(m in value for m in _MARKERS)


_NUMERIC = re.compile(r"^[+-]?(?!0\d)\d*(?:\.\d*)?$")
# `{{ trigger.to_state.state }}`: a name and attributes only, the most common template by far
_PATH = re.compile(r"^\{\{\s*([a-zA-Z][a-zA-Z0-9_]*(?:\.[a-zA-Z][a-zA-Z0-9_]*)*)\s*\}\}$")


def native(text: str) -> Any:
    """HA renders `{{ 100 }}` as the number 100 and `{{ [1, 2] }}` as a list: literals become
    Python values, anything else stays text (HA's rules: "007", "1e3" and quoted text stay
    text)."""
    stripped = text.strip()
    if not stripped or len(stripped) > 10_000:
        return text
    if stripped[0] not in "+-0123456789.[{(" and stripped not in ("True", "False", "None"):
        return text
    if _NUMERIC.match(stripped):  # the common case, without the parser
        try:
            return float(stripped) if "." in stripped else int(stripped)
        except ValueError:  # "+", "-", "."
            return text
    try:
        value = ast.literal_eval(stripped)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text
    if isinstance(value, str | complex):
        return text
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value if _NUMERIC.match(stripped) else text
    return value


@dataclass(slots=True)
class RenderInfo:
    """What a render read: the template trigger re-renders when one of these changes."""

    entities: set[str] = field(default_factory=set)
    all_states: bool = False  # iterated over `states` or a domain: any change may matter
    uses_now: bool = False  # read the time: re-render every minute, as HA does


# attributes Jinja looks up on any callable; `states.<domain>` must not answer them
_JINJA_PROBES = frozenset(
    {"unsafe_callable", "alters_data", "jinja_pass_arg", "jinja_async_variant"}
)


class _StateReader:
    """Every state a template reads goes through here, so a render can be tracked."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        # per thread: the API renders in a worker thread while rules render on the loop
        self._local = threading.local()

    @property
    def info(self) -> RenderInfo | None:
        info: RenderInfo | None = getattr(self._local, "info", None)
        return info

    @info.setter
    def info(self, value: RenderInfo | None) -> None:
        self._local.info = value

    def get(self, entity_id: Any) -> State | None:
        key = str(entity_id).lower()
        if self.info is not None:
            self.info.entities.add(key)
        return self.hub.states.get(key)

    def all(self, domain: str | None = None) -> Iterator[State]:
        if self.info is not None:
            self.info.all_states = True
        return iter(sorted(self.hub.states.async_all(domain), key=lambda s: s.entity_id))


class _DomainStates:
    """`states.light` in a template: attribute access per object id, iteration over states."""

    def __init__(self, reader: _StateReader, domain: str) -> None:
        self._reader = reader
        self._domain = domain

    def __getattr__(self, object_id: str) -> State | None:
        if object_id.startswith("_") or object_id in _JINJA_PROBES:
            raise AttributeError(object_id)
        return self._reader.get(f"{self._domain}.{object_id}")

    def __iter__(self) -> Iterator[State]:
        return self._reader.all(self._domain)


class _States:
    """`states('light.kitchen')` -> its state string ('unknown' if absent); `states.light.kitchen`
    -> the State; iterating gives every state."""

    def __init__(self, reader: _StateReader) -> None:
        self._reader = reader

    def __call__(self, entity_id: str) -> str:
        state = self._reader.get(entity_id)
        return state.state if state is not None else "unknown"

    def __getattr__(self, domain: str) -> _DomainStates:
        if domain.startswith("_") or domain in _JINJA_PROBES:
            raise AttributeError(domain)
        return _DomainStates(self._reader, domain)

    def __iter__(self) -> Iterator[State]:
        return self._reader.all()


def _to_float(value: Any, default: Any = None) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        if default is None:
            raise TemplateError(f"float got invalid input {value!r} and no default") from None
        return default


def _to_int(value: Any, default: Any = None) -> Any:
    try:
        return int(float(value)) if isinstance(value, str) and "." in value else int(value)
    except (TypeError, ValueError):
        if default is None:
            raise TemplateError(f"int got invalid input {value!r} and no default") from None
        return default


class Templates:
    """The template environment of one hub: HA's helper functions, bound to its states and
    clock, the home's time zone for `now()`."""

    def __init__(self, hub: Hub, tz: tzinfo) -> None:
        self._hub = hub
        self._tz = tz
        env = BudgetedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
        self._reader = _StateReader(hub)
        states = _States(self._reader)
        env.globals.update(
            states=states,
            is_state=self._is_state,
            state_attr=self._state_attr,
            is_state_attr=self._is_state_attr,
            has_value=self._has_value,
            now=self._now,
            utcnow=self._utcnow,
            as_timestamp=self._as_timestamp,
            as_datetime=self._as_datetime,
            float=_to_float,
            int=_to_int,
            iif=_iif,
            min=min,
            max=max,
        )
        env.filters.update(
            float=_to_float,
            int=_to_int,
            as_timestamp=self._as_timestamp,
            as_datetime=self._as_datetime,
            iif=_iif,
            timestamp_local=self._timestamp_local,
        )
        env.tests.update(is_state=self._is_state)
        env.guard_filters()
        self.env = env

    # -- HA helper functions --------------------------------------------------------------

    def _is_state(self, entity_id: str, state: Any) -> bool:
        current = self._reader.get(entity_id)
        if current is None:
            return False
        if isinstance(state, list | tuple):
            return current.state in [str(s) for s in state]
        return current.state == str(state)

    def _state_attr(self, entity_id: str, name: str) -> Any:
        current = self._reader.get(entity_id)
        return None if current is None else current.attributes.get(name)

    def _is_state_attr(self, entity_id: str, name: str, value: Any) -> bool:
        return bool(self._state_attr(entity_id, name) == value)

    def _has_value(self, entity_id: str) -> bool:
        current = self._reader.get(entity_id)
        return current is not None and current.state not in ("unknown", "unavailable")

    def _now(self) -> datetime:
        if self._reader.info is not None:
            self._reader.info.uses_now = True
        return self._hub.clock.now().astimezone(self._tz)

    def _utcnow(self) -> datetime:
        if self._reader.info is not None:
            self._reader.info.uses_now = True
        return self._hub.clock.now()

    def _as_datetime(self, value: Any) -> datetime:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=self._tz)
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC)
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            raise TemplateError(f"as_datetime: not a date and time: {value!r}") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=self._tz)

    def _as_timestamp(self, value: Any) -> float:
        return self._as_datetime(value).timestamp()

    def _timestamp_local(self, value: Any) -> str:
        return self._as_datetime(value).astimezone(self._tz).isoformat()

    # -- compiling ------------------------------------------------------------------------

    def compile(self, text: str, path: KeyPath) -> jinja2.Template:
        try:
            template = self.env.from_string(text)
        except jinja2.TemplateSyntaxError as err:
            raise RuleError(path, f"invalid template: {err.message} in {text!r}") from err
        except (RecursionError, MemoryError, SyntaxError, ValueError) as err:
            # ten thousand nested `{% if %}` or brackets: the parser's own stack runs out
            reason = "nested too deeply" if isinstance(err, RecursionError) else str(err)
            raise RuleError(path, f"invalid template: {reason} ({len(text)} characters)") from err
        template.name = ".".join(str(p) for p in path)  # names it when over budget
        return template

    def compile_value(self, value: Any, path: KeyPath) -> Render | None:
        """A renderer for a value tree holding templates, or None when it holds none (then
        the value is used as it is)."""
        if isinstance(value, str):
            if not is_template(value):
                return None
            template = self.compile(value, path)
            attributes = _PATH.match(value.strip())
            if attributes is not None:
                return self._path_renderer(attributes[1].split("."), template)
            return lambda variables: native(self.render_template(template, variables))
        if isinstance(value, Mapping):
            parts = {k: self.compile_value(v, (*path, str(k))) for k, v in value.items()}
            if all(r is None for r in parts.values()):
                return None
            static = dict(value)
            return lambda variables: {
                k: (static[k] if r is None else r(variables)) for k, r in parts.items()
            }
        if isinstance(value, list | tuple):
            items = [self.compile_value(v, (*path, i)) for i, v in enumerate(value)]
            if all(r is None for r in items):
                return None
            static_items = list(value)
            return lambda variables: [
                (static_items[i] if r is None else r(variables)) for i, r in enumerate(items)
            ]
        return None

    def _path_renderer(self, names: list[str], template: jinja2.Template) -> Render:
        """Render `{{ a.b.c }}` without Jinja's per-render set-up, with the sandbox's own
        attribute check; names Jinja resolves otherwise (globals) go through Jinja."""
        first, rest = names[0], names[1:]
        is_safe = self.env.is_safe_attribute
        safe: dict[tuple[type, str], bool] = {}  # the sandbox's verdict depends on type and name

        def render(variables: Variables) -> Any:
            if first not in variables:
                return native(self.render_template(template, variables))
            value = variables[first]
            for name in rest:
                if type(value) is dict and name not in _DICT_ATTRIBUTES:
                    if name not in value:  # Jinja would try getattr first: dicts have none
                        raise TemplateError(f"UndefinedError: dict has no attribute {name!r}")
                    value = value[name]
                    continue
                try:
                    found = getattr(value, name)
                except AttributeError:
                    try:
                        found = value[name]
                    except (TypeError, LookupError):
                        raise TemplateError(
                            f"UndefinedError: {type(value).__name__} has no attribute {name!r}"
                        ) from None
                else:
                    key = (type(value), name)
                    verdict = safe.get(key)
                    if verdict is None:
                        verdict = safe[key] = is_safe(value, name, found)
                    if not verdict:
                        raise TemplateError(f"SecurityError: access to {name!r} is unsafe")
                value = found
            return native(value if isinstance(value, str) else str(value))

        return render

    def compile_text(self, value: str, path: KeyPath) -> Callable[[Variables], str]:
        """A renderer giving text (for service names, event types and the like)."""
        if not is_template(value):
            return lambda _variables: value
        template = self.compile(value, path)
        return lambda variables: self.render_template(template, variables).strip()

    def render_tracked(
        self, template: jinja2.Template, variables: Variables
    ) -> tuple[str, RenderInfo]:
        """Render, noting which states (and whether the time) the template read."""
        info = RenderInfo()
        outer, self._reader.info = self._reader.info, info
        try:
            return self.render_template(template, variables), info
        except TemplateError as err:
            err.info = info  # what it read before failing still tells when to try again
            raise
        finally:
            self._reader.info = outer

    def render_template(
        self,
        template: jinja2.Template,
        variables: Variables,
        limits: TemplateLimits = LOOP_LIMITS,
    ) -> str:
        """Render under a budget (template_limits.py); one over it is counted and named in
        the hub's health (`templates_over_budget`) and fails alone."""
        try:
            return self.env.run(limits, lambda: template.render(variables))
        except TemplateOverBudget as err:
            name = template.name or "a template"
            self._hub.health.problem(
                "templates_over_budget", f"{name}: {err}", self._hub.clock.timestamp()
            )
            raise
        except TemplateError:
            raise
        except jinja2.TemplateError as err:  # undefined names, sandbox violations
            raise TemplateError(f"{type(err).__name__}: {err}") from err
        except Exception as err:  # a template is user code: any failure is its own
            raise TemplateError(f"{type(err).__name__}: {err}") from err


def template_true(result: Any) -> bool:
    """HA's truth of a template condition: true, 'true', 'on', 'yes', 'enable' or a non-zero
    number."""
    if isinstance(result, bool):
        return result
    if isinstance(result, int | float):
        return result != 0
    return str(result).strip().lower() in ("true", "on", "yes", "enable", "1")


def _iif(value: Any, if_true: Any = True, if_false: Any = False, if_none: Any = None) -> Any:
    if value is None:
        return if_false if if_none is None else if_none
    return if_true if template_true(value) else if_false
