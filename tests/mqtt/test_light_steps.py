"""A brightness step on an MQTT light, as Home Assistant's light.turn_on computes it: from the
light's brightness when it is on, from 0 when it is off (dimming an off light leaves it off;
a step up turns it on at the step, not at its last brightness)."""

from __future__ import annotations

from hearthmind.integrations.mqtt.components.light_commands import wanted_values
from hearthmind.integrations.mqtt.components.light_state import LightState


def _light() -> LightState:
    return LightState(supported=["brightness"], values={"brightness": 200})


def test_a_step_on_a_lit_light_starts_from_its_brightness() -> None:
    assert wanted_values("turn_on", {"brightness_step_pct": -20}, _light()) == {
        "on": True,
        "brightness": 149,
    }


def test_a_step_from_off_starts_at_zero() -> None:
    off = wanted_values("turn_on", {"brightness_step_pct": -25}, _light(), is_on=False)
    assert off == {"on": False}
    up = wanted_values("turn_on", {"brightness_step": 64}, _light(), is_on=False)
    assert up == {"on": True, "brightness": 64}
