"""Importers: each format read from small files the tests write, and every kind of bad input
(malformed line, unknown sensor, events out of order) counted, never a crash."""

from __future__ import annotations

import json
import lzma
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hearthmind.routines.importers import (
    LogFormatError,
    detect_format,
    load_home,
    load_smartthings_split,
)
from hearthmind.routines.observations import HomeLog, Kind

from .synthetic import casas_lines


def write(path: Path, text: str, xz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if xz:
        with lzma.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return path


def read_items(folder: Path, fmt: str) -> tuple[list[str], HomeLog]:
    """A folder read as a log of the format `fmt`: its items in time order, and the log."""
    assert detect_format(folder) == fmt
    log = load_home(folder)
    return [o.item for o in log.observations], log


def test_casas_reads_events_and_activity_runs(tmp_path: Path) -> None:
    lines = casas_lines(3)
    write(tmp_path / "home" / "data.xz", "\n".join(lines) + "\n", xz=True)
    log = load_home(tmp_path / "home")
    assert len(log.observations) == len(lines)
    assert log.observations[0].item == "binary_sensor.bedroom_motion:on"
    assert all(o.kind is Kind.SENSOR for o in log.observations)
    assert {a.label for a in log.activities} == {"Morning", "Evening"}
    assert log.report.total_skipped == 0


def test_casas_bad_lines_are_counted_and_named(tmp_path: Path) -> None:
    good = casas_lines(1)
    bad = [
        "2011-06-15 not-a-time Kitchen Kitchen ON Cook",  # malformed time
        "garbage",  # too few fields
        "2011-06-15 01:00:00.0 Kitchen Kitchen WIGGLE Cook",  # unknown value
        "2011-06-15 01:00:00.0 T001 T001 21.5",  # numeric reading
        "2099-01-01 01:00:01.0 M001 ONc",  # stray characters (Aruba, December 2010)
        "2099-01-01 01:00:02.0 M001 M001 OFF5cc Relax",  # AL's layout, second name
        "2099-01-01 01:00:03.0 M001 OcQ5",  # capitals that spell nothing known
    ]
    # out of order: the last event first
    lines = [good[-1], *good[:-1], *bad]
    write(tmp_path / "h" / "data", "\n".join(lines))
    log = load_home(tmp_path / "h")
    assert log.report.skipped["malformed line"] == 2
    assert log.report.skipped["unknown value"] == 2
    assert log.report.skipped["numeric reading"] == 1
    assert log.report.repaired == 2
    assert [o.item for o in log.observations if "m001" in o.item] == [
        "binary_sensor.m001:on",
        "binary_sensor.m001:off",
    ]
    assert "2 values repaired" in log.report.summary()
    assert log.report.reordered == 1
    times = [o.time for o in log.observations]
    assert times == sorted(times)
    assert any("data:" in m and "bad date/time" in m for m in log.report.messages)


def test_casas_keeps_apart_devices_that_share_a_room_name(tmp_path: Path) -> None:
    # AL's sample maps a door contact and a motion sensor both to "OutsideDoor" (and a light
    # to "Kitchen"); only the second name tells them apart. Merged, the entity would read
    # "on" from the door while the motion sensor had gone "off".
    lines = [
        "2011-06-15 08:34:54.3 OutsideDoor Entry ON Step_Out",
        "2011-06-15 08:35:02.1 OutsideDoor FrontDoor OPEN Step_Out",
        "2011-06-15 08:35:03.1 OutsideDoor Entry OFF Step_Out",
        "2011-06-15 08:35:28.1 OutsideDoor FrontDoor CLOSE Step_Out",
        "2011-06-15 08:36:00.0 Kitchen Kitchen ON Cook",
        "2011-06-15 08:36:46.0 Kitchen KitchenLight ON Cook",
        "2011-06-15 08:37:00.0 Kitchen Kitchen OFF Cook",
        "2011-06-15 08:38:00.0 LoungeChair LivingRoom ON Relax",
    ]
    write(tmp_path / "al" / "data", "\n".join(lines) + "\n")
    items, _ = read_items(tmp_path / "al", "casas")
    assert items == [
        "binary_sensor.outsidedoor_entry:on",
        "binary_sensor.outsidedoor_frontdoor:on",
        "binary_sensor.outsidedoor_entry:off",
        "binary_sensor.outsidedoor_frontdoor:off",
        "binary_sensor.kitchen:on",
        "binary_sensor.kitchen_kitchenlight:on",
        "binary_sensor.kitchen:off",
        # one second name only: the short name is enough
        "binary_sensor.loungechair:on",
    ]


def test_kasteren_unknown_sensor_and_malformed_row(tmp_path: Path) -> None:
    sense = "\n".join(
        [
            "Start time: Time sensor started firing",
            "Sensor IDs are: ",
            "    [ 1]    'Microwave'         ",
            "    [ 5]    'Hall-Toilet door'  ",
            "",
            "25-Feb-2008 09:33:41\t25-Feb-2008 09:33:42\t5\t1",
            "25-Feb-2008 09:30:00\t25-Feb-2008 09:31:00\t1\t1",  # out of order
            "25-Feb-2008 10:00:00\t25-Feb-2008 10:00:05\t99\t1",  # unknown sensor
            "26-Feb-2008 10:00:00\tbroken",  # malformed
            "Length: 4",
        ]
    )
    acts = "activity id list:\n1: 'leave house'\n\n25-Feb-2008 09:33:00\t25-Feb-2008 09:40:00\t1\nLength: 1"
    write(tmp_path / "k" / "kasterenSenseData.txt", sense)
    write(tmp_path / "k" / "kasterenActData.txt", acts)
    items, log = read_items(tmp_path / "k", "kasteren")
    assert items == [
        "binary_sensor.microwave:on",
        "binary_sensor.microwave:off",
        "binary_sensor.hall_toilet_door:on",
        "binary_sensor.hall_toilet_door:off",
    ]
    assert log.report.skipped == {"unknown sensor": 1, "malformed line": 1}


def test_kasteren_other_houses_are_found_by_their_file_names(tmp_path: Path) -> None:
    # copies of houses B and C carry the house in the name; the format is the same
    sense = "Sensor IDs are:\n    [ 1]    'Microwave'\n25-Feb-2008 09:33:41\t25-Feb-2008 09:33:42\t1\t1\n"
    acts = "1: 'go to bed'\n25-Feb-2008 09:33:00\t25-Feb-2008 09:40:00\t1\n"
    write(tmp_path / "b" / "houseB_SenseData.txt.xz", sense, xz=True)
    write(tmp_path / "b" / "houseB_ActData.txt.xz", acts, xz=True)
    items, log = read_items(tmp_path / "b", "kasteren")
    assert items == [
        "binary_sensor.microwave:on",
        "binary_sensor.microwave:off",
    ]
    assert [a.label for a in log.activities] == ["go_to_bed"]


def test_kasteren_day_splits_without_legend_are_one_log(tmp_path: Path) -> None:
    # the transfer-learning copies of houses B and C: train and test parts of a day split,
    # no legend (sensors named by id), no val column, a line repeated across parts
    write(
        tmp_path / "b" / "houseB-ss-train.txt",
        "25-Jul-2009 10:00:00\t25-Jul-2009 10:00:01\t31\n"
        "24-Jul-2009 09:00:00\t24-Jul-2009 09:00:04\t40\n",  # days stored out of order
    )
    write(
        tmp_path / "b" / "houseB-ss-test.txt",
        "26-Jul-2009 08:00:00\t26-Jul-2009 08:00:02\t31\n"
        "25-Jul-2009 10:00:00\t25-Jul-2009 10:00:01\t31\n",  # same interval as in train
    )
    write(
        tmp_path / "b" / "houseB-as-train.txt", "24-Jul-2009 08:59:00\t24-Jul-2009 09:10:00\t14\n"
    )
    write(tmp_path / "b" / "houseB-as-test.txt", "24-Jul-2009 08:59:00\t24-Jul-2009 09:10:00\t14\n")
    items, log = read_items(tmp_path / "b", "kasteren")
    assert items == [
        "binary_sensor.sensor_40:on",
        "binary_sensor.sensor_40:off",
        "binary_sensor.sensor_31:on",
        "binary_sensor.sensor_31:off",
        "binary_sensor.sensor_31:on",
        "binary_sensor.sensor_31:off",
    ]
    assert log.report.skipped == {"repeated interval": 1}
    assert log.report.reordered > 0
    assert [a.label for a in log.activities] == ["activity_14"]


def test_kasteren_comma_separated_rows(tmp_path: Path) -> None:
    sense = "Sensor IDs are:\n    [25]    'Toilet door'\n19-Nov-2008 22:51:02,19-Nov-2008 22:51:04,25,1\n"
    write(tmp_path / "c" / "houseC_SenseData.txt", sense)
    log = load_home(tmp_path / "c")
    assert [o.item for o in log.observations] == [
        "binary_sensor.toilet_door:on",
        "binary_sensor.toilet_door:off",
    ]


def test_ordonez_intervals(tmp_path: Path) -> None:
    sensors = (
        "Start time          \tEnd time            \tLocation\tType\t\tPlace\r\n"
        "--------------------\t--------------------\t--------\t--------\t-----\r\n"
        "2011-11-28 02:27:59\t\t2011-11-28 10:18:11\t\tBed\t\t\tPressure\tBedroom\r\n"
        "2011-11-28 10:21:24\t\t2011-11-28 10:21:31\t\tCabinet\t\tMagnetic\tBathroom\r\n"
        "2011-11-28 10:25:00\t\t2011-11-28 10:20:00\t\tBasin\t\tPIR\tBathroom\r\n"  # ends before it starts
        "2011-11-28 10:21\t\tjunk\r\n"
    )
    adls = "Start time\tEnd time\tActivity\n----\n2011-11-28 02:27:59\t\t2011-11-28 10:18:11\t\tSleeping\t\n"
    write(tmp_path / "o" / "OrdonezA_Sensors.txt", sensors)
    write(tmp_path / "o" / "OrdonezA_ADLs.txt", adls)
    log = load_home(tmp_path / "o")
    assert log.observations[0].item == "binary_sensor.bedroom_bed:on"
    assert log.report.skipped["malformed line"] == 1
    assert log.report.skipped["interval ends before it starts"] == 1
    assert [a.label for a in log.activities] == ["sleeping"]


def test_placelab_blocks_devices_are_actions(tmp_path: Path) -> None:
    write(tmp_path / "p" / "sensors.csv", "100,Bathroom,Toilet Flush\n101,Kitchen,Light switch\n")
    data = "\n".join(
        [
            "Toileting,4/1/2003,23:50:00,0:10:00",
            "100,101,555",
            "Toilet Flush,Light switch,Ghost",
            "23:55:0,0:2:0,23:56:0",
            "23:55:30,0:5:0,23:57:0",
            "not a header",
        ]
    )
    write(tmp_path / "p" / "activities_data.csv", data)
    assert detect_format(tmp_path / "p") == "placelab"
    log = load_home(tmp_path / "p")
    items = [(o.item, o.kind) for o in log.observations]
    assert ("switch.kitchen_light_switch:on", Kind.ACTION) in items
    assert ("binary_sensor.bathroom_toilet_flush:on", Kind.SENSOR) in items
    light_on = next(o for o in log.observations if o.item == "switch.kitchen_light_switch:on")
    assert light_on.moment.day == 2  # past midnight: the next day
    assert log.report.skipped == {"unknown sensor": 1, "malformed line": 1}


def test_placelab_keeps_sensors_apart_and_counts_an_activation_once(tmp_path: Path) -> None:
    # two kitchen cabinets are two sensors; music while on the phone: the stereo's activation
    # is listed under both activities, and it happened once
    write(
        tmp_path / "p" / "sensors.csv",
        "54,Kitchen,Cabinet\n57,Kitchen,Cabinet\n122,Living room,Stereo\n",
    )
    data = "\n".join(
        [
            "Talking on telephone,4/1/2003,9:46:30,10:26:29",
            "54,122,57",
            "Cabinet,Stereo,Cabinet",
            "9:50:0,10:0:49,10:1:0",
            "9:50:5,10:14:10,10:1:9",
            "Listening to music,4/1/2003,10:0:12,10:14:45",
            "122",
            "Stereo",
            "10:0:49",
            "10:14:10",
            # subject 2 dates ten activities 4/31/2003, a day April does not have
            "Preparing lunch,4/31/2003,11:0:13,11:22:39",
            "54",
            "Cabinet",
            "11:3:13",
            "11:43:40",
        ]
    )
    write(tmp_path / "p" / "activities_data.csv", data)
    items, log = read_items(tmp_path / "p", "placelab")
    assert items == [
        "binary_sensor.kitchen_cabinet_54:on",
        "binary_sensor.kitchen_cabinet_54:off",
        "switch.living_room_stereo:on",
        "binary_sensor.kitchen_cabinet_57:on",
        "binary_sensor.kitchen_cabinet_57:off",
        "switch.living_room_stereo:off",
    ]
    assert log.report.skipped == {"repeated activation": 1, "malformed line": 1}
    assert any("4/31/2003" in m for m in log.report.messages)
    assert [a.label for a in log.activities] == ["talking_on_telephone", "listening_to_music"]


def _smartthings(folder: Path, rows: list[str]) -> Path:
    dictionary = {
        "dayofweek_dict": {
            f"day:{d}": i for i, d in enumerate(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
        },
        "hour_dict": {f"time:({3 * i}~{3 * i + 3})": i for i in range(8)},
        "device_dict": {"Light": 0, "Blind": 1},
        "device_control_dict": {"Light:switch on": 0, "Light:switch off": 1, "Blind:open": 2},
    }
    write(folder / "dictionary.json", json.dumps(dictionary))
    for split in ("train", "valid", "test"):
        write(folder / f"{split}.jsonl.xz", "\n".join(rows) + "\n", xz=True)
    return folder


def test_smartthings_episodes_and_bad_lines(tmp_path: Path) -> None:
    good = json.dumps([[6, 7, 0, 0, 0], [0, 0, 0, 1, 1], [0, 2, 1, 0, 2]])
    rows = [
        good,
        "{broken",
        json.dumps([[0, 0, 0, 0, 77], [0, 0, 0, 0, 0]]),
        json.dumps([[9, 0, 0, 0, 0], [0, 0, 0, 0, 0]]),
    ]
    folder = _smartthings(tmp_path / "st", rows)
    assert detect_format(folder) == "smartthings"
    split = load_smartthings_split(folder, "test")
    assert len(split.episodes) == 1
    assert split.report.skipped["malformed line"] == 3
    ep = split.episodes[0]
    assert [o.item for o in ep] == [
        "light.smartthings:switch_on",
        "light.smartthings:switch_off",
        "blind.smartthings:open",
    ]
    # Sunday 21-24h then Monday 0-3h: time moves forward across the week boundary
    assert ep[0].time < ep[1].time < ep[2].time
    assert ep[0].moment.weekday() == 6 and ep[1].moment.weekday() == 0


def test_unknown_folder_and_empty_log_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    with pytest.raises(LogFormatError, match="unknown log format"):
        load_home(tmp_path / "nothing")
    write(tmp_path / "empty" / "data", "junk line\n")
    with pytest.raises(LogFormatError, match="no readable CASAS events"):
        load_home(tmp_path / "empty")
    with pytest.raises(LogFormatError, match="no such file"):
        load_home(tmp_path / "missing")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(junk=st.lists(st.text(min_size=0, max_size=60), min_size=1, max_size=20))
def test_casas_never_crashes_on_junk(tmp_path: Path, junk: list[str]) -> None:
    lines = casas_lines(1)[:6] + [j.replace("\n", " ").replace("\r", " ") for j in junk]
    write(tmp_path / "fuzz" / "data", "\n".join(lines))
    log = load_home(tmp_path / "fuzz")
    assert len(log.observations) >= 6
    assert log.report.lines == len(log.observations) + log.report.total_skipped


def test_real_logs_match_their_readmes(shared_data: Path) -> None:
    casas = shared_data / "casas"
    sample = load_home(casas / "casas-al-smarthome-sample")
    assert len(sample.observations) == 61_578 and sample.report.total_skipped == 0
    assert len(load_home(casas / "kasteren-houseA").observations) == 2 * 1_319
    assert len(load_home(casas / "ordonez-A").observations) == 2 * 409
    placelab = load_home(casas / "mit-placelab-subject1")
    # the README's 2,772 activations count 152 twice: listed under two overlapping activities
    assert placelab.report.skipped == {"repeated activation": 152}
    assert len(placelab.observations) == 2 * (2_772 - 152) and len(placelab.activities) == 295
    assert any(o.kind is Kind.ACTION for o in placelab.observations)
    test = load_smartthings_split(shared_data / "smartthings-fr", "test")
    assert len(test.episodes) == 885 and all(len(e) == 10 for e in test.episodes)
