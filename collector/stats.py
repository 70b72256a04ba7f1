"""Collector counters, kept in a small JSON file the dashboard reads without touching the spool."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

STATS_FILE = "collector_stats.json"


@dataclass
class CollectorCounts:
    """What the collector has seen: lines received and where each one went."""

    received: int = 0
    spooled: int = 0
    quarantined: int = 0
    control_messages: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    control_by_kind: dict[str, int] = field(default_factory=dict)
    last_tweet_at: str | None = None  # wall-clock UTC time the last tweet was spooled

    @classmethod
    def from_dict(cls, saved: dict[str, Any]) -> CollectorCounts:
        """Counts from a stats file, ignoring keys this version does not know."""
        known = {k: v for k, v in saved.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        """The counts as plain JSON-ready values."""
        return asdict(self)


def utc_now() -> str:
    """The current time as ISO 8601 UTC to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_time(epoch_seconds: float) -> str:
    """A Unix time as ISO 8601 UTC to the second."""
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_collector_stats(spool_dir: Path, totals: CollectorCounts, run: dict[str, Any]) -> None:
    """Write totals and this run's counts atomically (temp file, fsync, os.replace)."""
    document = {**totals.to_dict(), "updated_at": utc_now(), "run": run}
    target = Path(spool_dir) / STATS_FILE
    temporary = target.with_name(f".{STATS_FILE}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(orjson.dumps(document, option=orjson.OPT_INDENT_2))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def read_collector_stats(spool_dir: Path) -> dict[str, Any]:
    """Totals since the spool was created plus the latest run; zeros when none has run yet."""
    try:
        saved = orjson.loads((Path(spool_dir) / STATS_FILE).read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        saved = {}
    if not isinstance(saved, dict):
        saved = {}
    totals = CollectorCounts.from_dict(saved).to_dict()
    return {**totals, "updated_at": saved.get("updated_at"), "run": saved.get("run")}
