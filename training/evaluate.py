"""`leadstream evaluate`: score a labelled JSON Lines file with a model and print its quality."""

from __future__ import annotations

from pathlib import Path

import mlflow.pyfunc
import numpy as np
import pandas as pd

from leadstream.settings import Settings
from models.registry import connect, resolve_uri
from training.labels import LabelledTweet, read_jsonl_labels
from training.metrics import quality


def load_scoring_model(settings: Settings, model_uri: str | None):
    """The pyfunc model and its threshold; by default the champion of the registry."""
    client = connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
    uri = model_uri or f"models:/{settings.model_name}@{settings.model_alias}"
    resolve_uri(client, uri)  # a clear error when the alias or version does not exist
    model = mlflow.pyfunc.load_model(uri)
    threshold = float(model.metadata.metadata["threshold"])
    return model, threshold


def score_rows(model, rows: list[LabelledTweet]) -> np.ndarray:
    """The model's score for each labelled text."""
    frame = pd.DataFrame({"text": [r.text for r in rows], "lang": [r.lang for r in rows]})
    return model.predict(frame)["score"].to_numpy()


def evaluate_file(settings: Settings, labels_path: Path, model_uri: str | None = None) -> dict:
    """n, precision, recall, f1, pr_auc and threshold of a model on a labelled file."""
    rows = read_jsonl_labels(labels_path, source="evaluation")
    model, threshold = load_scoring_model(settings, model_uri)
    scores = score_rows(model, rows)
    return quality(np.array([r.label for r in rows]), scores, threshold)
