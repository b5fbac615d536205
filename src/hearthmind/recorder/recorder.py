"""The recorder: one queued, batching writer thread that commits every event and state change.

On the event loop the recorder only appends the event to a queue (a deque: cheap, thread-safe).
The writer thread takes everything queued (up to `max_batch`), turns it into rows (JSON via
orjson, shared attributes) and commits it in one transaction, so batches grow by themselves
when the hub is busy. Durability is explicit: `committed_states` / `committed_events` count
what is committed, and `async_flush()` returns when everything queued before it is committed.

When the database refuses a batch (locked by another connection, full, unreachable) the batch
stays in memory, the problem is counted in `hub.health` with a message naming it, and the
writer retries with backoff; the hub keeps running and nothing queued is lost."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import InterfaceError, OperationalError

from hearthmind.core import EVENT_STATE_CHANGED, MATCH_ALL, DataKey, Event, Hub, State

from .engine import create_recorder_engine, describe_url, normalize_url
from .history import PurgeResult, purge_connection
from .migrate import upgrade
from .writer import BatchWriter, Job

_LOGGER = logging.getLogger(__name__)

DATA_KEY: DataKey[Recorder] = DataKey("recorder")


class RecorderError(Exception):
    """The recorder cannot start (bad URL, unreachable database, failed migration)."""


class _Marker:
    """A queue item that is not an event: resolved once everything before it is committed."""

    __slots__ = ("future", "job")

    def __init__(self, future: asyncio.Future[Any], job: Job | None = None) -> None:
        self.future = future
        self.job = job


def classify(err: BaseException) -> tuple[str, str]:
    """(health counter, what is wrong) for a database error, in words a person can act on."""
    orig = getattr(err, "orig", None) or err
    message = " ".join(str(orig).split()) or type(orig).__name__
    low = message.lower()
    name = type(orig).__name__
    if "locked" in low or name in ("LockNotAvailable", "DeadlockDetected") or "lock" in low:
        return "recorder_db_locked", f"database is locked by another connection ({message})"
    if "full" in low or "no space" in low or "could not extend" in low or name == "DiskFull":
        return "recorder_db_full", f"database or disk is full ({message})"
    if "readonly" in low or "read-only" in low:
        return "recorder_db_readonly", f"database is read-only ({message})"
    return "recorder_db_errors", f"database error ({message})"


class Recorder:
    """Records every event and state change of `hub` into the database at `db_url`."""

    def __init__(
        self,
        hub: Hub,
        db_url: str,
        *,
        max_batch: int = 5_000,
        high_water: int = 20_000,
        low_water: int = 5_000,
        busy_timeout: float = 5.0,
        retry_delays: tuple[float, float] = (0.05, 5.0),
        stop_timeout: float = 60.0,
        commit_interval: float = 0.01,
    ) -> None:
        self.hub = hub
        self.db_url = normalize_url(db_url)
        self.engine = create_recorder_engine(self.db_url, busy_timeout=busy_timeout)
        self.max_batch = max_batch
        self.high_water = high_water  # producers awaiting async_throttle wait above this
        self.low_water = low_water  # ... until the backlog is down to this
        self.retry_delays = retry_delays
        self.stop_timeout = stop_timeout
        # After a commit of less than a full batch, wait this long (seconds) for more before
        # the next one, so that a steady stream commits in batches, not change by change.
        # `async_flush`, backpressure and stopping cut the wait short. Short, because while a
        # batch is written the event loop shares the CPU and the GIL with the writer: at
        # 1,000 MQTT messages/s, 10 ms batches (about 2 ms of writing each) kept an
        # automation's answer p99 1-2 ms lower than 50 ms batches (about 8 ms each), for
        # about 15 % more writer CPU: `bench/core_mqtt.py --commit-interval 0.05` compares.
        self.commit_interval = commit_interval
        self.committed_states = 0
        self.committed_events = 0
        self.commits = 0
        self.failing: str | None = None  # what is wrong while the database refuses writes
        self.lost = 0  # only ever non-zero if the hub stopped while the database was refusing
        self._queue: deque[Any] = deque()
        self._wake = threading.Event()
        self._idle = False
        self._stopping = False
        self._abandon = False
        self._room: asyncio.Future[None] | None = None
        self._room_wanted = False
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unsub: Any = None
        # Errors meaning "the database refuses writes now" (retry later), as SQLAlchemy wraps
        # them and as the driver raises them on raw paths (PostgreSQL's COPY).
        dbapi: Any = self.engine.dialect.loaded_dbapi
        self._refusals: tuple[type[BaseException], ...] = (
            OperationalError,
            InterfaceError,
            dbapi.OperationalError,
            dbapi.InterfaceError,
        )
        self._batch_writer = BatchWriter(self.engine.dialect.name, self.engine.dialect.paramstyle)
        # seconds between bulk updates of the per-entity index while the writer is idle
        self.index_interval = 1.0
        self._indexed_at = 0.0

    # -- the event loop side -----------------------------------------------------------------

    @property
    def backlog(self) -> int:
        """Items queued and not yet taken by the writer."""
        return len(self._queue)

    @property
    def settled(self) -> bool:
        """Everything queued so far is committed: nothing is queued and the writer waits for
        work (it only waits after its last batch committed). A reader may skip the flush."""
        return not self._queue and self._idle and self.running

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    async def async_start(self) -> None:
        """Migrate the database to the newest schema, start the writer, listen to everything."""
        self._loop = asyncio.get_running_loop()
        where = describe_url(self.db_url)
        try:
            await self._loop.run_in_executor(None, upgrade, self.engine)
        except Exception as err:
            _, what = classify(err)
            raise RecorderError(f"recorder cannot open {where}: {what}") from err
        self._thread = threading.Thread(target=self._run, name="recorder-writer", daemon=True)
        self._thread.start()
        self._unsub = self.hub.bus.async_listen(MATCH_ALL, self._on_event)
        # its own bound: the last flush may wait out `stop_timeout` of a refusing database, and
        # then abandoning what is left takes a moment more
        self.hub.async_on_stop(self.async_stop, timeout=self.stop_timeout + 30.0)
        self.hub.data[DATA_KEY] = self
        _LOGGER.info("recording to %s", where)

    def _on_event(self, event: Event) -> None:
        # The hot path: runs inline for every event on the loop. Keep it this small. A state
        # change is queued as its new `State` alone, so the event and the old state it holds
        # can be freed at once (less memory, less garbage-collector work while queued).
        if event.event_type == EVENT_STATE_CHANGED:
            state = event.data["new_state"]
            self._queue.append(event if state is None else state)
        else:
            self._queue.append(event)
        if self._idle:  # wake the writer once, not on every event until it runs
            self._idle = False
            self._wake.set()

    async def async_flush(self) -> None:
        """Return when everything queued so far is committed."""
        await self._enqueue_marker(None)

    async def async_run_job(self, job: Job) -> Any:
        """Run `job(connection)` in the writer thread after everything queued so far."""
        return await self._enqueue_marker(job)

    async def _enqueue_marker(self, job: Job | None) -> Any:
        if not self.running:
            raise RecorderError("the recorder is not running")
        assert self._loop is not None
        future: asyncio.Future[Any] = self._loop.create_future()
        self._queue.append(_Marker(future, job))
        self._wake.set()
        return await future

    async def async_purge(self, keep_days: float) -> PurgeResult:
        """Retention: delete what is older than `keep_days` (hub clock), in the writer thread."""
        cutoff = self.hub.clock.timestamp() - keep_days * 86_400

        def job(conn: Connection) -> PurgeResult:
            return purge_connection(conn, cutoff)

        result: PurgeResult = await self.async_run_job(job)
        return result

    async def async_throttle(self) -> None:
        """Backpressure for producers that can outrun the database: returns at once unless
        the backlog is above `high_water`, then waits until it is down to `low_water`. Never
        waits while the database is refusing writes (the hub must keep running)."""
        if len(self._queue) <= self.high_water or self.failing or not self.running:
            return
        assert self._loop is not None
        if self._room is None or self._room.done():
            self._room = self._loop.create_future()
        self._room_wanted = True
        self._wake.set()
        await self._room

    def _release_room(self) -> None:
        if self._room is not None and not self._room.done():
            self._room.set_result(None)

    async def async_stop(self) -> None:
        """Commit everything queued, then close. Idempotent."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        thread = self._thread
        if thread is None:
            return
        self._stopping = True
        self._wake.set()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, thread.join, self.stop_timeout)
        if thread.is_alive():  # the database refused writes for the whole stop timeout
            self._abandon = True
            self._wake.set()
            await loop.run_in_executor(None, thread.join)
        self._thread = None
        self._release_room()
        self.engine.dispose()
        if self.hub.data.get(DATA_KEY) is self:
            self.hub.data.pop(DATA_KEY)

    def _report(self, problems: list[tuple[str, str]]) -> None:
        """Count problems found in the writer thread (runs on the loop)."""
        now = self.hub.clock.timestamp()
        for counter, message in problems:
            self.hub.health.problem(counter, message, now)
            _LOGGER.warning("recorder: %s", message)

    def _from_thread(self, callback: Any, *args: Any) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(callback, *args)

    # -- the writer thread ---------------------------------------------------------------------

    def _take(self) -> list[Any]:
        queue = self._queue
        n = min(len(queue), self.max_batch)
        popleft = queue.popleft
        return [popleft() for _ in range(n)]

    def _wait_for_work(self) -> None:
        self._wake.clear()
        self._idle = True
        if not self._queue and not self._stopping:
            self._wake.wait(1.0)
        self._idle = False

    def _run(self) -> None:
        pending: list[Any] = []
        conn: Connection | None = None
        delay = self.retry_delays[0]
        while True:
            if not pending:
                pending = self._take()
                if not pending:
                    indexed, conn = self._index_when_idle(conn)
                    if indexed:
                        continue
                    if self._stopping:
                        break
                    self._wait_for_work()
                    continue
            try:
                if conn is None:
                    conn = self.engine.connect()
                result = self._batch_writer.write(conn, pending)
            except self._refusals as err:
                # The database refuses (locked, full, gone): keep the batch and retry.
                self._drop(conn)
                conn = None
                self._refused(err, len(pending), delay)
                if self._abandon:
                    break
                self._wake.wait(delay)
                self._wake.clear()
                delay = min(delay * 2, self.retry_delays[1])
                continue
            except Exception as err:
                # Something in the data itself (a string the database refuses): retry with
                # every string made storable, then event by event, so that only what cannot
                # be stored at all is skipped (and counted).
                self._drop(conn)
                conn = None
                pending = self._write_carefully(pending, err)
                if pending:  # the database started refusing meanwhile
                    continue
            else:
                self._committed(pending, result.states, result.events, result.problems)
                pending = []
            if self.failing is not None and not pending:
                self._from_thread(self._recovered, self.failing)
                self.failing = None
            delay = self.retry_delays[0]
            if self._room_wanted and len(self._queue) <= self.low_water:
                self._room_wanted = False
                self._from_thread(self._release_room)
            if len(self._queue) < self.max_batch and not self._stopping and not pending:
                self._wake.clear()
                if not self._room_wanted:
                    self._wake.wait(self.commit_interval)
        self._give_up(pending, conn)

    def _index_when_idle(self, conn: Connection | None) -> tuple[bool, Connection | None]:
        """Nothing queued: bring the per-entity index up to date (at most once per
        `index_interval` while running, and always before stopping). Returns whether it did
        (then the queue must be looked at again: events and a stop may have come meanwhile),
        and the connection to go on with."""
        writer = self._batch_writer
        if writer.unindexed == 0 or (
            not self._stopping and time.monotonic() - self._indexed_at < self.index_interval
        ):
            return False, conn
        try:
            if conn is None:
                conn = self.engine.connect()
            writer.index_entities(conn)
        except Exception as err:  # retried when next idle; reads see unindexed rows anyway
            _LOGGER.debug("recorder: indexing entities failed: %r", err)
            self._drop(conn)
            return False, None
        self._indexed_at = time.monotonic()
        return True, conn

    def _committed(
        self,
        batch: list[Any],
        states: int,
        events: int,
        problems: list[tuple[str, str]],
    ) -> None:
        self.committed_states += states
        self.committed_events += events
        self.commits += 1
        if problems:
            self._from_thread(self._report, problems)
        for item in batch:
            if type(item) is _Marker:
                self._resolve(item)

    def _resolve(self, marker: _Marker) -> None:
        if marker.job is None:
            self._from_thread(_set_result, marker.future, None)
            return
        try:
            with self.engine.begin() as conn:
                result = marker.job(conn)
        except Exception as err:
            self._from_thread(_set_exception, marker.future, err)
        else:
            self._batch_writer.forget_attributes()  # jobs (purge) may delete attribute rows
            self._from_thread(_set_result, marker.future, result)

    def _write_carefully(self, batch: list[Any], first_error: Exception) -> list[Any]:
        """Write `batch` with every string made storable, else item by item. Returns what is
        still to write: non-empty only if the database started refusing writes meanwhile."""
        _LOGGER.warning("recorder: a batch failed (%r); writing it carefully", first_error)
        outcome = self._write_chunk(batch, report=False)
        if outcome != "data_error":
            return [] if outcome == "ok" else batch
        for index, item in enumerate(batch):
            if self._write_chunk([item], report=True) == "refused":
                return batch[index:]
        return []

    def _write_chunk(self, chunk: list[Any], report: bool) -> str:
        """ "ok", "refused" (try again later) or "data_error" (this data cannot be stored)."""
        conn: Connection | None = None
        try:
            conn = self.engine.connect()
            result = self._batch_writer.write(conn, chunk, careful=True)
        except self._refusals:
            self._drop(conn)
            return "refused"
        except Exception as err:
            self._drop(conn)
            if report:
                item = chunk[0]
                what = (
                    f"the change of {item.entity_id}"
                    if type(item) is State
                    else f"a {getattr(item, 'event_type', type(item).__name__)} event"
                )
                self._from_thread(
                    self._report, [("recorder_unrecordable", f"cannot store {what}: {err!r}")]
                )
            return "data_error"
        conn.close()
        self._committed(chunk, result.states, result.events, result.problems)
        return "ok"

    def _refused(self, err: BaseException, batch_size: int, delay: float) -> None:
        counter, what = classify(err)
        waiting = batch_size + len(self._queue)
        message = (
            f"cannot write to {describe_url(self.db_url)}: {what}; "
            f"{waiting} items kept in memory, retrying in {delay:.2g} s"
        )
        self.failing = message
        self._from_thread(self._report, [(counter, message)])
        self._from_thread(self._release_room)

    def _recovered(self, message: str) -> None:
        self.hub.health.incr("recorder_recovered")
        _LOGGER.warning("recorder: writing again after: %s", message)

    def _drop(self, conn: Connection | None) -> None:
        """Throw a connection away after an error; the next attempt opens a fresh one."""
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except Exception:  # it is broken anyway
                _LOGGER.debug("closing a failed connection", exc_info=True)
        return None

    def _give_up(self, pending: list[Any], conn: Connection | None) -> None:
        if conn is not None:
            self._drop(conn)
        left = [*pending, *self._queue]
        self._queue.clear()
        lost = [item for item in left if type(item) is Event or type(item) is State]
        for item in left:
            if type(item) is _Marker:
                self._from_thread(
                    _set_exception, item.future, RecorderError(self.failing or "stopped")
                )
        if lost:
            self.lost = len(lost)
            self._from_thread(
                self._report,
                [
                    (
                        "recorder_lost",
                        f"stopped after {self.stop_timeout:.0f} s of failed writes: "
                        f"{len(lost)} events not recorded ({self.failing})",
                    )
                ],
            )


def _set_result(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)


def _set_exception(future: asyncio.Future[Any], err: BaseException) -> None:
    if not future.done():
        future.set_exception(err)
