"""Applying the registered classifier to keyword matches, in the Python workers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from pyspark import SparkFiles
from pyspark.sql import DataFrame

from leadstream.campaigns import Campaign

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


def _model(folder_name: str):
    """The pyfunc model shipped to this worker under folder_name, loaded once per process."""
    if folder_name not in _LOADED:
        import mlflow.pyfunc

        path = (
            Path(folder_name) if Path(folder_name).is_absolute() else SparkFiles.get(folder_name)
        )
        _LOADED[folder_name] = mlflow.pyfunc.load_model(str(path))
    return _LOADED[folder_name]


def matched_keywords(
    text: str, campaigns: list[str], patterns: dict[str, re.Pattern]
) -> list[str]:
    """The keywords of the tweet's campaigns found in its text, lowercased and sorted."""
    found = {m.group(0).lower() for name in campaigns for m in patterns[name].finditer(text)}
    return sorted(found)


def classify(
    candidates: DataFrame,
    model_folder: str,
    campaigns: tuple[Campaign, ...],
    challenger_folder: str | None = None,
    near_misses: int = 20,
) -> DataFrame:
    """The scored keyword matches worth keeping: every lead, the best-scored rejects of each
    partition (candidates for the review queue), and the tweets a challenger would keep.

    Everything else is scored and dropped in the worker, so only a few rows per thousand
    tweets travel back to the driver.

    Args:
        candidates: keyword_prefilter's output; rows without a campaign are skipped.
        model_folder: name given to SparkContext.addFile for the model, or an absolute path.
        challenger_folder: the same for a challenger scored alongside (shadow mode), if any.
        near_misses: rejects kept per partition.
    """
    sources = {c.name: c.keyword_pattern() for c in campaigns}

    def score_partitions(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        patterns = {name: re.compile(source) for name, source in sources.items()}
        rejects: pd.DataFrame | None = None
        for frame in frames:
            frame = frame[frame["campaigns"].map(len) > 0]
            if frame.empty:
                continue
            scored = _scored(frame, _model(model_folder), challenger_folder)
            keep = scored["is_lead"] | scored["challenger_is_lead"]
            if keep.any():
                yield _with_keywords(scored[keep], patterns)
            best = scored[~keep].nlargest(near_misses, "score")
            if not best.empty:
                rejects = best if rejects is None else _top(rejects, best, near_misses)
        if rejects is not None:
            yield _with_keywords(rejects, patterns)

    columns = [*TWEET_COLUMNS, "campaigns"]
    return candidates.select(*columns).mapInPandas(score_partitions, SCORED_SCHEMA_DDL)


def _scored(frame: pd.DataFrame, champion, challenger_folder: str | None) -> pd.DataFrame:
    """The frame with the champion's (and the challenger's) predictions."""
    tweets = frame[["text", "lang"]]
    predicted = champion.predict(tweets)
    scored = frame.assign(
        score=predicted["score"].to_numpy(),
        is_lead=predicted["is_lead"].to_numpy(),
        reasons=predicted["reasons"].to_numpy(),
        challenger_score=np.nan,
        challenger_is_lead=False,
    )
    if challenger_folder is not None:
        rival = _model(challenger_folder).predict(tweets)
        scored["challenger_score"] = rival["score"].to_numpy()
        scored["challenger_is_lead"] = rival["is_lead"].to_numpy()
    return scored


def _top(a: pd.DataFrame, b: pd.DataFrame, n: int) -> pd.DataFrame:
    return pd.concat([a, b]).nlargest(n, "score")


def _with_keywords(frame: pd.DataFrame, patterns: dict[str, re.Pattern]) -> pd.DataFrame:
    keywords = [
        matched_keywords(text, list(names), patterns)
        for text, names in zip(frame["text"], frame["campaigns"], strict=True)
    ]
    return frame.assign(matched_keywords=keywords)
