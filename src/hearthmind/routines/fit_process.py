"""A refit in a child process of its own (`routines: fit_in: process`, the live hub's default).

Why not a thread: a fit's native allocations (LightGBM's datasets, numpy's feature matrices)
peak at tens of MB for a day of history and far more for months, and glibc keeps that peak
in the hub's process as free but resident memory after the fit: measured, a fit on 1,800
observations left RSS 65 MB up (234 -> 299 MB) and a later fit on 60 did not bring it down,
with the Python heap back under 1 MB; neither malloc_trim, MALLOC_ARENA_MAX,
MALLOC_MMAP_THRESHOLD_ nor PYTHONMALLOC=malloc changed that. A child returns everything when
it exits, so the hub keeps only the fitted model. It also takes the fit's CPU off the hub's
GIL, and runs at a lower priority (nice 10) than the hub that serves people.

The protocol is pickle over the child's stdin and stdout (the child is our own code, run
from our own interpreter): the unfitted model and the number of chunks, then the history in
chunks of plain tuples (pickling 200,000 observations at once holds the event loop for about
a second; a chunk of 2,000 takes a few ms, and the loop runs between chunks), then the
child answers ("ok", fitted model) or ("error", what went wrong)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .observations import Kind, Observation
from .predictor import Predictor

CHUNK = 2_000
# where `hearthmind` is importable from, for the child (resolved once, at import)
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_Row = tuple[float, str, str, str | None, str]


class FitProcessError(RuntimeError):
    """The child could not fit: it said why, or it died (its exit code and last words)."""


async def async_fit_in_process(model: Predictor, history: Sequence[Observation]) -> Predictor:
    """`model` fitted on `history` in a child process; cancelling kills the child."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hearthmind.routines.fit_process",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    try:
        reading = asyncio.gather(child.stdout.read(), child.stderr.read())
        try:
            chunks = (len(history) + CHUNK - 1) // CHUNK
            child.stdin.write(pickle.dumps((model, chunks), pickle.HIGHEST_PROTOCOL))
            for start in range(0, len(history), CHUNK):
                rows = [_row(o) for o in history[start : start + CHUNK]]
                child.stdin.write(pickle.dumps(rows, pickle.HIGHEST_PROTOCOL))
                await child.stdin.drain()
            child.stdin.close()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the child died early: its exit code and stderr say why, below
        answer, stderr = await reading
        code = await child.wait()
    except BaseException:  # cancelled (the hub stops) or failed: the fit is not wanted
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        with contextlib.suppress(Exception):
            await child.wait()
        raise
    if not answer:
        last = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise FitProcessError(f"the fitting process ended with code {code}: {last[0]}")
    status, payload = pickle.loads(answer)
    if status != "ok":
        raise FitProcessError(str(payload))
    fitted: Predictor = payload
    return fitted


def _row(o: Observation) -> _Row:
    return (o.time, o.item, o.kind.value, o.user_id, o.origin)


def _observation(row: _Row) -> Observation:
    time, item, kind, user_id, origin = row
    return Observation(time, item, Kind(kind), user_id, origin)


def _child() -> None:
    """The child's side: read the model and the history, fit, answer."""
    with contextlib.suppress(OSError):
        os.nice(10)  # the hub serving people comes first
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    model, chunks = pickle.load(source)
    history: list[Observation] = []
    for _ in range(chunks):
        history.extend(_observation(row) for row in pickle.load(source))
    answer: tuple[str, Any]
    try:
        model.fit([history])
        answer = ("ok", model)
    except Exception as err:  # the parent counts it as a failed refit
        answer = ("error", f"{err!r}")
    sink.write(pickle.dumps(answer, pickle.HIGHEST_PROTOCOL))
    sink.flush()


if __name__ == "__main__":
    _child()
