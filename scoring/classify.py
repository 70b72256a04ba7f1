"""Applying the registered classifier to keyword matches, in the Python workers."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark import SparkFiles
from pyspark.accumulators import Accumulator
from pyspark.sql import DataFrame

from scoring.keyword_index import KeywordIndex

# The tweet fields a lead keeps; the others stay in the spool.
TWEET_COLUMNS = (
    "tweet_id",
    "text",
    "created_at",
    "lang",
    "author_id",
    "author_username",
    "author_name",
    "author_followers",
    "place_name",
    "place_country",
)
SCORED_SCHEMA_DDL = (
    "tweet_id STRING, text STRING, created_at STRING, lang STRING, author_id STRING, "
    "author_username STRING, author_name STRING, author_followers BIGINT, place_name STRING, "
    "place_country STRING, campaigns ARRAY<STRING>, matched_keywords ARRAY<STRING>, "
    "score DOUBLE, is_lead BOOLEAN, reasons STRING, challenger_score DOUBLE, "
    "challenger_is_lead BOOLEAN"
)
_LOADED: dict[str, object] = {}  # per Python worker: model folder -> loaded pyfunc model
_KEPT_MODELS = 2  # a champion and a challenger; older ones were replaced by promotions
_SETTLING_BATCHES = 3  # batches after which a worker moves its heap out of the collector's way
_settled = 0  # batches this worker has settled after


def _model(folder_name: str):
    """The pyfunc model shipped to this worker under folder_name, loaded once per process.

    A worker outlives promotions: when a new version arrives, the oldest loaded model goes,
    and the heap is unfrozen so that the collector can reclaim it (then settles again).
    """
    global _settled
    if folder_name not in _LOADED:
        import mlflow.pyfunc

        if len(_LOADED) >= _KEPT_MODELS:
            del _LOADED[next(iter(_LOADED))]
            gc.unfreeze()
            _settled = 0

        path = (
            Path(folder_name) if Path(folder_name).is_absolute() else SparkFiles.get(folder_name)
        )
        _LOADED[folder_name] = mlflow.pyfunc.load_model(str(path))
    return _LOADED[folder_name]


def classify(
    candidates: DataFrame,
    model_folder: str,
    index: KeywordIndex,
    challenger_folder: str | None = None,
    near_misses: int = 20,
    matches: Accumulator | None = None,
) -> DataFrame:
    """The scored keyword matches worth keeping: every lead, the best-scored rejects of each
    partition (candidates for the review queue), and the tweets a challenger would keep.

    Everything else is scored and dropped in the worker, so only a few rows per thousand
    tweets travel back to the driver. Rows stay Arrow columns: only the text and language
    become Python objects, for the model.

    Args:
        candidates: keyword_prefilter's output; rows that no campaign takes are skipped.
        model_folder: name given to SparkContext.addFile for the model, or an absolute path.
        index: the campaigns' keyword index the prefilter used.
        challenger_folder: the same for a challenger scored alongside (shadow mode), if any.
        near_misses: rejects kept per partition, shared among the campaigns in turn.
        matches: if given, counts the tweets that some campaign takes (the keyword matches);
            like any accumulator updated in a transformation, a retried task counts again.
    """

    def score_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        rejects = _BestRejects(near_misses, index)
        for batch in batches:
            routed = _Routed.of(batch, index)
            if matches is not None:
                matches.add(len(routed.rows))
            if not routed.rows:
                continue
            with _collector_paused():
                scored = _scored(routed, _model(model_folder), challenger_folder)
            keep = scored.is_lead | scored.challenger_is_lead
            if keep.any():
                yield scored.output(np.flatnonzero(keep), index)
            rejects.offer(scored, np.flatnonzero(~keep))
            _settle_heap()
        if (best := rejects.output()) is not None:
            yield best

    columns = [*TWEET_COLUMNS, "found"]
    return candidates.select(*columns).mapInArrow(score_partition, SCORED_SCHEMA_DDL)


def _settle_heap() -> None:
    """After the first batches, exempt what is alive from garbage collection.

    The model, spaCy's vocabulary and the featurizer's caches are hundreds of thousands of
    long-lived objects; every full collection would scan them again. Garbage is collected
    first, so only live objects are frozen; later garbage is collected as usual.
    """
    global _settled
    if _settled < _SETTLING_BATCHES:
        _settled += 1
        gc.collect()
        gc.freeze()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch is scored.

    Scoring allocates millions of short-lived objects (tokens, n-gram lists, pandas frames)
    that reference counting frees; the collector's young-generation passes over them found
    nothing and cost about 8 % of the classifier's time. Whatever cycles a batch leaves are
    collected as usual once it is scored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class _Routed:
    """The rows of an Arrow batch that some campaign takes, with their campaigns."""

    batch: pa.RecordBatch
    rows: list[int]
    campaigns: list[list[str]]
    found: list[list[str]]

    @classmethod
    def of(cls, batch: pa.RecordBatch, index: KeywordIndex) -> _Routed:
        langs = batch.column("lang").to_pylist()
        found = batch.column("found").to_pylist()
        rows, campaigns = [], []
        for row, (words, lang) in enumerate(zip(found, langs, strict=True)):
            if names := index.campaigns_for(words, lang):
                rows.append(row)
                campaigns.append(names)
        kept = batch.take(pa.array(rows, pa.int64()))
        return cls(kept, rows, campaigns, [found[r] for r in rows])


@dataclass
class _Scored:
    """Routed rows with the champion's (and the challenger's) predictions."""

    routed: _Routed
    score: np.ndarray
    is_lead: np.ndarray
    reasons: list[str]
    challenger_score: np.ndarray
    challenger_is_lead: np.ndarray

    def output(self, picked: np.ndarray, index: KeywordIndex) -> pa.RecordBatch:
        """The picked rows (positions among the routed rows) in SCORED_SCHEMA_DDL's shape."""
        routed = self.routed
        tweets = routed.batch.take(pa.array(picked, pa.int64()))
        campaigns = [routed.campaigns[i] for i in picked]
        keywords = [index.keywords_for(routed.found[i], routed.campaigns[i]) for i in picked]
        challenger = self.challenger_score[picked]
        columns = {
            **{name: tweets.column(name) for name in TWEET_COLUMNS},
            "campaigns": pa.array(campaigns, pa.list_(pa.string())),
            "matched_keywords": pa.array(keywords, pa.list_(pa.string())),
            "score": pa.array(self.score[picked], pa.float64()),
            "is_lead": pa.array(self.is_lead[picked], pa.bool_()),
            "reasons": pa.array([self.reasons[i] for i in picked], pa.string()),
            "challenger_score": pa.array(challenger, pa.float64(), mask=np.isnan(challenger)),
            "challenger_is_lead": pa.array(self.challenger_is_lead[picked], pa.bool_()),
        }
        return pa.RecordBatch.from_pydict(columns)


def _scored(routed: _Routed, champion, challenger_folder: str | None) -> _Scored:
    batch = routed.batch
    tweets = pd.DataFrame(
        {"text": batch.column("text").to_pylist(), "lang": batch.column("lang").to_pylist()}
    )
    predicted = champion.predict(tweets)
    count = len(tweets)
    scored = _Scored(
        routed=routed,
        score=predicted["score"].to_numpy(dtype=np.float64),
        is_lead=predicted["is_lead"].to_numpy(dtype=bool),
        reasons=predicted["reasons"].tolist(),
        challenger_score=np.full(count, np.nan),
        challenger_is_lead=np.zeros(count, dtype=bool),
    )
    if challenger_folder is not None:
        rival = _model(challenger_folder).predict(tweets)
        scored.challenger_score = rival["score"].to_numpy(dtype=np.float64)
        scored.challenger_is_lead = rival["is_lead"].to_numpy(dtype=bool)
    return scored


class _BestRejects:
    """The best-scored rejects seen in a partition, up to a number, shared among campaigns.

    The places go round the campaigns, each taking its best reject not yet taken, so that a
    campaign whose tweets all score low (a new market, a language without seed labels) still
    sends its near-misses to the review queue, where its team's labels teach the most. Only
    the rows still in the running are held, already in the output's shape: never a whole batch.
    """

    def __init__(self, limit: int, index: KeywordIndex) -> None:
        self.limit = limit
        self.index = index
        # campaign -> its best: (score, offer order, rows in SCORED_SCHEMA_DDL's shape, row)
        self._held: dict[str, list[tuple[float, int, pa.RecordBatch, int]]] = {}
        self._offered = 0

    def offer(self, scored: _Scored, rejected: np.ndarray) -> None:
        if self.limit <= 0 or not len(rejected):
            return
        campaigns = scored.routed.campaigns
        wanted = len({c for i in rejected.tolist() for c in campaigns[i]}) * self.limit
        fresh: dict[str, list[tuple[float, int, int]]] = {}
        found = 0
        for i in rejected[np.argsort(-scored.score[rejected], kind="stable")].tolist():
            entry = (float(scored.score[i]), self._offered, i)
            self._offered += 1
            for campaign in campaigns[i]:
                if len(best := fresh.setdefault(campaign, [])) < self.limit:
                    best.append(entry)
                    found += 1
            if found == wanted:
                break  # every campaign of the batch has its best rejects
        rows = sorted({i for best in fresh.values() for _, _, i in best})
        shaped = scored.output(np.array(rows, np.int64), self.index)
        position = {row: n for n, row in enumerate(rows)}
        for campaign, best in fresh.items():
            held = self._held.get(campaign, [])
            held += [(score, order, shaped, position[i]) for score, order, i in best]
            self._held[campaign] = sorted(held, key=lambda h: (-h[0], h[1]))[: self.limit]

    def taken(self) -> list[tuple[float, int, pa.RecordBatch, int]]:
        """Up to `limit` distinct rejects: in turn, each campaign's best not yet taken."""
        queues = [iter(self._held[c]) for c in sorted(self._held)]
        chosen: dict[int, tuple] = {}  # offer order -> entry
        while queues and len(chosen) < self.limit:
            for queue in list(queues):
                entry = next((e for e in queue if e[1] not in chosen), None)
                if entry is None:
                    queues.remove(queue)
                elif len(chosen) < self.limit:
                    chosen[entry[1]] = entry
        return sorted(chosen.values(), key=lambda h: (-h[0], h[1]))

    def output(self) -> pa.RecordBatch | None:
        """The rejects taken, best first, in SCORED_SCHEMA_DDL's shape."""
        taken = self.taken()
        if not taken:
            return None
        return pa.concat_batches([rows.slice(row, 1) for _, _, rows, row in taken])
