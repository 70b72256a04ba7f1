"""A blocking source read in a background thread, so the collector loop also wakes when idle."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

END = object()  # the source has no more lines


class LineFeed:
    """Pump lines from a (blocking) source iterator into a bounded queue the loop polls."""

    def __init__(self, lines: Iterator[bytes], stop: threading.Event, maxsize: int = 10_000):
        self._lines = lines
        self._stop = stop
        self._queue: queue.Queue = queue.Queue(maxsize)
        self._thread = threading.Thread(target=self._pump, name="collector-feed", daemon=True)

    def start(self) -> LineFeed:
        """Start reading; returns self."""
        self._thread.start()
        return self

    def next_line(self, timeout: float) -> bytes | object | None:
        """The next line, END when the source is done, or None when nothing came in time.

        An exception the source raised (bad credentials, say) is raised here, in the caller.
        """
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if isinstance(item, Exception):
            raise item
        return item

    def ticks(self, tick: float) -> Iterator[bytes | None]:
        """Lines as they come, and None after every `tick` seconds without one, until END."""
        while (item := self.next_line(tick)) is not END:
            yield item  # type: ignore[misc]

    def join(self, timeout: float) -> None:
        """Wait a little for the reading thread to notice stop (it is a daemon either way)."""
        self._thread.join(timeout)

    def _pump(self) -> None:
        final: object = END
        try:
            for line in self._lines:
                if not self._put(line):
                    return
        except Exception as error:  # handed to the loop, which raises it
            final = error
        finally:
            close = getattr(self._lines, "close", None)
            if close is not None:
                close()
        self._put(final)

    def _put(self, item: object) -> bool:
        """Queue an item, waiting while the queue is full; False once stop is set."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False
