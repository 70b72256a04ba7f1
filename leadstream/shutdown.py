"""Graceful stops: Ctrl-C and SIGTERM set an event that every stage watches."""

from __future__ import annotations

import logging
import signal
import threading
from contextlib import contextmanager

log = logging.getLogger(__name__)


@contextmanager
def stopping_on_signals(stop: threading.Event):
    """While inside, Ctrl-C and SIGTERM ask for a graceful stop; a second Ctrl-C forces it.

    PySpark's own handler raises KeyboardInterrupt inside whatever py4j call is running,
    which can leave the gateway unusable and the process hanging; setting an event cannot.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def request_stop(signum, _frame) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        log.info("stopping after the current batch (Ctrl-C again to force)")
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
