"""Fitting: pick a linear model by grouped cross-validation, then a threshold for precision."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, precision_recall_curve
from sklearn.svm import LinearSVC

from models.classifier import BuyingSignalClassifier
from models.features import Featurizer
from training.split import grouped_folds

log = logging.getLogger(__name__)
_EDGE = 1e-9  # scores are clipped this far from 0 and 1 before taking log-odds

CANDIDATES = {
    "logreg_c2": LogisticRegression(C=2.0, class_weight="balanced", max_iter=2000),
    "logreg_c8": LogisticRegression(C=8.0, class_weight="balanced", max_iter=2000),
    "logreg_c32": LogisticRegression(C=32.0, class_weight="balanced", max_iter=2000),
    "svm_sigmoid": CalibratedClassifierCV(
        LinearSVC(C=0.5, class_weight="balanced"), method="sigmoid", cv=3
    ),
}


@dataclass(frozen=True)
class FitResult:
    """The fitted classifier with how it was chosen."""

    classifier: BuyingSignalClassifier
    candidate: str
    cv_pr_auc: dict[str, float]
    oof_scores: np.ndarray


def calibrated(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Scores mapped to probabilities by a one-feature logistic fit on their log-odds (Platt)."""
    clipped = np.clip(scores, _EDGE, 1 - _EDGE)
    log_odds = (np.log(clipped) - np.log1p(-clipped)).reshape(-1, 1)
    return LogisticRegression(C=1e6).fit(log_odds, labels).predict_proba(log_odds)[:, 1]


def choose_threshold(labels: np.ndarray, scores: np.ndarray, precision_target: float) -> float:
    """The lowest threshold whose expected precision reaches the target (most recall); else the
    threshold with the best F1.

    The expected precision of what a threshold keeps is the mean calibrated probability above
    it: a smooth, falling curve with one crossing. The counted precision curve is jagged near
    the target, so its first crossing jumped with small changes of the data (100 feedback
    labels moved it from 0.72 to 0.76, and frozen recall from 0.70 to 0.64).
    """
    labels, scores = np.asarray(labels), np.asarray(scores, dtype=float)
    if 0 < labels.sum() < len(labels):
        order = np.argsort(-scores, kind="stable")
        ranked = scores[order]
        expected = np.cumsum(calibrated(labels, scores)[order]) / np.arange(1, len(ranked) + 1)
        # A threshold keeps every tied score: only the last of a run of ties is a cut.
        cuts = np.append(ranked[1:] != ranked[:-1], True)
        reaching = np.flatnonzero((expected >= precision_target) & cuts)
        if reaching.size:
            return float(ranked[reaching[-1]])
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
    return float(thresholds[int(np.argmax(f1))])


def out_of_fold_scores(
    model, matrix, labels, groups, folds: int = 5, seed: int = 7, weights: np.ndarray | None = None
) -> np.ndarray:
    """Each row scored by a copy of the model that never saw its near-duplicate group."""
    scores = np.zeros(len(labels))
    weights = np.ones(len(labels)) if weights is None else weights
    for train, test in grouped_folds(labels, groups, folds, seed):
        fitted = clone(model).fit(matrix[train], labels[train], sample_weight=weights[train])
        scores[test] = fitted.predict_proba(matrix[test])[:, 1]
    return scores


def fit_classifier(
    texts: list[str],
    langs: list[str | None],
    labels: np.ndarray,
    groups: np.ndarray,
    precision_target: float,
    candidates: dict | None = None,
    weights: np.ndarray | None = None,
) -> FitResult:
    """Choose the candidate with the best out-of-fold PR-AUC, set its threshold on those
    out-of-fold scores, and refit it on every row."""
    featurizer = Featurizer()
    matrix = featurizer.transform(texts, langs)
    candidates = candidates or CANDIDATES
    oof = {
        name: out_of_fold_scores(m, matrix, labels, groups, weights=weights)
        for name, m in candidates.items()
    }
    pr_auc = {name: float(average_precision_score(labels, s)) for name, s in oof.items()}
    best = max(pr_auc, key=pr_auc.get)
    log.info("cross-validated PR-AUC %s; chose %s", pr_auc, best)
    threshold = choose_threshold(labels, oof[best], precision_target)
    estimator = clone(candidates[best]).fit(matrix, labels, sample_weight=weights)
    classifier = BuyingSignalClassifier(featurizer, estimator, threshold)
    return FitResult(classifier, best, pr_auc, oof[best])
