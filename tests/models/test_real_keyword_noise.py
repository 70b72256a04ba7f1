"""The 2018 prototype's failure, on real tweets: keyword matches that are nearly all noise.

../shared/data/tweets/tweeteval_b2b_keyword_matches.tsv holds 393 real tweets that match
B2B keywords ("roof", "supplier", "office" ...) and are, nearly all, not leads ("gloss black
roof wrap for an Audi"). The champion must keep at most 2 % of them. Skipped where the
shared data folder is absent; the data is read in place, never copied.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from training.evaluate import load_scoring_model

MAX_KEPT_SHARE = 0.02


@pytest.fixture
def keyword_matches(real_data) -> list[str]:
    """The real tweets' texts (a skip before any model is trained when they are absent)."""
    path = real_data("tweets/tweeteval_b2b_keyword_matches.tsv")
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle, delimiter="\t")]


def test_the_champion_keeps_at_most_two_percent_of_real_keyword_matches(
    keyword_matches, champion_settings
):
    texts = keyword_matches
    assert len(texts) == 393
    model, _ = load_scoring_model(champion_settings, None)
    predicted = model.predict(pd.DataFrame({"text": texts, "lang": ["en"] * len(texts)}))
    kept = predicted[predicted["is_lead"]]
    print(f"kept {len(kept)} of {len(texts)}:", kept["score"].round(2).tolist())
    assert len(kept) / len(texts) <= MAX_KEPT_SHARE
    assert all(kept["reasons"].map(len) > 0)
