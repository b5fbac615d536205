"""Data-hall cooling supervision (issue 23): model-predictive set-points for the zones, the
chilled water, the supply air and the economiser, with a safe fallback.

Modules: readings (what a hall reports and is set to), surrogate (the plant's cooling power,
fitted and refined on line), planner (the horizon's plan, SciPy SLSQP), guards (bad input),
supervisor (the 15-minute step), explain (why, in words), component (the hub's `datahall:`).
Nothing is imported here, so that the hub's start does not load SciPy unless a hall is
configured."""
