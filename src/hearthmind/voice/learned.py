"""Names learned from what people call things: "turn on the big light" -> "I don't know a device
called big light. Which device do you mean?" -> "the kitchen ceiling" does it, and from then
on "the big light" is the Kitchen ceiling's name too, for the grammar and the reader alike
(HomeVocabulary.from_hub adds them to the entity's names, as Home Assistant's aliases are).

Kept in `<config>/.storage/voice_names.json` (`{"version": 1, "names": [{"said", "entity_id",
"user_id", "learned"}]}`), written whole on each change. A file that cannot be read is
counted as a problem (`voice_names_unreadable`) and the hub starts with none, never stops."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hearthmind.core import DataKey, Hub

if TYPE_CHECKING:
    from .home import HomeVocabulary
    from .pipeline import VoiceResult
    from .turns import ServiceAction

_LOGGER = logging.getLogger(__name__)
LEARNED_NAMES: DataKey[LearnedNames] = DataKey("voice_learned_names")
STORE = Path(".storage") / "voice_names.json"
VERSION = 1
# what is never learned as a name: a pronoun, an article, a kind of device on its own
NOT_LEARNED = frozenset(
    {"it", "them", "that", "this", "those", "these", "the", "a", "an", "one", "thing", "things",
     "light", "lights", "lamp", "lamps", "switch", "device", "everything", "all"}
)  # fmt: skip


def _said(text: str) -> str:
    words = re.sub(r"[^\w' ]+", " ", text.casefold()).split()
    while words and words[0] in ("the", "my", "our", "a", "an"):
        words = words[1:]
    return " ".join(words)


class LearnedNames:
    """The names this home's people gave its devices, by entity."""

    def __init__(self, hub: Hub, path: Path | None) -> None:
        self.hub = hub
        self.path = path
        self._names: list[dict[str, Any]] = []
        if path is not None and path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            names = data["names"] if isinstance(data, dict) else None
            if not isinstance(names, list):
                raise ValueError("no list of names")
            self._names = [
                n
                for n in names
                if isinstance(n, dict)
                and isinstance(n.get("said"), str)
                and isinstance(n.get("entity_id"), str)
            ]
        except (OSError, ValueError, KeyError, TypeError) as err:
            self.hub.health.problem(
                "voice_names_unreadable",
                f"learned names in {path} could not be read ({err}); starting with none",
                self.hub.clock.timestamp(),
            )
            self._names = []

    def entries(self) -> list[dict[str, Any]]:
        """Every learned name: said, entity_id, user_id, learned (a timestamp)."""
        return [dict(n) for n in self._names]

    def forget(self, said: str) -> int:
        """Forget a learned name; how many entries went (0: there was none)."""
        name = _said(said)
        kept = [n for n in self._names if n["said"] != name]
        gone = len(self._names) - len(kept)
        if gone:
            self._names = kept
            self._save()
        return gone

    def names_for(self, entity_id: str) -> tuple[str, ...]:
        return tuple(n["said"] for n in self._names if n["entity_id"] == entity_id)

    def learn(self, said: str, entity_id: str, user_id: str | None, taken: set[str]) -> str | None:
        """Remember `said` as a name of `entity_id`; the name as kept, or None when it is no
        name to learn (a pronoun, a bare kind, too long, or already another thing's name in
        `taken`, the home's names)."""
        name = _said(said)
        words = name.split()
        if not words or len(words) > 4 or name in NOT_LEARNED or name in taken:
            return None
        if any(n["said"] == name and n["entity_id"] == entity_id for n in self._names):
            return name
        self._names = [n for n in self._names if n["said"] != name]
        self._names.append(
            {"said": name, "entity_id": entity_id, "user_id": user_id,
             "learned": self.hub.clock.timestamp()}
        )  # fmt: skip
        self._save()
        return name

    def _save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"version": VERSION, "names": self._names}, indent=1))
            tmp.replace(self.path)
        except OSError as err:
            _LOGGER.warning("learned names not saved to %s: %s", self.path, err)
            self.hub.health.problem("voice_names_unsaved", str(err), self.hub.clock.timestamp())


def learned_names(hub: Hub) -> LearnedNames:
    """The hub's learned names, loaded on first use from its configuration directory when it
    has one (a configuration.yaml); a hub without (the benchmarks', the tests') keeps them in
    memory only, so no run leaves names behind for the next."""
    found = hub.data.get(LEARNED_NAMES)
    if found is None:
        configured = hub.config.path.exists()
        found = LearnedNames(hub, hub.config.config_dir / STORE if configured else None)
        hub.data[LEARNED_NAMES] = found
    return found


def unknown_name(result: VoiceResult) -> str | None:
    """The name a request used that the home does not know ("the big light"), or None."""
    match = result.match
    if result.answer.error != "unknown_device" or match is None:
        return None
    name = match.unmatched.get("name")
    return name if isinstance(name, str) and _said(name) else None


def asking_template(result: VoiceResult, said: str) -> str | None:
    """The request with a place for the device "which device?" will be answered with, where
    it named one the home does not know: "turn on the big light" -> "turn on {}"."""
    name = unknown_name(result)
    if name is None:
        return None
    found = re.search(rf"(?:\b(?:the|my|our)\s+)?{re.escape(name)}", said, re.I)
    return f"{said[: found.start()]}{{}}{said[found.end() :]}" if found else None


def remember(hub: Hub, said: str, actions: list[ServiceAction], home: HomeVocabulary) -> str:
    """After "which device?" was answered and one device acted on: its new name, said back
    (" I'll know the Kitchen ceiling as 'big light' from now on."), or "" when none is learned."""
    from .naming import entity_names  # (naming imports home, which imports this module)

    ids = {e for action in actions for e in action.entity_ids}
    if len(ids) != 1:
        return ""
    entity_id = next(iter(ids))
    taken = set(entity_names(home, None)) | {n for a in home.areas for n in map(_said, a.names)}
    name = learned_names(hub).learn(said, entity_id, None, taken)
    if name is None:
        return ""
    state = hub.states.get(entity_id)
    what = state.name if state is not None else entity_id
    return f" I'll know the {what} as '{name}' from now on."
