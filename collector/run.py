"""The collector loop: stream lines -> normalise -> spool, quarantine or count as control messages.

Usage:
    leadstream collect --source replay --replay-file stream.jsonl.gz --rate 50
    LEADSTREAM_BEARER_TOKEN=... leadstream collect --source v2
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from collector.feed import END, LineFeed
from collector.normalize import ControlMessage, MalformedTweet, normalize_line
from collector.replay_stream import ReplayStream
from collector.spool import Spool
from collector.v1_stream import V1Stream, v1_credentials_from_env
from collector.v2_stream import V2Stream
from leadstream.campaigns import load_campaigns
from leadstream.errors import ConfigError
from leadstream.settings import Settings

log = logging.getLogger(__name__)

SOURCES = ("replay", "v2", "v1.1")


def collect(
    settings: Settings,
    source: str = "replay",
    api_url: str | None = None,
    stop: threading.Event | None = None,
    limit: int | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Collect until the replay ends, stop is set, Ctrl-C or `limit` lines; return the stats.

    Args:
        stop: set it from another thread to end the loop; it is only read, never set here.
        limit: stop after this many non-blank lines.
        env: where v1.1 credentials are read (default: os.environ).
    """
    if source not in SOURCES:
        raise ConfigError(f"--source: must be one of {', '.join(SOURCES)}, got {source!r}")
    halt = threading.Event()  # ends our own threads; the caller's stop stays untouched
    spool = Spool(settings.spool_dir, settings.spool_roll_seconds, settings.spool_roll_tweets)
    run = None
    try:
        stream = _open_source(settings, source, api_url, halt, env)
        run = CollectorRun(stream, spool, source, halt)
        stopped_by = run.until(stop if stop is not None else threading.Event(), limit)
    finally:
        halt.set()
        if run is not None:
            run.close()
        spool.close()
    if run.replay is not None:
        run.replay.commit(run.delivered)  # the spool is closed: everything delivered is on disk
    log.info("collector stopped (%s): %s", stopped_by, spool.run_stats())
    return {**spool.run_stats(), "source": source, "stopped_by": stopped_by}


@dataclass
class CollectorRun:
    """One run of the loop over one source, with its progress through that source."""

    stream: Any  # ReplayStream, V2Stream or V1Stream
    spool: Spool
    source: str
    halt: threading.Event
    delivered: int = 0  # lines taken from the source, blank keep-alives included

    def __post_init__(self) -> None:
        # Wake often enough to roll a part on time even when the stream is quiet.
        tick = max(0.01, min(0.25, self.spool.roll_seconds / 4))
        self.feed: LineFeed | None = None
        if isinstance(self.stream, ReplayStream):
            # A file never blocks: read it in this thread, its pacing sleeps yield None ticks.
            self.replay: ReplayStream | None = self.stream
            self.replay.idle_tick = tick
            self.lines = self.replay.lines()
        else:
            self.replay = None
            self.feed = LineFeed(self.stream.lines(), self.halt).start()
            self.lines = self.feed.ticks(tick)

    def until(self, stop: threading.Event, limit: int | None) -> str:
        """Process lines until something ends the run; return what did."""
        lines = iter(self.lines)
        try:
            # Check before asking for a line, so no line is taken from the source and dropped.
            while not stop.is_set() and (limit is None or self.spool.run.received < limit):
                line = next(lines, END)
                if line is END:
                    return "end"
                if line is not None:
                    self.delivered += 1
                    self.take(line)
                self.spool.flush_if_due()
                if self.replay is not None and self.spool.pending == 0:
                    self.replay.commit(self.delivered)
        except KeyboardInterrupt:
            return "interrupt"
        return "stop" if stop.is_set() else "limit"

    def take(self, line: bytes) -> None:
        """Spool a tweet, count a control message, or quarantine a malformed line."""
        if not line.strip():
            return  # keep-alive
        self.spool.count_received()
        try:
            item = normalize_line(line, self.source)
        except MalformedTweet as error:
            self.spool.quarantine(line, error.reason)
            return
        if isinstance(item, ControlMessage):
            self.spool.count_control(item.kind)
            log.log(_control_level(item.kind), "stream control message: %s", item.kind)
            return
        self.spool.append(item)

    def close(self) -> None:
        """Stop the source (cutting a live connection) and give its thread a moment to end."""
        if self.feed is not None:
            self.stream.close()
            self.feed.join(timeout=2.0)


def _open_source(
    settings: Settings,
    source: str,
    api_url: str | None,
    halt: threading.Event,
    env: Mapping[str, str] | None,
) -> ReplayStream | V2Stream | V1Stream:
    """The line source for --source, built from settings (credentials are read only here)."""
    if source == "replay":
        return ReplayStream(
            settings.replay_file, settings.spool_dir, settings.replay_rate, stop=halt
        )
    campaigns = load_campaigns(settings.campaigns_file)
    if source == "v2":
        return V2Stream(settings.bearer_token, campaigns, base_url=api_url, stop=halt)
    credentials = v1_credentials_from_env(env)
    return V1Stream(credentials, campaigns, base_url=api_url, stop=halt)


def _control_level(kind: str) -> int:
    """Disconnects and warnings matter to an operator; deletes and limits are routine."""
    routine = {"delete", "scrub_geo", "limit", "status_withheld", "user_withheld"}
    return logging.DEBUG if kind in routine else logging.WARNING
