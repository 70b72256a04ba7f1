"""Decisions beside the leads: near-misses kept for review and a challenger's shadow scores."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import orjson
from sqlalchemy import Engine, select

from leadstream.storage.schema import review_pool, shadow_decisions
from leadstream.storage.upsert import Database, upsert


def add_to_review_pool(db: Database, rows: Iterable[dict]) -> int:
    """Keep rejected keyword matches (tweet_id, text, lang, campaigns JSON, score, threshold,
    model_version, scored_at) as candidates for the review queue."""
    return upsert(db, review_pool, list(rows), ["tweet_id"])


def review_pool_rows(engine: Engine, since: datetime | None = None, limit: int = 5000) -> list:
    """Pooled near-misses, newest first."""
    query = select(review_pool).order_by(review_pool.c.scored_at.desc()).limit(limit)
    if since is not None:
        query = query.where(review_pool.c.scored_at >= since)
    with engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(query)]


def pooled_reject(engine: Engine, tweet_id: str) -> dict | None:
    """One pooled near-miss by tweet id (campaigns decoded into a list), or None."""
    query = select(review_pool).where(review_pool.c.tweet_id == tweet_id)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        return None
    return {**row._mapping, "campaigns": orjson.loads(row.campaigns)}


def record_shadow_decisions(db: Database, rows: Iterable[dict]) -> int:
    """Store a challenger's scores (tweet_id, model_name, version, text, score, threshold,
    decided_at)."""
    return upsert(db, shadow_decisions, list(rows), ["tweet_id", "model_name", "version"])


def shadow_rows(engine: Engine, model_name: str, version: str) -> list[dict]:
    """Every shadow decision of one version."""
    query = select(shadow_decisions).where(
        (shadow_decisions.c.model_name == model_name) & (shadow_decisions.c.version == version)
    )
    with engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(query)]
