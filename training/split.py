"""Splits that keep near-duplicates together, so test scores are not flattered by leaks."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

_WORD = re.compile(r"\w+")


def _shingles(text: str) -> set[str]:
    words = [w for w in _WORD.findall(text.lower()) if not w.isdigit()]
    if len(words) < 3:
        return {" ".join(words)}
    return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}


def near_duplicate_groups(texts: list[str], threshold: float = 0.5) -> np.ndarray:
    """A group id per text; texts sharing at least `threshold` of their 3-word shingles
    (Jaccard) end in the same group, transitively."""
    shingles = [_shingles(t) for t in texts]
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Only texts sharing a shingle can be near-duplicates: index by shingle.
    by_shingle: dict[str, list[int]] = defaultdict(list)
    for i, items in enumerate(shingles):
        for item in items:
            by_shingle[item].append(i)
    for i, items in enumerate(shingles):
        candidates = {j for item in items for j in by_shingle[item] if j > i}
        for j in candidates:
            overlap = len(items & shingles[j]) / len(items | shingles[j])
            if overlap >= threshold:
                parent[find(i)] = find(j)
    return np.array([find(i) for i in range(len(texts))])


def grouped_folds(labels: np.ndarray, groups: np.ndarray, folds: int, seed: int):
    """Stratified folds that never split a near-duplicate group."""
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), labels, groups))


def holdout_split(
    labels: np.ndarray, groups: np.ndarray, test_share: float = 0.2, seed: int = 13
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a train part and a held-out test part (about test_share of the rows)."""
    folds = max(2, round(1 / test_share))
    train, test = grouped_folds(labels, groups, folds, seed)[0]
    return train, test


def _bucket(key: str) -> float:
    """Where a text falls in [0, 1): a hash of the text alone, the same on every machine."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def stable_holdout(
    keys: Sequence[str], groups: np.ndarray, test_share: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a train part and a held-out part that stay put as labels are added.

    A text is held out when any text of its near-duplicate group hashes below test_share.
    The hash depends on the text alone, so a new seed release keeps every held-out text of
    the previous one held out (and holds out about test_share of the new texts): figures
    measured on the frozen set stay comparable across releases.
    """
    marked = np.array([_bucket(key) < test_share for key in keys], dtype=bool)
    held = np.isin(groups, np.unique(groups[marked]))
    return np.flatnonzero(~held), np.flatnonzero(held)
