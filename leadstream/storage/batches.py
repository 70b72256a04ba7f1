"""Per-batch scoring statistics, written by the scorer and charted by the dashboard."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from leadstream.storage.schema import batch_stats
from leadstream.storage.upsert import Database, upsert


@dataclass(frozen=True)
class BatchStats:
    """What one micro-batch of the scoring query read, kept and wrote."""

    query_id: str
    batch_id: int
    started_at: datetime
    finished_at: datetime
    tweets_in: int
    keyword_matches: int
    leads: int
    model_version: str | None


def record_batch(db: Database, stats: BatchStats) -> None:
    """Store a batch's figures; a batch replayed after a crash overwrites its first record."""
    upsert(db, batch_stats, [asdict(stats)], ["query_id", "batch_id"])


def recent_batches(engine: Engine, limit: int = 100) -> list[BatchStats]:
    """The newest batches, oldest of them first (ready to chart)."""
    columns = [batch_stats.c[name] for name in BatchStats.__dataclass_fields__]
    query = select(*columns).order_by(batch_stats.c.finished_at.desc()).limit(limit)
    with engine.connect() as connection:
        rows = [BatchStats(**row._mapping) for row in connection.execute(query)]
    return rows[::-1]
