"""Failed logins per client, as Home Assistant's `ip_ban` counts them: a client that keeps
presenting bad tokens is refused for a while before its token is even looked at, so guessing
tokens from one address is slow, and its failures do not crowd the health log."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0


class FailedLogins:
    """`threshold` failed logins from one client within a minute block it for a minute
    (counted from its last failure)."""

    def __init__(self, threshold: int, clock: Callable[[], float]) -> None:
        self.threshold = threshold
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def blocked_for(self, client: str) -> float:
        """Seconds until `client` may try again (0: it may now)."""
        failures = self._failures.get(client)
        if failures is None:
            return 0.0
        now = self._clock()
        while failures and failures[0] < now - WINDOW_SECONDS:
            failures.popleft()
        if not failures:
            del self._failures[client]
            return 0.0
        if len(failures) < self.threshold:
            return 0.0
        return max(0.0, failures[-1] + WINDOW_SECONDS - now)

    def failed(self, client: str) -> None:
        failures = self._failures.setdefault(client, deque(maxlen=self.threshold))
        failures.append(self._clock())
        if len(self._failures) > 10_000:  # many addresses: forget the oldest, stay bounded
            del self._failures[next(iter(self._failures))]
