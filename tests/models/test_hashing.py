"""The featurizer's cached columns are exactly sklearn's FeatureHasher's, so models stay valid."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction import FeatureHasher
from sklearn.preprocessing import normalize

from models.features import NAME, Featurizer, _char_grams

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
