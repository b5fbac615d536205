"""Why the supervisor set what it set, in words a facility engineer reads:
"chilled water raised to 9.0 C: wet-bulb 12 C is low and the IT load light (45 % of the
peak seen); the economiser carries 60 %"."""

from __future__ import annotations

import numpy as np

from .readings import INLET_HIGH_C, HallSensors, HallSetpoints


def economiser_share(s: HallSensors) -> float | None:
    """The share of the cooling the outdoor air does: how far the mixed air sits below the
    return air, of how far the outdoor air does (None without a mixed-air sensor)."""
    if not s.mixed_air_c:
        return None
    shares = []
    for ret, mixed in zip(s.zone_return_c, s.mixed_air_c, strict=False):
        span = ret - s.outdoor_drybulb_c
        if span <= 0.5:
            shares.append(0.0)  # outdoor air no cooler than the return: no free cooling
            continue
        drop = max(ret - mixed, 0.0)
        # the cooling the whole air handler does is return -> supply; the outdoor air's
        # part of it is return -> mixed
        supply = min(s.zone_supply_c) if s.zone_supply_c else mixed
        total = max(ret - supply, 0.1)
        shares.append(min(drop / total, 1.0))
    return float(np.mean(shares)) if shares else None


def _moved(new: float, old: float, what: str) -> str:
    if new > old + 0.05:
        return f"{what} raised to {new:.1f} C"
    if new < old - 0.05:
        return f"{what} lowered to {new:.1f} C"
    return f"{what} held at {new:.1f} C"


def _facility(cmd: HallSetpoints, it_per_k: float, saved_per_k: float | None) -> str:
    """The facility objective's words, or nothing when the plan minimises cooling alone (the
    rule and the safe set-points do not plan, so the objective has no say there)."""
    if it_per_k <= 0.0 or cmd.mode != "mpc":
        return ""
    per_k = f"the servers draw {it_per_k:.1f} kW more per K"
    if saved_per_k is None:
        return f"facility objective ({per_k} of inlet, weighed against cooling); "
    # the surrogate's slope where the plant now is: what a K warmer air would save
    if saved_per_k < it_per_k:
        return (
            f"{per_k}, more than cooling saves ({saved_per_k:.1f} kW per K warmer; "
            "facility objective); "
        )
    return (
        f"a K warmer saves {saved_per_k:.1f} kW of cooling, more than the servers' "
        f"{it_per_k:.1f} kW per K (facility objective); "
    )


def explain(
    s: HallSensors,
    cmd: HallSetpoints,
    last: HallSetpoints,
    predicted_kw: float | None,
    supply_high_c: float,
    it_peak_kw: float,
    it_power_per_kelvin_kw: float = 0.0,
    cooling_saved_per_k_kw: float | None = None,
) -> tuple[str, ...]:
    """Sentences for this step's set-points; with `it_power_per_kelvin_kw` > 0 (the
    facility objective) the supply-air sentence says so, and weighs the servers' kW per K
    against `cooling_saved_per_k_kw`, the cooling a K warmer supply would save now."""
    ratio = s.it_kw / max(it_peak_kw, 1e-6)
    load = f"{'light' if ratio < 0.6 else 'heavy'}, {ratio:.0%} of the peak seen"
    wet = s.outdoor_wetbulb_c
    wet_word = "low" if wet < 15.0 else "high"
    it_text = f"{s.it_kw:.0f} kW IT"
    out: list[str] = []
    chw = _moved(cmd.chilled_water_c, last.chilled_water_c, "chilled water")
    why_chw = f"wet-bulb {wet:.0f} C is {wet_word}, {it_text} ({load})"
    share = economiser_share(s)
    eco = ""
    if cmd.economiser >= 0.5:
        eco = "; the economiser is on" + (f" and carries {share:.0%}" if share is not None else "")
    else:
        eco = "; the economiser is locked out (outdoor air would cost more than it saves)"
    out.append(f"{chw}: {why_chw}{eco}")
    sat = float(np.mean(cmd.supply_air_c))
    hottest = max(s.zone_inlet_c)
    out.append(
        f"{_moved(sat, float(np.mean(last.supply_air_c)), 'supply air')}: "
        f"{_facility(cmd, it_power_per_kelvin_kw, cooling_saved_per_k_kw)}hottest rack inlet "
        f"{hottest:.1f} C, the plan keeps it under {INLET_HIGH_C:.0f} C "
        f"(supply at most {supply_high_c:.1f} C)"
    )
    if predicted_kw is not None:
        out.append(f"cooling plant expected at {predicted_kw:.1f} kW (now {s.cooling_kw:.1f} kW)")
    if cmd.mode == "rule":
        out.append("planned by the safe rule, not the model, this step")
    return tuple(out)
