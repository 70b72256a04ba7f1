"""The scoring query: spooled tweets -> keyword prefilter -> classifier -> leads in the database.

Usage:
    leadstream score               # follow the spool until Ctrl-C
    leadstream score --until-idle  # score what is spooled, then stop
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
from pyspark.sql import DataFrame, Observation, SparkSession
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
from scoring.keyword_index import KeywordIndex
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
        self.index = KeywordIndex(campaigns)
        # Counts keyword matches in the workers, where campaigns are known; read per batch.
        self.matches = spark.sparkContext.accumulator(0)
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
        started, clock = _now(), time.perf_counter()
        shipped = self.tracker.current()
        challenger = self.challenger.current()
        resolved = time.perf_counter()
        kept, tweets_in, matches = self._score(batch, shipped, challenger)
        finished, scored = _now(), time.perf_counter()
        leads = [r for r in kept if r.is_lead]
        rejects = sorted((r for r in kept if not r.is_lead), key=lambda r: r.score, reverse=True)
        stats = BatchStats(
            query_id=self.query_id(),
            batch_id=batch_id,
            started_at=started,
            finished_at=finished,
            tweets_in=tweets_in,
            keyword_matches=matches,
            leads=len(leads),
            model_version=shipped.ref.version,
        )
        # One transaction: a batch's leads and its figures are stored together or not at all.
        with self.engine.begin() as db:
            upsert_leads(db, [lead_from_row(r, shipped, batch_id, finished) for r in leads])
            pool = [_pool_row(r, shipped, finished) for r in rejects[:REVIEW_PER_BATCH]]
            add_to_review_pool(db, pool)
            if challenger:
                record_shadow_decisions(db, _shadow_rows(kept, challenger, finished))
            record_model_seen(db, shipped.ref.name, shipped.ref.version, shipped.ref.threshold)
            record_batch(db, stats)
        log.info(
            "batch %d: %d tweets, %d keyword matches, %d leads (model v%s; "
            "models resolved in %.2f s, scored in %.2f s, stored in %.2f s)",
            batch_id,
            stats.tweets_in,
            stats.keyword_matches,
            stats.leads,
            shipped.ref.version,
            resolved - clock,
            scored - resolved,
            time.perf_counter() - scored,
        )

    def _score(self, batch: DataFrame, shipped, challenger) -> tuple[list, int, int]:
        """(kept rows, tweets in, keyword matches) of one micro-batch, in one Spark job.

        Nothing is cached: an observation counts tweets and the workers count matches as they
        score, and only leads, near-misses and shadow rows come back to the driver.
        """
        tweets_in = Observation()
        tweets = batch.observe(tweets_in, F.count(F.lit(1)).alias("rows"))
        matched_before = self.matches.value
        kept = classify(
            keyword_prefilter(tweets, self.index),
            shipped.folder_name,
            self.index,
            challenger.folder_name if challenger else None,
            REVIEW_PER_BATCH,
            self.matches,
        ).collect()
        return kept, _observed(tweets_in), self.matches.value - matched_before


def _observed(observation: Observation) -> int:
    """The row count an observation collected (0 when the batch had no rows to count)."""
    return int(observation.get.get("rows") or 0)


def _shadow_rows(kept: list, challenger, decided_at: datetime) -> list[dict]:
    """The challenger's scores where either model keeps the tweet."""
    return [
        {
            "tweet_id": r.tweet_id,
            "model_name": challenger.ref.name,
            "version": challenger.ref.version,
            "text": r.text,
            "score": float(r.challenger_score),
            "threshold": challenger.ref.threshold,
            "decided_at": decided_at,
        }
        for r in kept
        if r.is_lead or r.challenger_is_lead
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
