"""The buying-signal classifier: features, a calibrated linear model, a threshold, reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models.cues import BUYING_CUES, CUE_LABELS
from models.features import Featurizer
from models.tweet_analysis import CUE_NAMES, DENSE_NAMES, Analysis


def linear_weights(estimator) -> np.ndarray:
    """The linear weights behind a fitted estimator, averaged over calibration folds."""
    if hasattr(estimator, "coef_"):
        return np.asarray(estimator.coef_).ravel()
    folds = [np.asarray(c.estimator.coef_).ravel() for c in estimator.calibrated_classifiers_]
    return np.mean(folds, axis=0)


@dataclass
class BuyingSignalClassifier:
    """Scores tweets for buying intent and says which words and cues pushed each score up."""

    featurizer: Featurizer
    estimator: object
    threshold: float
    weights: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.weights is None:
            self.weights = linear_weights(self.estimator)

    def scores(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None
    ) -> np.ndarray:
        """Probability that each tweet is a buying signal."""
        langs = langs if langs is not None else [None] * len(texts)
        matrix = self.featurizer.transform(texts, langs)
        return self.estimator.predict_proba(matrix)[:, 1]

    def score_and_explain(
        self, texts: Sequence[str], langs: Sequence[str | None] | None = None, top: int = 3
    ) -> tuple[np.ndarray, list[list[str]]]:
        """Scores, and for tweets at or above the threshold their top reasons."""
        langs = langs if langs is not None else [None] * len(texts)
        analyses = self.featurizer.analyse(texts, langs)
        matrix = self.featurizer.transform_analysed(texts, analyses)
        scores = self.estimator.predict_proba(matrix)[:, 1]
        kept = np.flatnonzero(scores >= self.threshold)
        meaning = np.zeros(len(texts))
        if kept.size:
            block = self.featurizer.meaning_columns
            meaning[kept] = matrix[kept][:, block] @ self.weights[block]
        reasons = [[] for _ in texts]
        for i in kept.tolist():
            reasons[i] = self.reasons(analyses[i], top, meaning[i])
        return scores, reasons

    def reasons(self, analysis: Analysis, top: int = 3, meaning: float = 0.0) -> list[str]:
        """The cues and phrases that raised this tweet's score most, in plain words.

        `meaning` is the word-piece meaning block's push on the score. It names no cue or
        phrase a salesperson can check, and a whole block's push outweighs any one phrase's
        (it came first on 118 of 123 demo leads), so it only fills a slot the cues and
        phrases leave free.
        """
        contributions = self._cue_contributions(analysis)
        grams = analysis.grams
        if grams:
            columns = np.fromiter(grams.values(), np.int64, len(grams))
            # word block rows are L2-normalised counts of distinct n-grams
            weights = self.weights[columns] / np.sqrt(len(grams))
            raised = [(key, w) for key, w in zip(grams, weights, strict=True) if w > 0]
            written = analysis.written() if raised else {}
            for key, weight in raised:
                if _readable(key if isinstance(key, tuple) else (key,)):
                    contributions[f'wording: "{written[key].lower()}"'] = weight
        ranked = sorted(contributions, key=contributions.get, reverse=True)[:top]
        if meaning > 0 and len(ranked) < top:
            ranked.append(MEANING_REASON)
        if not ranked:
            buying = [c for c, _ in analysis.cues if c in BUYING_CUES]
            ranked = [CUE_LABELS[buying[0]]] if buying else ["overall wording and spelling"]
        return ranked

    def _cue_contributions(self, analysis: Analysis) -> dict[str, float]:
        """Each matched cue's push on the score, its pairings with context cues included."""
        if not analysis.cues:
            return {}
        featurizer = self.featurizer
        start = featurizer.dense_offset
        weights = featurizer.in_dense_layout(
            self.weights[start : start + len(featurizer.dense_names)]
        )
        pushes = weights * np.array(analysis.dense) * featurizer.dense_weight
        present = {c for c, _ in analysis.cues}
        contributions = {}
        for name in (n for n in CUE_NAMES if n in present):
            weight = pushes[_CUE_COLUMNS[name]].sum()
            if weight > 0:
                phrases = sorted({p.lower() for c, p in analysis.cues if c == name})
                shown = [p for p in phrases if not _masked(p.split())][:2]
                quoted = ", ".join(f'"{p}"' for p in shown)
                label = f"{CUE_LABELS[name]}: {quoted}" if quoted else CUE_LABELS[name]
                contributions[label] = weight
        return contributions


MEANING_REASON = "its words are close in meaning to those of leads"
# Dense columns that carry each cue's push: its count and its pairings with context cues.
_CUE_COLUMNS = {
    name: np.array(
        [
            i
            for i, d in enumerate(DENSE_NAMES)
            if d == f"cue:{name}" or d.startswith(f"pair:{name}&")
        ]
    )
    for name in CUE_NAMES
}
_PLACEHOLDERS = {"httpurl", "@user", "user", "<name>"}


def _readable(norms: tuple[str, ...]) -> bool:
    """Whether an n-gram can be quoted to a person: no masked link, handle or number (every
    digit reads 0 after masking, so "30.09." would be quoted as "0."), and not only tiny words."""
    return not _masked(norms) and any(len(w) > 3 for w in norms)


def _masked(words) -> bool:
    return any(w in _PLACEHOLDERS or "0" in w for w in words)
