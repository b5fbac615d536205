"""Places as people say them: the home's areas by their names and configured aliases (Home
Assistant's area aliases, the only house-specific words), a short list of common English room
synonyms ("lounge", "spare room") used only where the home has exactly one area they can mean,
and the place a request names that the home does not know ("in the pantry").

A place said and not known is never dropped: reading it as the speaker's room, or as the whole
home, would act on a different or broader set of devices than asked (issue 25's blind set:
"close the curtains in the spare room" closed the living room's)."""

from __future__ import annotations

import re

from .home import HomeVocabulary, NamedArea, normalize_name

# generic English names of rooms -> what a home may call the same room; a synonym is used only
# when exactly one area of the home has one of those names and none is called by the synonym
ROOM_SYNONYMS: dict[str, tuple[str, ...]] = {
    "lounge": ("living room", "sitting room", "family room"),
    "sitting room": ("living room", "lounge", "family room"),
    "front room": ("living room", "lounge", "sitting room"),
    "family room": ("living room", "lounge"),
    "spare room": ("guest room", "guest bedroom", "spare bedroom"),
    "spare bedroom": ("guest room", "guest bedroom", "spare room"),
    "guest bedroom": ("guest room", "spare room"),
    "study": ("office", "home office"),
    "home office": ("office", "study"),
    "hallway": ("hall", "corridor", "entrance hall"),
    "corridor": ("hall", "hallway"),
    "washroom": ("bathroom",),
    "loo": ("toilet", "bathroom", "wc"),
    "dining area": ("dining room",),
}
# what may follow "in" / "at" (and "the") without being a place
NOT_PLACES = frozenset(
    {"here", "there", "once", "room", "dim", "all", "full", "half", "morning", "evening", "night", "dark",
     "total", "general", "case", "time", "this", "that", "least", "most", "last", "first"}
)  # fmt: skip
# words that end a place's name when reading one the home does not know
PLACE_ENDS = frozenset(
    {"please", "too", "now", "then", "and", "to", "by", "with", "for", "off", "on", "up", "down", "an",
     "again", "as", "also", "it", "them", "a", "bit", "little", "degrees", "degree", "percent",
     "while", "right", "quickly", "thanks", "is", "are", "was", "so", "very", "but", "or"}
)  # fmt: skip
PLACE_AFTER = re.compile(r"\b(?:in|at|inside|into)\s+(?:the\s+|my\s+|our\s+)?([a-z][\w' ]*)")


def area_names(home: HomeVocabulary) -> dict[str, NamedArea]:
    """Every way this home's areas may be said: names, aliases, then the generic synonyms
    that can mean only one of its areas."""
    names = {normalize_name(n): a for a in home.areas for n in a.names}
    for synonym, meanings in ROOM_SYNONYMS.items():
        if synonym in names:
            continue
        found = {names[m].id: names[m] for m in meanings if m in names}
        if len(found) == 1:
            names[synonym] = next(iter(found.values()))
    for name, area in list(names.items()):
        names.setdefault(f"{name}s", area)  # "the living rooms lights", "the bedrooms"
    return names


def area_named(home: HomeVocabulary, said: str) -> NamedArea | None:
    """The area a place said means ("the lounge" for the Living Room), or None."""
    found = home.area(said)
    if found is not None:
        return found
    return area_names(home).get(re.sub(r"^(?:the|my|our)\s+", "", normalize_name(said)))


def unknown_place(rest: str) -> str | None:
    """A place the request still names once the home's areas and floors are taken out of it
    ("in the spare room" in a home with no such room), or None."""
    for found in PLACE_AFTER.finditer(rest):
        words: list[str] = []
        for word in found.group(1).split():
            if word in PLACE_ENDS or word.isdigit() or len(words) == 3:
                break
            words.append(word)
        place = " ".join(words)
        if place and words[0] not in NOT_PLACES:
            return place
    return None
