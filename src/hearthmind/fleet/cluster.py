"""Ray, started the same way everywhere: local mode on a laptop (`workers` CPUs), or an
existing cluster by address (`ray://...` or `auto`), unchanged code either way. A Ray already
started by the caller (a test fixture, a notebook) is used and left running."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

OBJECT_STORE_BYTES = 256 * 1024 * 1024  # local mode: models and results are small


@contextlib.contextmanager
def ray_session(address: str | None = None, workers: int = 2) -> Iterator[None]:
    """Ray for the duration of the block; shut down at its end only if started here."""
    import ray

    if ray.is_initialized():
        yield
        return
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        ray.init(
            num_cpus=workers,
            include_dashboard=False,
            object_store_memory=OBJECT_STORE_BYTES,
            log_to_driver=False,
        )
    try:
        yield
    finally:
        ray.shutdown()
