"""The simulator as a component (bootstrap), and its robustness against a failing binding."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hearthmind.bootstrap import SetupOptions, async_setup_hub, config_warnings
from hearthmind.core import ConfigError, Hub, Origin, SimulatedClock, load_config
from hearthmind.integrations.simulator import (
    EntityChange,
    async_setup,
    get_home,
    intentions_path,
)

from .helpers import SimRun


async def test_component_setup_records_and_writes_ground_truth(tmp_path: Path) -> None:
    clock = SimulatedClock(datetime.fromisoformat("2026-03-02T00:00:00+01:00"))
    hub = await async_setup_hub(
        tmp_path, SetupOptions(home="single", seed=2), clock, components=["recorder", "simulator"]
    )
    home = get_home(hub)
    assert home is not None
    assert hub.states.get("light.kitchen") is not None
    mina = hub.states.require("person.mina")  # HA's shape: home / not_home, the room beside
    assert (mina.state, mina.attributes["room"]) == ("home", "bedroom")
    await clock.async_run_until(clock.now() + timedelta(days=1))
    await hub.async_stop()
    truth = tmp_path / "hearthmind.db.intentions.jsonl"
    assert truth.stat().st_size > 0
    assert intentions_path(hub, SetupOptions()) == truth


async def test_broken_home_is_counted_and_named(tmp_path: Path) -> None:
    home = tmp_path / "home.yaml"
    home.write_text("name: x\nareas: 3\n")
    hub = Hub(
        load_config(tmp_path), SimulatedClock(datetime.fromisoformat("2026-03-02T00:00:00+00:00"))
    )
    with pytest.raises(ConfigError) as info:
        await async_setup(hub, SetupOptions(home=str(home), record=False))
    assert info.value.path == str(home) and info.value.line == 2
    assert hub.health.counts["config_errors"] == 1


async def test_a_failing_binding_does_not_stop_the_residents() -> None:
    problems: list[tuple[str, str]] = []
    run = SimRun("single")
    run.home._report_problem = lambda counter, message: problems.append((counter, message))

    def broken(change: EntityChange) -> None:
        if change.entity_id == "light.bedroom":
            raise RuntimeError("broker gone")

    run.home.subscribe(broken)
    await run.start_home()
    await run.run_until(2, 0)
    assert problems and all(c == "simulator_listener_errors" for c, _ in problems)
    assert "light.bedroom" in problems[0][1]
    # the in-process binding still got every change, and Mina lived on
    kitchen = [
        e
        for e in run.changes
        if e.data["entity_id"] == "light.kitchen" and e.context.origin is Origin.PHYSICAL
    ]
    assert len(kitchen) >= 4


async def test_configuration_section_runs_a_home(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text("simulator:\n  home: couple\n  seed: 4\n")
    clock = SimulatedClock(datetime.fromisoformat("2026-03-02T00:00:00+01:00"))
    hub = await async_setup_hub(
        tmp_path, SetupOptions(record=False), clock, components=["simulator"]
    )
    home = get_home(hub)
    assert home is not None and home.seed == 4 and home.name == "Ana and Ben's house"
    await hub.async_stop()


async def test_broken_configuration_section_is_named(tmp_path: Path) -> None:
    (tmp_path / "configuration.yaml").write_text("simulator:\n  home: couple\n  seed: lots\n")
    clock = SimulatedClock(datetime.fromisoformat("2026-03-02T00:00:00+01:00"))
    with pytest.raises(ConfigError) as info:
        await async_setup_hub(tmp_path, SetupOptions(record=False), clock, components=["simulator"])
    assert info.value.line == 3 and "seed" in str(info.value)


def test_an_unknown_key_is_warned_about_with_its_line(tmp_path: Path) -> None:
    """Not refused (a Home Assistant user's configuration loads), never silent."""
    (tmp_path / "configuration.yaml").write_text("simulator:\n  home: couple\n  speed: 9\n")
    warnings = config_warnings(load_config(tmp_path, create=False))
    assert [(w.line, "unknown key 'speed'" in w.message) for w in warnings] == [(3, True)]
