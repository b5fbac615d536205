"""Home Assistant 2024.3.3 baseline for bench/core.py: the same workloads, on real HA.

HA is installed by this module into its own venv (``bench/.ha-venv``, or
``$HEARTHMIND_HA_VENV``) when missing: ``pip install homeassistant==2024.3.3 'josepy<2'``
plus the pinned requirements of the integrations used (recorder, mqtt and their
dependencies, from their manifest.json), so HA never pip-installs at run time. Each
workload runs HA in its own process (bench/ha/*.py, inside that venv) with a fresh
temporary config dir; HA is booted through ``bootstrap.async_from_config_dict`` (the path
``hass -c`` takes) without the default integrations (frontend, cloud, backup, ...).

State changes (bench/ha/state_bench.py), driven like Hearthmind's in bench/core.py:
  1,000 entities ``sensor.bench_0000`` ..; 100 ``async_track_state_change_event`` listeners,
  listener k tracking entities 10k..10k+9; change n sets entity n % 1000 to str(n + 1).
  * ``state_changes_per_s``: the median of 3 bursts (``range``, and ``load_average`` at the
    start of each) of 200,000 ``hass.states.async_set`` calls (no Context passed: HA makes a
    new one per call), yielding
    to the loop every 1,000, HA's recorder on (default settings, SQLite
    ``home-assistant_v2.db`` in the config dir); the clock stops when HA's loop is idle and
    ``Recorder.async_block_till_done()`` returns (a SynchronizeTask queued behind every
    change; the recorder commits before running it). The committed rows are counted.
  * ``in_memory_per_s``: the same burst with no recorder set up (median of 3).
  * ``sustained_per_s``: changes paced evenly (10 ms ticks) for 60 s, recorder on; a rate
    is sustained when the producer is never > 1 s behind, the recorder's queue in the
    second half never holds more than 2 s of changes, and the last change is committed
    within 2 s. Rates 1,000, 2,000, 4,000, ... until one fails, then three bisections
    (when 1,000/s already fails: 500, 250, ... down to 62.5 until one holds, then bisect).

MQTT (bench/ha/mqtt_hub.py in HA, bench/ha/mqtt_load.py as the load generator in its own
process; bench/core_mqtt.py runs the identical workload on Hearthmind):
  * Mosquitto (Debian's) on a free 127.0.0.1 port (tests/fixtures/mosquitto.py's config);
  * 1,000 sensors, each its own device, from retained discovery configs
    ``homeassistant/sensor/bench_<i>/config`` (object_id bench_<i>, state topic
    ``bench/sensor/<i>/state``) published before the hub starts;
  * 100 automations, k = 0..99: mode queued (HA's default max of 10), trigger state of
    ``sensor.bench_<k>``, action ``mqtt.publish`` topic ``bench/cmd/<k>`` payload
    ``{{ trigger.to_state.state }}``;
  * HA's recorder on (default settings, SQLite);
  * state messages (qos 0), payload a fresh sequence number, round-robin over the 100
    automated sensors at 1,000/s for 20 s; latency = command arrival at a subscriber of
    ``bench/cmd/+`` minus the state's publish, one process's monotonic clock; drain until
    all arrived, or 1 s after the hub answers a ping sent after the last publish (it has
    handled everything), or 300 s (30 s in search steps); what has not arrived is lost.
  * ``mqtt_max_rate``: 20 s steps at 100, 200, 400, ... msg/s until one loses anything or
    has p99 >= 1 s, then three bisections (when 100/s fails: halving down to 12.5/s
    until one holds, then bisect); before each step the hub must answer a ping
    on ``bench/ctl/ping`` (loop idle, recorder committed) so no backlog carries over.

``run_homeassistant(quick)`` returns ``state_changes_per_s``, ``in_memory_per_s``,
``sustained_per_s``, ``mqtt_p50_ms``, ``mqtt_p99_ms``, ``mqtt_lost``, ``mqtt_max_rate``
and ``details`` (per-workload raw results). ``quick``: 20,000-change bursts, 10 s paced
steps, 5 s of MQTT at 1,000/s and no rate search (``mqtt_max_rate`` is None).

Standalone: ``.venv/bin/python bench/core_ha.py [--quick] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.console import Console

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.fixtures.mosquitto import MosquittoServer, free_port  # noqa: E402

from runs import median_of_runs  # noqa: E402  (bench/ is the script folder)

HA_VERSION = "2024.3.3"
HA_VENV = Path(os.environ.get("HEARTHMIND_HA_VENV", BENCH / ".ha-venv"))
HA_PYTHON = HA_VENV / "bin" / "python"
HA_DIR = BENCH / "ha"
# Integrations whose pinned requirements we install up front (HA runs with skip_pip).
HA_INTEGRATIONS = ("recorder", "mqtt", "automation", "sensor", "homeassistant")
INSTALLED_MARKER = HA_VENV / f".installed-homeassistant-{HA_VERSION}"

BURST = 200_000
QUICK_BURST = 20_000
PACED_SECONDS = 60.0
QUICK_PACED_SECONDS = 10.0
PACED_START = 1_000.0
MQTT_RATE = 1_000.0

console = Console(stderr=True)


def log(message: str) -> None:
    console.log(f"[bold cyan]HA[/] {message}")


# --- installation -------------------------------------------------------------------


def _manifest_requirements(site_packages: Path) -> list[str]:
    """Pinned requirements of HA_INTEGRATIONS and their dependencies."""
    components = site_packages / "homeassistant" / "components"
    seen: set[str] = set()
    requirements: set[str] = set()

    def walk(domain: str) -> None:
        if domain in seen:
            return
        seen.add(domain)
        manifest = components / domain / "manifest.json"
        if not manifest.exists():
            return
        data = json.loads(manifest.read_text(encoding="utf-8"))
        requirements.update(data.get("requirements", []))
        for dep in [*data.get("dependencies", []), *data.get("after_dependencies", [])]:
            walk(dep)

    for domain in HA_INTEGRATIONS:
        walk(domain)
    return sorted(requirements)


def ensure_ha_venv() -> float:
    """Create HA's venv and install HA when missing; returns seconds spent installing."""
    if INSTALLED_MARKER.exists():
        return 0.0
    start = time.perf_counter()
    pip = [str(HA_PYTHON), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    with console.status(f"installing Home Assistant {HA_VERSION} into {HA_VENV} (several minutes)"):
        if not HA_PYTHON.exists():
            subprocess.run([sys.executable, "-m", "venv", str(HA_VENV)], check=True, timeout=300)
        # psycopg2: HA's recorder on PostgreSQL (tests/routines/make_ha_db.py writes one)
        subprocess.run(
            [*pip, f"homeassistant=={HA_VERSION}", "josepy<2", "psycopg2-binary"],
            check=True,
            timeout=1800,
        )
        site = subprocess.run(
            [str(HA_PYTHON), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()
        subprocess.run([*pip, *_manifest_requirements(Path(site))], check=True, timeout=1800)
    INSTALLED_MARKER.write_text(f"homeassistant=={HA_VERSION}\n", encoding="utf-8")
    seconds = time.perf_counter() - start
    log(f"installed Home Assistant {HA_VERSION} in {seconds:.0f} s")
    return seconds


# --- running HA's drivers ------------------------------------------------------------


def _last_json(stdout: str, what: str) -> dict[str, Any]:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            result: dict[str, Any] = json.loads(line)
            return result
    raise RuntimeError(f"{what} printed no JSON result")


def _run_json(args: list[str], timeout: float, what: str) -> dict[str, Any]:
    """Run a driver, passing its stderr through, and parse its JSON line."""
    proc = subprocess.run(
        args, stdout=subprocess.PIPE, text=True, timeout=timeout, check=False, cwd=REPO
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{what} exited with {proc.returncode}")
    return _last_json(proc.stdout, what)


def _state_bench(*args: str, timeout: float) -> dict[str, Any]:
    return _run_json(
        [str(HA_PYTHON), str(HA_DIR / "state_bench.py"), *args], timeout, f"state_bench {args}"
    )


def _median_run(args: list[str], runs: int, timeout: float) -> dict[str, Any]:
    """`runs` runs of one burst; the median run's figures plus every run and the range."""
    return median_of_runs(lambda: _state_bench(*args, timeout=timeout), runs)


def run_state_workloads(quick: bool, runs: int = 3, sustained: bool = True) -> dict[str, Any]:
    changes = QUICK_BURST if quick else BURST
    log(f"{runs} bursts of {changes:,} changes, recorder on")
    recorded = _median_run(["burst", "--recorder", "--changes", str(changes)], runs, 1800)
    log(
        f"recorder on: median {recorded['per_s']:,.0f} changes/s committed, runs "
        f"{recorded['runs']} (queued at {recorded['queued_per_s']:,.0f}/s, peak RSS "
        f"{recorded['peak_rss_mb']:.0f} MB, {recorded['state_rows_committed']:,} rows, CPU share "
        f"{recorded['cpu_share']:.2f}, {recorded['per_cpu_s']:,.0f} per CPU second)"
    )
    if recorded["state_rows_committed"] < changes:
        raise RuntimeError(f"HA's recorder committed {recorded['state_rows_committed']} rows")
    log(f"{runs} bursts of {changes:,} changes, recorder off")
    memory = _median_run(["burst", "--changes", str(changes)], runs, 600)
    log(f"recorder off: median {memory['per_s']:,.0f} changes/s, runs {memory['runs']}")
    best, steps = _search_sustained(quick) if sustained else (None, [])
    return {
        "state_changes_per_s": recorded["per_s"],
        "in_memory_per_s": memory["per_s"],
        "sustained_per_s": best,
        "burst_recorded": recorded,
        "burst_in_memory": memory,
        "sustained_steps": steps,
    }


def _search_sustained(quick: bool) -> tuple[float, list[dict[str, Any]]]:
    seconds = QUICK_PACED_SECONDS if quick else PACED_SECONDS
    steps: list[dict[str, Any]] = []

    def step(rate: float) -> bool:
        res = _state_bench(
            "paced", "--rate", str(rate), "--seconds", str(seconds), timeout=seconds + 600
        )
        res.pop("backlog_samples", None)
        steps.append(res)
        log(
            f"paced {rate:,.0f}/s for {seconds:.0f} s: max backlog {res['max_backlog_second_half']:,}, "
            f"drain {res['drain_s']:.1f} s, producer lag {res['producer_max_lag_s']:.2f} s -> "
            f"{'sustained' if res['passed'] else 'falls behind'}"
        )
        return bool(res["passed"])

    best, failed = 0.0, None
    rate = PACED_START
    if step(rate):
        while rate < 1_024_000:
            best, rate = rate, rate * 2
            if not step(rate):
                failed = rate
                break
    else:
        # even the first rate falls behind (a slow or busy machine): halve until one holds
        failed = rate
        while rate > PACED_START / 16:
            rate /= 2
            if step(rate):
                best = rate
                break
            failed = rate
    if failed is not None and best > 0:
        for _ in range(1 if quick else 3):
            rate = round((best + failed) / 2)
            if step(rate):
                best = rate
            else:
                failed = rate
    return best, steps


@contextlib.contextmanager
def _ha_mqtt_hub(broker_port: int, recorder: bool) -> Iterator[dict[str, Any]]:
    """HA with MQTT + 100 automations; yields a dict filled with its final report."""
    args = [
        str(HA_PYTHON),
        str(HA_DIR / "mqtt_hub.py"),
        "--broker-port",
        str(broker_port),
        "--http-port",
        str(free_port()),
    ]
    if not recorder:
        args.append("--no-recorder")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert proc.stdout is not None
    ready = threading.Event()
    lines: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.strip() == "READY":
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    report: dict[str, Any] = {}
    try:
        deadline = time.monotonic() + 300
        while not ready.wait(0.5):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Home Assistant's MQTT hub did not get ready")
        yield report
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(180)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        reader.join(5)
        with contextlib.suppress(RuntimeError):
            report.update(_last_json("".join(lines), "mqtt_hub"))


def _load_python() -> str:
    """The load generator needs paho-mqtt: this venv's when it has it, else HA's."""
    probe = subprocess.run(
        [sys.executable, "-c", "import paho.mqtt.client"], capture_output=True, check=False
    )
    return sys.executable if probe.returncode == 0 else str(HA_PYTHON)


def run_mqtt_workload(
    quick: bool, recorder: bool = True, rate: float = MQTT_RATE
) -> dict[str, Any]:
    load = [_load_python(), str(HA_DIR / "mqtt_load.py")]
    with MosquittoServer() as broker:
        port = ["--port", str(broker.port)]
        _run_json([*load, "discover", *port], 120, "mqtt_load discover")
        log(f"HA with MQTT discovery and 100 automations, recorder {'on' if recorder else 'off'}")
        with _ha_mqtt_hub(broker.port, recorder) as hub_report:
            run = [*load, "run", *port, "--rate", str(rate), "--ping"]
            if quick:
                run += ["--seconds", "5"]
                timeout = 900.0
            else:
                run += ["--search"]
                timeout = 5400.0
            result = _run_json(run, timeout, "mqtt_load run")
        head = result["headline"]
        log(
            f"MQTT at {rate:,.0f}/s: p50 {head['p50_ms']} ms, p99 {head['p99_ms']} ms, "
            f"lost {head['lost']:,} of {head['sent']:,}; max rate {result.get('max_rate')}"
        )
    return {
        "mqtt_p50_ms": head["p50_ms"],
        "mqtt_p99_ms": head["p99_ms"],
        "mqtt_lost": head["lost"],
        "mqtt_max_rate": result.get("max_rate"),
        "mqtt_headline": head,
        "mqtt_steps": result.get("steps", []),
        "mqtt_hub": hub_report,
        "mqtt_recorder": recorder,
    }


def _timed(what: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    start = time.perf_counter()
    result = fn()
    result[f"{what}_seconds"] = time.perf_counter() - start
    return result


def run_homeassistant(
    quick: bool, runs: int = 3, mqtt: bool = True, sustained: bool = True
) -> dict[str, Any]:
    """All HA figures for bench/core.py's ``homeassistant`` part (see the module doc)."""
    install_seconds = ensure_ha_venv()
    load_before = os.getloadavg()
    if load_before[0] > 1.5:
        log(f"[yellow]the machine is busy (load {load_before[0]:.1f}): HA's figures will be low")
    state = _timed("state", lambda: run_state_workloads(quick, runs, sustained))
    mqtt_part = _timed("mqtt", lambda: run_mqtt_workload(quick)) if mqtt else {}
    recorded, memory = state["burst_recorded"], state["burst_in_memory"]
    return {
        "state_changes_per_s": state["state_changes_per_s"],
        "in_memory_per_s": state["in_memory_per_s"],
        "sustained_per_s": state["sustained_per_s"],
        "mqtt_p50_ms": mqtt_part.get("mqtt_p50_ms"),
        "mqtt_p99_ms": mqtt_part.get("mqtt_p99_ms"),
        "mqtt_lost": mqtt_part.get("mqtt_lost"),
        "mqtt_max_rate": mqtt_part.get("mqtt_max_rate"),
        "range": {"state_changes_per_s": recorded["range"], "in_memory_per_s": memory["range"]},
        "load_average": {
            "state_changes_per_s": recorded["load_averages"],
            "in_memory_per_s": memory["load_averages"],
        },
        "details": {
            "version": HA_VERSION,
            "install_seconds": install_seconds,
            # 1-minute load averages: above ~1.5 other work shared the 2 cores
            "loadavg_before": load_before[0],
            "loadavg_after": os.getloadavg()[0],
            "state": state,
            "mqtt": mqtt_part,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs, no MQTT rate search")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--only", choices=["state", "mqtt", "mqtt-no-recorder"], help="run one workload"
    )
    parser.add_argument("--mqtt-rate", type=float, default=MQTT_RATE, help="with --only mqtt*")
    args = parser.parse_args()
    if args.only:
        ensure_ha_venv()
        if args.only == "state":
            result = run_state_workloads(args.quick)
        else:
            result = run_mqtt_workload(args.quick, args.only == "mqtt", args.mqtt_rate)
    else:
        result = run_homeassistant(args.quick)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
