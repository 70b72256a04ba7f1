"""Tweets nobody has labelled yet: the leads and pooled rejects the review queue chooses from."""

from __future__ import annotations

from datetime import datetime

import orjson
from sqlalchemy import Engine, Table, select

from leadstream.storage.schema import feedback, leads, review_pool

_COLUMNS = (
    "tweet_id",
    "text",
    "lang",
    "campaigns",
    "score",
    "threshold",
    "model_version",
    "scored_at",
)


def _unlabelled_query(table: Table, limit: int, campaign: str | None, since: datetime | None):
    """The newest rows of `table` that nobody has given a label to."""
    labelled = select(feedback.c.id).where(feedback.c.tweet_id == table.c.tweet_id).exists()
    query = (
        select(*(table.c[name] for name in _COLUMNS))
        .where(~labelled)
        .order_by(table.c.scored_at.desc(), table.c.tweet_id.desc())
        .limit(limit)
    )
    if campaign:
        # campaigns holds a JSON list; the quoted name cannot match inside another name.
        quoted = orjson.dumps(campaign).decode()
        query = query.where(table.c.campaigns.contains(quoted, autoescape=True))
    if since is not None:
        query = query.where(table.c.scored_at >= since)
    return query


def unlabelled_rows(
    engine: Engine,
    limit: int = 2000,
    campaign: str | None = None,
    since: datetime | None = None,
) -> dict[str, list[dict]]:
    """Up to `limit` newest unlabelled rows of each kind, {"lead": [...], "reject": [...]},
    with campaigns decoded into lists."""
    kinds = {"lead": leads, "reject": review_pool}
    found: dict[str, list[dict]] = {}
    with engine.connect() as connection:
        for kind, table in kinds.items():
            rows = connection.execute(_unlabelled_query(table, limit, campaign, since))
            found[kind] = [
                {**row._mapping, "campaigns": orjson.loads(row.campaigns)} for row in rows
            ]
    return found
