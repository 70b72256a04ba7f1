"""Replay a recorded stream (.jsonl or .jsonl.gz of raw v2 or v1.1 lines) at a steady rate.

A cursor in spool_dir/replay_cursor.json records how many lines of which file (by sha256) are
safely spooled, so a second run resumes after them. The collector commits the cursor only when
the spool has no un-rolled tweets, so a crash replays at most the un-rolled tail; downstream
upserts by tweet id make that replay harmless.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import orjson

from collector.stats import utc_now
from leadstream.errors import ConfigError

CURSOR_FILE = "replay_cursor.json"


class ReplayStream:
    """A recorded stream played back line by line, resuming after what was already spooled."""

    def __init__(
        self,
        path: Path,
        spool_dir: Path,
        rate: float,
        *,
        stop: threading.Event | None = None,
        sleep: Callable[[float], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
        idle_tick: float = 0.25,
    ) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ConfigError(f"LEADSTREAM_REPLAY_FILE: no such file {self.path}")
        self.cursor_path = Path(spool_dir) / CURSOR_FILE
        self.rate = rate
        self._stop = stop if stop is not None else threading.Event()
        self._sleep = sleep if sleep is not None else self._stop.wait
        self._clock = clock
        self.idle_tick = idle_tick
        self.sha256 = _sha256(self.path)
        self.start = self._saved_position()
        self.committed = self.start

    def lines(self) -> Iterator[bytes | None]:
        """Every line after the cursor (blank ones too); None while waiting to keep the rate."""
        interval = 1.0 / self.rate if self.rate > 0 else 0.0
        due = self._clock()
        with _open_stream(self.path) as handle:
            for number, line in enumerate(handle):
                if number < self.start:
                    continue
                line = line.rstrip(b"\r\n")
                if interval and line.strip():
                    yield from self._wait_until(due)
                    # Never bank more than a second of lag, so a stall is not followed by a burst.
                    due = max(due, self._clock() - 1.0) + interval
                if self._stop.is_set():
                    return
                yield line

    def _wait_until(self, due: float) -> Iterator[None]:
        """Sleep until due in slices, yielding None after each so the caller can roll the spool."""
        while (wait := due - self._clock()) > 0 and not self._stop.is_set():
            self._sleep(min(wait, self.idle_tick))
            yield None

    def commit(self, delivered: int) -> None:
        """Record that the first `delivered` lines of this run are on disk in the spool."""
        position = self.start + delivered
        if position == self.committed:
            return
        cursor = {
            "file": str(self.path.resolve()),
            "sha256": self.sha256,
            "size": self.path.stat().st_size,
            "lines_delivered": position,
            "updated_at": utc_now(),
        }
        temporary = self.cursor_path.with_name(f".{CURSOR_FILE}.{os.getpid()}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(orjson.dumps(cursor))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.cursor_path)
        self.committed = position

    def _saved_position(self) -> int:
        """Lines already delivered from this very file (same sha256), else 0."""
        try:
            cursor = orjson.loads(self.cursor_path.read_bytes())
        except (FileNotFoundError, orjson.JSONDecodeError):
            return 0
        if not isinstance(cursor, dict) or cursor.get("sha256") != self.sha256:
            return 0
        position = cursor.get("lines_delivered")
        return position if isinstance(position, int) and position > 0 else 0


def _open_stream(path: Path) -> IO[bytes]:
    """The file's lines as bytes, gunzipped when it starts with the gzip magic number."""
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
