"""The featurizer's cached columns are exactly sklearn's FeatureHasher's, and older models
keep the dense columns they were fitted on: models stay valid."""

from __future__ import annotations

import pickle

import numpy as np
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from models.classifier import BuyingSignalClassifier
from models.features import _ADDED_DENSE, Featurizer
from models.tweet_analysis import DENSE_NAMES, NAME, _char_grams

TEXTS = [
    "Third forklift breakdown this month. Anyone know a decent rental firm near Leeds?",
    "Wir suchen einen Dachdecker für unsere Lagerhalle, bitte um Angebote!! @firma #bau",
    "Tarvitaan putkimies toimistolle asap, suosituksia? https://example.com 3x",
    "roof roof roof roofing 😅 ok ok",
    "",
]
LANGS = ["en", "de", "fi", None, "en"]


def test_word_and_character_blocks_equal_feature_hasher_over_the_ngram_strings():
    featurizer = Featurizer(word_features=2**12, char_features=2**12)
    analyses = featurizer.analyse(TEXTS, LANGS)
    matrix = featurizer.transform_analysed(TEXTS, analyses)
    words = FeatureHasher(2**12, input_type="string", alternate_sign=False).transform(
        a.ngrams.keys() for a in analyses
    )
    chars = FeatureHasher(2**12, input_type="string", alternate_sign=False).transform(
        [g for t in a.words if t.text != NAME for g in _char_grams(t.text.lower())]
        for a in analyses
    )
    # Small tables make collisions, which must add up the way FeatureHasher adds them.
    assert words.max() > 1 or chars.max() > 1
    assert np.allclose(matrix[:, : 2**12].toarray(), normalize(words).toarray())
    assert np.allclose(matrix[:, 2**12 : 2**13].toarray(), normalize(chars).toarray())


def test_a_featurizer_from_an_older_model_keeps_the_dense_columns_it_was_fitted_on():
    today = Featurizer(word_features=2**12, char_features=2**12)
    state = today.__getstate__()
    del state["dense_names"], state["meaning_weight"]  # a model from before the household cue
    older = Featurizer.__new__(Featurizer)
    older.__setstate__(state)
    assert len(older.dense_names) == len(DENSE_NAMES) - len(_ADDED_DENSE)
    matrix = older.transform(TEXTS, LANGS)
    assert matrix.shape[1] == 2**13 + len(older.dense_names)
    full = today.transform(TEXTS, LANGS)
    kept = [DENSE_NAMES.index(n) for n in older.dense_names]
    assert np.allclose(matrix[:, 2**13 :].toarray(), full[:, 2**13 :].toarray()[:, kept])
    # Such a model still scores and explains, and survives another pickling round.
    estimator = LogisticRegression().fit(matrix, [1, 0, 1, 0, 0])
    classifier = pickle.loads(pickle.dumps(BuyingSignalClassifier(older, estimator, 0.0)))
    scores, reasons = classifier.score_and_explain(TEXTS, LANGS)
    assert scores.shape == (5,) and all(reasons)
    assert classifier.featurizer.dense_names == older.dense_names


def test_a_household_reads_as_a_household_in_every_language():
    featurizer = Featurizer(word_features=2**12, char_features=2**12)
    texts = [
        "Our flat's boiler died, anyone know a plumber?",
        "Vermieter reagiert nicht, Heizung in der Wohnung kalt",
        "Omakotitalon katto vuotaa, kuka korjais?",
    ]
    for analysis in featurizer.analyse(texts, ["en", "de", "fi"]):
        assert "household" in {category for category, _ in analysis.cues}
