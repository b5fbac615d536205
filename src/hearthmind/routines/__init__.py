"""Learning routines and predicting what people will do next.

- `observations`: the plain data the learning core works on (`Observation`, `HomeLog`).
- `importers`: real logs (CASAS, van Kasteren, Ordóñez, MIT PlaceLab, SmartThings, Home
  Assistant's recorder database) into observations; `recorder_bridge` writes them into the
  recorder and reads people's actions and sensor events back.
- `predictor`: the `Predictor` protocol (fit, update, predict, explain) and `Prediction`.
- `models`: baselines (most frequent, repeat last, Markov, Active LeZi), the time-habit miner
  and the context ranker (LightGBM), the best measured model.
- `readable`: routines a person can read ("weekdays 06:35-06:50, after ...: ... (38 of 41 days)").
- `online`: keeps a model learning on a live hub (online updates + periodic refit);
  `component`: sets it up in a running hub from the `routines:` configuration section.
- `evaluation`: the harness behind `hearthmind eval` and bench/routines.py."""

from __future__ import annotations

from .observations import ActivitySpan, HomeLog, ImportReport, Kind, Observation
from .predictor import Prediction, Predictor

__all__ = [
    "ActivitySpan",
    "HomeLog",
    "ImportReport",
    "Kind",
    "Observation",
    "Prediction",
    "Predictor",
]
