"""The frozen evaluation set: stable across seed releases, never splitting near-duplicates."""

from __future__ import annotations

import numpy as np

from training.labels import LabelledTweet, seed_labels, text_key
from training.split import near_duplicate_groups, stable_holdout
from training.train import frozen_split


def _keys(rows: list[LabelledTweet]) -> set[str]:
    return {text_key(r.text) for r in rows}


def test_a_new_seed_release_keeps_every_frozen_tweet_frozen():
    seed = seed_labels()
    rng = np.random.default_rng(3)
    kept = sorted(rng.choice(len(seed), size=len(seed) * 3 // 4, replace=False))
    older = [seed[i] for i in kept]
    _, frozen_before = frozen_split(older)
    train_after, frozen_after = frozen_split(seed)
    assert _keys(frozen_before) <= _keys(frozen_after)
    assert not _keys(frozen_after) & _keys(train_after)
    added = _keys(seed) - _keys(older)
    held_share = len(added & _keys(frozen_after)) / len(added)
    assert 0.15 < held_share < 0.25


def test_the_frozen_set_holds_about_a_fifth_of_each_label_and_language():
    seed = seed_labels()
    _, frozen = frozen_split(seed)
    assert 0.17 < len(frozen) / len(seed) < 0.23
    for label in (0, 1):
        share = sum(r.label == label for r in frozen) / sum(r.label == label for r in seed)
        assert 0.15 < share < 0.25, label
    for lang in ("en", "de", "fi"):
        share = sum(r.lang == lang for r in frozen) / sum(r.lang == lang for r in seed)
        assert 0.15 < share < 0.25, lang


def test_near_duplicates_are_held_out_together_whichever_member_hashes_in():
    texts = [
        "our forklift broke down again, who services Linde trucks near Leeds?",
        "our forklift broke down again!! who services Linde trucks near Leeds",
        "completely different words about a quarterly office move",
    ]
    groups = near_duplicate_groups(texts)
    assert groups[0] == groups[1] != groups[2]
    # A share that holds out everything and one that holds out nothing bound the behaviour;
    # in between, the pair is either wholly held out or wholly kept.
    for share in np.linspace(0.0, 1.0, 41):
        train, test = stable_holdout([text_key(t) for t in texts], groups, test_share=share)
        assert set(train.tolist()) | set(test.tolist()) == {0, 1, 2}
        assert (0 in test) == (1 in test)
