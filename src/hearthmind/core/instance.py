"""One hub per configuration directory. Two hubs on one folder would write one database, bind
one port and drive the same devices; the second learns of the first only from a traceback
deep in its start-up. So a hub takes an exclusive lock on `<config>/.hearthmind.lock` (an OS
file lock: it is released when the process ends, however it ends) before it opens anything,
and a second one stops at once with one line naming the first."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from pathlib import Path
from types import TracebackType

from .errors import HearthmindError

LOCK_FILE = ".hearthmind.lock"


class HubAlreadyRunningError(HearthmindError):
    counter = "hub_already_running"

    def __init__(self, config_dir: Path, pid: str) -> None:
        who = f" (process {pid})" if pid else ""
        super().__init__(
            f"a hub is already running from {config_dir}{who}: stop it first, or talk to it "
            "(hearthmind call/states/say use the running hub)"
        )


class InstanceLock:
    """Held while a hub runs from `config_dir`; `with InstanceLock(dir):` or acquire/release."""

    def __init__(self, config_dir: Path) -> None:
        self.config_dir = config_dir
        self.path = config_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip()
            os.close(fd)
            raise HubAlreadyRunningError(self.config_dir, holder) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


# Where the running hub of a folder answers, for the command line: written once the API
# listens, removed when the hub stops. A stale file (a hub killed with -9) is harmless: the
# command line tries the address and says plainly when nothing answers.
ADDRESS_FILE = ".storage/hub.json"


def write_hub_address(config_dir: Path, url: str) -> Path:
    path = config_dir / ADDRESS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"url": url, "pid": os.getpid()}) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_hub_address(config_dir: Path) -> str | None:
    """The URL the folder's hub last said it serves, or None."""
    try:
        data = json.loads((config_dir / ADDRESS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = data.get("url") if isinstance(data, dict) else None
    return url if isinstance(url, str) else None


def remove_hub_address(config_dir: Path) -> None:
    path = config_dir / ADDRESS_FILE
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


def kept_token_path(config_dir: Path, name: str) -> Path:
    """Where the running hub keeps the token named `name` for people at this machine
    (`cli`: the command line's; `demo`: the demo's), readable by its owner only."""
    return config_dir / ".storage" / f"{name}_token"


def read_kept_token(config_dir: Path, name: str) -> str | None:
    try:
        token = kept_token_path(config_dir, name).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return token or None
