"""A linear programme handed to HiGHS (highspy): the one place the comfort package solves.

Each planner builds its constraints as sparse rows; this module passes them to HiGHS with a
time limit and turns every way a solve can go wrong (infeasible, unbounded, timed out, the
library missing) into :class:`SolverError`, so callers fall back to their safe rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

Array = npt.NDArray[np.float64]
INF = float("inf")


class SolverError(RuntimeError):
    """The solver gave no usable plan (it failed, timed out or is missing)."""


@dataclass
class LinearProgram:
    """min c.x subject to row_lo <= A x <= row_hi and col_lo <= x <= col_hi.

    Columns are added in named blocks (``add_vars``) and rows one at a time with a dict of
    column index -> coefficient, so planners read like their equations.
    """

    cost: list[float] = field(default_factory=list)
    col_lo: list[float] = field(default_factory=list)
    col_hi: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    vals: list[float] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)

    def add_vars(
        self, n: int, lo: float | Array = 0.0, hi: float | Array = INF, cost: float | Array = 0.0
    ) -> npt.NDArray[np.int64]:
        """Add n columns; returns their indices."""
        start = len(self.cost)
        self.cost.extend(np.broadcast_to(np.asarray(cost, dtype=float), (n,)).tolist())
        self.col_lo.extend(np.broadcast_to(np.asarray(lo, dtype=float), (n,)).tolist())
        self.col_hi.extend(np.broadcast_to(np.asarray(hi, dtype=float), (n,)).tolist())
        return np.arange(start, start + n, dtype=np.int64)

    def add_row(self, coefs: dict[int, float], lo: float = -INF, hi: float = INF) -> None:
        """Add lo <= sum(coef * x[col]) <= hi."""
        r = len(self.row_lo)
        for c, v in coefs.items():
            self.rows.append(r)
            self.cols.append(int(c))
            self.vals.append(float(v))
        self.row_lo.append(lo)
        self.row_hi.append(hi)

    def add_eq(self, coefs: dict[int, float], rhs: float) -> None:
        self.add_row(coefs, rhs, rhs)

    def solve(self, time_limit_s: float = 5.0) -> Array:
        """The optimal x, or SolverError."""
        try:
            import highspy
        except ImportError as err:  # pragma: no cover - highspy is a locked dependency
            raise SolverError(f"highspy is not installed: {err}") from err
        n, m = len(self.cost), len(self.row_lo)
        a = sparse.csc_matrix((self.vals, (self.rows, self.cols)), shape=(m, n))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        lp.col_cost_ = np.asarray(self.cost)
        lp.col_lower_ = np.asarray(self.col_lo)
        lp.col_upper_ = np.asarray(self.col_hi)
        lp.row_lower_ = np.asarray(self.row_lo)
        lp.row_upper_ = np.asarray(self.row_hi)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr
        lp.a_matrix_.index_ = a.indices
        lp.a_matrix_.value_ = a.data
        h = highspy.Highs()  # type: ignore[no-untyped-call]
        h.setOptionValue("output_flag", False)
        h.setOptionValue("time_limit", float(time_limit_s))
        h.passModel(lp)
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"HiGHS ended with {h.modelStatusToString(status)}")
        return np.asarray(h.getSolution().col_value, dtype=float)
