"""The word-piece meaning block: read from the encoder's real files, masked like the n-grams."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from models.classifier import MEANING_REASON, BuyingSignalClassifier
from models.features import Featurizer
from models.word_pieces import Projection, word_pieces


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
    equipment, other_equipment, cake = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
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


def test_a_short_tweet_means_less_than_a_long_one_but_points_the_same_way():
    featurizer = Featurizer()
    short, long = _meaning(
        featurizer,
        [
            "forklift broke down",
            "forklift broke down. forklift broke down. forklift broke down. forklift broke down",
        ],
    )
    # Four pieces against the prior of sixteen: a fifth of the full length; sixteen: half.
    pieces = len(word_pieces().pieces("forklift")) + 2
    assert np.linalg.norm(short) == pytest.approx(pieces / (pieces + 16), rel=1e-4)
    assert np.linalg.norm(long) == pytest.approx(4 * pieces / (4 * pieces + 16), rel=1e-4)
    assert np.allclose(short / np.linalg.norm(short), long / np.linalg.norm(long), atol=1e-5)
    unshrunk = Featurizer(meaning_prior=0)
    assert np.linalg.norm(_meaning(unshrunk, ["forklift broke down"])) == pytest.approx(1.0)


def test_a_featurizer_from_before_the_prior_counts_every_tweet_fully():
    older = Featurizer.__new__(Featurizer)
    state = Featurizer().__getstate__()
    del state["meaning_prior"]
    older.__setstate__(state)
    assert older.meaning_prior == 0.0
    assert np.linalg.norm(_meaning(older, ["forklift broke down"])) == pytest.approx(1.0)


def test_a_featurizer_from_an_older_model_has_no_meaning_block():
    today = Featurizer()
    older = Featurizer.__new__(Featurizer)
    state = today.__getstate__()
    del state["meaning_weight"]
    older.__setstate__(state)
    assert older.meaning_weight == 0.0
    matrix = older.transform(["need a new boiler for the office"], ["en"])
    assert matrix.shape[1] == older.width == today.dense_offset + len(today.dense_names)
    assert today.width == older.width + today.meaning_dimensions


def test_the_principal_axes_are_orthonormal_ordered_and_signed_the_same_way_each_time():
    pieces = word_pieces()
    projection = pieces.principal_axes(128)
    axes = projection.axes.astype(np.float64)
    assert axes.shape == (pieces.dimensions, 128)
    assert np.allclose(axes.T @ axes, np.eye(128), atol=1e-5)
    spread = ((pieces.vectors - projection.mean) @ projection.axes).var(axis=0)
    assert np.all(np.diff(spread) <= 1e-6)  # falling variance
    largest = np.abs(axes).argmax(axis=0)
    assert np.all(axes[largest, np.arange(128)] > 0)
    again = pieces.principal_axes(128)
    assert np.array_equal(again.axes, projection.axes)


def test_a_pickled_featurizer_keeps_the_axes_it_was_fitted_on():
    fitted = Featurizer()
    texts = ["the forklift broke down again, need a rental", "need quotes for a new roof"]
    expected = _meaning(fitted, texts)
    loaded = pickle.loads(pickle.dumps(fitted))
    assert np.array_equal(loaded.meaning_projection.axes, fitted.meaning_projection.axes)
    assert np.allclose(_meaning(loaded, texts), expected)
    assert fitted.meaning_dimensions == 128
    # Axes stored with another sign (as another machine's eigensolver might have computed
    # them) are used as stored, not computed again here.
    state = fitted.__getstate__()
    axes = state["meaning_projection"].axes.copy()
    axes[:, 0] *= -1
    state["meaning_projection"] = Projection(state["meaning_projection"].mean, axes)
    other = Featurizer.__new__(Featurizer)
    other.__setstate__(state)
    vectors = _meaning(other, texts)
    assert np.allclose(vectors[:, 0], -expected[:, 0])
    assert np.allclose(vectors[:, 1:], expected[:, 1:])


def test_a_featurizer_from_the_first_meaning_models_uses_the_whole_table():
    first = Featurizer.__new__(Featurizer)
    state = Featurizer().__getstate__()
    del state["meaning_projection"], state["meaning_prior"]  # neither existed then
    first.__setstate__(state)
    assert first.meaning_dimensions == word_pieces().dimensions == 384
    texts = ["our forklift broke down again", "lovely cake recipe"]
    vectors = _meaning(first, texts)
    direct = word_pieces().mean_vectors(
        [[word_pieces().pieces(w) for w in t.split()] for t in texts], word_pieces().vectors
    )
    assert np.allclose(vectors, direct.toarray(), atol=1e-6)


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


def test_the_meaning_reason_only_fills_a_slot_the_cues_and_phrases_leave_free():
    featurizer = Featurizer(word_features=2**10, char_features=2**10)
    text = "our forklift broke down again, need a rental"
    matrix = featurizer.transform([text, "lovely cake recipe"], ["en", "en"])
    estimator = LogisticRegression().fit(matrix, [1, 0])
    weights = np.zeros(featurizer.width)
    block = featurizer.meaning_columns
    weights[block] = matrix[0, block].toarray().ravel() * 50  # by far the largest push
    grams = featurizer.analyse([text], ["en"])[0].grams
    weights[list(grams.values())] = 1.0
    estimator.coef_ = weights.reshape(1, -1)
    estimator.intercept_ = np.array([0.0])
    classifier = BuyingSignalClassifier(featurizer, estimator, threshold=0.5)
    _, few = classifier.score_and_explain([text], ["en"], top=2)
    assert len(few[0]) == 2 and MEANING_REASON not in few[0]
    assert all(r.startswith("wording:") for r in few[0])
    _, many = classifier.score_and_explain([text], ["en"], top=20)
    assert many[0][-1] == MEANING_REASON
