"""What the hub never does by voice alone: unlocking a lock, opening a garage door or gate. A
person confirms those in the app (DESIGN: safety classes); by voice the hub says so and does
nothing."""

from __future__ import annotations

from .answers import the
from .home import NamedEntity
from .turns import NotUnderstood

# acting on these needs a person's confirmation in the app (DESIGN: safety classes)
NEEDS_CONFIRMATION = {("lock", "unlock"), ("lock", "open"), ("cover", "open_cover:garage")}


def _verb(domain: str, service: str) -> str:
    """'open_cover' -> 'open': the service's words without its domain's."""
    return " ".join(w for w in service.split("_") if w != domain)


def refuse_unconfirmed(entity: NamedEntity, service: str) -> None:
    """NotUnderstood (spoken) when `service` on `entity` needs a person's confirmation."""
    key = service
    if entity.domain == "cover" and entity.attributes.get("device_class") in ("garage", "gate"):
        key = f"{service}:garage"
    if (entity.domain, key) in NEEDS_CONFIRMATION:
        raise NotUnderstood(
            f"For safety, please confirm that in the app: I don't {_verb(entity.domain, service)} "
            f"{the(entity.name)} by voice alone.",
            "needs_confirmation",
        )
