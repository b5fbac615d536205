"""What the routines learner has learned, for the dashboard's routines page:

    GET /api/hearthmind/routines/calibration     how well its confidence matches what happens:
        the last guesses (routines/live_calibration.py) scored as `hearthmind eval` scores
        them: Brier score of the top guess, top-1/top-3, ECE, and the reliability curve
        (mean predicted probability, observed share correct, count per bin)
    GET /api/hearthmind/routines/week?days=28    when each routine happens over the week:
        per routine, its occurrences (people doing its action) by weekday and hour on the
        home's wall clock over the last `days`, from the history the learner read from the
        recorder and has seen since

404 without the routines component. The routines are the agent's (one per action and part of
the day, with its sentence); without the agent, the actions people do most often."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter

from hearthmind.core import Hub

from .auth import Authorized, Runtime
from .operations import ApiError
from .rest import JsonResponse

if TYPE_CHECKING:
    from hearthmind.routines.live_calibration import RunningCalibration
    from hearthmind.routines.online import RoutineLearner

router = APIRouter(prefix="/api/hearthmind/routines", default_response_class=JsonResponse)

MAX_DAYS = 365
MOST_DONE = 12  # without the agent: this many of the most frequent actions


def learner_of(hub: Hub) -> RoutineLearner:
    # loaded on demand: the routines need the learn extra (numpy, LightGBM)
    from hearthmind.routines.component import get_learner

    learner = get_learner(hub)
    if learner is None:
        raise ApiError(404, "not_found", "routines are not learned on this hub")
    return learner


def calibration_figures(record: RunningCalibration) -> dict[str, Any]:
    """The record's guesses scored by the evaluation's own metrics (no second implementation):
    its figures (n, top1, top3, brier_top1, ece) and the reliability curve's points (mean
    predicted probability, observed share correct, count per non-empty bin of width 1/bins)."""
    from hearthmind.routines.evaluation.metrics import RELIABILITY_BINS, RankingScore

    score = RankingScore()
    for predictions, truth in record.guesses():
        score.add(predictions, truth)
    return {
        **(score.as_dict() if score.n else {"n": 0}),
        "model": record.model,
        "keep": record.keep,
        "total": record.total,
        "bins": RELIABILITY_BINS,
        "reliability": [
            {"predicted": round(p, 4), "observed": round(o, 4), "count": c}
            for p, o, c in score.reliability()
        ],
    }


def calibration(hub: Hub) -> dict[str, Any]:
    learner = learner_of(hub)
    return {
        **calibration_figures(learner.calibration),
        "current_model": None if learner.model is None else learner.model.name,
    }


def _routines(hub: Hub, counts: Counter[str]) -> list[dict[str, Any]]:
    """(routine_id, item, sentence, part of the day, person) of each routine to plot."""
    from hearthmind.agent import get_agent

    agent = get_agent(hub)
    if agent is not None:
        return [
            {
                "routine_id": unit.routine_id,
                "item": unit.item,
                "sentence": unit.sentence(agent.name_of),
                "part_of_day": unit.part,
                "person": unit.person,
            }
            for unit in sorted(agent.units.values(), key=lambda u: u.routine_id)
        ]
    from hearthmind.routines.readable import describe_item

    names = {
        s.entity_id: str(s.attributes["friendly_name"])
        for s in hub.states.async_all()
        if s.attributes.get("friendly_name")
    }
    return [
        {
            "routine_id": item,
            "item": item,
            "sentence": describe_item(item, names=names),
            "part_of_day": None,
            "person": None,
        }
        for item, _ in counts.most_common(MOST_DONE)
    ]


def week(hub: Hub, days: float = 28.0) -> dict[str, Any]:
    from hearthmind.routines.observations import Kind
    from hearthmind.routines.timeofday import DAY, hour_of_day, to_wall_clock, weekday

    learner = learner_of(hub)
    if not 1 <= days <= MAX_DAYS:
        raise ApiError(400, "invalid_format", f"days must be between 1 and {MAX_DAYS}, not {days}")
    now = to_wall_clock(hub.clock.timestamp(), learner.zone)
    start = now - days * DAY
    # every action people did in the window, by item: weekday x hour counts (wall clock)
    grids: dict[str, list[list[int]]] = {}
    done: Counter[str] = Counter()
    for obs in learner.history:
        if obs.kind is not Kind.ACTION or not start <= obs.time <= now:
            continue
        grid = grids.setdefault(obs.item, [[0] * 24 for _ in range(7)])
        grid[weekday(obs.time)][int(hour_of_day(obs.time))] += 1
        done[obs.item] += 1
    zone = hub.config.zone
    shown = []
    for routine in _routines(hub, done):
        grid = grids.get(routine["item"], [[0] * 24 for _ in range(7)])
        shown.append({**routine, "total": done.get(routine["item"], 0), "counts": grid})
    return {
        "days": days,
        "start": datetime.fromtimestamp(learner.utc(start), zone).isoformat(),
        "end": datetime.fromtimestamp(learner.utc(now), zone).isoformat(),
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "routines": shown,
    }


@router.get("/calibration", summary="How well the learner's confidence matches what happens")
async def get_calibration(rt: Runtime, _: Authorized) -> JsonResponse:
    return JsonResponse(calibration(rt.hub))


@router.get("/week", summary="When each routine happens over the week (weekday x hour)")
async def get_week(rt: Runtime, _: Authorized, days: float = 28.0) -> JsonResponse:
    return JsonResponse(week(rt.hub, days))
