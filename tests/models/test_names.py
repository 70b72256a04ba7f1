"""Names inside a sentence carry no buying signal: English and Finnish fold them into NAME."""

from __future__ import annotations

from models.features import Featurizer
from models.tweet_analysis import NAME


def words(text: str, lang: str) -> list[str]:
    return [t.text for t in Featurizer().analyse([text], [lang])[0].words]


def test_capitalised_words_inside_english_and_finnish_sentences_become_name():
    assert words("Need a roofer in Leeds. Sarah at Acme has the ERP quotes", "en") == [
        "Need", "a", "roofer", "in", NAME, "Sarah", "at", NAME, "has", "the", "ERP", "quotes",
    ]  # fmt: skip
    assert words("Etsimme siivousyritystä Oulussa, tarjoukset Ainolle", "fi") == [
        "Etsimme", "siivousyritystä", NAME, "tarjoukset", NAME,
    ]  # fmt: skip


def test_german_nouns_and_title_case_headlines_keep_their_words():
    assert NAME not in words("Wir suchen einen Dachdecker für unsere Halle in Köln", "de")
    assert NAME not in words("Samsung Is Releasing New Software For The Galaxy Phones", "en")


def test_a_place_name_moves_no_feature():
    featurizer = Featurizer()
    leeds, hull = featurizer.transform(
        ["Who fixes forklifts near Leeds?", "Who fixes forklifts near Hull?"], ["en", "en"]
    )
    assert (leeds != hull).nnz == 0
