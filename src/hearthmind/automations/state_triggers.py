"""`state` and `numeric_state` triggers: through the state machine's per-entity index (one dict
lookup per change, however many rules), with `for:` timers on `hub.clock`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from hearthmind.core import Event, State, StateChangedData

from .conditions import NumericCheck
from .templates import TemplateError
from .trigger import TRIGGER_KEYS, Detach, FireTrigger, PendingTimers, Trigger
from .validation import (
    KeyPath,
    RuleError,
    as_list,
    check_keys,
    entity_id_list,
    parse_duration,
    state_values,
)

if TYPE_CHECKING:
    from .environment import RuleEnvironment


# -- state ------------------------------------------------------------------------------------


class StateTrigger(Trigger):
    platform = "state"

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        super().__init__(config, path, index, env)
        check_keys(
            config,
            TRIGGER_KEYS | {"entity_id", "from", "to", "not_from", "not_to", "attribute", "for"},
            path,
            "a state trigger",
        )
        if "entity_id" not in config:
            raise RuleError(path, "a state trigger needs 'entity_id'")
        self.entity_ids = entity_id_list(config["entity_id"], (*path, "entity_id"))
        self.attribute: str | None = config.get("attribute")
        for a, b in (("from", "not_from"), ("to", "not_to")):
            if a in config and b in config and config[a] is not None:
                raise RuleError((*path, b), f"use either {a!r} or {b!r}, not both")
        self.from_ = self._values(config, "from", path)
        self.to = self._values(config, "to", path)
        self.not_from = self._values(config, "not_from", path)
        self.not_to = self._values(config, "not_to", path)
        # with only entity_id (no from/to/attribute), attribute-only changes trigger too
        self.match_all = not any(
            k in config for k in ("from", "to", "not_from", "not_to", "attribute")
        )
        self.for_ = parse_duration(config["for"], (*path, "for")) if "for" in config else None
        self.description = f"state of {', '.join(self.entity_ids)}"

    def _values(self, config: Mapping[str, Any], key: str, path: KeyPath) -> frozenset[str] | None:
        if key not in config:
            return None
        values = state_values(config[key], (*path, key))
        if values is not None and self.attribute is not None:
            # attribute values keep their YAML type (numbers), compare them as text too
            values = values | {str(v) for v in as_list(config[key])}
        return values

    def _value(self, state: State | None) -> str | None:
        if state is None:
            return None
        if self.attribute is None:
            return state.state
        value = state.attributes.get(self.attribute)
        return None if value is None else _as_text(value)

    def matches(self, old: State | None, new: State | None) -> bool:
        if new is None:
            return False  # the entity was removed
        old_value = self._value(old)
        new_value = self._value(new)
        if self.attribute is not None and old is not None and old_value == new_value:
            return False
        if self.from_ is not None and old_value not in self.from_:
            return False
        if self.not_from is not None and old_value in self.not_from:
            return False
        if self.to is not None and new_value not in self.to:
            return False
        if self.not_to is not None and new_value in self.not_to:
            return False
        return self.match_all or old is None or old_value != new_value

    def attach(self, fire: FireTrigger) -> Detach:
        hub = self.env.hub
        pending = PendingTimers(hub)
        base = self.base_variables()
        attribute = self.attribute
        for_ = self.for_
        for_delta = timedelta(seconds=for_) if for_ is not None else None
        description = self.description

        def on_change(event: Event[StateChangedData]) -> None:
            data = event.data
            entity_id = data["entity_id"]
            old = data["old_state"]
            new = data["new_state"]
            # the value a timer waits on changed (or the entity went): the rule no longer
            # holds for the whole `for:`
            if (
                pending
                and pending.running(entity_id)
                and (new is None or self._value(new) != self._value(pending.held(entity_id)))
            ):
                pending.cancel(entity_id)
            if not self.matches(old, new):
                return
            variables = {
                **base,
                "entity_id": entity_id,
                "from_state": old,
                "to_state": new,
                "for": for_delta,
                "attribute": attribute,
                "description": description,
            }
            if for_ is None:
                fire(variables, event.context)
                return
            context = event.context
            pending.start(entity_id, for_, lambda: fire(variables, context), held=new)

        unsubscribe = hub.states.async_track_entities(self.entity_ids, on_change)

        def detach() -> None:
            unsubscribe()
            pending.cancel_all()

        return detach


def _as_text(value: Any) -> str:
    if value is True:
        return "on"
    if value is False:
        return "off"
    return str(value)


# -- numeric_state ----------------------------------------------------------------------------


class NumericStateTrigger(Trigger):
    """Fires when a value enters the range: it must have been outside it first, as in HA (an
    entity already in range when the rule is attached does not fire until it leaves)."""

    platform = "numeric_state"

    def __init__(
        self, config: Mapping[str, Any], path: KeyPath, index: int, env: RuleEnvironment
    ) -> None:
        super().__init__(config, path, index, env)
        check_keys(
            config,
            TRIGGER_KEYS | {"entity_id", "above", "below", "attribute", "value_template", "for"},
            path,
            "a numeric_state trigger",
        )
        if "entity_id" not in config:
            raise RuleError(path, "a numeric_state trigger needs 'entity_id'")
        self.entity_ids = entity_id_list(config["entity_id"], (*path, "entity_id"))
        self.check = NumericCheck(config, path, env)
        self.for_ = parse_duration(config["for"], (*path, "for")) if "for" in config else None
        self.description = f"numeric state of {', '.join(self.entity_ids)}"

    def attach(self, fire: FireTrigger) -> Detach:
        hub = self.env.hub
        check = self.check
        base = self.base_variables()
        for_ = self.for_
        empty: dict[str, Any] = {}
        armed = {e for e in self.entity_ids if not self._safe_in_range(hub.states.get(e), empty)}
        pending = PendingTimers(hub)

        def on_change(event: Event[StateChangedData]) -> None:
            entity_id = event.data["entity_id"]
            new = event.data["new_state"]
            variables = {
                **base,
                "entity_id": entity_id,
                "from_state": event.data["old_state"],
                "to_state": new,
                "above": check.above,
                "below": check.below,
                "for": timedelta(seconds=for_) if for_ is not None else None,
                "description": self.description,
            }
            try:
                in_range = check.in_range(new, {"trigger": variables})
            except TemplateError as err:
                hub.health.problem(
                    "automation_template_errors",
                    f"{self.description}: value_template: {err}",
                    hub.clock.timestamp(),
                )
                in_range = False
            if not in_range:
                armed.add(entity_id)
                pending.cancel(entity_id)
                return
            if entity_id not in armed:
                return
            armed.discard(entity_id)
            if for_ is None:
                fire(variables, event.context)
                return
            context = event.context
            pending.start(entity_id, for_, lambda: fire(variables, context))

        unsubscribe = hub.states.async_track_entities(self.entity_ids, on_change)

        def detach() -> None:
            unsubscribe()
            pending.cancel_all()

        return detach

    def _safe_in_range(self, state: State | None, variables: dict[str, Any]) -> bool:
        try:
            return self.check.in_range(state, variables)
        except Exception:  # a template that needs `trigger` cannot judge the initial state
            return False
