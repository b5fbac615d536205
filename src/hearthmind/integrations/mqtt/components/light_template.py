"""The template schema of an MQTT light (`schema: template`), as Home Assistant's
schema_template.py reads and writes it: one state topic read by `state_template`,
`brightness_template`, `color_temp_template` (mireds), `red_`/`green_`/`blue_template`
and `effect_template`; one command topic written by `command_on_template` and
`command_off_template` with the variables `state`, `brightness`, `color_temp`, `red`,
`green`, `blue`, `hue`, `sat`, `effect`, `flash` and `transition`."""

from __future__ import annotations

import colorsys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import jinja2

from hearthmind.core import Context

from ..payloads import PayloadError
from ..templates import TemplateError, ValueTemplate, optional_template
from .light_color import rgb_to_hs
from .light_state import kelvin_to_mired, mired_to_kelvin

if TYPE_CHECKING:
    from .light import MqttLight

_VALUE_KEYS = (
    "state_template",
    "brightness_template",
    "color_temp_template",
    "red_template",
    "green_template",
    "blue_template",
    "effect_template",
)


_COMMAND_KEYS = (
    "state",
    "brightness",
    "color_temp",
    "red",
    "green",
    "blue",
    "hue",
    "sat",
    "effect",
    "flash",
    "transition",
)


def hsv_to_rgb(hue: float, sat: float, value: float) -> tuple[int, int, int]:
    """HA's color_hsv_to_RGB (hue 0..360, saturation and value 0..100)."""
    red, green, blue = colorsys.hsv_to_rgb(hue / 360, sat / 100, value / 100)
    return round(red * 255), round(green * 255), round(blue * 255)


class TemplateLightSchema:
    def __init__(self, entity: MqttLight) -> None:
        self.entity = entity
        c = entity.config
        self.templates: dict[str, ValueTemplate | None] = {
            key: optional_template(getattr(c, key)) for key in _VALUE_KEYS
        }
        self.has_rgb = all(
            getattr(c, key) is not None
            for key in ("red_template", "green_template", "blue_template")
        )

    def modes(self) -> list[str]:
        """HA: onoff, brightness with a brightness template, color_temp and hs with theirs,
        then the colour modes alone (filter_supported_color_modes)."""
        c = self.entity.config
        colour = [
            mode
            for mode, present in (
                ("color_temp", c.color_temp_template is not None),
                ("hs", self.has_rgb),
            )
            if present
        ]
        if colour:
            return colour
        return ["brightness"] if c.brightness_template is not None else ["onoff"]

    @property
    def optimistic(self) -> bool:
        c = self.entity.config
        return bool(c.optimistic) or c.state_topic is None or c.state_template is None

    def _render(self, key: str, text: str, problems: list[str]) -> str | None:
        """None without that template; "" (and the reason noted) when it fails on this
        payload (HA's lenient templates render an index past the end as "")."""
        template = self.templates[key]
        if template is None:
            return None
        try:
            return self.entity.render(template, text)
        except TemplateError as err:
            problems.append(f"{key}: {err}")
            return ""

    # -- reports ---------------------------------------------------------------------------

    def on_state(self, text: str) -> None:
        entity = self.entity
        light = entity.light
        problems: list[str] = []
        state = self._render("state_template", text, problems)
        if state == "on":
            entity.state = "on"
        elif state == "off":
            entity.state = "off"
        elif state == "None":
            entity.state = "unknown"
        elif state is not None:
            problems.append("Invalid state value received")
        brightness = self._render("brightness_template", text, problems)
        if brightness is not None:
            try:
                level = int(brightness)
            except ValueError:
                problems.append(f"Invalid brightness value received: {brightness[:20]!r}")
            else:
                if level:  # HA ignores a zero brightness
                    light.values["brightness"] = level
        color_temp = self._render("color_temp_template", text, problems)
        if color_temp is not None:
            try:
                mired = None if color_temp == "None" else int(color_temp)
            except ValueError:
                problems.append("Invalid color temperature value received")
            else:
                kelvin = None if mired is None else mired_to_kelvin(mired)
                light.values["color_temp_kelvin"] = kelvin
                if light.single_mode:
                    light.color_mode = "color_temp"
        if self.has_rgb:
            channels = [
                self._render(key, text, problems)
                for key in ("red_template", "green_template", "blue_template")
            ]
            try:
                if all(value == "None" for value in channels):
                    light.values.pop("hs_color", None)
                else:
                    red, green, blue = (int(str(value)) for value in channels)
                    light.values["hs_color"] = rgb_to_hs(red, green, blue)
            except ValueError:
                problems.append("Invalid color value received")
            else:
                self._update_color_mode()
        effect = self._render("effect_template", text, problems)
        if effect is not None:
            effects = entity.config.effect_list
            if effects and effect in effects:
                light.values["effect"] = effect
            else:
                problems.append(f"Unsupported effect value received: {effect[:40]!r}")
        # what was valid is kept (HA writes each part it could read), the rest is logged
        entity.report()
        if problems:
            raise PayloadError("; ".join(problems))

    def _update_color_mode(self) -> None:
        light = self.entity.light
        if light.single_mode:
            return
        # HA: with colour temperature and hs, hs wins while there is a colour
        light.color_mode = "hs" if light.values.get("hs_color") is not None else "color_temp"

    # -- commands --------------------------------------------------------------------------

    def command(self, wanted: Mapping[str, Any], context: Context) -> None:
        entity = self.entity
        c = entity.config
        light = entity.light
        optimistic = self.optimistic
        values: dict[str, Any] = {"state": bool(wanted.get("on"))}
        if wanted.get("transition") is not None:
            values["transition"] = wanted["transition"]
        if not wanted.get("on"):
            template = c.command_off_template
        else:
            template = c.command_on_template
            if "brightness" in wanted:
                values["brightness"] = int(wanted["brightness"])
                if optimistic:
                    light.values["brightness"] = values["brightness"]
            if "color_temp_kelvin" in wanted and "color_temp" in light.supported:
                values["color_temp"] = kelvin_to_mired(wanted["color_temp_kelvin"])
                if optimistic:
                    light.values["color_temp_kelvin"] = wanted["color_temp_kelvin"]
                    light.values.pop("hs_color", None)
                    self._update_color_mode()
            if "hs_color" in wanted and "hs" in light.supported:
                hue, sat = wanted["hs_color"]
                if c.brightness_template is not None:
                    level = 255  # the brightness goes in its own variable
                else:
                    current = light.values.get("brightness")
                    level = wanted.get("brightness", current if current is not None else 255)
                values["red"], values["green"], values["blue"] = hsv_to_rgb(
                    hue, sat, level / 255 * 100
                )
                values["hue"], values["sat"] = hue, sat
                if optimistic:
                    light.values["hs_color"] = (hue, sat)
                    self._update_color_mode()
            if "effect" in wanted:
                values["effect"] = wanted["effect"]
                if optimistic:
                    light.values["effect"] = wanted["effect"]
            if wanted.get("flash") is not None:
                values["flash"] = wanted["flash"]
        compiled = optional_template(template)
        if compiled is None or c.command_topic is None:
            raise PayloadError(f"{entity.entity_id} has no command template")
        # what the call did not give is undefined, as in HA: `{{ hue|d }}` renders empty
        variables: dict[str, Any] = {key: jinja2.Undefined(name=key) for key in _COMMAND_KEYS}
        variables.update(values)
        payload = compiled.render_command(None, entity_id=entity.entity_id, **variables)
        entity.publish(c.command_topic, payload, context)
        if optimistic:
            entity.state = "on" if wanted.get("on") else "off"
            entity.optimistic_update(context)


__all__ = ["TemplateLightSchema", "hsv_to_rgb"]
