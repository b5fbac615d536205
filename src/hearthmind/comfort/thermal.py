"""A grey-box thermal model per room, fitted from recorded history: one resistance, one
capacitance (1R1C), a heater gain and a solar gain.

    T[t+1] = T[t] + dt / C * ((T_out[t] - T[t]) / R + Q[t] + g_sun * I[t]) + bias

fitted by least squares on hourly rows (indoor temperature, heating power in kW (or duty x
rated power), outdoor temperature, global irradiance). The fit gives R (K/kW), C (kWh/K), the
solar gain, and the one-step error (RMSE, K), and refits as rows come in. The rows it was
not fitted on judge it (the last fifth by default).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .lp import Array


class FitError(ValueError):
    """Not enough usable history, or history that makes no physical sense."""


@dataclass(frozen=True)
class RcModel:
    """The fitted room: one step of an hour is ``a T + b T_out + c Q + d I + e``."""

    a: float
    b: float
    c: float
    d: float
    e: float
    r_k_per_kw: float
    c_kwh_per_k: float
    rmse_k: float
    rows: int

    def step(self, t_in: float, t_out: float, heat_kw: float, ghi: float = 0.0) -> float:
        return self.a * t_in + self.b * t_out + self.c * heat_kw + self.d * ghi + self.e

    def as_dict(self) -> dict[str, float]:
        return {
            "r_k_per_kw": round(self.r_k_per_kw, 3),
            "c_kwh_per_k": round(self.c_kwh_per_k, 3),
            "rmse_k": round(self.rmse_k, 4),
            "rows": self.rows,
        }


def fit_rc(
    t_in: Array, t_out: Array, heat_kw: Array, ghi: Array | None = None, holdout: float = 0.2
) -> RcModel:
    """Fit on hourly rows; NaN rows (missing readings) are dropped, not filled."""
    t_in, t_out, heat_kw = (np.asarray(x, dtype=float) for x in (t_in, t_out, heat_kw))
    sun = np.zeros_like(t_in) if ghi is None else np.asarray(ghi, dtype=float) / 1000.0
    x = np.column_stack([t_in[:-1], t_out[:-1], heat_kw[:-1], sun[:-1]])
    y = t_in[1:]
    ok = np.all(np.isfinite(x), axis=1) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(y) < 24:
        raise FitError(f"{len(y)} usable hourly rows; a room model needs at least 24")
    n_fit = max(24, int(len(y) * (1 - holdout)))
    # regress the change: dT = k1 (T_out - T) + k2 Q + k3 I + e  (physically constrained form)
    feats = np.column_stack([x[:, 1] - x[:, 0], x[:, 2], x[:, 3], np.ones(len(y))])
    coef, *_ = np.linalg.lstsq(feats[:n_fit], (y - x[:, 0])[:n_fit], rcond=None)
    k1, k2, k3, bias = (float(v) for v in coef)
    if not (0 < k1 < 1) or k2 <= 0:
        raise FitError(
            f"history gives no physical room (loss {k1:.4f}/h, heater gain {k2:.4f} K/kWh)"
        )
    c_cap = 1.0 / k2
    r_res = 1.0 / (k1 * c_cap)
    test = slice(n_fit, None) if n_fit < len(y) else slice(None)
    pred = x[test, 0] + feats[test] @ coef
    rmse = float(np.sqrt(np.mean((pred - y[test]) ** 2)))
    return RcModel(1 - k1, k1, k2, k3 / 1000.0, bias, r_res, c_cap, rmse, len(y))


@dataclass
class RoomModelKeeper:
    """Keeps a room's hourly rows and refits its model every ``refit_every`` new rows."""

    refit_every: int = 24
    max_rows: int = 24 * 60
    rows: list[tuple[float, float, float, float]] = field(default_factory=list)
    model: RcModel | None = None
    fit_failures: int = 0
    _new: int = 0

    def add(self, t_in: float, t_out: float, heat_kw: float, ghi: float = 0.0) -> None:
        self.rows.append((t_in, t_out, heat_kw, ghi))
        del self.rows[: -self.max_rows]
        self._new += 1
        if self._new >= self.refit_every:
            self.refit()

    def refit(self) -> RcModel | None:
        self._new = 0
        arr = np.array(self.rows, dtype=float)
        if len(arr) < 25:
            return self.model
        try:
            self.model = fit_rc(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])
        except FitError:
            self.fit_failures += 1  # the previous model stays in use
        return self.model
