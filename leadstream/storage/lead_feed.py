"""The live lead feed: leads newer than a reader's position, and the labels a reader gave."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import orjson
from sqlalchemy import Engine, and_, or_, select

from leadstream.storage.leads import Lead
from leadstream.storage.schema import feedback, leads


@dataclass(frozen=True)
class FeedPosition:
    """Where a reader of the feed stands: the newest (scored_at, tweet_id) it has seen."""

    scored_at: datetime
    tweet_id: str

    @classmethod
    def of(cls, lead: Lead) -> FeedPosition:
        """The position just at this lead."""
        return cls(lead.scored_at, lead.tweet_id)


def leads_after(
    engine: Engine,
    position: FeedPosition | None = None,
    campaign: str | None = None,
    limit: int = 50,
) -> list[Lead]:
    """The newest leads past a position, newest first, in the same order as recent_leads."""
    query = select(leads).order_by(leads.c.scored_at.desc(), leads.c.tweet_id.desc()).limit(limit)
    if campaign:
        # campaigns holds a JSON list; the quoted name cannot match inside another name.
        quoted = orjson.dumps(campaign).decode()
        query = query.where(leads.c.campaigns.contains(quoted, autoescape=True))
    if position is not None:
        # Keyset order, so leads written within the same second as the position still count.
        query = query.where(
            or_(
                leads.c.scored_at > position.scored_at,
                and_(
                    leads.c.scored_at == position.scored_at,
                    leads.c.tweet_id > position.tweet_id,
                ),
            )
        )
    with engine.connect() as connection:
        return [Lead.from_row(row) for row in connection.execute(query)]


def labels_given(engine: Engine, username: str, tweet_ids: Iterable[str]) -> dict[str, int]:
    """The label (1 or 0) this person gave to each of these tweets, if any."""
    wanted = sorted(set(tweet_ids))
    if not wanted:
        return {}
    query = select(feedback.c.tweet_id, feedback.c.label).where(
        feedback.c.username == username, feedback.c.tweet_id.in_(wanted)
    )
    with engine.connect() as connection:
        return {row.tweet_id: int(row.label) for row in connection.execute(query)}
