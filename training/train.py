"""`leadstream train`: fit on seed and feedback labels, measure on a held-out split, register."""

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
from models.pyfunc import ARTIFACT, INPUT_EXAMPLE, SIGNATURE, BuyingSignalModel
from models.registry import alias_ref, connect
from training.fit import fit_classifier
from training.labels import LabelledTweet, fingerprint, merge_labels, seed_labels
from training.metrics import confusion, quality, save_pr_curve
from training.promotion import record_alias_change
from training.split import holdout_split, near_duplicate_groups

log = logging.getLogger(__name__)
PIP_REQUIREMENTS = [
    "scikit-learn==1.9.1",
    "spacy==3.8.18",
    "spacy-lookups-data==1.0.5",
    "snowballstemmer==3.1.1",
    "orjson",
    "pandas",
    "joblib",
]


def training_labels(settings: Settings, seed_dir: Path | None) -> list[LabelledTweet]:
    """Seed labels merged with every feedback label in the database (feedback wins)."""
    engine = make_engine(settings.database_url)
    init_db(engine)
    feedback = [
        LabelledTweet(
            text=f.text, label=f.label, lang=f.lang, campaign=f.campaign, source="feedback"
        )
        for f in feedback_labels(engine)
    ]
    engine.dispose()
    return merge_labels(seed_labels(seed_dir), feedback)


def _log_model(classifier, name: str, metadata: dict) -> mlflow.models.model.ModelInfo:
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


def train_and_register(
    settings: Settings,
    engine_kind: str = "sklearn",
    seed_dir: Path | None = None,
    promote_if_first: bool = False,
    rows: list[LabelledTweet] | None = None,
    candidates: dict | None = None,
) -> dict:
    """Fit, evaluate on held-out labels, log everything to MLflow and register a version."""
    if engine_kind == "spark":
        from training.spark_fit import train_and_register_spark

        return train_and_register_spark(settings, seed_dir, promote_if_first, rows)
    client = connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
    rows = rows if rows is not None else training_labels(settings, seed_dir)
    texts = [r.text for r in rows]
    langs = [r.lang for r in rows]
    labels = np.array([r.label for r in rows])
    groups = near_duplicate_groups(texts)
    train, test = holdout_split(labels, groups)
    pick = lambda items, idx: [items[i] for i in idx]  # noqa: E731
    with mlflow.start_run(run_name="train-sklearn") as run:
        fitted = fit_classifier(
            pick(texts, train),
            pick(langs, train),
            labels[train],
            groups[train],
            settings.precision_target,
            candidates,
        )
        classifier = fitted.classifier
        test_scores = classifier.scores(pick(texts, test), pick(langs, test))
        held_out = quality(labels[test], test_scores, classifier.threshold)
        mlflow.log_params(
            {
                "engine": "sklearn",
                "candidate": fitted.candidate,
                "rows": len(rows),
                "positives": int(labels.sum()),
                "feedback_rows": sum(r.source == "feedback" for r in rows),
                "precision_target": settings.precision_target,
                "data_fingerprint": fingerprint(rows),
            }
        )
        mlflow.log_metrics({f"test_{k}": v for k, v in held_out.items() if v is not None})
        mlflow.log_metrics({f"cv_pr_auc_{k}": v for k, v in fitted.cv_pr_auc.items()})
        mlflow.log_dict(
            confusion(labels[test], test_scores, classifier.threshold), "confusion_matrix.json"
        )
        with tempfile.TemporaryDirectory() as folder:
            curve = save_pr_curve(
                labels[test], test_scores, classifier.threshold, Path(folder) / "pr_curve.png"
            )
            mlflow.log_artifact(str(curve))
        info = _log_model(
            classifier,
            settings.model_name,
            {"threshold": classifier.threshold, "engine": "sklearn"},
        )
    version = str(info.registered_model_version)
    _tag_version(client, settings.model_name, version, classifier.threshold, held_out, rows)
    result = {
        "model": settings.model_name,
        "version": version,
        "run_id": run.info.run_id,
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


def _tag_version(
    client, name: str, version: str, threshold: float, held_out: dict, rows: list[LabelledTweet]
) -> None:
    """Record the threshold and headline figures on the registered version itself."""
    client.set_model_version_tag(name, version, "threshold", repr(threshold))
    client.set_model_version_tag(name, version, "engine", "sklearn")
    client.set_model_version_tag(name, version, "data_fingerprint", fingerprint(rows))
    for key in ("precision", "recall", "f1", "pr_auc"):
        client.set_model_version_tag(name, version, f"test_{key}", str(held_out[key]))
