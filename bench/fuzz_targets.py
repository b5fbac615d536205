"""The four harnesses bench/fuzz.py runs under atheris (issue 20): the MQTT payload path, the
template engine, the configuration loader and the WebSocket message parser. Each is a class
whose `one(data)` feeds one input through the real code; it raises only for a bug: an
exception other than the documented clear errors (`ALLOWED`), or an error the hub logged
(`logging.ERROR` with a traceback from hearthmind: a handler's "must not happen" branch
caught a bug and kept going, which is a crash in all but name). Seeds and a token dictionary help libFuzzer reach
past the parsers' first checks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
from pathlib import Path
from typing import Any


class HubLoggedError(Exception):
    """The hub logged an error while handling the input (a caught bug)."""


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # with a traceback: a catch-all caught a bug (an error said to the person, such as a
        # rejected automation, has none and is the documented clear error)
        if record.exc_info is not None:
            self.records.append(record)

    def raise_if_any(self) -> None:
        if self.records:
            record = self.records[0]
            self.records.clear()
            raise HubLoggedError(f"{record.name}: {record.getMessage()[:300]}")


def _watch_errors() -> _ErrorLog:
    handler = _ErrorLog()
    root = logging.getLogger("hearthmind")
    root.addHandler(handler)
    root.propagate = False  # the fuzzer's output stays readable
    return handler


# -- MQTT ---------------------------------------------------------------------------------------

MQTT_DEVICES: dict[str, dict[str, Any]] = {
    "light/json": {"name": "J", "schema": "json", "brightness": True, "cmd_t": "j/set",
                   "stat_t": "j", "json_attr_t": "j"},
    "light/plain": {"name": "P", "cmd_t": "p/set", "stat_t": "p", "bri_stat_t": "p/bri",
                    "bri_cmd_t": "p/bri/set", "rgb_stat_t": "p/rgb",
                    "stat_val_tpl": "{{ value_json.state }}"},
    "sensor/n": {"name": "N", "stat_t": "n", "val_tpl": "{{ value_json.watts | float * 2 }}",
                 "unit_of_meas": "W"},
    "climate/c": {"name": "C", "mode_cmd_t": "c/m", "mode_stat_t": "c",
                  "mode_stat_tpl": "{{ value_json.mode }}", "temp_stat_t": "c",
                  "temp_stat_tpl": "{{ value_json.target }}", "curr_temp_t": "c"},
    "cover/v": {"name": "V", "cmd_t": "v/set", "stat_t": "v", "pos_t": "v/pos"},
    "fan/f": {"name": "F", "cmd_t": "f/set", "stat_t": "f", "pct_stat_t": "f/pct"},
}  # fmt: skip
MQTT_COMPONENTS = ["light", "switch", "sensor", "binary_sensor", "climate", "cover", "fan", "lock"]


class MqttTarget:
    """One message into the real integration's `handle_message`: a state payload on a
    discovered entity's topic, a discovery config, or a discovery config whose value
    template is the fuzzer's followed by a payload it renders."""

    seeds = (b"\x00\x00ON", b'\x00\x01{"state": "ON", "brightness": 255}',
             b'\x01\x02{"name": "x", "stat_t": "q", "val_tpl": "{{ value_json.x }}"}',
             b'\x02\x00{{ value_json.a | int + 1 }}\x00{"a": 3}',
             b"\x02\x00{% for i in range(9) %}{{ i }}{% endfor %}\x00x")  # fmt: skip
    tokens = ('"stat_t"', '"val_tpl"', '"cmd_t"', '"schema"', '"json"', "value_json", "{{", "}}",
              "{%", "%}", "| int", "| float", "range(", "ON", "OFF", '"brightness"', "1e308")  # fmt: skip

    def __init__(self) -> None:
        from hearthmind.core import Hub
        from hearthmind.integrations.mqtt import MqttConfig, MqttIntegration
        from hearthmind.integrations.mqtt.connection import BrokerSettings

        self.errors = _watch_errors()
        self.integration = MqttIntegration(
            Hub(), MqttConfig(broker="mqtt://127.0.0.1:1"), BrokerSettings("127.0.0.1", 1)
        )
        for key, config in MQTT_DEVICES.items():
            self.integration.handle_message(
                f"homeassistant/{key}/config", json.dumps(config).encode()
            )
        self.errors.raise_if_any()
        self.topics = sorted(self.integration._handlers)

    def one(self, data: bytes) -> None:
        # byte 0: what kind of message; byte 1: which topic or component; the rest: payload
        mode = data[0] % 3 if data else 0
        pick = data[1] if len(data) > 1 else 0
        rest = data[2:]
        handle = self.integration.handle_message
        if mode == 0:
            handle(self.topics[pick % len(self.topics)], rest)
        elif mode == 1:
            component = MQTT_COMPONENTS[pick % len(MQTT_COMPONENTS)]
            handle(f"homeassistant/{component}/fz/config", rest)
        else:
            template, _, payload = rest.partition(b"\x00")
            config = {"name": "T", "stat_t": "fz/t",
                      "val_tpl": template.decode("utf-8", "replace")}  # fmt: skip
            handle("homeassistant/sensor/fzt/config", json.dumps(config).encode())
            handle("fz/t", payload)
        self.errors.raise_if_any()


# -- templates -----------------------------------------------------------------------------------


class TemplateTarget:
    """The rules' template engine (what automations, `POST /api/template` and the
    WebSocket's render_template use): compile, then render on the event loop's budget."""

    seeds = (b"{{ states('light.kitchen') }}", b"{% for s in states %}{{ s.entity_id }}{% endfor %}",
             b"{{ 'x' * 3 }}{{ now().hour }}", b"{{ (1, 2) | map('int') | list | sum }}",
             b"{% macro m(n) %}{{ m(n - 1) if n else 0 }}{% endmacro %}{{ m(5) }}",
             b"{{ '%s' | format(42) }}{{ 'a'.ljust(9) }}{{ 2 ** 10 }}")  # fmt: skip
    tokens = ("{{", "}}", "{%", "%}", "for", "in", "endfor", "range(", "macro", "endmacro",
              "states", "state_attr(", "is_state(", "now()", "| int", "| float", "| join",
              "| list", "| map(", "| replace(", "| format(", ".ljust(", "* ", "** ", "~",
              "'light.kitchen'", "as_timestamp(", "namespace(", "set ", "if ", "endif")  # fmt: skip

    def __init__(self) -> None:
        from hearthmind.automations.templates import TemplateError
        from hearthmind.automations.validation import RuleError
        from hearthmind.core import Hub, Origin
        from hearthmind.core.template_limits import LOOP_LIMITS

        self.allowed = (TemplateError, RuleError)
        self.limits = LOOP_LIMITS
        self.errors = _watch_errors()
        hub = Hub()
        context = hub.context(Origin.SENSOR)
        hub.states.async_set("light.kitchen", "on", {"brightness": 120}, context)
        hub.states.async_set("sensor.temperature", "21.5", {"unit_of_measurement": "°C"}, context)
        from hearthmind.automations.environment import RuleEnvironment

        self.templates = RuleEnvironment(hub).templates

    def one(self, data: bytes) -> None:
        text = data.decode("utf-8", "replace")
        try:
            template = self.templates.compile(text, ("fuzz",))
            self.templates.render_template(template, {"trigger": {"id": "x"}}, self.limits)
        except self.allowed:
            pass
        self.errors.raise_if_any()


# -- configuration ---------------------------------------------------------------------------------


class ConfigTarget:
    """configuration.yaml (and automations.yaml, after a NUL) loaded as `run` loads them and
    checked as `hearthmind check-config` checks them."""

    seeds = (b"homeassistant:\n  name: Home\n  time_zone: UTC\nmqtt:\n  broker: mqtt://x\n",
             b"a: &a [x, x]\nb: [*a, *a]\n", b"automation: !include automations.yaml\n\x00- trigger: []\n",
             b"api:\n  port: 8123\nhttp:\n  server_port: 99999\n", b"x: !secret nope\n")  # fmt: skip
    tokens = ("homeassistant:", "mqtt:", "api:", "http:", "recorder:", "automation:", "!include ",
              "!secret ", "&a", "*a", "- ", ": ", "[", "]", "{", "}", "\n  ", "time_zone:",
              "trigger:", "platform: state", "entity_id:", "<<: *a")  # fmt: skip

    def __init__(self) -> None:
        import hearthmind.cli.checkconfig as checkconfig
        from hearthmind.core import HearthmindError

        self.allowed = (HearthmindError,)
        self.check = checkconfig.config_problems
        self.errors = _watch_errors()
        self.folder = Path(tempfile.mkdtemp(prefix="hm-fuzz-config-"))

    def one(self, data: bytes) -> None:
        from hearthmind.core import load_config

        config_text, _, automations = data.partition(b"\x00")
        (self.folder / "configuration.yaml").write_bytes(config_text)
        (self.folder / "automations.yaml").write_bytes(automations)
        with contextlib.suppress(self.allowed):
            self.check(load_config(self.folder, create=False))
        self.errors.raise_if_any()


# -- WebSocket -------------------------------------------------------------------------------------


class _FakeSocket:
    client = None


class WebSocketTarget:
    """One text frame into an authenticated session's parser (`_handle_text`), and the
    command it names run to its answer against a real hub; a raw frame, or a structured one
    (a known command, the fuzzer's fields)."""

    tokens = ('"id"', '"type"', '"domain"', '"service"', '"service_data"', '"target"',
              '"entity_id"', '"template"', '"event_type"', '"start_time"', '"end_time"',
              '"9999-12-31T23:59:59"', '"light.kitchen"', "1e999", "-1", "true", "null")  # fmt: skip

    def __init__(self) -> None:
        from hearthmind.api import ApiConfig, TokenStore
        from hearthmind.api.runtime import ApiRuntime
        from hearthmind.api.tokens import TokenInfo
        from hearthmind.api.websocket import connection, messages
        from hearthmind.core import Hub, Origin, load_config

        self.errors = _watch_errors()
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        folder = Path(tempfile.mkdtemp(prefix="hm-fuzz-ws-"))
        hub = Hub(load_config(folder))
        self.hub = hub

        async def build() -> Any:
            context = hub.context(Origin.SENSOR)
            hub.states.async_set("light.kitchen", "off", {"friendly_name": "Kitchen"}, context)
            hub.states.async_set("sensor.t", "21", {}, context)

            async def device(service: str, entity_id: str, data: Any, ctx: Any) -> None:
                current = hub.states.get(entity_id)
                was_on = current is not None and current.state == "on"
                on = service == "turn_on" or (service == "toggle" and not was_on)
                hub.states.async_set(entity_id, "on" if on else "off", dict(data), ctx)

            hub.entities.async_add("light.kitchen", "fuzz", device)
            rt = ApiRuntime(hub, TokenStore(folder), ApiConfig(rate_limit_per_second=1e9))
            session = connection.WebSocketSession(rt, _FakeSocket())  # type: ignore[arg-type]
            session.token = TokenInfo("t", "fuzz", "alice", "sha256:x", "2024-01-01", "admin")
            return session

        self.session = self.loop.run_until_complete(build())
        self.commands = sorted(messages.COMMANDS)

        def command(name: str, fields: str) -> bytes:
            return bytes([1, self.commands.index(name)]) + fields.encode()

        self.seeds = [
            b'\x00{"id": 1, "type": "ping"}',
            b"\x00[1, 2",
            command(
                "call_service",
                '{"domain": "light", "service": "turn_on", "target": {"entity_id": "light.kitchen"}}',
            ),
            command("render_template", '{"template": "{{ states.light | count }}"}'),
            command("subscribe_events", '{"event_type": "x"}'),
            command("history/history_during_period", '{"start_time": "9999-12-31T23:59:59"}'),
        ]

    def one(self, data: bytes) -> None:
        # byte 0: raw frame or structured; byte 1: which command; the rest: the text
        structured = bool(data[:1]) and data[0] % 2 == 1
        if not structured:
            text = data[1:].decode("utf-8", "replace")
        else:
            name = self.commands[data[1] % len(self.commands)] if len(data) > 1 else "ping"
            rest = data[2:].decode("utf-8", "replace")
            try:
                fields = json.loads(rest)
            except ValueError:
                fields = {"text": rest}
            if not isinstance(fields, dict):
                fields = {"value": fields}
            text = json.dumps({**fields, "id": 1, "type": name})
        self.loop.run_until_complete(self._feed(text))
        self.errors.raise_if_any()

    async def _feed(self, text: str) -> None:
        session = self.session
        session._last_id = 0
        session._handle_text(text)
        tasks = list(session._tasks)
        if tasks:
            # a command answers within the budget of what it does; one that does not is a hang
            # (counted by the driver from the time this takes)
            await asyncio.wait(tasks, timeout=5)
        for unsubscribe in list(session.subscriptions.values()):
            unsubscribe()
        session.subscriptions.clear()
        while not session._queue.empty():
            session._queue.get_nowait()
            session._queue.task_done()


TARGETS: dict[str, type[Any]] = {
    "mqtt": MqttTarget,
    "template": TemplateTarget,
    "config": ConfigTarget,
    "websocket": WebSocketTarget,
}
