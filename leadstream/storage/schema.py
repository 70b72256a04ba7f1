"""The one schema of Leadstream, for SQLite and MySQL/MariaDB (utf8mb4 everywhere)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql

metadata = MetaData()

# Tweet text can be 280 characters of 4-byte emoji and its JSON fields grow with campaigns;
# MEDIUMTEXT on MySQL keeps us clear of TEXT's 64 KiB byte limit.
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
# Microseconds on MySQL too: the dashboard's "newer than" cursor compares these times.
Moment = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
MYSQL_TABLE = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}

leads = Table(
    "leads",
    metadata,
    Column("tweet_id", String(32), primary_key=True),
    Column("text", LongText, nullable=False),
    Column("lang", String(8)),
    Column("author_id", String(32)),
    Column("author_username", String(64)),
    Column("author_name", String(128)),
    Column("author_followers", Integer),
    Column("place_name", String(200)),
    Column("place_country", String(100)),
    Column("tweeted_at", Moment, nullable=False),
    Column("campaigns", LongText, nullable=False, comment="JSON list of campaign names"),
    Column("matched_keywords", LongText, nullable=False, comment="JSON list of keywords"),
    Column("score", Float, nullable=False),
    Column("reasons", LongText, nullable=False, comment="JSON list of reasons"),
    Column("model_name", String(100), nullable=False),
    Column("model_version", String(20), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("scored_at", Moment, nullable=False),
    Column("batch_id", BigInteger),
    Index("ix_leads_scored_at", "scored_at"),
    Index("ix_leads_tweeted_at", "tweeted_at"),
    **MYSQL_TABLE,
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("keywords", LongText, nullable=False, comment="JSON list"),
    Column("negative_keywords", LongText, nullable=False, comment="JSON list"),
    Column("languages", LongText, nullable=False, comment="JSON list"),
    Column("products", LongText, nullable=False, comment="JSON list"),
    Column("updated_at", Moment, nullable=False),
    **MYSQL_TABLE,
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False, comment="viewer, sales or admin"),
    Column("created_at", Moment, nullable=False),
    **MYSQL_TABLE,
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tweet_id", String(32), nullable=False),
    # A copy of the text, so that labels outlive leads that are pruned or rescored.
    Column("text", LongText, nullable=False),
    Column("lang", String(8)),
    Column("campaign", String(64)),
    Column("label", SmallInteger, nullable=False, comment="1 relevant, 0 irrelevant"),
    Column("username", String(64), nullable=False),
    Column("model_version", String(20), comment="the version whose decision was judged"),
    Column("labelled_at", Moment, nullable=False),
    UniqueConstraint("tweet_id", "username", name="uq_feedback_tweet_user"),
    Index("ix_feedback_labelled_at", "labelled_at"),
    **MYSQL_TABLE,
)

model_versions = Table(
    "model_versions",
    metadata,
    Column("model_name", String(100), primary_key=True),
    Column("version", String(20), primary_key=True),
    Column("threshold", Float),
    Column("first_seen_at", Moment, nullable=False),
    Column("last_seen_at", Moment, nullable=False),
    **MYSQL_TABLE,
)

alias_history = Table(
    "alias_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model_name", String(100), nullable=False),
    Column("alias", String(32), nullable=False),
    Column("version", String(20), nullable=False),
    Column("previous_version", String(20)),
    Column("action", String(16), nullable=False, comment="promote, rollback or bootstrap"),
    Column("actor", String(64), nullable=False),
    Column("metrics", LongText, nullable=False, comment="JSON comparison behind the decision"),
    Column("changed_at", Moment, nullable=False),
    Index("ix_alias_history_model_alias", "model_name", "alias"),
    **MYSQL_TABLE,
)

batch_stats = Table(
    "batch_stats",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("query_id", String(64), nullable=False),
    Column("batch_id", BigInteger, nullable=False),
    Column("started_at", Moment, nullable=False),
    Column("finished_at", Moment, nullable=False),
    Column("tweets_in", Integer, nullable=False),
    Column("keyword_matches", Integer, nullable=False),
    Column("leads", Integer, nullable=False),
    Column("model_version", String(20)),
    UniqueConstraint("query_id", "batch_id", name="uq_batch_stats_query_batch"),
    **MYSQL_TABLE,
)

# What a challenger would have decided on the same tweets as the champion, for promotion.
shadow_decisions = Table(
    "shadow_decisions",
    metadata,
    Column("tweet_id", String(32), primary_key=True),
    Column("model_name", String(100), primary_key=True),
    Column("version", String(20), primary_key=True),
    Column("text", LongText, nullable=False),
    Column("score", Float, nullable=False),
    Column("threshold", Float, nullable=False),
    Column("decided_at", Moment, nullable=False),
    **MYSQL_TABLE,
)

# Keyword matches the champion rejected narrowly: labels on them teach the most.
review_pool = Table(
    "review_pool",
    metadata,
    Column("tweet_id", String(32), primary_key=True),
    Column("text", LongText, nullable=False),
    Column("lang", String(8)),
    Column("campaigns", LongText, nullable=False, comment="JSON list of campaign names"),
    Column("score", Float, nullable=False),
    Column("threshold", Float, nullable=False),
    Column("model_version", String(20), nullable=False),
    Column("scored_at", Moment, nullable=False),
    Index("ix_review_pool_scored_at", "scored_at"),
    **MYSQL_TABLE,
)
