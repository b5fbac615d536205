"""The foundation commands: sim, states, call, demo, run. Bad input gets one clear line and a
non-zero exit code, never a traceback."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hearthmind.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich tables use the terminal's width; give the captured output a wide one."""
    from hearthmind.cli import common

    monkeypatch.setattr(common.console, "width", 200)
    monkeypatch.setattr(common.err_console, "width", 200)


HEARTHMIND = Path(sys.executable).parent / "hearthmind"


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in output
    return result.exit_code, output


def table_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        names = [n for (n,) in db.execute("select name from sqlite_master where type='table'")]
        return {n: db.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}
    finally:
        db.close()


def dump(path: Path) -> list[tuple[object, ...]]:
    """The recorded history, row by row (attribute sets by content, not by their row id,
    which depends on how the recorder happened to batch its writes)."""
    db = sqlite3.connect(path)
    try:
        states = db.execute(
            "select s.state_id, s.entity_id, s.state, a.shared_attrs, s.last_changed_ts,"
            " s.last_updated_ts, s.context_id, s.origin, s.user_id, s.parent_id"
            " from states s left join state_attributes a using (attributes_id) order by s.state_id"
        ).fetchall()
        events = db.execute("select * from events order by event_id").fetchall()
        return [*states, *events, tuple(sorted(table_counts(path).items()))]
    finally:
        db.close()


def test_sim_is_deterministic_and_records_people(tmp_path: Path) -> None:
    dbs = [tmp_path / "a.db", tmp_path / "b.db"]
    for db in dbs:
        code, out = invoke(
            "sim",
            "--home",
            "single",
            "--days",
            "2",
            "--seed",
            "7",
            "--db",
            str(db),
            "-c",
            str(tmp_path / "cfg"),
        )
        assert code == 0, out
        assert "2 days of single" in out
    assert dump(dbs[0]) == dump(dbs[1])
    db = sqlite3.connect(dbs[0])
    physical = db.execute("select count(*) from states where origin = 'physical'").fetchone()[0]
    users = {
        u for (u,) in db.execute("select distinct user_id from states where origin = 'physical'")
    }
    db.close()
    assert physical >= 20 and users == {"mina"}
    truth = [dbs[0].with_name("a.db.intentions.jsonl"), dbs[1].with_name("b.db.intentions.jsonl")]
    assert truth[0].read_bytes() == truth[1].read_bytes() != b""


def test_sim_other_seed_other_history(tmp_path: Path) -> None:
    for seed in ("1", "2"):
        code, out = invoke(
            "sim",
            "--home",
            "couple",
            "--days",
            "1",
            "--seed",
            seed,
            "--db",
            str(tmp_path / f"{seed}.db"),
            "-c",
            str(tmp_path),
        )
        assert code == 0, out
    assert dump(tmp_path / "1.db") != dump(tmp_path / "2.db")


def test_states_shows_the_last_state_of_each_entity(tmp_path: Path) -> None:
    db = tmp_path / "home.db"
    assert (
        invoke("sim", "--home", "single", "--days", "1", "--db", str(db), "-c", str(tmp_path))[0]
        == 0
    )
    code, out = invoke("states", "-c", str(tmp_path), "--db", str(db))
    assert code == 0, out
    for entity in (
        "light.kitchen",
        "person.mina",
        "climate.living_room",
        "sensor.outdoor_temperature",
    ):
        assert entity in out
    code, out = invoke("states", "-c", str(tmp_path), "--db", str(db), "--domain", "light")
    assert code == 0 and "light.kitchen" in out and "person.mina" not in out


def test_states_without_a_database_explains(tmp_path: Path) -> None:
    code, out = invoke("states", "-c", str(tmp_path))
    assert code == 1
    assert "no database yet" in out


def test_broken_home_names_file_and_line(tmp_path: Path) -> None:
    home = tmp_path / "home.yaml"
    home.write_text("name: x\nareas:\n  - id: kitchen\n    name: [unclosed\n")
    code, out = invoke(
        "sim",
        "--home",
        str(home),
        "--days",
        "1",
        "--db",
        str(tmp_path / "x.db"),
        "-c",
        str(tmp_path),
    )
    assert code == 2
    assert str(home) in out.replace("\n", "") and "line" in out


def test_unknown_home(tmp_path: Path) -> None:
    code, out = invoke(
        "sim",
        "--home",
        "castle",
        "--days",
        "1",
        "--db",
        str(tmp_path / "x.db"),
        "-c",
        str(tmp_path),
    )
    assert code == 2 and "no such home" in out


def test_broken_configuration_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text("hearthmind:\n  name: Home\n  latitude: north\n")
    code, out = invoke("states", "-c", str(tmp_path))
    assert code == 2
    flat = out.replace("\n", "")
    assert "configuration.yaml, line 3" in flat and "latitude" in flat
    code, out = invoke("run", "-c", str(tmp_path))
    assert code == 2 and "line 3" in out.replace("\n", "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["light.turn_on", "light.kitchen", "brightness=999"], "invalid data for light.turn_on"),
        (["light.turn_on", "light.kitchen", "brightnes=9"], "brightnes"),
        (["light.fly", "light.kitchen"], "unknown service: light.fly"),
        (["light", "light.kitchen"], "unknown service"),
        (["light.turn_on", "Kitchen Light"], "invalid entity id"),
        (["light.turn_on", "light.kitchen", "brightness"], "is not key=value"),
    ],
)
def test_call_refuses_bad_input_before_sending(
    tmp_path: Path, args: list[str], message: str
) -> None:
    code, out = invoke(
        "call", *args, "-c", str(tmp_path), "--token", "x", "--url", "http://127.0.0.1:9"
    )
    assert code == 2
    assert message in out.replace("\n", " ")


def test_call_without_token_or_hub_explains(tmp_path: Path) -> None:
    code, out = invoke("call", "light.turn_on", "light.kitchen", "-c", str(tmp_path))
    out = out.replace("\n", " ")
    assert code == 1 and "no running hub" in out and "hearthmind run -c" in out
    code, out = invoke(
        "call",
        "light.turn_on",
        "light.kitchen",
        "-c",
        str(tmp_path),
        "--token",
        "x",
        "--url",
        f"http://127.0.0.1:{free_port()}",
    )
    assert code == 1 and "nothing answers at http://127.0.0.1:" in out.replace("\n", " ")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.sampled_from(
        [
            "light.turn_on",
            "climate.set_temperature",
            "cover.set_cover_position",
            "fan.set_percentage",
            "media_player.volume_set",
            "lock.lock",
            "switch.toggle",
        ]
    ),
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "brightness",
                    "temperature",
                    "position",
                    "percentage",
                    "volume_level",
                    "rgb_color",
                    "code",
                    "hvac_mode",
                    "zz",
                ]
            ),
            st.one_of(
                st.integers(-500, 500).map(str),
                st.floats(allow_nan=True).map(str),
                st.text(max_size=8),
                st.just("[1, 2, 3]"),
                st.just("{a: 1}"),
            ),
        ),
        max_size=3,
    ),
)
def test_call_any_data_gives_a_clear_answer(
    tmp_path: Path, service: str, pairs: list[tuple[str, str]]
) -> None:
    """Whatever the data, `call` checks it and answers in one line: refused (2) or, when it is
    valid, that no hub is answering (1)."""
    data = [f"{k}={v}" for k, v in pairs]
    code, out = invoke(
        "call",
        service,
        "light.kitchen",
        *data,
        "-c",
        str(tmp_path),
        "--token",
        "x",
        "--url",
        "http://127.0.0.1:9",
    )
    assert code in (1, 2)
    assert ("error:" in out) and (("no running hub" in out.replace("\n", " ")) == (code == 1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_runs_records_serves_and_stops_cleanly(tmp_path: Path) -> None:
    """The demo in the background (plain lines, not a terminal): people act, the API answers
    `call`, Ctrl-C stops it and the history is in the database."""
    from datetime import UTC, datetime

    from hearthmind.api.tokens import TokenStore

    cfg = tmp_path / "cfg"
    cfg.mkdir()
    token = TokenStore(cfg).create("test", datetime.now(UTC))
    port = free_port()
    out = (tmp_path / "demo.out").open("w")
    demo = subprocess.Popen(
        [
            str(HEARTHMIND),
            "demo",
            "-c",
            str(cfg),
            "--home",
            "single",
            "--speed",
            "3000",
            "--seed",
            "3",
            "--port",
            str(port),
            "--no-mqtt",  # in process, so the resident's user id is on each change
        ],
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        text = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "by physical (mina)" not in text:
            time.sleep(0.3)
            text = (tmp_path / "demo.out").read_text()
        assert "by physical (mina)" in text, text[-2000:]
        url = f"http://127.0.0.1:{port}"
        code, said = invoke(
            "call",
            "light.turn_on",
            "light.kitchen",
            "brightness=30",
            "-c",
            str(cfg),
            "--url",
            url,
            "--token",
            token,
        )
        assert code == 0, said
        assert "light.turn_on light.kitchen: ok" in said
        code, said = invoke(
            "call", "light.turn_on", "light.cellar", "-c", str(cfg), "--url", url, "--token", token
        )
        assert code == 2 and "unknown entity: light.cellar" in said.replace("\n", " ")
        code, said = invoke(
            "call",
            "light.turn_on",
            "light.kitchen",
            "-c",
            str(cfg),
            "--url",
            url,
            "--token",
            "wrong",
        )
        assert code == 2 and "401" in said
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        demo.wait(timeout=60)
        out.close()
    text = (tmp_path / "demo.out").read_text()
    assert demo.returncode == 0, text[-2000:]
    assert "stopped cleanly" in text and "Traceback" not in text
    assert "light.kitchen -> on  by app" in text
    db = sqlite3.connect(cfg / "hearthmind.db")
    rows = db.execute(
        "select count(*) from states where origin = 'physical' and user_id = 'mina'"
    ).fetchone()[0]
    db.close()
    assert rows > 0
    assert (cfg / "hearthmind.db.intentions.jsonl").stat().st_size > 0


def test_a_second_hub_on_the_same_folder_stops_at_once_with_one_line(tmp_path: Path) -> None:
    """The first hub holds the folder's lock; a second `run` opens nothing and says who runs."""
    import os

    from hearthmind.core import InstanceLock

    (tmp_path / "configuration.yaml").write_text("hearthmind:\n  name: Home\n")
    with InstanceLock(tmp_path):
        code, out = invoke("run", "-c", str(tmp_path))
        assert code == 2
        assert "already running" in out and f"process {os.getpid()}" in out
        # one line (invoke() gives it twice: the mixed output, then stderr alone)
        assert len(set(out.strip().splitlines())) == 1
        assert not (tmp_path / "hearthmind.db").exists()  # nothing was opened
    # the lock goes with its holder: the folder is free again
    with InstanceLock(tmp_path):
        pass
