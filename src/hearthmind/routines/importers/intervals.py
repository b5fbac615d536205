"""Logs given as sensor intervals (van Kasteren, Ordóñez): each interval becomes an `on` event
at its start and an `off` event at its end."""

from __future__ import annotations

from ..observations import ImportReport, Kind, Observation


def interval_events(
    start: float,
    end: float,
    entity_id: str,
    report: ImportReport,
    where: str,
    kind: Kind = Kind.SENSOR,
    origin: str = "sensor",
) -> list[Observation]:
    if end < start:
        report.skip(
            "interval ends before it starts", f"{where}: end before start; kept the start only"
        )
        return [Observation(start, f"{entity_id}:on", kind, origin=origin)]
    return [
        Observation(start, f"{entity_id}:on", kind, origin=origin),
        Observation(end, f"{entity_id}:off", kind, origin=origin),
    ]
