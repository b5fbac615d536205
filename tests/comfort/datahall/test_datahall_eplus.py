"""The supervisor on real EnergyPlus (Sinergym's two-zone data center, two days at most):
inlets inside 18-27 C, a tripped chiller survived, and EnergyPlus failing to start named."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "bench"))

pytest.importorskip("pyenergyplus.api")

import datacenter_eplus as eplus  # noqa: E402
from datacenter_ours import Ours  # noqa: E402
from hearthmind.comfort.datahall.surrogate import PlantSurrogate  # noqa: E402

WEATHER = "energy/datacenter/weather/USA_VA_Leesburg.Exec.epw"
TRACE = "energy/datacenter/workload/GoogleClusteData_CPU_Data_Hourly_1.csv"


def test_two_days_in_energyplus_stay_in_band(shared_data: Path) -> None:
    epw = shared_data / WEATHER
    ours = Ours(epw, PlantSurrogate.load())
    r = eplus.run(epw, eplus.load_workload(shared_data / TRACE), controller=ours, month=5, days=2)
    f = r.figures()
    assert len(r.inlet_c) == 48
    assert f["hours_above_27"] == 0 and f["hours_below_18"] == 0, f
    assert r.modes.get("mpc", 0) > r.modes.get("rule", 0) + r.modes.get("safe", 0)
    # the supervisor raised the supply air from the model's 12-18 C
    assert float(np.mean(r.supply_c)) > 19.0


def test_a_chiller_trip_in_energyplus_gives_safe_setpoints(shared_data: Path) -> None:
    epw = shared_data / WEATHER
    ours = Ours(epw, PlantSurrogate.load())
    start_h = (31 + 28 + 31) * 24.0  # April 1st
    r = eplus.run(
        epw,
        eplus.load_workload(shared_data / TRACE),
        controller=ours,
        month=4,
        days=1,
        trip_at_h=start_h + 10.0,
    )
    assert ours.sup.counts.get("datahall_chiller_trip", 0) >= 1
    assert r.modes.get("safe", 0) >= 1
    f = r.figures()
    assert f["hours_above_27"] == 0 and f["hours_below_18"] == 0, f


def test_energyplus_failing_to_start_is_a_named_error(tmp_path: Path, shared_data: Path) -> None:
    workload = eplus.load_workload(shared_data / TRACE)
    with pytest.raises(RuntimeError, match="no weather file"):
        eplus.run(tmp_path / "missing.epw", workload, month=1, days=1)
    broken = tmp_path / "broken.epJSON"
    broken.write_text('{"Version": {"Version 1": {"version_identifier": "25.1"}}, "Zone": 3}')
    with pytest.raises(RuntimeError, match="EnergyPlus failed"):
        eplus.run(shared_data / WEATHER, workload, month=1, days=1, model=broken)
