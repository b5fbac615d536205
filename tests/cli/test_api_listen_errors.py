"""Issue 20, finding 9: an API address the hub cannot listen on (a name that does not
resolve, an address that is not this machine's) is one line that says what to change, exit
non-zero, no traceback; and not preceded by the plain-HTTP warning meant for a hub that
serves. (A taken port: tests/cli/test_first_hour.py.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEARTHMIND = Path(sys.executable).parent / "hearthmind"

pytestmark = pytest.mark.timeout(180)


@pytest.mark.parametrize(
    ("section", "host"),
    [
        ("api:\n  host", "999.1.1.1"),  # not an address at all
        ("http:\n  server_host", "no-such-host.invalid"),  # a name that does not resolve
        ("api:\n  host", "192.0.2.1"),  # an address, not this machine's
    ],
)
def test_an_address_it_cannot_listen_on_is_one_line(
    tmp_path: Path, section: str, host: str
) -> None:
    (tmp_path / "configuration.yaml").write_text(f"{section}: {host}\n")
    ran = subprocess.run(
        [str(HEARTHMIND), "run", "-c", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = (ran.stdout + ran.stderr).strip().splitlines()
    assert ran.returncode != 0 and len(lines) == 1, lines
    assert f"cannot listen on {host}:" in lines[0], lines
    assert "server_host" in lines[0] and "server_port" not in lines[0], lines
