"""Where a simulated home's outdoor temperature and sun come from: the synthetic weather of
environment.py (the default), or a real year from an EnergyPlus weather file (`weather: epw:`),
read and checked when the home is set up so that a bad file stops the set-up with a
`ConfigError` naming it, never the run halfway through."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from hearthmind.core import ConfigError

from .environment import Weather, sun_elevation
from .spec import HomeSpec, WeatherSpec

if TYPE_CHECKING:
    from .thermal import EpwWeather

HOURS_PER_YEAR = 8760
EPW_HEADER_LINES = 8  # LOCATION, DESIGN CONDITIONS, ..., DATA PERIODS; then one row an hour
EPW_MAX_BYTES = 20_000_000  # a year of EPW is about 1.6 MB
DRY_BULB_FIELD = 6  # 0-based: field 7 of an EPW row, dry-bulb temperature in °C
GHI_FIELD = 13  # field 14, global horizontal radiation in Wh/m2 over the hour
# EPW marks a missing value with 99.9 (temperature) and 9999 (radiation): outside these
DRY_BULB_RANGE = (-70.0, 70.0)
GHI_RANGE = (0.0, 1500.0)
# without a weather file the sun is a clear sky times this share: about the yearly mean
# of measured to clear-sky irradiance in north-west Europe, clouds included
CLEAR_SKY_SHARE = 0.5


class OutdoorWeather(Protocol):
    """What the home and its rooms ask of the weather, at a moment of the simulated clock."""

    def outdoor(self, ts: float) -> float:
        """Outdoor temperature, °C."""
        ...

    def daily_mean(self, ts: float) -> float:
        """The day's mean outdoor temperature, °C (residents heat only in the cold season)."""
        ...

    def irradiance(self, ts: float) -> float:
        """Global horizontal irradiance, W/m2."""
        ...


def clear_sky_irradiance(elevation_deg: float) -> float:
    """Haurwitz's clear-sky global horizontal irradiance for the sun at this elevation."""
    if elevation_deg <= 0:
        return 0.0
    sin_elevation = math.sin(math.radians(elevation_deg))
    return 1098.0 * sin_elevation * math.exp(-0.057 / sin_elevation)


class SyntheticWeather(Weather):
    """The seeded synthetic weather (unchanged temperatures), with a sun from its elevation:
    a home's (its spec's weather and place) or the simulated cottage's (the hub's place)."""

    def __init__(self, spec: WeatherSpec, latitude: float, longitude: float, seed: str) -> None:
        super().__init__(spec, longitude, seed)
        self.latitude = latitude

    def irradiance(self, ts: float) -> float:
        elevation = sun_elevation(ts, self.latitude, self.longitude)
        return CLEAR_SKY_SHARE * clear_sky_irradiance(elevation)


class EpwOutdoor:
    """A typical year from an EPW file, mapped to the simulated clock by the hour of the year
    in the home's local standard time (EPW files keep standard time all year). 29 February
    repeats 28 February; the year wraps around."""

    def __init__(self, year: EpwWeather, zone: ZoneInfo) -> None:
        self.year = year
        self.zone = zone
        # plain floats: indexed every tick, faster than NumPy scalars and exactly the same
        self._outdoor = [float(v) for v in year.outdoor_c]
        self._ghi = [float(v) for v in year.ghi_w_m2]
        self._daily = [float(v) for v in year.outdoor_c.reshape(365, 24).mean(axis=1)]

    def hour_of_year(self, ts: float) -> float:
        """Hours since 1 January 00:00 local standard time, in the 365-day EPW year."""
        local = datetime.fromtimestamp(ts, self.zone)
        standard = local - (local.dst() or timedelta(0))
        day = standard.timetuple().tm_yday - 1
        leap = standard.year % 4 == 0 and (standard.year % 100 != 0 or standard.year % 400 == 0)
        if leap and day >= 59:  # 29 February (day 59 from 0) and after: one day back
            day -= 1
        hours = standard.hour + standard.minute / 60 + standard.second / 3600
        return day * 24 + hours

    def outdoor(self, ts: float) -> float:
        # row i holds the temperature at the end of hour i+1: interpolate between rows so
        # the sensor drifts through the hour as a thermometer does, without hourly jumps
        at = self.hour_of_year(ts) - 1.0
        row = math.floor(at)
        share = at - row
        before = self._outdoor[row % HOURS_PER_YEAR]
        after = self._outdoor[(row + 1) % HOURS_PER_YEAR]
        return before + share * (after - before)

    def daily_mean(self, ts: float) -> float:
        return self._daily[int(self.hour_of_year(ts) // 24) % 365]

    def irradiance(self, ts: float) -> float:
        # radiation is the hour's total: row i covers hour i to i+1
        return self._ghi[int(self.hour_of_year(ts)) % HOURS_PER_YEAR]


def make_weather(spec: HomeSpec, seed: int) -> OutdoorWeather:
    """The home's weather: its EPW year when `weather: epw:` names one, else synthetic."""
    if spec.weather.epw is None:
        return SyntheticWeather(spec.weather, spec.latitude, spec.longitude, f"{seed}:weather")
    return EpwOutdoor(read_epw(Path(spec.weather.epw).expanduser()), spec.zone)


def thermal_module(where: str, what: str) -> ModuleType:
    """thermal.py, which needs NumPy (an optional dependency: the default simulated home
    runs without it); its absence is a set-up error naming what asked for it."""
    try:
        from . import thermal
    except ImportError as err:
        raise ConfigError(
            where, None, f"{what} needs NumPy (pip install 'hearthmind[comfort]'): {err}"
        ) from None
    return thermal


def read_epw(path: Path) -> EpwWeather:
    """An EPW year, checked: every problem is a `ConfigError` naming the file, and the line
    when one line is at fault (a missing value, a row too short, text for a number)."""
    where = str(path)
    thermal = thermal_module(where, "an EPW weather file")
    try:
        if path.stat().st_size > EPW_MAX_BYTES:
            raise ConfigError(where, None, f"over {EPW_MAX_BYTES:,} bytes: not an EPW file")
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        reason = f"cannot read the EPW weather file: {err.strerror or err}"
        raise ConfigError(where, None, reason) from None
    lines = text.splitlines()
    head = lines[0].split(",") if lines else []
    if not head or head[0].strip().upper() != "LOCATION":
        raise ConfigError(where, 1, "not an EPW weather file (its first line starts LOCATION)")
    try:
        latitude = float(head[6])
    except (IndexError, ValueError):
        raise ConfigError(where, 1, "the LOCATION line has no latitude (field 7)") from None
    outdoor: list[float] = []
    ghi: list[float] = []
    for number, line in enumerate(lines[EPW_HEADER_LINES:], start=EPW_HEADER_LINES + 1):
        if not line.strip():
            continue
        fields = line.split(",")
        if len(fields) <= GHI_FIELD:
            raise ConfigError(
                where, number, f"an hour's row has {len(fields)} fields, an EPW row has 35"
            )
        if fields[1].strip() == "2" and fields[2].strip() == "29":
            continue  # a leap year's 29 February: the simulated clock repeats 28 February
        outdoor.append(_epw_value(fields, DRY_BULB_FIELD, DRY_BULB_RANGE, where, number))
        ghi.append(_epw_value(fields, GHI_FIELD, GHI_RANGE, where, number))
    if len(outdoor) != HOURS_PER_YEAR:
        raise ConfigError(
            where, None, f"{len(outdoor):,} hourly rows; an EPW year has 8,760 (29 February aside)"
        )
    name = head[1].strip() if len(head) > 1 and head[1].strip() else path.stem
    year: EpwWeather = thermal.EpwWeather(
        name, latitude, thermal.np.array(outdoor), thermal.np.array(ghi)
    )
    return year


def _epw_value(
    fields: list[str], index: int, bounds: tuple[float, float], where: str, line: int
) -> float:
    if index == DRY_BULB_FIELD:
        what = "dry-bulb temperature (field 7)"
    else:
        what = "global horizontal radiation (field 14)"
    try:
        value = float(fields[index])
    except ValueError:
        raise ConfigError(where, line, f"{what} {fields[index]!r} is not a number") from None
    low, high = bounds
    if not low <= value <= high:  # NaN fails this too
        raise ConfigError(
            where,
            line,
            f"{what} is {fields[index].strip()}: missing or not possible ({low:g} to {high:g})",
        )
    return value
