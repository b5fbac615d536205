"""The recorder: every event and state change of the hub, committed to SQLite (WAL, the
default) or PostgreSQL through one queued, batching writer thread (see `recorder.py`).

Schema (Alembic revision 0003; migrations in `migrations/versions/`). Times are epoch seconds
(UTC) as double precision; `origin` is plain text: physical, voice, app, automation, agent,
sensor.

``states``: one row per state change, the history of every entity.
    state_id (PK, increasing in commit order), entity_id ("light.kitchen"),
    state (text; NULL when the entity was removed), attributes_id (-> state_attributes, NULL
    when there are none), last_changed_ts, last_updated_ts, context_id, origin, user_id,
    parent_id. Index: (last_updated_ts) only (a live per-entity index halved the write rate).
``states_entity_index``: (entity_id, last_updated_ts, state_id), WITHOUT ROWID on SQLite:
    each entity's history in time order, copied from `states` in bulk by the writer (every
    50,000 rows and when idle), up to the state_id in ``recorder_marks`` ('entity_index');
    reads of a few entities or of the states in force at a time use it, plus the rows above
    the mark from `states` by state_id (history.py).
``state_attributes``: each distinct attribute set once: attributes_id, hash (64-bit of the
    JSON), shared_attrs (JSON text).
``events``: every other event (call_service, hub_start, ...): event_id, event_type,
    event_data (JSON), time_fired_ts, context_id, origin, user_id, parent_id.

Reading (see `history.py`): "what did people do, in time order" is

    SELECT s.entity_id, s.state, s.last_updated_ts, s.origin, s.user_id, a.shared_attrs
    FROM states s LEFT JOIN state_attributes a USING (attributes_id)
    WHERE s.origin IN ('physical', 'voice', 'app') ORDER BY s.last_updated_ts, s.state_id

or `iter_state_changes(engine, origin=("physical", "voice", "app"))` in Python."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from hearthmind.core import ConfigError, Hub, HubConfig, SetupOptions, register_section

from .causes import CauseLink, ChangeCauses, change_causes, people_names
from .engine import create_recorder_engine, describe_url, missing_sqlite_file, normalize_url
from .ha_history import history_in_ha_shape, iso_utc
from .history import (
    EventRow,
    PurgeResult,
    StateRow,
    events,
    export_csv,
    iter_state_changes,
    open_engine,
    purge,
    state_changes,
    state_histories,
    state_history,
    state_history_rows,
)
from .migrate import current_revision, upgrade
from .recorder import DATA_KEY, Recorder, RecorderError, classify
from .schema import SCHEMA_VERSION
from .summaries import last_recorded_time, latest_states, origin_counts
from .why import explain_change, why_answer

_LOGGER = logging.getLogger(__name__)


class RecorderConfig(BaseModel):
    """The `recorder:` section of configuration.yaml."""

    model_config = ConfigDict(extra="forbid")

    db_url: str | None = None  # default: sqlite:///<config dir>/hearthmind.db
    purge_keep_days: float | None = Field(default=None, gt=0)  # daily retention purge
    busy_timeout: float = Field(default=5.0, gt=0)  # seconds SQLite waits for a lock
    # seconds between commits of a steady stream, as HA's key (whose default is 5 s: ours is
    # short for the event loop's latency, see Recorder.__init__)
    commit_interval: float = Field(default=0.01, ge=0, le=60)


# HA's recorder keys that are accepted and not used (warned about, with their line)
register_section(
    "recorder",
    RecorderConfig,
    unused_ha_keys=(
        "auto_purge",
        "auto_repack",
        "exclude",
        "include",
        "db_max_retries",
        "db_retry_wait",
    ),
)


def config_db_url(config: HubConfig, override: str | None = None) -> str:
    """The database: the command line's, else configuration.yaml's, else the default. A
    relative path on the command line is relative to where the command runs, as any path a
    person types; in configuration.yaml it is relative to the configuration directory."""
    if override:
        return normalize_url(override, Path.cwd())
    section = config.section("recorder", RecorderConfig)
    if section.db_url:
        return normalize_url(section.db_url, config.config_dir)
    return config.default_db_url


def recorder_db_url(hub: Hub, override: str | None = None) -> str:
    return config_db_url(hub.config, override)


def get_recorder(hub: Hub) -> Recorder | None:
    return hub.data.get(DATA_KEY)


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Component set-up (bootstrap): start recording unless `options.record` is False."""
    if not getattr(options, "record", True):
        return
    section = hub.config.section("recorder", RecorderConfig)
    override = getattr(options, "db_url", None)
    url = recorder_db_url(hub, override)
    if not override and section.db_url:
        _check_folder(hub.config, url)
    recorder = Recorder(
        hub, url, busy_timeout=section.busy_timeout, commit_interval=section.commit_interval
    )
    await recorder.async_start()
    if section.purge_keep_days is not None:
        _schedule_purge(hub, recorder, section.purge_keep_days)


def _check_folder(config: HubConfig, url: str) -> None:
    """A configured SQLite file must be in a folder that exists: a mistyped path would
    otherwise start an empty history somewhere nobody looks."""
    if not url.startswith("sqlite:///"):
        return
    folder = Path(url.removeprefix("sqlite:///")).parent
    if not folder.is_dir():
        file, line = config.lines.where(("recorder", "db_url"))
        raise ConfigError(
            file or str(config.path),
            line,
            f"recorder.db_url: the folder {folder} does not exist (create it, or fix the path)",
        )


def _schedule_purge(hub: Hub, recorder: Recorder, keep_days: float) -> None:
    """Purge once a day (hub clock) while the recorder runs."""

    def due() -> None:
        if not recorder.running:
            return
        hub.clock.call_at(hub.clock.now() + timedelta(days=1), due)
        hub.async_create_task(run(), name="recorder-purge")

    async def run() -> None:
        result = await recorder.async_purge(keep_days)
        _LOGGER.info("recorder purge (keep %s days): %s", keep_days, result)

    hub.clock.call_at(hub.clock.now() + timedelta(days=1), due)


__all__ = [
    "SCHEMA_VERSION",
    "CauseLink",
    "ChangeCauses",
    "EventRow",
    "PurgeResult",
    "Recorder",
    "RecorderConfig",
    "RecorderError",
    "StateRow",
    "async_setup",
    "change_causes",
    "classify",
    "config_db_url",
    "create_recorder_engine",
    "current_revision",
    "describe_url",
    "events",
    "explain_change",
    "export_csv",
    "get_recorder",
    "history_in_ha_shape",
    "iso_utc",
    "iter_state_changes",
    "last_recorded_time",
    "latest_states",
    "missing_sqlite_file",
    "open_engine",
    "origin_counts",
    "people_names",
    "purge",
    "recorder_db_url",
    "state_changes",
    "state_histories",
    "state_history",
    "state_history_rows",
    "upgrade",
    "why_answer",
]
