"""The threshold for a precision target: reached on new data, and steady when data changes."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_curve

from training.fit import choose_threshold

TARGET = 0.90


def _scored(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores of a model that is over-confident the way a refitted one is, and labels drawn
    from the true probability of each score."""
    log_odds = rng.normal(-0.5, 2.0, n)
    scores = 1 / (1 + np.exp(-log_odds))
    truth = 1 / (1 + np.exp(-(0.7 * log_odds + 0.2)))
    return (rng.random(n) < truth).astype(int), scores


def _first_counted_crossing(labels: np.ndarray, scores: np.ndarray) -> float:
    """The rule this one replaced: the first threshold whose counted precision reaches it."""
    precision, _, thresholds = precision_recall_curve(labels, scores)
    return float(thresholds[np.flatnonzero(precision[:-1] >= TARGET)[0]])


def test_the_threshold_reaches_the_precision_target_on_new_data():
    rng = np.random.default_rng(3)
    labels, scores = _scored(rng, 4_000)
    threshold = choose_threshold(labels, scores, TARGET)
    new_labels, new_scores = _scored(rng, 200_000)
    kept = new_scores >= threshold
    assert abs(new_labels[kept].mean() - TARGET) < 0.02
    assert 0.1 < kept.mean() < 0.5


def test_the_threshold_moves_less_than_the_counted_crossing_from_one_label_set_to_the_next():
    # Retraining on a changed label set scores every row afresh (new folds, new weights), so
    # the threshold's steadiness is its spread over independent label sets of the same size.
    rng = np.random.default_rng(5)
    chosen, counted = [], []
    for _ in range(100):
        labels, scores = _scored(rng, 1_000)
        chosen.append(choose_threshold(labels, scores, TARGET))
        counted.append(_first_counted_crossing(labels, scores))
    assert np.std(chosen) < 0.8 * np.std(counted)


def test_an_unreachable_target_falls_back_to_the_best_f1_and_one_class_does_not_fail():
    labels = np.array([0, 1, 0, 1, 0, 1, 0, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2])
    assert choose_threshold(labels, scores, 0.99) == 0.4  # keeps all three leads: F1 0.67
    assert 0 <= choose_threshold(np.zeros(8, dtype=int), scores, TARGET) <= 1
