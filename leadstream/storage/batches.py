"""Per-batch scoring statistics, written by the scorer and charted by the dashboard."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from leadstream.storage.schema import batch_stats


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


def record_batch(engine: Engine, stats: BatchStats) -> None:
    """Store a batch's figures; a batch replayed after a crash overwrites its first record."""
    row = asdict(stats)
    changed = [k for k in row if k not in ("query_id", "batch_id")]
    if engine.dialect.name == "sqlite":
        statement = sqlite_insert(batch_stats).values(row)
        statement = statement.on_conflict_do_update(
            index_elements=[batch_stats.c.query_id, batch_stats.c.batch_id],
            set_={c: statement.excluded[c] for c in changed},
        )
    else:
        statement = mysql_insert(batch_stats).values(row)
        statement = statement.on_duplicate_key_update({c: statement.inserted[c] for c in changed})
    with engine.begin() as connection:
        connection.execute(statement)


def recent_batches(engine: Engine, limit: int = 100) -> list[BatchStats]:
    """The newest batches, oldest of them first (ready to chart)."""
    columns = [batch_stats.c[name] for name in BatchStats.__dataclass_fields__]
    query = select(*columns).order_by(batch_stats.c.finished_at.desc()).limit(limit)
    with engine.connect() as connection:
        rows = [BatchStats(**row._mapping) for row in connection.execute(query)]
    return rows[::-1]
