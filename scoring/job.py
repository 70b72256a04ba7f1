"""The scoring query: spooled tweets -> keyword prefilter -> classifier -> leads in the database.

Usage:
    leadstream score               # follow the spool until Ctrl-C
    leadstream score --until-idle  # score what is spooled, then stop
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

import orjson
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from leadstream.campaigns import Campaign, load_campaigns
from leadstream.settings import Settings
from leadstream.shutdown import stopping_on_signals
from leadstream.spark import spark_session
from leadstream.storage.batches import BatchStats, record_batch
from leadstream.storage.campaign_store import sync_campaigns
from leadstream.storage.decisions import add_to_review_pool, record_shadow_decisions
from leadstream.storage.engine import init_db, make_engine
from leadstream.storage.leads import Lead, upsert_leads
from leadstream.storage.models_seen import record_model_seen
from leadstream.tweet import SPOOL_SCHEMA_DDL
from scoring.champion import ChampionTracker
from scoring.classify import classify
from scoring.prefilter import keyword_prefilter

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _tweeted_at(created_at: str | None) -> datetime:
    """The tweet's time as naive UTC; the scoring time when the tweet did not say."""
    if not created_at:
        return _now()
    return (
        datetime.fromisoformat(created_at.replace("Z", "+00:00"))
        .astimezone(UTC)
        .replace(tzinfo=None)
    )


def lead_from_row(row, shipped, batch_id: int, scored_at: datetime) -> Lead:
    """A Lead from a scored Spark row."""
    return Lead(
        tweet_id=row.tweet_id,
        text=row.text,
        tweeted_at=_tweeted_at(row.created_at),
        score=float(row.score),
        model_name=shipped.ref.name,
        model_version=shipped.ref.version,
        threshold=shipped.ref.threshold,
        scored_at=scored_at,
        campaigns=list(row.campaigns),
        matched_keywords=list(row.matched_keywords),
        reasons=orjson.loads(row.reasons),
        lang=row.lang,
        author_id=row.author_id,
        author_username=row.author_username,
        author_name=row.author_name,
        author_followers=row.author_followers,
        place_name=row.place_name,
        place_country=row.place_country,
        batch_id=batch_id,
    )


REVIEW_PER_BATCH = 20  # near-misses kept per batch for the review queue
CHALLENGER = "challenger"


class BatchScorer:
    """The foreachBatch sink: score one micro-batch and write its leads and figures."""

    def __init__(self, settings: Settings, spark: SparkSession, campaigns: tuple[Campaign, ...]):
        self.settings = settings
        self.campaigns = campaigns
        self.tracker = ChampionTracker(settings, spark)
        self.challenger = ChampionTracker(settings, spark, alias=CHALLENGER, required=False)
        self.engine = make_engine(settings.database_url)
        init_db(self.engine)
        sync_campaigns(self.engine, campaigns)

    def query_id(self) -> str:
        """The streaming query's id, stable across restarts on the same checkpoint."""
        metadata = Path(self.settings.checkpoint_dir) / "metadata"
        return orjson.loads(metadata.read_bytes())["id"] if metadata.exists() else "unknown"

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        started = _now()
        shipped = self.tracker.current()
        batch = batch.persist()
        try:
            tweets_in = batch.count()
            candidates = keyword_prefilter(batch, self.campaigns).persist()
            scored = classify(candidates, shipped.folder_name, self.campaigns).persist()
            totals = scored.agg(
                F.count("*").alias("matches"), F.sum(F.col("is_lead").cast("int")).alias("leads")
            ).first()
            rows = scored.where("is_lead").collect()
            near_misses = (
                scored.where(~F.col("is_lead"))
                .orderBy(F.desc("score"))
                .limit(REVIEW_PER_BATCH)
                .collect()
            )
            shadow = self._shadow(candidates, {r.tweet_id for r in rows})
            scored.unpersist()
            candidates.unpersist()
        finally:
            batch.unpersist()
        finished = _now()
        upsert_leads(self.engine, [lead_from_row(r, shipped, batch_id, finished) for r in rows])
        add_to_review_pool(self.engine, [_pool_row(r, shipped, finished) for r in near_misses])
        record_shadow_decisions(self.engine, shadow)
        record_model_seen(
            self.engine, shipped.ref.name, shipped.ref.version, shipped.ref.threshold
        )
        record_batch(
            self.engine,
            BatchStats(
                query_id=self.query_id(),
                batch_id=batch_id,
                started_at=started,
                finished_at=finished,
                tweets_in=tweets_in,
                keyword_matches=int(totals.matches or 0),
                leads=len(rows),
                model_version=shipped.ref.version,
            ),
        )
        log.info(
            "batch %d: %d tweets, %d keyword matches, %d leads (model v%s)",
            batch_id,
            tweets_in,
            totals.matches or 0,
            len(rows),
            shipped.ref.version,
        )

    def _shadow(self, candidates: DataFrame, champion_leads: set[str]) -> list[dict]:
        """The challenger's scores where either model keeps the tweet (none without one)."""
        challenger = self.challenger.current()
        if challenger is None:
            return []
        scored = classify(candidates, challenger.folder_name, self.campaigns)
        keep = F.col("is_lead") | F.col("tweet_id").isin(list(champion_leads))
        decided = _now()
        return [
            {
                "tweet_id": r.tweet_id,
                "model_name": challenger.ref.name,
                "version": challenger.ref.version,
                "text": r.text,
                "score": float(r.score),
                "threshold": challenger.ref.threshold,
                "decided_at": decided,
            }
            for r in scored.where(keep).select("tweet_id", "text", "score").collect()
        ]


def _pool_row(row, shipped, scored_at: datetime) -> dict:
    """A rejected keyword match as a review-pool row."""
    return {
        "tweet_id": row.tweet_id,
        "text": row.text,
        "lang": row.lang,
        "campaigns": orjson.dumps(list(row.campaigns)).decode(),
        "score": float(row.score),
        "threshold": shipped.ref.threshold,
        "model_version": shipped.ref.version,
        "scored_at": scored_at,
    }


def start_scoring(settings: Settings, spark: SparkSession, until_idle: bool) -> StreamingQuery:
    """Start the streaming query over the spool; it runs until stopped (or the spool is done)."""
    campaigns = load_campaigns(settings.campaigns_file)
    tweets_dir = settings.spool_dir / "tweets"
    tweets_dir.mkdir(parents=True, exist_ok=True)
    # tweets: every complete spool file, as normalised tweet rows, a few files per batch
    tweets = (
        spark.readStream.schema(SPOOL_SCHEMA_DDL)
        .option("maxFilesPerTrigger", settings.max_files_per_trigger)
        .json(str(tweets_dir))
    )
    writer = (
        tweets.writeStream.queryName("leadstream_scoring")
        .foreachBatch(BatchScorer(settings, spark, campaigns))
        .option("checkpointLocation", str(settings.checkpoint_dir))
    )
    if until_idle:
        return writer.trigger(availableNow=True).start()
    return writer.trigger(processingTime=f"{settings.trigger_seconds} seconds").start()


def run_scoring(
    settings: Settings, until_idle: bool = False, stop: threading.Event | None = None
) -> None:
    """Run the scorer in this process until idle, until `stop` is set, or until Ctrl-C."""
    stop = stop or threading.Event()
    owned = SparkSession.getActiveSession() is None  # stop only a session we started
    spark = spark_session(settings)
    query = start_scoring(settings, spark, until_idle)
    try:
        with stopping_on_signals(stop):
            while query.isActive and not stop.is_set():
                query.awaitTermination(1.0)
    finally:
        if query.isActive:
            query.stop()
        failure = query.exception()
        if owned:
            spark.stop()
    if failure:
        raise RuntimeError(f"scoring query failed: {failure}")
