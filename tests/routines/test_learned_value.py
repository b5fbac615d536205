"""A thermostat's set-point is what a person chose: learned as "heat@20.5", written back to
a recorder as the state "heat" with the set-point as its attribute."""

from __future__ import annotations

from pathlib import Path

from hearthmind.routines.observations import (
    HomeLog,
    ImportReport,
    Kind,
    Observation,
    learned_value,
    state_of,
)
from hearthmind.routines.recorder_bridge import async_write_log, read_observations


def test_a_setpoint_is_part_of_the_value() -> None:
    assert learned_value("climate.hall", "heat", {"temperature": 20.5}) == "heat@20.5"
    assert learned_value("climate.hall", "cool", {"temperature": 24}) == "cool@24"
    # set-points closer than half a degree are the same choice
    assert learned_value("climate.hall", "heat", {"temperature": 20.6}) == "heat@20.5"
    assert learned_value("climate.hall", "off", {"temperature": 20.5}) == "off"
    assert learned_value("climate.hall", "heat", {"temperature": "warm"}) == "heat"
    assert learned_value("climate.hall", "heat", None) == "heat"
    # other domains: the state alone, whatever their attributes
    assert learned_value("light.hall", "on", {"temperature": 20.5}) == "on"


def test_state_of_inverts_it() -> None:
    assert state_of("climate.hall", "heat@20.5") == ("heat", {"temperature": 20.5})
    assert state_of("climate.hall", "off") == ("off", {})
    assert state_of("light.hall", "on") == ("on", {})
    assert state_of("climate.hall", "heat@warm") == ("heat@warm", {})


async def test_a_setpoint_survives_the_recorder(tmp_path: Path) -> None:
    log = HomeLog(
        "t",
        [
            Observation(1_700_000_000.0, "climate.hall:heat@20.5", Kind.ACTION, "ana", "physical"),
            Observation(1_700_000_600.0, "climate.hall:heat@21", Kind.ACTION, "ana", "physical"),
        ],
        [],
        ImportReport("t"),
    )
    db = tmp_path / "h.db"
    assert await async_write_log(log, f"sqlite:///{db}") == 2
    back = read_observations(db)
    assert [o.item for o in back.observations] == ["climate.hall:heat@20.5", "climate.hall:heat@21"]


def test_wall_clock_keeps_a_habit_at_its_hour_through_summer_time() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from hearthmind.routines.timeofday import from_wall_clock, seconds_of_day, to_wall_clock

    zone = ZoneInfo("Europe/Amsterdam")
    # 06:40 on the residents' clock, the Friday before and the Monday after summer time began
    # (2024-03-31): 05:40 UTC, then 04:40 UTC
    before = datetime(2024, 3, 29, 5, 40, tzinfo=UTC).timestamp()
    after = datetime(2024, 4, 1, 4, 40, tzinfo=UTC).timestamp()
    assert seconds_of_day(before) != seconds_of_day(after)  # in UTC the habit moved an hour
    walls = [to_wall_clock(t, zone) for t in (before, after)]
    assert {seconds_of_day(w) for w in walls} == {6 * 3600 + 40 * 60}
    assert [from_wall_clock(w, zone) for w in walls] == [before, after]
    assert to_wall_clock(before, None) == before
