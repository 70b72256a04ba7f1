"""The durable spool: tweets go to a part file, which is renamed into tweets/ only when complete.

Layout under spool_dir:
    incoming/<stamp>-<seq>.jsonl.part   the one file being written (never read by Spark)
    tweets/<stamp>-<seq>.jsonl          complete, fsynced files; the folder Spark watches
    quarantine/<YYYY-MM-DD>.jsonl       lines that were not tweets, with the reason
    collector_stats.json                counters for the dashboard
Each line is written with one unbuffered write, so a killed process loses nothing append()
returned from; only a power cut can leave a torn last line, which recovery quarantines.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from collector.stats import (
    CollectorCounts,
    read_collector_stats,
    utc_now,
    utc_time,
    write_collector_stats,
)
from leadstream.errors import ConfigError
from leadstream.tweet import Tweet

__all__ = ["Spool", "read_collector_stats"]

log = logging.getLogger(__name__)


class Spool:
    """Append-only tweet spool with size/age rolling, crash recovery, quarantine and counters."""

    def __init__(
        self,
        spool_dir: Path,
        roll_seconds: float,
        roll_tweets: int,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spool_dir = Path(spool_dir)
        self.incoming, self.tweets = self.spool_dir / "incoming", self.spool_dir / "tweets"
        self.quarantine_dir = self.spool_dir / "quarantine"
        for folder in (self.incoming, self.tweets, self.quarantine_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.roll_seconds, self.roll_tweets, self._clock = roll_seconds, roll_tweets, clock
        self._lock = _lock_spool(self.spool_dir)
        self._part: Any = None
        self._part_path: Path | None = None
        self._part_opened = 0.0
        self._seq = 0
        self.pending = 0  # tweets in the open part file, not yet in tweets/
        self.files_rolled = 0
        self.totals = CollectorCounts.from_dict(read_collector_stats(self.spool_dir))
        self.run = CollectorCounts()
        self.started_at = utc_now()
        self._last_tweet_time: float | None = None
        self._stats_dirty, self._stats_written = True, clock()
        self.recovered_lines = self._recover()

    def append(self, tweet: Tweet) -> bool:
        """Write one tweet line; return True when this append rolled the part into tweets/."""
        if self._part is None:
            self._open_part()
        _write_all(self._part, tweet.to_json_line())
        self.pending += 1
        for counts in (self.totals, self.run):
            counts.spooled += 1
            counts.by_source[tweet.source] = counts.by_source.get(tweet.source, 0) + 1
        self._last_tweet_time = time.time()  # formatted only when stats are written
        self._stats_dirty = True
        return self.flush_if_due()

    def flush_if_due(self) -> bool:
        """Roll the part when it is full or old enough; refresh the stats file now and then."""
        rolled = False
        if self._part is not None and (
            self.pending >= self.roll_tweets
            or self._clock() - self._part_opened >= self.roll_seconds
        ):
            rolled = self.roll() is not None
        if self._stats_dirty and self._clock() - self._stats_written >= 1.0:
            self.write_stats()
        return rolled

    def roll(self) -> Path | None:
        """Fsync the open part and rename it into tweets/; return the complete file, if any."""
        if self._part is None or self._part_path is None:
            return None
        os.fsync(self._part.fileno())
        self._part.close()
        self._part = None
        target = self.tweets / self._part_path.name.removesuffix(".part")
        os.rename(self._part_path, target)
        _fsync_dir(self.tweets)
        _fsync_dir(self.incoming)
        self.pending, self.files_rolled = 0, self.files_rolled + 1
        self.write_stats()
        return target

    def quarantine(self, raw_line: bytes | str, reason: str) -> None:
        """Keep a rejected line, with why, in quarantine/<YYYY-MM-DD>.jsonl (fsynced)."""
        raw = raw_line.decode("utf-8", "replace") if isinstance(raw_line, bytes) else raw_line
        now = datetime.now(UTC)
        record = {"reason": reason, "raw": raw, "quarantined_at": f"{now:%Y-%m-%dT%H:%M:%SZ}"}
        path = self.quarantine_dir / f"{now:%Y-%m-%d}.jsonl"
        with open(path, "ab", buffering=0) as handle:
            _write_all(handle, orjson.dumps(record) + b"\n")
            os.fsync(handle.fileno())
        self.totals.quarantined += 1
        self.run.quarantined += 1
        self._stats_dirty = True

    def count_received(self) -> None:
        """Count one non-blank line read from the stream."""
        self.totals.received += 1
        self.run.received += 1
        self._stats_dirty = True

    def count_control(self, kind: str) -> None:
        """Count one control message (delete, limit, operational-disconnect ...) by kind."""
        for counts in (self.totals, self.run):
            counts.control_messages += 1
            counts.control_by_kind[kind] = counts.control_by_kind.get(kind, 0) + 1
        self._stats_dirty = True

    def run_stats(self) -> dict[str, Any]:
        """This run's counters plus what the spool did with them."""
        if self._last_tweet_time is not None:
            stamp = utc_time(self._last_tweet_time)
            self.totals.last_tweet_at = self.run.last_tweet_at = stamp
        return {
            **self.run.to_dict(),
            "started_at": self.started_at,
            "files_rolled": self.files_rolled,
            "recovered_lines": self.recovered_lines,
        }

    def write_stats(self) -> None:
        """Write the stats file now."""
        write_collector_stats(self.spool_dir, self.totals, self.run_stats())
        self._stats_dirty, self._stats_written = False, self._clock()

    def close(self) -> None:
        """Roll what is open, write the stats and release the spool."""
        if self._lock is None:
            return
        try:
            self.roll()
            self.write_stats()
        finally:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _open_part(self) -> None:
        """Open a new part file whose name sorts after every earlier one, even across restarts."""
        while True:
            self._seq += 1
            stem = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{self._seq:06d}.jsonl"
            taken = (self.tweets / stem, self.incoming / f"{stem}.part")
            if not any(path.exists() for path in taken):
                break
        self._part_path = self.incoming / f"{stem}.part"
        # Stays open across appends until roll(); unbuffered so each line reaches the OS at once.
        self._part = open(self._part_path, "xb", buffering=0)  # noqa: SIM115
        self._part_opened = self._clock()

    def _recover(self) -> int:
        """Move complete lines of parts left by a crash into tweets/; quarantine torn ones."""
        recovered = 0
        for part in sorted(self.incoming.glob("*.part")):
            whole = self._salvage(part)
            if whole:
                os.rename(part, self.tweets / part.name.removesuffix(".part"))
                log.warning("recovered %d spooled tweets from %s", whole, part.name)
            else:
                part.unlink()
            recovered += whole
        _fsync_dir(self.tweets)
        _fsync_dir(self.incoming)
        return recovered

    def _salvage(self, part: Path) -> int:
        """Cut a part file down to its whole JSON lines (fsynced); return how many remain."""
        data = part.read_bytes()
        end = data.rfind(b"\n") + 1
        whole: list[bytes] = []
        damaged = [data[end:]]
        for line in data[:end].splitlines(keepends=True):
            (whole if _is_json_object(line) else damaged).append(line)
        for line in damaged:
            if line.strip():
                self.quarantine(line.rstrip(b"\n"), "spool line damaged by a crash")
        with open(part, "r+b") as handle:
            if len(damaged) > 1:  # a damaged line inside the file: rewrite without it
                handle.write(b"".join(whole))
            handle.truncate(sum(len(line) for line in whole))
            handle.flush()
            os.fsync(handle.fileno())
        return len(whole)


def _lock_spool(spool_dir: Path):
    """Hold an exclusive lock so two collectors never write (or recover) the same spool."""
    handle = open(spool_dir / "collector.lock", "a+b")  # noqa: SIM115 - held until close()
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ConfigError(
            f"another collector is already writing to {spool_dir}: stop it or use another "
            "LEADSTREAM_DATA_DIR"
        ) from None
    return handle


def _write_all(handle, data: bytes) -> None:
    """Write every byte (raw files may write fewer than asked)."""
    view = memoryview(data)
    while view:
        view = view[handle.write(view) :]


def _is_json_object(line: bytes) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable: the directory entry must reach the disk too."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
