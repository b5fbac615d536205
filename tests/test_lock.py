"""The installed environment is exactly requirements.lock: what CI tested is what a new machine
runs. `make lock` re-resolves the lock; this test fails when pyproject.toml and the lock, or the
lock and the .venv, have drifted apart."""

from __future__ import annotations

import re
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements.lock"
# The installer's own tools are not part of the application's set (pip freeze leaves them out).
INSTALLER = {"pip", "setuptools", "wheel"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins[_norm(match.group(1))] = match.group(2)
    return pins


def test_every_locked_requirement_has_a_hash() -> None:
    text = LOCK.read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    pinned = [b for b in blocks if PIN.match(b)]
    assert len(pinned) == len(locked()) > 50
    missing = [b.split()[0] for b in pinned if "--hash=sha256:" not in b]
    assert not missing, f"pins without a hash: {missing}"


@pytest.mark.skipif(
    not sys.prefix.startswith(str(REPO)), reason="runs in the project's own .venv only"
)
def test_installed_set_equals_the_lock() -> None:
    # imported first, as the fleet's tests do before this one: its vendored copies must not
    # count as installed
    import ray  # noqa: F401

    # what is installed in the venv's site-packages, not what sys.path holds now: ray puts
    # its vendored copies (ray/thirdparty_files: colorama, ...) on sys.path once imported
    site = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    installed = {
        _norm(d.metadata["Name"]): d.version
        for d in metadata.distributions(path=site)
        if _norm(d.metadata["Name"]) not in INSTALLER | {"hearthmind"}
    }
    pins = locked()
    extra = {k: v for k, v in installed.items() if k not in pins}
    missing = {k: v for k, v in pins.items() if k not in installed}
    wrong = {k: (installed[k], v) for k, v in pins.items() if k in installed and installed[k] != v}
    assert not extra, f"installed but not locked: {extra}"
    assert not missing, f"locked but not installed: {missing}"
    assert not wrong, f"installed version differs from the lock (installed, locked): {wrong}"


def test_lock_covers_every_declared_requirement() -> None:
    """Each requirement pyproject.toml declares (all extras) is pinned in the lock."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    for reqs in project["optional-dependencies"].values():
        declared += [r for r in reqs if not r.startswith("hearthmind[")]
    pins = locked()
    names = {_norm(re.split(r"[<>=!~\[;\s]", r, maxsplit=1)[0]) for r in declared}
    assert names <= set(pins), f"declared but not locked (run make lock): {names - set(pins)}"
