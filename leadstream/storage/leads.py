"""Leads: written idempotently by the scorer, read by the dashboard."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime

import orjson
from sqlalchemy import Engine, func, select

from leadstream.storage.schema import leads
from leadstream.storage.upsert import Database, upsert

_JSON_COLUMNS = ("campaigns", "matched_keywords", "reasons")
# What a later scoring of the same tweet may change; first facts about the tweet stay.
_RESCORED = (
    "campaigns",
    "matched_keywords",
    "score",
    "reasons",
    "model_name",
    "model_version",
    "threshold",
    "scored_at",
    "batch_id",
)


@dataclass(frozen=True)
class Lead:
    """A tweet the classifier judged a buying signal, with why and by which model."""

    tweet_id: str
    text: str
    tweeted_at: datetime
    score: float
    model_name: str
    model_version: str
    threshold: float
    scored_at: datetime
    campaigns: list[str] = field(default_factory=list)
    matched_keywords: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    lang: str | None = None
    author_id: str | None = None
    author_username: str | None = None
    author_name: str | None = None
    author_followers: int | None = None
    place_name: str | None = None
    place_country: str | None = None
    batch_id: int | None = None

    def to_row(self) -> dict:
        """The lead as a database row (lists stored as JSON)."""
        row = {f.name: getattr(self, f.name) for f in fields(self)}  # asdict() deep-copies
        for column in _JSON_COLUMNS:
            row[column] = orjson.dumps(row[column]).decode()
        return row

    @classmethod
    def from_row(cls, row) -> Lead:
        """A lead from a database row."""
        values = dict(row._mapping)
        for column in _JSON_COLUMNS:
            values[column] = orjson.loads(values[column])
        return cls(**values)


def upsert_leads(db: Database, batch: Iterable[Lead]) -> int:
    """Insert leads, or rescore the ones already stored; returns how many were written."""
    return upsert(db, leads, [lead.to_row() for lead in batch], ["tweet_id"], _RESCORED)


def recent_leads(
    engine: Engine, limit: int = 50, campaign: str | None = None, after: datetime | None = None
) -> list[Lead]:
    """The newest leads first, optionally of one campaign or scored after a moment."""
    query = select(leads).order_by(leads.c.scored_at.desc(), leads.c.tweet_id.desc()).limit(limit)
    if campaign:
        # campaigns holds a JSON list; the quoted name cannot match inside another name.
        query = query.where(leads.c.campaigns.contains(orjson.dumps(campaign).decode()))
    if after is not None:
        query = query.where(leads.c.scored_at > after)
    with engine.connect() as connection:
        return [Lead.from_row(row) for row in connection.execute(query)]


def get_lead(engine: Engine, tweet_id: str) -> Lead | None:
    """One lead by tweet id, or None."""
    with engine.connect() as connection:
        row = connection.execute(select(leads).where(leads.c.tweet_id == tweet_id)).first()
    return Lead.from_row(row) if row else None


def count_leads(engine: Engine) -> int:
    """How many leads are stored."""
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(leads)).scalar_one()
