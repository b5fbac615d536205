"""The MQTT parity cases: data-driven cases (Home Assistant's own MQTT tests ported to YAML,
and real devices' discovery payloads) run against a real broker and a real hub.

A case file (`tests/mqtt/parity/<platform>.yaml`, `tests/mqtt/corpus/<source>/<name>.yaml`):

    source: "HA core tests/components/mqtt/test_light.py (2025.x)"
    cases:
      - name: test_rgb_light           # the HA test it ports
        config: {name: test, command_topic: cmd, state_topic: st}   # abbreviations allowed
        discovery_topic: homeassistant/light/node/object/config     # optional
        platform: light                # optional; default: the file's stem / the topic's
        quirk: "why ours differs from HA, and why ours is better"  # optional
        steps:
          - publish: {topic: st, payload: "ON", retain: false, qos: 0}  # mapping -> JSON
          - expect_state: {entity_id: light.test, state: "on", attributes: {brightness: 255}}
          - expect_no_entity: light.other
          - call: {service: light.turn_on, data: {entity_id: light.test}, error: "substring"}
          - expect_publish: {topic: cmd, payload: "ON", qos: 0, retain: false}
          - expect_log: "substring of a log line"
          - expect_problem: mqtt_bad_payload
          - advance: 10                # seconds of the hub's clock (off_delay, expire_after)
          - expect_state_changes: {entity_id: sensor.t, count: 2}  # state_changed since the steps began

`config` is published (not retained) on the discovery topic before the steps; leave it out
to publish discovery in the steps instead. Topics beginning `homeassistant/` are moved under
the case's own discovery prefix. In `expect_state`, `attributes` is a subset; `null` means
the attribute is None or absent (HA's tests read `state.attributes.get(key) is None`).
`expect_publish` takes the first matching message the hub published that no earlier
expectation took. `call` may say `error: "<substring>"` (or true) when the call must fail.

Run by runner.py (one hub per case, a real broker); bench/mqtt_parity.py counts them.

YAML is read as YAML 1.2 reads booleans: only true/false are booleans, `ON`/`OFF`/`yes`
stay strings (the payloads devices send)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
PARITY_DIR = HERE
CORPUS_DIR = HERE.parent / "corpus"
HA_PREFIX = "homeassistant"
STEP_KINDS = (
    "publish",
    "expect_state",
    "expect_no_entity",
    "call",
    "expect_publish",
    "expect_log",
    "expect_problem",
    "advance",
    "expect_state_changes",
)


# -- the files -------------------------------------------------------------------------------


# the C parser when PyYAML has it: the case files are large, and pytest loads them all
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Yaml12Loader(_BaseLoader):  # type: ignore[misc]
    """SafeLoader with YAML 1.2's booleans: `ON`, `off`, `yes` are strings (payloads)."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@dataclass(frozen=True)
class Case:
    file: Path
    group: str  # the platform (parity files) or "corpus"
    platform: str
    name: str
    config: dict[str, Any] | None
    discovery_topic: str
    steps: list[dict[str, Any]]
    quirk: str | None = None

    @property
    def id(self) -> str:
        return f"{self.file.parent.name}/{self.file.stem}::{self.name}"


def load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Yaml12Loader)


def case_files() -> list[Path]:
    """Every parity file and every corpus file, in a stable order."""
    files = sorted(PARITY_DIR.glob("*.yaml"))
    if CORPUS_DIR.is_dir():
        files += sorted(CORPUS_DIR.glob("*/*.yaml"))
    return files


def _slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]+", "_", text).strip("_") or "case"


def load_cases(path: Path) -> list[Case]:
    """The cases of one file; a malformed file raises ValueError naming the file and case."""
    data = load_yaml(path)
    if not isinstance(data, Mapping) or not isinstance(data.get("cases"), list):
        raise ValueError(f"{path}: needs `source:` and a `cases:` list")
    if not data.get("source"):
        raise ValueError(f"{path}: needs `source:` (where the cases come from)")
    corpus = path.parent.parent == CORPUS_DIR
    group = "corpus" if corpus else path.stem
    cases: list[Case] = []
    seen: Counter[str] = Counter()
    for i, raw in enumerate(data["cases"]):
        if not isinstance(raw, Mapping) or "name" not in raw:
            raise ValueError(f"{path}: case {i} needs a name")
        name = str(raw["name"])
        seen[name] += 1
        if seen[name] > 1:
            name = f"{name}[{seen[name]}]"
        topic = raw.get("discovery_topic")
        platform = raw.get("platform")
        if platform is None and topic:
            parts = str(topic).split("/")
            platform = parts[1] if len(parts) > 2 else None
        if platform is None:
            platform = None if corpus else path.stem
        if platform is None:
            raise ValueError(f"{path}: case {name}: needs discovery_topic or platform")
        if not topic:
            topic = f"{HA_PREFIX}/{platform}/{_slug(name)}/config"
        steps = raw.get("steps") or []
        for step in steps:
            if (
                not isinstance(step, Mapping)
                or len(step) != 1
                or next(iter(step)) not in STEP_KINDS
            ):
                raise ValueError(f"{path}: case {name}: step {step!r} is not one of {STEP_KINDS}")
        config = raw.get("config")
        cases.append(
            Case(
                path,
                group,
                str(platform),
                name,
                dict(config) if isinstance(config, Mapping) else config,
                str(topic),
                list(steps),
                raw.get("quirk"),
            )
        )
    return cases


def all_cases() -> Iterator[Case]:
    for path in case_files():
        yield from load_cases(path)
