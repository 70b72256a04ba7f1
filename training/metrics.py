"""Quality figures of a scored label set, and the pictures MLflow keeps with a run."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: figures go to files, never to a screen
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    precision_recall_fscore_support,
)


def precision_at_k(labels: np.ndarray, scores: np.ndarray, k: int) -> float:
    """Share of true buying signals among the k highest scores."""
    top = np.argsort(-scores, kind="stable")[:k]
    return float(labels[top].mean()) if len(top) else 0.0


def quality(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict:
    """n, precision, recall, f1, pr_auc, threshold and precision@k at the given threshold."""
    labels = np.asarray(labels, dtype=int)
    predicted = (np.asarray(scores) >= threshold).astype(int)
    precision, recall, f1, _ = precision_recall_fscore_support(
        labels, predicted, average="binary", zero_division=0
    )
    both_classes = 0 < labels.sum() < len(labels)
    return {
        "n": int(len(labels)),
        "precision": round(float(precision), 4),
        "recall": round(float(recall), 4),
        "f1": round(float(f1), 4),
        "pr_auc": round(float(average_precision_score(labels, scores)), 4)
        if both_classes
        else None,
        "threshold": round(float(threshold), 4),
        "precision_at_10": round(precision_at_k(labels, scores, 10), 4),
        "precision_at_50": round(precision_at_k(labels, scores, 50), 4),
        "kept": int(predicted.sum()),
    }


def save_pr_curve(labels: np.ndarray, scores: np.ndarray, threshold: float, path: Path) -> Path:
    """The precision-recall curve with the chosen operating point, as a PNG."""
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    figure, axes = plt.subplots(figsize=(5, 4), dpi=110)
    axes.plot(recall, precision, color="#1f5fa8")
    at = np.searchsorted(thresholds, threshold).clip(0, len(thresholds) - 1)
    axes.scatter([recall[at]], [precision[at]], color="#d04a02", zorder=3, label="threshold")
    axes.set(
        xlabel="recall",
        ylabel="precision",
        xlim=(0, 1),
        ylim=(0, 1.02),
        title="Buying signals: precision-recall (held-out)",
    )
    axes.grid(alpha=0.3)
    axes.legend(loc="lower left")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
    return path


def confusion(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict:
    """The confusion matrix as named counts."""
    tn, fp, fn, tp = confusion_matrix(
        labels, (np.asarray(scores) >= threshold).astype(int), labels=[0, 1]
    ).ravel()
    return {
        "true_negative": int(tn),
        "false_positive": int(fp),
        "false_negative": int(fn),
        "true_positive": int(tp),
    }
