"""The energy benchmark's own environments for its peers (CityLearn 3.0.2 and EMHASS).

Neither peer goes into the hub's .venv. CityLearn follows the lean, offline recipe of
../shared/data/energy/README.md (CPU torch, ``--no-deps citylearn==3.0.2``, then its listed
dependencies); EMHASS pins numpy 2 and friends, which clash with CityLearn's ``numpy<2``, so
it gets a second venv. Both are created on first use and reused after.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import venv
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CITYLEARN_VENV = Path(os.environ.get("HEARTHMIND_CITYLEARN_VENV", BENCH / ".citylearn-venv"))
EMHASS_VENV = Path(os.environ.get("HEARTHMIND_EMHASS_VENV", BENCH / ".emhass-venv"))

CITYLEARN_STEPS: list[list[str]] = [
    ["torch==2.13.0"],  # the CPU wheel found through pip's find-links (README)
    ["--no-deps", "citylearn==3.0.2"],
    [
        "doe_xstock>=2.0.0",
        "gymnasium<=0.28.1",
        "numpy<2",
        "pandas",
        "pyyaml",
        "scikit-learn<=1.2.2",
        "simplejson",
        "openstudio<=3.10.0",
    ],
    ["highspy"],  # our controller runs inside the episode, and solves with HiGHS
]
EMHASS_STEPS: list[list[str]] = [["emhass==0.18.7"]]


def _python(root: Path) -> Path:
    return root / "bin" / "python"


def _ensure(root: Path, steps: list[list[str]], probe: str) -> Path:
    py = _python(root)
    done = root / ".hearthmind-ready"  # written once the probe passed: no torch import per episode
    if py.exists() and done.exists():
        return py
    # the bench runs its episodes in several processes at once: on a fresh machine each would
    # build the venv, and the second's makedirs raised FileExistsError (the check failed on a
    # new clone); one builds it under the lock, the others wait and find it ready
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f"{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _build(root, steps, probe)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build(root: Path, steps: list[list[str]], probe: str) -> Path:
    py = _python(root)
    done = root / ".hearthmind-ready"
    if py.exists() and done.exists():
        return py
    if py.exists():
        ok = subprocess.run([str(py), "-c", probe], capture_output=True, check=False)
        if ok.returncode == 0:
            done.touch()
            return py
    print(f"creating the bench venv {root} (first use; a few minutes)", file=sys.stderr)
    venv.EnvBuilder(with_pip=True, clear=False).create(root)
    for args in steps:
        subprocess.run([str(py), "-m", "pip", "install", "-q", *args], check=True)
    subprocess.run([str(py), "-c", probe], check=True)
    done.touch()
    return py


def citylearn_python() -> Path:
    """The python of the CityLearn venv, made on first use."""
    return _ensure(CITYLEARN_VENV, CITYLEARN_STEPS, "import citylearn, torch")


def emhass_python() -> Path:
    """The python of the EMHASS venv, made on first use."""
    return _ensure(EMHASS_VENV, EMHASS_STEPS, "import emhass.optimization")


if __name__ == "__main__":
    print(citylearn_python())
    print(emhass_python())
