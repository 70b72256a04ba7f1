"""A simple in-memory brake on password guessing: too many failures lock a username a while."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

# Beyond this many tracked names, forget the ones whose failures have all expired.
_PRUNE_ABOVE = 1000


class LoginThrottle:
    """Counts failed sign-ins per username within a sliding window.

    The count lives in this process only: behind several worker processes each keeps its own.
    Unknown names are counted like real ones, so a lockout reveals nothing about who exists.
    """

    def __init__(
        self,
        max_failures: int = 5,
        window_seconds: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def locked(self, username: str) -> bool:
        """Whether this name has failed too often within the window."""
        with self._lock:
            return len(self._recent(self._key(username))) >= self.max_failures

    def failed(self, username: str) -> None:
        """Count one failed sign-in for this name."""
        with self._lock:
            if len(self._failures) > _PRUNE_ABOVE:
                self._prune()
            key = self._key(username)
            self._recent(key).append(self._clock())

    def succeeded(self, username: str) -> None:
        """Forget this name's failures after a good sign-in."""
        with self._lock:
            self._failures.pop(self._key(username), None)

    @staticmethod
    def _key(username: str) -> str:
        # MySQL's collation matches names case-insensitively, so the throttle does too.
        return username.strip().casefold()

    def _recent(self, key: str) -> deque[float]:
        """This name's failures within the window (older ones dropped)."""
        failures = self._failures.setdefault(key, deque())
        horizon = self._clock() - self.window_seconds
        while failures and failures[0] <= horizon:
            failures.popleft()
        return failures

    def _prune(self) -> None:
        """Drop names whose failures have all expired."""
        for key in list(self._failures):
            if not self._recent(key):
                del self._failures[key]
