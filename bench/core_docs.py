"""docs/BENCHMARKS.md's "Core throughput" section, written from bench/core.py's result."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SECTION = "## Core throughput"
READ_LABELS = {
    "one_day": "one entity, last 24 hours",
    "ten_week": "ten entities, last 7 days",
    "start_states": "start states of all 1,000 entities (1-minute window, day 15)",
}


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float | int):
        return f"{value:,.{digits}f}"
    return str(value)


def _cell(part: dict[str, Any], key: str, digits: int = 0, sub: str | None = None) -> str:
    """`median (min-max; load a, b, c)` for a figure with runs, else the figure alone."""
    value = part.get(key) if sub is None else (part.get(key) or {}).get(sub)
    if value is None:
        return "n/a"
    spread = (part.get("range") or {}).get(key)
    load = (part.get("load_average") or {}).get(key)
    if sub is not None:
        spread = (spread or {}).get(sub)
    if not spread:
        return _fmt(value, digits)
    loads = ", ".join(f"{x:.1f}" for x in load) if isinstance(load, list) else _fmt(load, 1)
    return (
        f"{_fmt(value, digits)} ({_fmt(spread[0], digits)}-{_fmt(spread[1], digits)}; load {loads})"
    )


def _table(result: dict[str, Any]) -> list[str]:
    hm = result["hearthmind"]
    ha = result.get("homeassistant") or {}
    lines = [
        "| figure | Hearthmind | Home Assistant 2024.3.3 | ratio |",
        "|---|---:|---:|---:|",
        f"| recorded state changes/s (SQLite) | {_cell(hm, 'state_changes_per_s')} | "
        f"{_cell(ha, 'state_changes_per_s')} | {_fmt(result.get('ratio_state_changes'), 1)} |",
        f"| state changes/s, recording off | {_cell(hm, 'in_memory_per_s')} | "
        f"{_cell(ha, 'in_memory_per_s')} | {_fmt(result.get('ratio_in_memory'), 2)} |",
        f"| sustained recorded changes/s (paced, one search) | {_fmt(hm.get('sustained_per_s'))} | "
        f"{_fmt(ha.get('sustained_per_s'))} | {_fmt(result.get('ratio_sustained'), 1)} |",
        f"| recorded state changes/s (PostgreSQL, one run) | "
        f"{_fmt(hm.get('postgres_state_changes_per_s'))} | | |",
        f"| peak RSS after {hm['details']['rss_changes']:,} recorded changes (MB) | "
        f"{_fmt(hm.get('peak_rss_mb'))} | | |",
    ]
    for key, label, digits in (
        ("mqtt_p50_ms", "MQTT state -> automation -> command p50 (ms, one run)", 1),
        ("mqtt_p99_ms", "MQTT p99 (ms)", 1),
        ("mqtt_lost", "MQTT messages lost", 0),
        ("mqtt_max_rate", "MQTT highest clean rate (msg/s, one search)", 0),
    ):
        if hm.get(key) is not None or ha.get(key) is not None:
            ratio = result.get("ratio_mqtt_rate") if key == "mqtt_max_rate" else None
            lines.append(
                f"| {label} | {_fmt(hm.get(key), digits)} | {_fmt(ha.get(key), digits)} | "
                f"{_fmt(ratio, 1) if ratio is not None else ''} |"
            )
    for key, label in READ_LABELS.items():
        each = (result.get("ratio_history_read_each") or {}).get(key)
        lines.append(
            f"| history read (ms): {label} | {_cell(hm, 'history_read_ms', 1, key)} | "
            f"{_cell(ha, 'history_read_ms', 1, key)} | {_fmt(each, 1) if each else ''} |"
        )
    ceiling = result.get("sqlite_ceiling") or {}
    if ceiling:
        lines.append(
            f"| bare sqlite3 ceiling, same rows (rows/s) | {_fmt(ceiling['median'])} "
            f"({_fmt(ceiling['range'][0])}-{_fmt(ceiling['range'][1])}) | | "
            f"ours {100 * result['recorded_share_of_ceiling']:.0f} % of it |"
        )
    return lines


def _history_text(result: dict[str, Any]) -> list[str]:
    history = result.get("history") or {}
    if not history:
        return []
    hm_fill = history["hearthmind"]["fill"]
    out = [
        "",
        f"History reads: {history['changes']:,} changes of the 1,000 entities over "
        f"{history['days']} days, read through each system's REST history API "
        "(`GET /api/history/period/<start>?filter_entity_id=...&end_time=...` on 127.0.0.1 "
        "with a bearer token), one keep-alive connection, request sent to last byte read; "
        "each read's answer is checked against the history written (entities, number of "
        "states, values), for both systems; one untimed warm-up, then the median of "
        f"{result.get('runs', 3)} runs (range; load average when the reads began). "
        f"`ratio_history_read` ({_fmt(result.get('ratio_history_read'), 2)}) is the smallest "
        "of the three ratios HA time / our time, so every read is at least that much faster "
        "than HA's. Ours was filled through the real recorded write path (the hub's clock set "
        "to each change's time, a new Context per change, the Recorder with backpressure) at "
        f"{_fmt(hm_fill['per_s'])} changes/s into a {history['hearthmind']['db_bytes'] / 1e6:,.0f} MB "
        "database.",
    ]
    ha_part = history.get("homeassistant")
    if ha_part:
        out[-1] += (
            " Home Assistant's was written straight into its own database with sqlite3 "
            "(bench/ha/history_bench.py: its own code creates the schema and records the "
            "entities once; the rows copy that shape: states_meta ids, its attributes row, "
            "old_state_id chains, a ULID context per change; its five states indexes "
            f"dropped for the insert and created again; {ha_part['db_bytes'] / 1e6:,.0f} MB), "
            "because its recorder would need over an hour for 10 million changes; its "
            "recorder_runs hold one run per day (HA bounds its start-state search by the "
            "run's start, so longer runs would only slow HA down)."
        )
    return out


SCHEMA_TEXT = (
    "Schemas differ, and that is part of the write figure: our `states` table keeps one "
    "index (last_updated_ts) and the writer keeps a separate per-entity index table "
    "(`states_entity_index`, entity_id + last_updated_ts + state_id, WITHOUT ROWID) up to "
    "date in bulk, every 50,000 rows and whenever it is idle (reads add the few newer rows "
    "from `states` by state_id); Home Assistant 2024.3.3's `states` table keeps five indexes, "
    "updated on every insert: (metadata_id, last_updated_ts), last_updated_ts, "
    "context_id_bin, old_state_id and attributes_id. Measured with bare sqlite3 (1,000 "
    "entities, 200,000 rows into a 1,000,000-row table, batches of 5,000): the time index "
    "alone 2.2 us a row, plus a live (entity_id, last_updated_ts) index 17.4 us, plus the "
    "bulk copy instead 4.2 us."
)


def write_docs(result: dict[str, Any], command: str, quick: bool = False) -> bool:
    """Replace the section; a --quick run never replaces a full run's figures."""
    path = REPO / "docs" / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    current = text.partition(SECTION)[2].split("\n## ", 1)[0]
    if quick and SECTION in text and "bench/core.py --quick" not in current:
        return False  # the section holds a full run's figures (with or without --skip-*)
    hm = result["hearthmind"]
    ha = result.get("homeassistant") or {}
    lines = [
        SECTION,
        "",
        f"Command: `{command}` "
        f"({hm.get('measured_at') or time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {hm.get('run_load_average', '?')} during the "
        "run: timings are noisy on a shared machine; both systems ran in the same "
        "conditions, and each figure shows the load average when its runs began).",
        "",
        "1,000 entities, 100 listeners tracking 10 entities each; a burst of "
        f"{hm['details']['burst_changes']:,} state changes yielding every 1,000, each with a "
        "new Context (as Home Assistant's `async_set` makes one when none is given); the "
        "clock stops when the last change is committed. Headline figures are the median of "
        f"{result.get('runs', 3)} runs, with their range (min-max) and the 1-minute load "
        "average at the start of each run; the sustained, PostgreSQL and MQTT figures are "
        "one run or search each. See bench/core.py for the exact workloads.",
        "",
        *_table(result),
    ]
    if not ha:
        lines += ["", "Home Assistant columns: not run (`--quick`)."]
    kept = result.get("kept_from")
    if kept:
        lines += [
            "",
            f"Not measured in this run, taken from the full run of {kept['measured_at']} "
            f"(`--keep-from`; the write path they measure has not changed since): {', '.join(kept['figures'])} and "
            "their ratios.",
        ]
    lines += _history_text(result)
    lines += [
        "",
        SCHEMA_TEXT,
        "",
        "The ceiling: the burst's rows (a new context id each) written by a bare sqlite3 "
        "script into our schema, WAL and synchronous=NORMAL, one transaction per 5,000 rows "
        "of multi-row INSERTs, the per-entity index copied every 50,000 rows: SQLite alone, "
        "with no hub, Python objects or queue (bench/core_history.py).",
        "",
        "How the recorder keeps up: the event-loop listener only appends the new `State` to a "
        "queue; one writer thread turns whatever is queued (up to 5,000) into one transaction "
        "of multi-row INSERTs (COPY on PostgreSQL), SQLite in WAL mode with "
        "synchronous=NORMAL (a commit survives the process being killed); identical "
        "attribute sets are stored once; producers that outrun it wait on "
        "`Recorder.async_throttle()` (backpressure), so memory stays bounded. Raw results "
        "per run are in the JSON (`--json`), under `details` and `history`.",
        "",
        "MQTT: a device's state message (through a real Mosquitto on 127.0.0.1) to the "
        "automation's command leaving the hub, at 1,000 messages/s for 20 s, 1,000 discovered "
        "sensors and 100 automations, recorder on; the load generator (bench/ha/mqtt_load.py, "
        "the same for both systems) runs in its own process, in one thread, with Nagle's "
        "algorithm off. What keeps the tail short here: the hub's broker socket has "
        "TCP_NODELAY (paho leaves Nagle on, and a command then waits for the broker's delayed "
        "ACK, up to 40 ms); after start-up and after discovery bursts the hub collects and "
        "freezes its long-lived objects once (hearthmind.core.heap), so later full garbage "
        "collections walk only new objects (in diagnosis probes with gc.callbacks, under a "
        "millisecond instead of 10-30 ms); the recorder commits every "
        "10 ms, so the writer shares the CPU and the GIL with the event loop in short slices "
        "(`bench/core_mqtt.py --quick --commit-interval 0.05` runs the old 50 ms for "
        "comparison); the writer binds rows on the driver's own cursor rather than through "
        "SQLAlchemy's per-statement machinery; and, as in Home Assistant, an automation "
        "entity's run bookkeeping (last_triggered, current) is not recorded, so a run does not "
        "store a new attribute row. `bench/core_mqtt.py --echo-floor` measures the harness itself against a "
        "trivial paho echo client (no hub); `python bench/ha/mqtt_load.py run --dump FILE` "
        "writes every message's times for diagnosis.",
    ]
    section = "\n".join(lines) + "\n"
    if SECTION in text:
        head, _, rest = text.partition(SECTION)
        after = rest.split("\n## ", 1)
        tail = ("\n## " + after[1]) if len(after) > 1 else ""
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
    return True
