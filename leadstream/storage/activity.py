"""Aggregates for the dashboard's charts: campaigns, time buckets, funnel, feedback, models."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from sqlalchemy import Engine, func, literal_column, select

from leadstream.storage.schema import batch_stats, feedback, leads

BUCKETS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1)}
# Both formats yield the bucket start as 'YYYY-MM-DD HH:MM:SS', so Python parses one shape.
_SQLITE_FORMATS = {"minute": "%Y-%m-%d %H:%M:00", "hour": "%Y-%m-%d %H:00:00"}
_MYSQL_FORMATS = {"minute": "%Y-%m-%d %H:%i:00", "hour": "%Y-%m-%d %H:00:00"}


@dataclass(frozen=True)
class ModelVersionSeen:
    """A model version that scored stored leads, and when it last did."""

    model_name: str
    model_version: str
    leads: int
    last_scored_at: datetime


def leads_per_campaign(engine: Engine) -> dict[str, int]:
    """How many stored leads each campaign has (a lead may count for several)."""
    query = select(leads.c.campaigns, func.count().label("n")).group_by(leads.c.campaigns)
    totals: Counter[str] = Counter()
    with engine.connect() as connection:
        # Few distinct campaign lists exist, so unpacking the JSON here stays cheap.
        for row in connection.execute(query):
            for name in orjson.loads(row.campaigns):
                totals[name] += row.n
    return dict(totals.most_common())


def bucket_start(moment: datetime, unit: str) -> datetime:
    """The start of the minute or hour holding this moment."""
    if unit == "minute":
        return moment.replace(second=0, microsecond=0)
    return moment.replace(minute=0, second=0, microsecond=0)


def leads_per_bucket(
    engine: Engine, unit: str, since: datetime, until: datetime
) -> list[tuple[datetime, int]]:
    """Leads scored in each minute or hour from since to until, empty buckets included."""
    if unit not in BUCKETS:
        raise ValueError(f"unit must be one of {', '.join(BUCKETS)}, got {unit!r}")
    if engine.dialect.name == "sqlite":
        bucket = func.strftime(_SQLITE_FORMATS[unit], leads.c.scored_at)
    else:
        bucket = func.date_format(leads.c.scored_at, _MYSQL_FORMATS[unit])
    query = (
        select(bucket.label("bucket"), func.count().label("n"))
        .where(leads.c.scored_at >= since, leads.c.scored_at < until)
        # Grouping by the label keeps MySQL from comparing two differently bound expressions.
        .group_by(literal_column("bucket"))
    )
    with engine.connect() as connection:
        counts = {
            datetime.fromisoformat(str(row.bucket)): row.n for row in connection.execute(query)
        }
    step, moment, series = BUCKETS[unit], bucket_start(since, unit), []
    while moment < until:
        series.append((moment, counts.get(moment, 0)))
        moment += step
    return series


def feedback_counts(engine: Engine) -> dict[str, int]:
    """How many relevant and irrelevant labels the sales team has given."""
    query = select(feedback.c.label, func.count().label("n")).group_by(feedback.c.label)
    with engine.connect() as connection:
        counts = {int(row.label): row.n for row in connection.execute(query)}
    return {"relevant": counts.get(1, 0), "irrelevant": counts.get(0, 0)}


def funnel_totals(engine: Engine) -> dict[str, int]:
    """Tweets read, keyword matches and leads summed over every recorded scoring batch."""
    query = select(
        func.count().label("batches"),
        func.coalesce(func.sum(batch_stats.c.tweets_in), 0).label("tweets_in"),
        func.coalesce(func.sum(batch_stats.c.keyword_matches), 0).label("keyword_matches"),
        func.coalesce(func.sum(batch_stats.c.leads), 0).label("leads"),
    )
    with engine.connect() as connection:
        row = connection.execute(query).one()
    return {key: int(value) for key, value in row._mapping.items()}


def model_versions_seen(engine: Engine) -> list[ModelVersionSeen]:
    """Each model version that scored stored leads, most recently active first."""
    last = func.max(leads.c.scored_at).label("last_scored_at")
    query = (
        select(leads.c.model_name, leads.c.model_version, func.count().label("leads"), last)
        .group_by(leads.c.model_name, leads.c.model_version)
        .order_by(last.desc())
    )
    with engine.connect() as connection:
        return [ModelVersionSeen(**row._mapping) for row in connection.execute(query)]
