"""Conditions (`state`, `numeric_state`, `time`, `sun`, `template`, `trigger`, `and`/`or`/`not`),
compiled once into plain functions of the run's variables: checking them costs no task and
no allocation beyond the template renders they name."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import time, timedelta
from typing import TYPE_CHECKING, Any

from .schedule import sun_event_on
from .templates import Variables, template_true
from .validation import (
    KeyPath,
    RuleError,
    as_list,
    check_keys,
    entity_id_list,
    optional_number,
    parse_duration,
    parse_time_of_day,
    require_mapping,
    state_values,
)

if TYPE_CHECKING:
    import jinja2

    from hearthmind.core import State

    from .environment import RuleEnvironment

Condition = Callable[[Variables], bool]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_COMMON = {"condition", "alias", "enabled"}


def always(_variables: Variables) -> bool:
    return True


def compile_conditions(value: Any, path: KeyPath, env: RuleEnvironment) -> Condition | None:
    """The rule's `condition:`/`conditions:` (one or a list, all must hold); None if absent."""
    items = as_list(value)
    if not items:
        return None
    checks = [compile_condition(item, (*path, i), env) for i, item in enumerate(items)]
    if isinstance(value, list):
        return _all(checks)
    return checks[0]


def compile_condition(config: Any, path: KeyPath, env: RuleEnvironment) -> Condition:
    if isinstance(config, str):  # shorthand: a bare template
        return _template({"value_template": config}, path, env)
    config = require_mapping(config, path, "a condition")
    if config.get("enabled", True) is False:
        return always
    kind = config.get("condition")
    if kind is None:
        for short in ("and", "or", "not"):
            if short in config:
                check_keys(config, {short, "alias", "enabled"}, path, f"an {short!r} condition")
                return _logic(short, config[short], (*path, short), env)
        raise RuleError(path, "a condition needs 'condition:' (state, numeric_state, time, ...)")
    if kind in ("and", "or", "not"):
        check_keys(config, _COMMON | {"conditions"}, path, f"an {kind!r} condition")
        if "conditions" not in config:
            raise RuleError(path, f"an {kind!r} condition needs 'conditions:'")
        return _logic(kind, config["conditions"], (*path, "conditions"), env)
    compiler = _COMPILERS.get(str(kind))
    if compiler is None:
        raise RuleError(
            (*path, "condition"),
            f"unknown condition {kind!r} (known: and, not, or, {', '.join(sorted(_COMPILERS))})",
        )
    return compiler(config, path, env)


def _all(checks: list[Condition]) -> Condition:
    if len(checks) == 1:
        return checks[0]
    return lambda variables: all(check(variables) for check in checks)


def _logic(kind: str, value: Any, path: KeyPath, env: RuleEnvironment) -> Condition:
    items = as_list(value)
    if not items:
        raise RuleError(path, f"an {kind!r} condition needs at least one condition")
    list_path = isinstance(value, list)
    checks = [
        compile_condition(item, (*path, i) if list_path else path, env)
        for i, item in enumerate(items)
    ]
    if kind == "and":
        return _all(checks)
    if kind == "or":
        return lambda variables: any(check(variables) for check in checks)
    return lambda variables: not any(check(variables) for check in checks)


# -- state ------------------------------------------------------------------------------------


def _state(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Condition:
    check_keys(
        config,
        _COMMON | {"entity_id", "state", "attribute", "for", "match"},
        path,
        "a state condition",
    )
    if "entity_id" not in config:
        raise RuleError(path, "a state condition needs 'entity_id'")
    if "state" not in config:
        raise RuleError(path, "a state condition needs 'state'")
    entity_ids = entity_id_list(config["entity_id"], (*path, "entity_id"))
    attribute = config.get("attribute")
    wanted_raw = as_list(config["state"])
    wanted = state_values(config["state"], (*path, "state")) or frozenset({"None"})
    duration = parse_duration(config["for"], (*path, "for")) if "for" in config else None
    match = config.get("match", "all")
    if match not in ("all", "any"):
        raise RuleError((*path, "match"), f"match must be 'all' or 'any', got {match!r}")
    states = env.hub.states
    clock = env.hub.clock

    def holds(entity_id: str) -> bool:
        state = states.get(entity_id)
        if state is None:
            return False
        if attribute is not None:
            value = state.attributes.get(attribute)
            if value not in wanted_raw and str(value) not in wanted:
                return False
        elif state.state not in wanted:
            return False
        return duration is None or clock.timestamp() - state.last_changed >= duration

    if len(entity_ids) == 1:
        only = entity_ids[0]
        return lambda _variables: holds(only)
    if match == "any":
        return lambda _variables: any(holds(e) for e in entity_ids)
    return lambda _variables: all(holds(e) for e in entity_ids)


# -- numeric_state ----------------------------------------------------------------------------


class NumericCheck:
    """`above`/`below` (numbers or entity ids) over an entity's state, an attribute or a
    `value_template`; shared by the numeric_state trigger and condition."""

    def __init__(self, config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> None:
        self.above = optional_number(config.get("above"), (*path, "above"), "above")
        self.below = optional_number(config.get("below"), (*path, "below"), "below")
        if self.above is None and self.below is None:
            raise RuleError(path, "numeric_state needs 'above' or 'below'")
        if (
            isinstance(self.above, float)
            and isinstance(self.below, float)
            and self.above >= self.below
        ):
            raise RuleError(path, f"above ({self.above}) must be less than below ({self.below})")
        self.attribute: str | None = config.get("attribute")
        self.template: jinja2.Template | None = None
        if "value_template" in config:
            text = config["value_template"]
            if not isinstance(text, str):
                raise RuleError((*path, "value_template"), "value_template must be text")
            self.template = env.templates.compile(text, (*path, "value_template"))
        self._env = env

    def value(self, state: State | None, variables: Variables) -> float | None:
        """The number to compare, or None when there is none (unknown, unavailable, text)."""
        if state is None:
            return None
        raw: Any
        if self.template is not None:
            raw = self._env.templates.render_template(self.template, {**variables, "state": state})
        elif self.attribute is not None:
            raw = state.attributes.get(self.attribute)
        else:
            raw = state.state
        if raw is None or isinstance(raw, bool):
            return None
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return None
        return None if math.isnan(number) else number

    def _limit(self, limit: float | str | None) -> float | None:
        if limit is None or isinstance(limit, float):
            return limit
        ref = self._env.hub.states.get(limit)
        if ref is None:
            return None
        try:
            return float(ref.state)
        except ValueError:
            return None

    def in_range(self, state: State | None, variables: Variables) -> bool:
        value = self.value(state, variables)
        if value is None:
            return False
        if self.above is not None:
            above = self._limit(self.above)
            if above is None or value <= above:
                return False
        if self.below is not None:
            below = self._limit(self.below)
            if below is None or value >= below:
                return False
        return True


def _numeric_state(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Condition:
    check_keys(
        config,
        _COMMON | {"entity_id", "attribute", "above", "below", "value_template"},
        path,
        "a numeric_state condition",
    )
    if "entity_id" not in config:
        raise RuleError(path, "a numeric_state condition needs 'entity_id'")
    entity_ids = entity_id_list(config["entity_id"], (*path, "entity_id"))
    check = NumericCheck(config, path, env)
    states = env.hub.states
    return lambda variables: all(check.in_range(states.get(e), variables) for e in entity_ids)


# -- time -------------------------------------------------------------------------------------


def _time(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Condition:
    check_keys(config, _COMMON | {"after", "before", "weekday"}, path, "a time condition")
    after = parse_time_of_day(config["after"], (*path, "after")) if "after" in config else None
    before = parse_time_of_day(config["before"], (*path, "before")) if "before" in config else None
    days: set[int] | None = None
    if "weekday" in config:
        days = set()
        for i, day in enumerate(as_list(config["weekday"])):
            if day not in WEEKDAYS:
                raise RuleError(
                    (*path, "weekday", i)
                    if isinstance(config["weekday"], list)
                    else (*path, "weekday"),
                    f"unknown weekday {day!r} (use {', '.join(WEEKDAYS)})",
                )
            days.add(WEEKDAYS.index(day))
    if after is None and before is None and days is None:
        raise RuleError(path, "a time condition needs 'after', 'before' or 'weekday'")
    clock = env.hub.clock
    tz = env.tz

    def holds(_variables: Variables) -> bool:
        now = clock.now().astimezone(tz)
        if days is not None and now.weekday() not in days:
            return False
        return time_in_window(now.time().replace(tzinfo=None), after, before)

    return holds


def time_in_window(now: time, after: time | None, before: time | None) -> bool:
    """`after` inclusive, `before` exclusive; a window with after > before crosses midnight."""
    if after is not None and before is not None and after > before:
        return now >= after or now < before
    if after is not None and now < after:
        return False
    return not (before is not None and now >= before)


# -- template and trigger ---------------------------------------------------------------------


def _template(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Condition:
    check_keys(config, _COMMON | {"value_template"}, path, "a template condition")
    text = config.get("value_template")
    if not isinstance(text, str):
        raise RuleError(
            (*path, "value_template"), "a template condition needs 'value_template' text"
        )
    template = env.templates.compile(text, (*path, "value_template"))
    templates = env.templates
    return lambda variables: template_true(templates.render_template(template, variables))


def _trigger(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Condition:
    check_keys(config, _COMMON | {"id"}, path, "a trigger condition")
    if "id" not in config:
        raise RuleError(path, "a trigger condition needs 'id'")
    ids = {str(i) for i in as_list(config["id"])}

    def holds(variables: Variables) -> bool:
        trigger = variables.get("trigger")
        return isinstance(trigger, Mapping) and str(trigger.get("id")) in ids

    return holds


def _sun(config: Mapping[str, Any], path: KeyPath, env: RuleEnvironment) -> Condition:
    """HA's sun condition: after/before today's sunrise or sunset (plus offsets), each checked
    on its own (for "after sunset or before sunrise", use an `or` of two)."""
    check_keys(
        config,
        _COMMON | {"after", "before", "after_offset", "before_offset"},
        path,
        "a sun condition",
    )
    limits: list[tuple[str, str, float]] = []
    for key in ("after", "before"):
        if key in config:
            event = config[key]
            if event not in ("sunrise", "sunset"):
                raise RuleError((*path, key), f"{key} must be 'sunrise' or 'sunset', got {event!r}")
            offset_key = f"{key}_offset"
            offset = (
                parse_duration(config[offset_key], (*path, offset_key), allow_negative=True)
                if offset_key in config
                else 0.0
            )
            limits.append((key, str(event), offset))
    if not limits:
        raise RuleError(path, "a sun condition needs 'after' or 'before'")
    clock = env.hub.clock
    loc = env.location

    def holds(_variables: Variables) -> bool:
        now = clock.now()
        day = now.astimezone(env.tz).date()
        for key, event, offset in limits:
            moment = sun_event_on(day, event, loc.latitude, loc.longitude, loc.elevation, env.tz)
            if moment is None:
                return False  # polar day or night: the sun does not rise or set today
            limit = moment + timedelta(seconds=offset)
            if (key == "after" and now <= limit) or (key == "before" and now >= limit):
                return False
        return True

    return holds


_COMPILERS: dict[str, Callable[[Mapping[str, Any], KeyPath, RuleEnvironment], Condition]] = {
    "state": _state,
    "numeric_state": _numeric_state,
    "time": _time,
    "template": _template,
    "trigger": _trigger,
    "sun": _sun,
}
