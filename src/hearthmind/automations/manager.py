"""The automations of a hub: loading rules (from the config directory or from code), reloading
without a restart, and the `automation.*` services.

A broken rule is rejected with its file, line and reason and counted in `hub.health`; the
other rules load. On reload an unchanged rule keeps running untouched; a source that cannot be
read at all (a YAML syntax error) keeps its previous rules."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hearthmind.core import (
    ConfigError,
    Context,
    HearthmindError,
    Hub,
    LineMap,
    Origin,
    ServiceCall,
    ServiceData,
    load_config,
)

from .automation import DOMAIN, Automation, RuleSpec, compile_rule
from .environment import RuleEnvironment
from .loader import RuleSource, read_sources
from .validation import KeyPath, RuleError

_LOGGER = logging.getLogger(__name__)

PROGRAMMATIC_SOURCE = "api"


@dataclass(frozen=True, slots=True)
class RuleRejection:
    """A rule that was not loaded, and where it is written."""

    source: str
    index: int  # the rule's place in its source; -1 when the whole source is unreadable
    file: str
    line: int | None
    reason: str
    name: str | None = None  # the rule's id or alias, when it has one

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line is not None else self.file
        if self.index < 0:
            return f"{where}: {self.reason}"
        which = f"automation {self.index + 1}" + (f" ({self.name!r})" if self.name else "")
        return f"{where}: {which} rejected: {self.reason}"


@dataclass(slots=True)
class LoadResult:
    loaded: list[Automation] = field(default_factory=list)
    rejected: list[RuleRejection] = field(default_factory=list)
    unchanged: int = 0  # kept running across a reload

    @property
    def ok(self) -> bool:
        return not self.rejected


class NotAnAutomationError(HearthmindError):
    counter = "invalid_service_data"

    def __init__(self, entity_id: str) -> None:
        super().__init__(f"{entity_id} is not an automation")
        self.entity_id = entity_id


class TurnOffData(ServiceData):
    stop_actions: bool = True


class TriggerData(ServiceData):
    skip_condition: bool = True
    variables: dict[str, Any] | None = None


class EmptyData(ServiceData):
    pass


class AutomationManager:
    def __init__(self, hub: Hub, config_dir: Path | None = None) -> None:
        self.hub = hub
        self.env = RuleEnvironment(hub)
        self.config_dir = config_dir
        self.automations: dict[str, Automation] = {}  # by entity id
        self._by_source: dict[str, list[str]] = {}
        self.rejected: dict[str, list[RuleRejection]] = {}  # by source: the last load's
        self._config_sources: set[str] = set()
        self._services_registered = False
        self._lock = asyncio.Lock()  # one load, reload or removal at a time

    # -- looking up ---------------------------------------------------------------------------

    def get(self, key: str) -> Automation | None:
        """By entity id (`automation.x`) or by the rule's `id`."""
        found = self.automations.get(key)
        if found is not None:
            return found
        for automation in self.automations.values():
            if automation.spec.id == key:
                return automation
        return None

    def __len__(self) -> int:
        return len(self.automations)

    def all_rejections(self) -> list[RuleRejection]:
        return [r for rejections in self.rejected.values() for r in rejections]

    # -- compiling ----------------------------------------------------------------------------

    def _compile(
        self, rules: Iterable[Any], source: str, lines: LineMap | None, prefix: KeyPath
    ) -> tuple[list[tuple[int, RuleSpec]], list[RuleRejection]]:
        specs: list[tuple[int, RuleSpec]] = []
        rejected: list[RuleRejection] = []
        for index, raw in enumerate(rules):
            name = None
            if isinstance(raw, Mapping):
                label = raw.get("id", raw.get("alias"))
                name = None if label is None else str(label)
            try:
                specs.append((index, compile_rule(raw, (*prefix, index), self.env, index)))
            except RuleError as err:
                rejected.append(self._rejection(source, index, lines, err.path, err.reason, name))
            except Exception as err:  # a bug of ours must not take the other rules down
                _LOGGER.exception("compiling automation %s of %s", index + 1, source)
                rejected.append(
                    self._rejection(
                        source, index, lines, (*prefix, index), f"internal error: {err!r}", name
                    )
                )
        return specs, rejected

    def _rejection(
        self,
        source: str,
        index: int,
        lines: LineMap | None,
        path: KeyPath,
        reason: str,
        name: str | None = None,
    ) -> RuleRejection:
        file, line = lines.where(path) if lines is not None else ("", None)
        rejection = RuleRejection(source, index, file or source, line, reason, name)
        self.hub.health.problem(
            "automation_config_errors", str(rejection), self.hub.clock.timestamp()
        )
        _LOGGER.error("%s", rejection)
        return rejection

    def _entity_id_for(self, spec: RuleSpec, reuse: str | None = None) -> str:
        if reuse is not None:
            return reuse
        base = f"{DOMAIN}.{spec.object_id}"
        candidate, n = base, 2
        while candidate in self.automations or candidate in self.hub.states:
            candidate = f"{base}_{n}"
            n += 1
        return candidate

    @staticmethod
    def _keys(specs: list[tuple[int, RuleSpec]]) -> list[str]:
        """What identifies a rule across reloads: its id, else its alias, else its place;
        duplicates are told apart by their order."""
        seen: dict[str, int] = {}
        keys = []
        for index, spec in specs:
            if spec.id is not None:
                base = f"id:{spec.id}"
            else:
                base = f"alias:{spec.alias}" if spec.raw.get("alias") else f"index:{index}"
            seen[base] = seen.get(base, 0) + 1
            keys.append(f"{base}#{seen[base]}")
        return keys

    # -- loading ------------------------------------------------------------------------------

    async def async_load(
        self,
        rules: Iterable[Any],
        source: str,
        lines: LineMap | None = None,
        prefix: KeyPath = (),
    ) -> LoadResult:
        """Make `rules` the rules of `source`, replacing what it had: unchanged rules keep
        running, changed ones restart, removed ones stop, broken ones are rejected."""
        async with self._lock:
            return await self._async_load(rules, source, lines, prefix)

    async def _async_load(
        self, rules: Iterable[Any], source: str, lines: LineMap | None, prefix: KeyPath
    ) -> LoadResult:
        specs, rejected = self._compile(list(rules), source, lines, prefix)
        context = self.hub.context(Origin.AUTOMATION)
        old = {
            self.automations[e].load_key: self.automations[e]
            for e in self._by_source.get(source, [])
        }
        result = LoadResult(rejected=rejected)
        keep: list[str] = []
        fresh: list[tuple[RuleSpec, str, str | None]] = []
        for (_, spec), key in zip(specs, self._keys(specs), strict=True):
            previous = old.pop(key, None)
            if previous is not None and previous.spec.raw == spec.raw:
                keep.append(previous.entity_id)
                result.unchanged += 1
                result.loaded.append(previous)
                continue
            reuse = None
            if previous is not None:
                await self._async_remove(previous, context, remove_state=False)
                reuse = previous.entity_id
            fresh.append((spec, key, reuse))
        for gone in old.values():
            await self._async_remove(gone, context)
        for spec, key, reuse in fresh:
            automation = self._add(spec, source, context, reuse)
            automation.load_key = key
            keep.append(automation.entity_id)
            result.loaded.append(automation)
        self._by_source[source] = keep
        self.rejected[source] = rejected
        return result

    async def async_add_rules(
        self, rules: Iterable[Mapping[str, Any]], source: str = PROGRAMMATIC_SOURCE
    ) -> LoadResult:
        """Add rules from code (they survive `async_reload`); broken ones are rejected."""
        async with self._lock:
            return self._add_rules(list(rules), source)

    def _add_rules(self, rules: list[Mapping[str, Any]], source: str) -> LoadResult:
        specs, rejected = self._compile(rules, source, None, ())
        context = self.hub.context(Origin.AUTOMATION)
        result = LoadResult(rejected=rejected)
        ids = self._by_source.setdefault(source, [])
        for _, spec in specs:
            automation = self._add(spec, source, context, None)
            automation.load_key = f"added:{automation.entity_id}"
            ids.append(automation.entity_id)
            result.loaded.append(automation)
        self.rejected.setdefault(source, []).extend(rejected)
        return result

    def _add(self, spec: RuleSpec, source: str, context: Context, reuse: str | None) -> Automation:
        entity_id = self._entity_id_for(spec, reuse)
        automation = Automation(spec, entity_id, self.env, source)
        self.automations[entity_id] = automation
        self.hub.entities.async_add(entity_id, DOMAIN, self._entity_command, unique_id=spec.id)
        self.hub.heap.async_request()  # rules live until a reload: see hearthmind.core.heap
        if spec.initial_state is False:
            automation.write_state(context)
            return automation
        try:
            automation.enable(context)
        except Exception as err:  # e.g. a sun trigger that cannot compute: keep it off
            self.hub.health.problem(
                "automation_errors",
                f"{entity_id}: cannot attach its triggers: {err!r}; left off",
                self.hub.clock.timestamp(),
            )
            automation.write_state(context)
        return automation

    async def async_remove(self, entity_id: str) -> bool:
        async with self._lock:
            automation = self.automations.get(entity_id)
            if automation is None:
                return False
            ids = self._by_source.get(automation.source, [])
            if entity_id in ids:
                ids.remove(entity_id)
            await self._async_remove(automation, self.hub.context(Origin.AUTOMATION))
            return True

    async def _async_remove(
        self, automation: Automation, context: Context, *, remove_state: bool = True
    ) -> None:
        automation.removed = True
        await automation.async_stop()
        self.automations.pop(automation.entity_id, None)
        if remove_state:
            self.hub.entities.async_remove(automation.entity_id)
            self.hub.states.async_remove(automation.entity_id, context)

    async def async_load_config(
        self, raw: Mapping[str, Any] | None = None, lines: LineMap | None = None
    ) -> LoadResult:
        """Load every rule source of the config directory (from `raw`/`lines` when given,
        else re-reading configuration.yaml). Sources no longer present lose their rules."""
        async with self._lock:
            return await self._async_load_config(raw, lines)

    async def _async_load_config(
        self, raw: Mapping[str, Any] | None, lines: LineMap | None
    ) -> LoadResult:
        if self.config_dir is None:
            return LoadResult()
        if raw is None or lines is None:
            config = load_config(self.config_dir, create=False)
            raw, lines = config.raw, config.lines
        sources, errors = read_sources(self.config_dir, raw, lines)
        total = LoadResult()
        for name, err in errors:
            self.hub.health.problem(
                "automation_config_errors",
                f"{err}; its automations are unchanged",
                self.hub.clock.timestamp(),
            )
            _LOGGER.error("%s", err)
            total.rejected.append(RuleRejection(name, -1, err.path, err.line, err.reason))
        present = {s.name for s in sources} | {name for name, _ in errors}
        for stale in self._config_sources - present:  # e.g. the !include line was removed
            await self._async_load([], stale, None, ())
            self._by_source.pop(stale, None)
            self.rejected.pop(stale, None)
        self._config_sources = present
        for source in sources:
            result = await self._load_source(source)
            total.loaded.extend(result.loaded)
            total.rejected.extend(result.rejected)
            total.unchanged += result.unchanged
        return total

    async def _load_source(self, source: RuleSource) -> LoadResult:
        return await self._async_load(source.rules, source.name, source.lines, source.prefix)

    async def async_reload(self) -> LoadResult:
        """Re-read the rules of the config directory without a restart. If configuration.yaml
        itself cannot be loaded, nothing changes (the error is counted and raised)."""
        try:
            result = await self.async_load_config()
        except ConfigError as err:
            self.hub.health.problem(
                "automation_config_errors",
                f"reload failed, automations unchanged: {err}",
                self.hub.clock.timestamp(),
            )
            raise
        self.hub.bus.async_fire(
            "automation_reloaded",
            {"loaded": len(result.loaded), "rejected": len(result.rejected)},
            self.hub.context(Origin.AUTOMATION),
        )
        return result

    async def async_stop(self) -> None:
        for automation in list(self.automations.values()):
            await automation.async_stop()

    def check_config(self) -> list[RuleRejection]:
        """Every problem of the config directory's rules, without loading any (for a
        `check` command: the same file, line and reason a load would report)."""
        if self.config_dir is None:
            return []
        config = load_config(self.config_dir, create=False)
        sources, errors = read_sources(self.config_dir, config.raw, config.lines)
        out = [RuleRejection(name, -1, err.path, err.line, err.reason) for name, err in errors]
        for source in sources:
            _, rejected = self._compile(source.rules, source.name, source.lines, source.prefix)
            out.extend(rejected)
        return out

    # -- services -----------------------------------------------------------------------------

    def register_services(self) -> None:
        if self._services_registered:
            return
        services = self.hub.services
        services.async_register(
            DOMAIN, "turn_on", self._svc_turn_on, EmptyData, description="Enable automations"
        )
        services.async_register(
            DOMAIN,
            "turn_off",
            self._svc_turn_off,
            TurnOffData,
            description="Disable automations (stop_actions: cancel runs)",
        )
        services.async_register(
            DOMAIN, "toggle", self._svc_toggle, EmptyData, description="Toggle automations"
        )
        services.async_register(
            DOMAIN,
            "trigger",
            self._svc_trigger,
            TriggerData,
            description="Run automations' actions now",
        )
        services.async_register(
            DOMAIN,
            "reload",
            self._svc_reload,
            EmptyData,
            needs_target=False,
            description="Reload automations from the configuration",
        )
        self._services_registered = True

    def _targets(self, call: ServiceCall) -> list[Automation]:
        out = []
        for entity_id in call.entity_ids:
            automation = self.automations.get(entity_id)
            if automation is None:
                err = NotAnAutomationError(entity_id)
                self.hub.health.problem(err.counter, str(err), self.hub.clock.timestamp())
                raise err
            out.append(automation)
        return out

    async def _svc_turn_on(self, call: ServiceCall) -> None:
        for automation in self._targets(call):
            automation.enable(call.context)

    async def _svc_turn_off(self, call: ServiceCall) -> None:
        assert isinstance(call.data, TurnOffData)
        for automation in self._targets(call):
            await automation.async_disable(call.context, stop_actions=call.data.stop_actions)

    async def _svc_toggle(self, call: ServiceCall) -> None:
        for automation in self._targets(call):
            if automation.enabled:
                await automation.async_disable(call.context)
            else:
                automation.enable(call.context)

    async def _svc_trigger(self, call: ServiceCall) -> None:
        assert isinstance(call.data, TriggerData)
        for automation in self._targets(call):
            automation.trigger(
                {"platform": None, "description": "automation.trigger service"},
                call.context,
                skip_condition=call.data.skip_condition,
                extra_variables=call.data.variables,
            )

    async def _svc_reload(self, call: ServiceCall) -> None:
        # its own task, shielded: a rule that calls automation.reload may be stopped by it
        await asyncio.shield(self.hub.async_create_task(self.async_reload(), "automation reload"))

    async def _entity_command(
        self, service: str, entity_id: str, data: Mapping[str, Any], context: Context
    ) -> None:
        automation = self.automations.get(entity_id)
        if automation is None:
            return
        if service == "turn_on":
            automation.enable(context)
        elif service == "turn_off":
            await automation.async_disable(context)
        elif service == "toggle":
            if automation.enabled:
                await automation.async_disable(context)
            else:
                automation.enable(context)
