"""Short, warm replies: personal where the hub knows who speaks, never chatty.

Kept in one place so the voice of the hub stays consistent."""

from __future__ import annotations

from datetime import datetime

from hearthmind.core import Hub


def part_of_day(now: datetime) -> str:
    hour = now.hour
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 22:
        return "evening"
    return "night"


def local_now(hub: Hub) -> datetime:
    from zoneinfo import ZoneInfo

    now = hub.clock.now()
    tz_name = getattr(hub.config.core, "time_zone", None) or "UTC"
    try:
        return now.astimezone(ZoneInfo(tz_name))
    except Exception:  # an unknown zone name in the config: UTC rather than no answer
        return now


def speaker_name(hub: Hub, user_id: str | None) -> str | None:
    person = hub.registries.person_by_user(user_id)
    return person.name.split()[0] if person and person.name else None


def with_name(text: str, name: str | None) -> str:
    """'Done.' -> 'Done, Mina.' ; a question or longer sentence stays as it is."""
    if not name or len(text) > 60 or not text.endswith("."):
        return text
    return f"{text[:-1]}, {name}."


def join_names(names: list[str]) -> str:
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _takes_no_article(name: str) -> bool:
    """'The Den Lamp' has its own; "Sam's light", "the kids' lamp" and "Trader Joe's" (a
    shop's name) take none."""
    words = name.casefold().split()
    possessive = ("'s", "s'", "\u2019s")
    return bool(words) and (
        words[0] == "the" or words[0].endswith(possessive) or words[-1].endswith(possessive)
    )


def the(name: str) -> str:
    return name if _takes_no_article(name) else f"the {name}"


def things(names: list[str], noun: str) -> str:
    """'the kitchen light', "Sam's light", or '3 lights'."""
    if len(names) == 1:
        return the(names[0])
    if len(names) <= 3:
        if any(_takes_no_article(n) for n in names):
            return join_names([the(n) for n in names])
        return "the " + join_names(names)
    return f"{len(names)} {noun}s"


def greeting(hub: Hub, user_id: str | None) -> str:
    now = local_now(hub)
    name = speaker_name(hub, user_id)
    when = part_of_day(now)
    hello = "Good night" if when == "night" else f"Good {when}"
    return f"{hello}, {name}." if name else f"{hello}."
