"""Hour-ahead forecasts of a series (household load, PV output) learned from its own history.

The forecast for k hours ahead is a linear blend, fitted by least squares on the past, of a
few seasonal features: the value 24 h before the target hour, the mean of the same hour over
the last 7 days, the latest value, and the latest value's departure from its own 7-day mean
(persistence of today's weather or mood). Weights are refitted every ``refit_every`` hours on
at most ``window`` hours of history, one set per horizon; until there is a day of history the
forecast is the latest value. Nothing here sees the future: it is fed values as they happen.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from .lp import Array

DAY = 24


class SeasonalForecaster:
    """Forecasts 1..horizon hours ahead from an hourly series observed one value at a time."""

    def __init__(
        self,
        horizon: int = 24,
        window: int = 24 * 42,
        refit_every: int = 24 * 7,
        nonnegative: bool = True,
    ) -> None:
        self.horizon = horizon
        self.window = window
        self.refit_every = refit_every
        self.nonnegative = nonnegative
        self.history: deque[float] = deque(maxlen=window + 8 * DAY)
        self.weights: Array | None = None  # (horizon, n_features)
        self.fit_error: float | None = None  # mean absolute error of the last fit, 1 h ahead
        self._since_fit = 0

    def observe(self, value: float) -> None:
        """Add the value of the hour just ended (a missing one repeats the last)."""
        if not np.isfinite(value):
            value = self.history[-1] if self.history else 0.0
        self.history.append(float(value))
        self._since_fit += 1
        if self._since_fit >= self.refit_every or (
            self.weights is None and len(self.history) >= 9 * DAY
        ):
            self.refit()

    def _features(self, h: Array, now: int, k: int) -> Array:
        """Features known at index ``now`` for the target ``now + k`` (k >= 1)."""
        target = now + k
        same = [h[i] for i in range(target - DAY, max(target - 8 * DAY, -1), -DAY) if 0 <= i <= now]
        lag24 = same[0] if same else h[now]
        week = float(np.mean(same)) if same else float(h[now])
        own = h[now::-DAY][:7]
        return np.array([lag24, week, h[now], h[now] - float(np.mean(own)), 1.0])

    def refit(self) -> None:
        """Least-squares weights per horizon on the stored history."""
        self._since_fit = 0
        h = np.asarray(self.history)
        first = 8 * DAY
        if len(h) < first + self.horizon + DAY:
            return
        ws, errs = [], []
        for k in range(1, self.horizon + 1):
            nows = range(first, len(h) - k)
            x = np.array([self._features(h, n, k) for n in nows])
            y = h[first + k : len(h)]
            w, *_ = np.linalg.lstsq(x, y, rcond=None)
            ws.append(w)
            if k == 1:
                errs.append(float(np.mean(np.abs(x @ w - y))))
        self.weights = np.array(ws)
        self.fit_error = errs[0]

    def forecast(self) -> Array:
        """The next ``horizon`` hours."""
        h = np.asarray(self.history)
        if len(h) == 0:
            return np.zeros(self.horizon)
        if len(h) < 2 * DAY:
            return np.full(self.horizon, h[-1])
        now = len(h) - 1
        feats = np.array([self._features(h, now, k) for k in range(1, self.horizon + 1)])
        # the same hour's weekly mean until a fit exists
        out = feats[:, 1] if self.weights is None else np.einsum("kf,kf->k", feats, self.weights)
        return np.maximum(out, 0.0) if self.nonnegative else out
