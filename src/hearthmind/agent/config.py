"""The `agent:` section of configuration.yaml:

    agent:
      enabled: true               # false: no agent at all
      policy: ladder              # or "threshold": act whenever p >= threshold, no ladder
      model: boosted_ranker       # a routines model (default: the routines component's)
      threshold: 0.5              # the threshold policy's probability
      undo_window_minutes: 5      # a person's opposite change within this is a revert
      undo_window_minutes_by_domain: {climate: 30}   # heating turned down is felt later
      quiet_hours: {start: "22:30", end: "07:00"}   # no questions then
      max_questions_per_person_per_day: 3
      sensitive: [switch.heater]  # never acted on without a person's yes
      left_on: true               # lights and TVs left on in a room that is empty (motion
                                  # sensors, people's rooms): proposed off, through the ladder
      ladder: {act_after: 5, act_min_rate: 0.95, ...}   # promotion rules, see LadderRules

Times of day are the home's (`hearthmind: time_zone`)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hearthmind.core import register_section

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def clock_seconds(text: str) -> float:
    """ "07:30" -> seconds after midnight."""
    match = _CLOCK.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a time of day (HH:MM)")
    return int(match.group(1)) * 3600.0 + int(match.group(2)) * 60.0


class QuietHours(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: str = "22:30"
    end: str = "07:00"

    @field_validator("start", "end")
    @classmethod
    def _is_clock(cls, value: str) -> str:
        clock_seconds(value)
        return value

    def contains(self, seconds_of_day: float) -> bool:
        start, end = clock_seconds(self.start), clock_seconds(self.end)
        if start == end:
            return False
        if start < end:
            return start <= seconds_of_day < end
        return seconds_of_day >= start or seconds_of_day < end


class LadderRules(BaseModel):
    """When a routine climbs and falls. Evidence is the routine's outcomes: successes (a
    prediction that came true, a missed chance, an accepted suggestion, an action kept) and
    failures (a prediction that did not come true, a declined suggestion, a revert); `streak`
    is the successes since the last failure, the rate is over the last `window` outcomes.
    Defaults chosen on development runs (docs/DESIGN-NOTES.md says which)."""

    model_config = ConfigDict(extra="forbid")

    # the model's moments: it must give the routine at least this (what the agent makes of
    # such a moment then depends on how often the model's moments of it came true)
    min_probability: float = Field(default=0.5, gt=0, le=1)
    suggest_after: int = Field(default=2, ge=1)
    suggest_min_rate: float = Field(default=0.6, ge=0, le=1)
    act_after: int = Field(default=3, ge=1)
    act_min_rate: float = Field(default=0.85, ge=0, le=1)
    window: int = Field(default=20, ge=2, le=500)
    # after each revert the streak needed to act again is this many times longer
    revert_penalty: float = Field(default=2.0, ge=1)
    # a source of moments (a trigger, or the model: triggers.py) is trusted after this many
    # occasions, when the lower bound of how often the routine followed reaches this rate;
    # the agent asks or acts only at trusted moments, and only those move the ladder
    trigger_min: int = Field(default=5, ge=1)
    trigger_min_rate: float = Field(default=0.85, ge=0, le=1)
    # a prediction came true when the person does it within this after the moment; for
    # switching something off, within the shorter window (done too early, it is unwanted)
    truth_window_minutes: float = Field(default=10.0, gt=0, le=240)
    truth_window_off_minutes: float = Field(default=3.0, gt=0, le=240)
    # act this long before the predicted moment (at once when that is past); default: half
    # the routine's window, which the person would not mind
    act_lead_seconds: float | None = Field(default=None, ge=0, le=3600)
    # predictions further ahead than this are not a moment to act on
    horizon_minutes: float = Field(default=30.0, gt=0, le=720)


class AgentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    policy: Literal["ladder", "threshold"] = "ladder"
    model: str | None = None  # None: the routines component's model
    threshold: float = Field(default=0.5, gt=0, le=1)
    undo_window_minutes: float = Field(default=5.0, gt=0, le=24 * 60)
    # a light's undo comes within minutes; a thermostat turned down is felt later (in the
    # development runs people put the heating back up to 20 minutes on, after the 5 minutes)
    undo_window_minutes_by_domain: dict[str, float] = Field(
        default_factory=lambda: {"climate": 30.0, "water_heater": 30.0}
    )
    quiet_hours: QuietHours | None = QuietHours()
    max_questions_per_person_per_day: int = Field(default=3, ge=0, le=100)
    suggestion_expires_minutes: float = Field(default=10.0, gt=0, le=24 * 60)
    # how long a device may take to report the state it was told to (MQTT answers later)
    device_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    sensitive: list[str] = Field(default_factory=list)
    # switching off what was left on in an empty room (left_on.py), a routine per entity
    left_on: bool = True
    ladder: LadderRules = LadderRules()

    @field_validator("undo_window_minutes_by_domain")
    @classmethod
    def _windows_in_range(cls, value: dict[str, float]) -> dict[str, float]:
        for domain, minutes in value.items():
            if not 0 < minutes <= 24 * 60:
                raise ValueError(f"undo window for {domain}: {minutes} minutes, not in (0, 1440]")
        return value

    def undo_window(self, entity_id: str) -> float:
        """Seconds within which a person's opposite change of this entity is a revert."""
        domain = entity_id.partition(".")[0]
        return self.undo_window_minutes_by_domain.get(domain, self.undo_window_minutes) * 60.0


register_section("agent", AgentConfig)
