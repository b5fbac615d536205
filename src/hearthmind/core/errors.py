"""Errors that name the problem; each one is also counted in the hub's health counters."""

from __future__ import annotations


class HearthmindError(Exception):
    """Base of every error the hub raises on purpose."""

    #: the health counter this error increments
    counter = "errors"


class UnknownEntityError(HearthmindError):
    counter = "unknown_entity"

    def __init__(self, entity_id: str) -> None:
        super().__init__(f"unknown entity: {entity_id}")
        self.entity_id = entity_id


class InvalidEntityIdError(HearthmindError):
    counter = "invalid_entity_id"

    def __init__(self, entity_id: str) -> None:
        super().__init__(
            f"invalid entity id {entity_id!r}: want 'domain.object_id' (lower case, digits, _)"
        )
        self.entity_id = entity_id


class ServiceNotFoundError(HearthmindError):
    counter = "unknown_service"

    def __init__(self, domain: str, service: str) -> None:
        super().__init__(f"unknown service: {domain}.{service}")
        self.domain = domain
        self.service = service


class InvalidServiceDataError(HearthmindError):
    counter = "invalid_service_data"

    def __init__(self, domain: str, service: str, reason: str) -> None:
        super().__init__(f"invalid data for {domain}.{service}: {reason}")
        self.domain = domain
        self.service = service
        self.reason = reason


class ConfigError(HearthmindError):
    counter = "config_errors"

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        where = f"{path}, line {line}" if line is not None else path
        # one line, whatever the file put in it: a name YAML folded over a blank line
        # ("!include other.yaml" + blank line + "a" names "other.yaml\na") is shown escaped
        reason = reason.replace("\r", "\\r").replace("\n", "\\n")
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason
