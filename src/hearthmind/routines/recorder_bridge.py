"""The seam between learning and the recorder: write an imported log into a recorder database
(sensor readings with origin `sensor`, a person acting on a device with `physical`/`voice`),
and read people's actions and sensor events back out as observations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from hearthmind.core import Hub, Origin, SimulatedClock, valid_entity_id
from hearthmind.recorder import Recorder, iter_state_changes, missing_sqlite_file, open_engine
from hearthmind.recorder.engine import normalize_url

from .observations import HomeLog, ImportReport, Kind, Observation, sort_observations, state_of
from .observe import Observer

ACTIVITY_EVENT = "hearthmind_activity"  # ground-truth activity labels of imported logs


async def async_write_log(log: HomeLog, db_url: str, *, throttle_every: int = 2000) -> int:
    """Replays `log` through a hub on a simulated clock into the recorder at `db_url`.
    Returns how many observations were written; invalid entity ids are counted in the log's
    report and skipped."""
    if not log.observations:
        return 0
    start = datetime.fromtimestamp(min(o.time for o in log.observations), UTC)
    clock = SimulatedClock(start)
    hub = Hub(clock=clock, seed=0)
    recorder = Recorder(hub, db_url)
    await recorder.async_start()
    await hub.async_start()
    written = 0
    activities = iter(sorted(log.activities, key=lambda a: a.start))
    pending = next(activities, None)
    try:
        for n, obs in enumerate(log.observations):
            while pending is not None and pending.start <= obs.time:
                await clock.async_run_until(datetime.fromtimestamp(pending.start, UTC))
                hub.bus.async_fire(
                    ACTIVITY_EVENT,
                    {"activity": pending.label, "end": pending.end},
                    hub.context(Origin.SENSOR),
                )
                pending = next(activities, None)
            entity_id, _, value = obs.item.rpartition(":")
            if not valid_entity_id(entity_id):
                log.report.skip("invalid entity id", f"{entity_id!r} is not a valid entity id")
                continue
            await clock.async_run_until(datetime.fromtimestamp(obs.time, UTC))
            origin = (
                Origin(obs.origin) if obs.origin in Origin._value2member_map_ else Origin.SENSOR
            )
            context = hub.context(origin, obs.user_id)
            state, attributes = state_of(entity_id, value)
            # force_update: a repeated reading (motion ON twice) is still an event to learn from
            hub.states.async_set(entity_id, state, attributes, context, force_update=True)
            written += 1
            if n % throttle_every == 0:
                await recorder.async_throttle()
        await recorder.async_flush()
    finally:
        await hub.async_stop()
    return written


def read_observations(
    db: str | Path, *, start: float | None = None, end: float | None = None
) -> HomeLog:
    """People's actions (origin physical/voice/app) and sensor events from a recorder database,
    in time order, by the one rule of observe.py (the live learner's too). Every change is
    read, so that each entity's previous value is the one it really had; automation and agent
    changes are then left out: the hub learns from people, not from itself. Numeric readings
    (temperatures) and removed entities are counted skips."""
    url = normalize_url(str(db))
    missing = missing_sqlite_file(url)
    if missing is not None:  # reading must not leave an empty database behind
        raise FileNotFoundError(f"no database at {missing}")
    report = ImportReport(url)
    engine = open_engine(url)
    observations: list[Observation] = []
    observer = Observer(report)
    try:
        for row in iter_state_changes(engine, start=start, end=end):
            obs = observer.observe(
                row.last_updated_ts,
                row.entity_id,
                row.state,
                row.attributes,
                row.origin,
                row.user_id,
            )
            if obs is not None:
                observations.append(obs)
    finally:
        engine.dispose()
    name = Path(url.rsplit("/", 1)[-1]).stem
    return HomeLog(name, sort_observations(observations, report), [], report)


def actions_only(observations: Iterable[Observation]) -> list[Observation]:
    return [o for o in observations if o.kind is Kind.ACTION]
