"""The word-piece meaning block: read from the encoder's real files, masked like the n-grams."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from models.classifier import MEANING_REASON, BuyingSignalClassifier
from models.features import Featurizer
from models.word_pieces import word_pieces


def _meaning(featurizer: Featurizer, texts: list[str], lang: str = "en") -> np.ndarray:
    matrix = featurizer.transform(texts, [lang] * len(texts))
    return matrix[:, featurizer.meaning_columns].toarray()


def test_words_never_labelled_land_near_their_kind():
    featurizer = Featurizer()
    vectors = _meaning(
        featurizer,
        [
            "the forklift broke down again in the warehouse",
            "pallet truck failed at the depot this morning",
            "lovely birthday cake with strawberries and cream",
        ],
    )
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    equipment, other_equipment, cake = vectors
    assert equipment @ other_equipment > equipment @ cake + 0.1


def test_pieces_fold_case_and_accents_and_drop_unknown_symbols():
    pieces = word_pieces()
    assert pieces.pieces("Kompressor").tolist() == pieces.pieces("kompressor").tolist()
    assert pieces.pieces("Käyttöönotto").tolist() == pieces.pieces("kayttoonotto").tolist()
    assert pieces.pieces("🙈").size == 0


def test_names_links_and_handles_do_not_move_the_meaning():
    featurizer = Featurizer()
    vectors = _meaning(
        featurizer,
        [
            "Our only forklift from Linde broke again, who services them near Leeds? @bob",
            "Our only forklift from Jungheinrich broke again, who services them near Perth? @al",
        ],
    )
    assert np.allclose(vectors[0], vectors[1])


def test_a_featurizer_from_an_older_model_has_no_meaning_block():
    today = Featurizer()
    older = Featurizer.__new__(Featurizer)
    state = today.__getstate__()
    del state["meaning_weight"]
    older.__setstate__(state)
    assert older.meaning_weight == 0.0
    matrix = older.transform(["need a new boiler for the office"], ["en"])
    assert matrix.shape[1] == older.width == today.dense_offset + len(today.dense_names)
    assert today.width == older.width + word_pieces().dimensions


def test_reasons_name_the_meaning_block_only_when_it_raised_the_score():
    featurizer = Featurizer(word_features=2**10, char_features=2**10)
    texts = ["our forklift broke down again, need a rental", "lovely cake recipe"]
    matrix = featurizer.transform(texts, ["en", "en"])
    estimator = LogisticRegression().fit(matrix, [1, 0])
    block = featurizer.meaning_columns
    for sign in (1.0, -1.0):
        weights = np.zeros(featurizer.width)
        # Pointing the block's weights along the first tweet's own vector makes its push on
        # that tweet's score positive (or, with sign -1, negative).
        weights[block] = sign * matrix[0, block].toarray().ravel() * 5
        estimator.coef_ = weights.reshape(1, -1)
        estimator.intercept_ = np.array([10.0 if sign < 0 else 0.0])
        classifier = BuyingSignalClassifier(featurizer, estimator, threshold=0.5)
        scores, reasons = classifier.score_and_explain(texts[:1], ["en"])
        assert scores[0] >= 0.5
        assert (MEANING_REASON in reasons[0]) == (sign > 0), reasons
