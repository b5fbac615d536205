"""A surrogate of the cooling plant: cooling power (kW) from the set-points and the
conditions, quadratic in its inputs, fitted by least squares and refined on line by
recursive least squares from the hall's own history.

Inputs: supply air (C), chilled water (C), economiser (0/1), outdoor dry bulb and wet bulb
(C) and IT power (kW). A fitted surrogate is kept as YAML (coefficients, scaling and the
ranges it has seen); outside those ranges it says it is unsure, and the supervisor then uses
its rule instead of a plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

INPUTS = ("supply_c", "chilled_water_c", "economiser", "outdoor_c", "wetbulb_c", "it_kw")
SHIPPED = Path(__file__).with_name("surrogate.yaml")


def features(x: np.ndarray) -> np.ndarray:
    """Quadratic features of scaled inputs (rows: samples, columns: INPUTS): 1, each input,
    and each product of two (squares included), in row-major order of the pairs."""
    x = np.atleast_2d(x)
    i, j = np.triu_indices(x.shape[1])
    return np.hstack([np.ones((x.shape[0], 1)), x, x[:, i] * x[:, j]])


@dataclass
class PlantSurrogate:
    """cooling_kw = features(scaled inputs) @ coef, with an RLS covariance for updates."""

    coef: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    low: np.ndarray  # the inputs' range seen in fitting (unscaled)
    high: np.ndarray
    rmse_kw: float
    samples: int
    covariance: np.ndarray | None = None
    forgetting: float = 0.9995

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, ridge: float = 1e-3) -> PlantSurrogate:
        """Least squares (with a small ridge) on samples `x` (n, 6) -> `y` (n,) in kW."""
        mean = x.mean(axis=0)
        scale = np.where(x.std(axis=0) > 1e-9, x.std(axis=0), 1.0)
        phi = features((x - mean) / scale)
        a = phi.T @ phi + ridge * len(y) * np.eye(phi.shape[1])
        coef = np.linalg.solve(a, phi.T @ y)
        rmse = float(np.sqrt(np.mean((phi @ coef - y) ** 2)))
        return cls(
            coef=coef,
            mean=mean,
            scale=scale,
            low=x.min(axis=0),
            high=x.max(axis=0),
            rmse_kw=rmse,
            samples=len(y),
            covariance=np.linalg.inv(a) * len(y) * 1e-2,
        )

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Cooling kW for each row of inputs."""
        return np.asarray(features((np.atleast_2d(x) - self.mean) / self.scale) @ self.coef)

    def gradient(self, x: np.ndarray, column: int) -> np.ndarray:
        """d cooling_kw / d input[column] for each row, by central differences."""
        step = 1e-3 * self.scale[column]
        up = np.atleast_2d(x).astype(float).copy()
        down = up.copy()
        up[:, column] += step
        down[:, column] -= step
        slope: np.ndarray = (self.predict(up) - self.predict(down)) / (2 * step)
        return slope

    def familiar(self, x: np.ndarray, slack: float = 0.1) -> bool:
        """Every row inside the fitted range (widened by `slack` of the range)."""
        x = np.atleast_2d(x)
        width = (self.high - self.low) * slack + 1e-6
        return bool(np.all(x >= self.low - width) and np.all(x <= self.high + width))

    def update(self, x: np.ndarray, y: float) -> None:
        """One recursive-least-squares step from a reading of the hall (on-line identification)."""
        if self.covariance is None:
            self.covariance = np.eye(len(self.coef))
        phi = features((np.atleast_2d(x) - self.mean) / self.scale)[0]
        p = self.covariance
        gain = p @ phi / (self.forgetting + phi @ p @ phi)
        error = y - float(phi @ self.coef)
        self.coef = self.coef + gain * error
        self.covariance = (p - np.outer(gain, phi @ p)) / self.forgetting
        self.rmse_kw = float(np.sqrt(0.999 * self.rmse_kw**2 + 0.001 * error**2))
        self.samples += 1
        self.low = np.minimum(self.low, np.atleast_2d(x)[0])
        self.high = np.maximum(self.high, np.atleast_2d(x)[0])

    def to_dict(self) -> dict[str, Any]:
        return {
            "inputs": list(INPUTS),
            "coef": [float(v) for v in self.coef],
            "mean": [float(v) for v in self.mean],
            "scale": [float(v) for v in self.scale],
            "low": [float(v) for v in self.low],
            "high": [float(v) for v in self.high],
            "rmse_kw": float(self.rmse_kw),
            "samples": int(self.samples),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlantSurrogate:
        if list(data.get("inputs", [])) != list(INPUTS):
            raise ValueError(f"surrogate inputs {data.get('inputs')} are not {list(INPUTS)}")
        return cls(
            coef=np.asarray(data["coef"], dtype=float),
            mean=np.asarray(data["mean"], dtype=float),
            scale=np.asarray(data["scale"], dtype=float),
            low=np.asarray(data["low"], dtype=float),
            high=np.asarray(data["high"], dtype=float),
            rmse_kw=float(data["rmse_kw"]),
            samples=int(data["samples"]),
        )

    def save(self, path: Path, note: str = "") -> None:
        body = yaml.safe_dump(self.to_dict(), sort_keys=False)
        path.write_text((f"# {note}\n" if note else "") + body)

    @classmethod
    def load(cls, path: Path = SHIPPED) -> PlantSurrogate:
        data = yaml.safe_load(path.read_text())
        return cls.from_dict(data)

    def scaled_to(self, it_kw_design: float) -> PlantSurrogate:
        """The same surrogate for a hall of another size: IT and cooling kW scale together."""
        design = float(self.high[5])
        ratio = it_kw_design / design if design > 0 else 1.0
        mean = self.mean.copy()
        scale = self.scale.copy()
        low = self.low.copy()
        high = self.high.copy()
        mean[5] *= ratio
        scale[5] *= ratio
        low[5] *= ratio
        high[5] *= ratio
        return PlantSurrogate(
            coef=self.coef * ratio,
            mean=mean,
            scale=scale,
            low=low,
            high=high,
            rmse_kw=self.rmse_kw * ratio,
            samples=self.samples,
        )
