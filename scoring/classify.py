"""Applying the registered classifier to keyword matches, in the Python workers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
from pyspark import SparkFiles
from pyspark.sql import DataFrame

from leadstream.campaigns import Campaign
from leadstream.tweet import SPOOL_SCHEMA_DDL

SCORED_SCHEMA_DDL = (
    f"{SPOOL_SCHEMA_DDL}, campaigns ARRAY<STRING>, matched_keywords ARRAY<STRING>, "
    "score DOUBLE, is_lead BOOLEAN, reasons STRING"
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
    candidates: DataFrame, model_folder: str, campaigns: tuple[Campaign, ...]
) -> DataFrame:
    """Keyword matches with score, is_lead, reasons and the keywords that matched.

    Args:
        model_folder: name given to SparkContext.addFile for the model, or an absolute path.
    """
    sources = {c.name: c.keyword_pattern() for c in campaigns}

    def score_partitions(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        model = _model(model_folder)
        patterns = {name: re.compile(source) for name, source in sources.items()}
        for frame in frames:
            if frame.empty:
                continue
            predicted = model.predict(frame[["text", "lang"]])
            yield frame.assign(
                matched_keywords=[
                    matched_keywords(t, list(c), patterns)
                    for t, c in zip(frame["text"], frame["campaigns"], strict=True)
                ],
                score=predicted["score"].to_numpy(),
                is_lead=predicted["is_lead"].to_numpy(),
                reasons=predicted["reasons"].to_numpy(),
            )

    return candidates.mapInPandas(score_partitions, SCORED_SCHEMA_DDL)
