"""Runs the parity cases (see cases.py for the file format) against a real broker and a
real hub.

Each case gets a hub of its own with a discovery prefix of its own (the file's
`homeassistant/` is replaced by it), on one broker shared by all. Waits are bounded and
event-driven: after a publish the runner waits until the hub has handled that message (when
it subscribes to its topic), so an expectation that something did *not* change is checked
after the message, not before it. The device side is one MQTT 5 client subscribed to `#`
with no-local, so it sees exactly what the hub publishes."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiomqtt
from paho.mqtt.subscribeoptions import SubscribeOptions

from hearthmind.core import EVENT_STATE_CHANGED, Event, Hub, Origin
from hearthmind.integrations.mqtt import MqttConfig, MqttIntegration, async_start_mqtt

from .cases import HA_PREFIX, Case, all_cases, case_files, load_cases
from .clock import ShiftClock

WAIT = 5.0  # seconds: the bound of every wait (a hang, not a race)


@dataclass
class CaseResult:
    case: Case
    passed: bool
    reason: str = ""
    seconds: float = 0.0


class CaseFailed(AssertionError):
    pass


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(record.getMessage())
        except Exception:  # a bad format string must not break the case
            self.lines.append(str(record.msg))


def payload_text(payload: Any) -> str:
    """A step's payload as sent: strings as they are, mappings and lists as JSON."""
    if payload is None:
        return ""
    if isinstance(payload, str):
        return payload
    if isinstance(payload, bool):
        return "true" if payload else "false"
    if isinstance(payload, int | float):
        return str(payload)
    return json.dumps(payload)


def _host_port(url: str) -> tuple[str, int]:
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


@dataclass
class _Seen:
    topic: str
    payload: str
    qos: int
    retain: bool
    used: bool = False


@dataclass
class _Run:
    case: Case
    prefix: str
    hub: Hub
    mqtt: MqttIntegration
    clock: ShiftClock
    client: aiomqtt.Client
    logs: _LogCapture
    handled: Counter[str] = field(default_factory=Counter)
    seen: list[_Seen] = field(default_factory=list)
    retained: set[str] = field(default_factory=set)
    changes: Counter[str] = field(default_factory=Counter)  # state_changed per entity

    def topic(self, topic: str) -> str:
        if topic == HA_PREFIX or topic.startswith(HA_PREFIX + "/"):
            return self.prefix + topic[len(HA_PREFIX) :]
        return topic


async def _wait(predicate: Callable[[], Any], what: Callable[[], str]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not predicate():
        if loop.time() > deadline:
            raise CaseFailed(what())
        await asyncio.sleep(0.005)


def _subscribed(run: _Run, topic: str) -> bool:
    handlers: Mapping[str, Any] = run.mqtt._handlers  # the harness looks in
    return topic in handlers or topic.startswith(run.prefix + "/")


async def _publish(run: _Run, topic: str, payload: str, qos: int = 0, retain: bool = False) -> None:
    if not await run.mqtt.connection.async_wait_subscribed(WAIT):
        raise CaseFailed("the hub's subscriptions were not acknowledged")
    listening = _subscribed(run, topic)
    before = run.handled[topic]
    await run.client.publish(topic, payload.encode(), qos=qos, retain=retain)
    if retain:
        run.retained.add(topic)
    if listening:
        await _wait(
            lambda: run.handled[topic] > before,
            lambda: f"the hub did not handle the message on {topic}",
        )


def _attr_matches(actual: Mapping[str, Any], key: str, want: Any) -> bool:
    if want is None:
        return actual.get(key) is None
    if key not in actual:
        return False
    have = actual[key]
    if isinstance(have, tuple):
        have = list(have)
    if isinstance(want, list) and isinstance(have, list | tuple):
        return len(want) == len(have) and all(_equal(w, h) for w, h in zip(want, have, strict=True))
    return _equal(want, have)


def _equal(want: Any, have: Any) -> bool:
    if isinstance(have, tuple):
        have = list(have)
    numbers = isinstance(want, int | float) and isinstance(have, int | float)
    if numbers and (isinstance(want, float) or isinstance(have, float)):
        return not isinstance(want, bool) and abs(float(want) - float(have)) < 1e-6
    if isinstance(want, list) and isinstance(have, list):
        return len(want) == len(have) and all(_equal(w, h) for w, h in zip(want, have, strict=True))
    return bool(want == have)


def _state_problem(run: _Run, spec: Mapping[str, Any]) -> str | None:
    entity_id = spec["entity_id"]
    state = run.hub.states.get(entity_id)
    if state is None:
        return f"{entity_id} does not exist (states: {sorted(run.hub.states.entity_ids())[:8]})"
    if "state" in spec and str(state.state) != payload_text(spec["state"]):
        return (
            f"{entity_id} is {state.state!r}, expected {spec['state']!r} ({dict(state.attributes)})"
        )
    for key, want in (spec.get("attributes") or {}).items():
        if not _attr_matches(state.attributes, key, want):
            return (
                f"{entity_id}.{key} is {state.attributes.get(key, '<absent>')!r}, expected {want!r}"
            )
    return None


def _publish_matches(seen: _Seen, spec: Mapping[str, Any], run: _Run) -> bool:
    if seen.used or seen.topic != run.topic(str(spec["topic"])):
        return False
    if "payload" in spec:
        want = spec["payload"]
        if isinstance(want, Mapping | list):
            try:
                if json.loads(seen.payload) != want:
                    return False
            except ValueError:
                return False
        elif seen.payload != payload_text(want):
            return False
    if "qos" in spec and seen.qos != int(spec["qos"]):
        return False
    return not ("retain" in spec and seen.retain != bool(spec["retain"]))


async def _step(run: _Run, kind: str, spec: Any) -> None:
    if kind == "publish":
        await _publish(
            run,
            run.topic(str(spec["topic"])),
            payload_text(spec.get("payload")),
            int(spec.get("qos", 0)),
            bool(spec.get("retain", False)),
        )
    elif kind == "expect_state":
        last: list[str | None] = [None]

        def ok() -> bool:
            last[0] = _state_problem(run, spec)
            return last[0] is None

        await _wait(ok, lambda: str(last[0]))
    elif kind == "expect_no_entity":
        await _wait(
            lambda: run.hub.states.get(str(spec)) is None,
            lambda: f"{spec} exists: {run.hub.states.get(str(spec))}",
        )
    elif kind == "call":
        await _call(run, spec)
    elif kind == "expect_publish":
        found: list[_Seen] = []

        def published() -> bool:
            found[:] = [s for s in run.seen if _publish_matches(s, spec, run)][:1]
            return bool(found)

        await _wait(
            published,
            lambda: (
                f"no publish {dict(spec)}; the hub published "
                f"{[(s.topic, s.payload) for s in run.seen if not s.topic.startswith(run.prefix)]}"
            ),
        )
        found[0].used = True
    elif kind == "expect_log":
        await _wait(
            lambda: any(str(spec) in line for line in run.logs.lines),
            lambda: f"no log line with {spec!r}; logged: {run.logs.lines[-5:]}",
        )
    elif kind == "expect_problem":
        await _wait(
            lambda: run.hub.health[str(spec)] > 0,
            lambda: f"no {spec!r} problem; counters {dict(run.hub.health.counts)}",
        )
    elif kind == "expect_state_changes":
        # HA's event-counting tests (force_update, off_delay): the writes since the steps
        # began; publish steps have already waited for their message to be handled
        entity_id, count = str(spec["entity_id"]), int(spec["count"])
        await _wait(
            lambda: run.changes[entity_id] >= count,
            lambda: f"{entity_id} changed {run.changes[entity_id]} times, expected {count}",
        )
        await run.hub.async_block_till_done()
        if run.changes[entity_id] != count:
            raise CaseFailed(
                f"{entity_id} changed {run.changes[entity_id]} times, expected {count}"
            )
    elif kind == "advance":
        run.clock.advance(float(spec))
        await asyncio.sleep(0)
        await run.hub.async_block_till_done()


async def _call(run: _Run, spec: Mapping[str, Any]) -> None:
    domain, _, service = str(spec["service"]).partition(".")
    data = dict(spec.get("data") or {})
    target = spec.get("target")
    expect_error = spec.get("error")
    # commands leave through the hub's outbox: wait until they are on the broker's side
    try:
        await run.hub.services.async_call(
            domain, service, data, context=run.hub.context(Origin.APP), target=target
        )
    except Exception as err:  # the call's own error is what some cases expect
        if expect_error is None:
            raise CaseFailed(f"{spec['service']} failed: {err}") from err
        if expect_error is not True and str(expect_error) not in str(err):
            raise CaseFailed(
                f"{spec['service']} failed with {err!r}, not {expect_error!r}"
            ) from err
        return
    if expect_error is not None:
        raise CaseFailed(f"{spec['service']} succeeded; expected an error {expect_error!r}")


async def _collect(client: aiomqtt.Client, seen: list[_Seen]) -> None:
    async for message in client.messages:
        payload = message.payload
        text = (
            payload.decode(errors="replace")
            if isinstance(payload, bytes | bytearray)
            else ""
            if payload is None
            else str(payload)
        )
        seen.append(_Seen(message.topic.value, text, int(message.qos), bool(message.retain)))


async def run_case(broker_url: str, case: Case) -> CaseResult:
    """Run one case in a hub of its own; never raises for a failing case."""
    started = time.perf_counter()
    try:
        await _run_case(broker_url, case)
    except CaseFailed as err:
        return CaseResult(case, False, str(err), time.perf_counter() - started)
    except Exception as err:  # a crash is a failure with its reason, not a stopped run
        return CaseResult(
            case, False, f"{type(err).__name__}: {err}", time.perf_counter() - started
        )
    return CaseResult(case, True, "", time.perf_counter() - started)


async def _run_case(broker_url: str, case: Case) -> None:
    prefix = f"hmp_{uuid.uuid4().hex[:10]}"
    clock = ShiftClock()
    hub = Hub(clock=clock)
    logs = _LogCapture()
    logger = logging.getLogger("hearthmind")
    logger.addHandler(logs)
    old_level = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    host, port = _host_port(broker_url)
    try:
        async with aiomqtt.Client(
            host, port, protocol=aiomqtt.ProtocolVersion.V5, identifier=f"dev-{prefix}"
        ) as client:
            # the device side listens before the hub starts: it sees the hub's birth message
            await client.subscribe(
                "#", options=SubscribeOptions(qos=2, noLocal=True, retainAsPublished=True)
            )
            seen: list[_Seen] = []
            collector = asyncio.create_task(_collect(client, seen))
            retained: set[str] = set()
            try:
                config = MqttConfig(broker=broker_url, discovery_prefix=prefix)
                mqtt = await async_start_mqtt(hub, config)
                await hub.async_start()
                run = _Run(case, prefix, hub, mqtt, clock, client, logs, seen=seen)
                run.retained = retained
                inner = mqtt.connection._on_message_cb

                def counting(topic: str, payload: bytes, retained: bool = False) -> None:
                    try:
                        inner(topic, payload, retained)
                    finally:
                        run.handled[topic] += 1

                mqtt.connection._on_message_cb = counting
                if case.config is not None:
                    await _publish(run, run.topic(case.discovery_topic), json.dumps(case.config))
                await hub.async_block_till_done()

                def count(event: Event) -> None:
                    run.changes[str(event.data.get("entity_id"))] += 1

                hub.bus.async_listen(EVENT_STATE_CHANGED, count)
                for step in case.steps:
                    kind, spec = next(iter(step.items()))
                    try:
                        await _step(run, kind, spec)
                    except CaseFailed as err:
                        raise CaseFailed(f"{kind} {spec!r}: {err}") from None
            finally:
                for topic in retained:  # leave nothing retained for the next case
                    await client.publish(topic, b"", retain=True)
                collector.cancel()
    finally:
        logger.removeHandler(logs)
        logger.setLevel(old_level)
        await hub.async_stop()


async def run_cases(broker_url: str, cases: list[Case]) -> list[CaseResult]:
    return [await run_case(broker_url, case) for case in cases]


def summarize(results: list[CaseResult]) -> dict[str, Any]:
    """`{"platforms": {PLATFORM: {"cases", "passed"}}, "corpus": {"cases", "passed"}}`."""
    platforms: dict[str, dict[str, int]] = {}
    corpus = {"cases": 0, "passed": 0}
    for result in results:
        if result.case.group == "corpus":
            bucket = corpus
        else:
            bucket = platforms.setdefault(result.case.group, {"cases": 0, "passed": 0})
        bucket["cases"] += 1
        bucket["passed"] += int(result.passed)
    return {"platforms": dict(sorted(platforms.items())), "corpus": corpus}


__all__ = [
    "Case",
    "CaseResult",
    "all_cases",
    "case_files",
    "load_cases",
    "run_case",
    "run_cases",
    "summarize",
]
