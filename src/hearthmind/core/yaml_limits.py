"""Limits on a YAML file before it is built into Python values: size, nesting depth, and how
far aliases expand. A 360-byte file of nested aliases (`b: [*a, *a, ...]`, the "billion
laughs") stands for 10**9 values; built, or walked for line numbers, it takes the machine's
memory. The parser's events say all that is needed without expanding anything: each anchor's
expanded size is known when its node ends, and an alias adds that size where it is used.

Why a pass over the events first: PyYAML's composer is recursive (20,000 nested brackets end
in RecursionError) and its constructor follows aliases; the event parser keeps its own stack,
so depth and expansion are counted here before either runs."""

from __future__ import annotations

from typing import Any

import yaml

from .errors import ConfigError

MAX_FILE_BYTES = 5_000_000
MAX_DEPTH = 64  # far beyond any configuration; Python's own stack ends near 1,000 levels
# values a file may stand for once its aliases are expanded: a big home's automations.yaml
# has some tens of thousands
MAX_EXPANDED = 250_000


def check_yaml(text: str, file: str, loader: type[Any]) -> None:
    """Raise `ConfigError` (file and line) when `text` is too large, too deep, or its aliases
    expand beyond `MAX_EXPANDED` values."""
    if len(text) > MAX_FILE_BYTES:
        raise ConfigError(file, None, f"over {MAX_FILE_BYTES:,} bytes: not a configuration")
    sizes: dict[str, int] = {}  # anchor -> the values it stands for
    stack: list[tuple[int, str | None]] = []  # per open collection: (values so far, anchor)
    total = 0
    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1 if event.start_mark is not None else None
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise ConfigError(file, line, f"nested more than {MAX_DEPTH} levels deep")
            stack.append((1, event.anchor))
            total += 1
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            count, anchor = stack.pop()
            if anchor is not None:
                sizes[anchor] = count
        elif isinstance(event, yaml.ScalarEvent):
            count = 1
            total += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if any(open_anchor == event.anchor for _, open_anchor in stack):
                # `a: &a [*a]`: PyYAML builds a list that contains itself, which everything
                # walking the configuration then follows forever (found by bench/fuzz.py)
                raise ConfigError(
                    file, line, f"*{event.anchor} is used inside &{event.anchor} itself (a loop)"
                )
            count = sizes.get(event.anchor or "", 1)  # an unknown anchor: the composer says so
            total += count
        else:
            continue
        if total > MAX_EXPANDED:
            raise ConfigError(
                file,
                line,
                f"beyond {MAX_EXPANDED:,} values once its aliases are expanded (nested aliases?)",
            )
        if stack:
            size, anchor = stack[-1]
            stack[-1] = (size + count, anchor)
