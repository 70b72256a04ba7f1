"""Reconnect a streaming connection the way the platform asks: back off, never hammer.

Delays follow the X streaming guidelines: network errors (including a dropped or stalled
connection) back off linearly from 250 ms to 16 s; HTTP errors exponentially from 5 s to 320 s;
rate limits (420/429) from 60 s, doubling (capped here at 16 minutes). A connection that delivers
anything, even a keep-alive, resets every delay.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import requests

from leadstream.errors import LeadstreamError

log = logging.getLogger(__name__)

RATE_LIMITED = (420, 429)
REFUSED = (401, 403)


class HttpStatusError(Exception):
    """The endpoint answered with a status other than success."""

    def __init__(self, status: int, detail: str = "") -> None:
        super().__init__(f"HTTP {status} {detail}".strip())
        self.status = status
        self.detail = detail


class StreamEnded(Exception):
    """The server closed the stream; treated like a network error."""


@dataclass
class Backoff:
    """Growing delays per kind of failure; `scale` shrinks them all (tests use tiny scales)."""

    scale: float = 1.0
    network_errors: int = 0
    http_errors: int = 0
    rate_limits: int = 0

    def after_network_error(self) -> float:
        """Linear: 0.25 s, 0.5 s, ... up to 16 s."""
        self.network_errors += 1
        return min(0.25 * self.network_errors, 16.0) * self.scale

    def after_http_error(self) -> float:
        """Exponential: 5 s, 10 s, ... up to 320 s."""
        self.http_errors += 1
        return min(5.0 * 2 ** (self.http_errors - 1), 320.0) * self.scale

    def after_rate_limit(self) -> float:
        """Exponential from a minute: 60 s, 120 s, ... up to 960 s."""
        self.rate_limits += 1
        return min(60.0 * 2 ** (self.rate_limits - 1), 960.0) * self.scale

    def reset(self) -> None:
        """A connection worked: start every kind of delay from the beginning again."""
        self.network_errors = self.http_errors = self.rate_limits = 0


def reconnecting(
    connect: Callable[[], Iterator[bytes]],
    refused: Callable[[HttpStatusError], LeadstreamError],
    backoff: Backoff,
    sleep: Callable[[float], object],
    stop: threading.Event,
) -> Iterator[bytes]:
    """Yield lines from connect(), reconnecting after failures until stop is set.

    Args:
        connect: opens one connection and yields its lines; raises HttpStatusError for a
            non-success status and StreamEnded when the server closes the stream.
        refused: builds the fatal error for 401/403 (credentials or access level).
    """
    while not stop.is_set():
        try:
            for count, line in enumerate(connect()):
                if count == 0:
                    backoff.reset()
                yield line
                if stop.is_set():
                    return
            raise StreamEnded("the server closed the stream")
        except HttpStatusError as error:
            if error.status in REFUSED:
                raise refused(error) from None
            delay = _delay_for(error, backoff)
            log.warning("stream answered %s; retrying in %.2f s", error, delay)
        except (requests.RequestException, StreamEnded) as error:
            if stop.is_set():
                return  # the connection was cut to stop us, not by a failure
            delay = backoff.after_network_error()
            log.warning("stream connection lost (%s); retrying in %.2f s", _short(error), delay)
        sleep(delay)


def _delay_for(error: HttpStatusError, backoff: Backoff) -> float:
    if error.status in RATE_LIMITED:
        return backoff.after_rate_limit()
    return backoff.after_http_error()


def _short(error: Exception) -> str:
    """The first line of an error, without the long urllib3 chain."""
    return (str(error).splitlines() or [type(error).__name__])[0][:200]
