"""The review queue: unlabelled leads and near-miss rejects whose labels would teach the most.

Each pick maximises λ·uncertainty + (1-λ)·(1 - its greatest similarity to the tweets already
picked) (greedy maximal marginal relevance), so the queue holds tweets the model is unsure
about without asking twice about the same wording. Leads and rejects each keep at least a third
of the queue when there are enough of them, and no campaign takes more than its share while
another campaign still has candidates.

Usage:
    items = review_queue(engine, limit=30, campaign="software")
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Engine

from leadstream.storage.unlabelled import unlabelled_rows

UNCERTAINTY_WEIGHT = 0.7  # λ: the rest of each pick's value is how new its wording is
POOL_SIZE = 2000  # newest unlabelled candidates of each kind considered
KIND_SHARE = 1 / 3  # least share of the queue for leads and for rejects, when available
CLOSE = 0.8  # uncertainty from which a tweet is "close to the threshold"
UNLIKE = 0.2  # greatest similarity below which a tweet is "unlike the others"
_URL = re.compile(r"https?://\S+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ReviewItem:
    """One tweet to label: what the model decided, how unsure it was, and why it is queued."""

    tweet_id: str
    text: str
    lang: str | None
    campaigns: tuple[str, ...]
    score: float
    threshold: float
    model_version: str
    source: str  # "lead" (kept by the model) or "reject" (a pooled near-miss)
    uncertainty: float
    why: str
    scored_at: datetime | None = None


@dataclass(frozen=True)
class _Candidate:
    """A queue candidate with its exact uncertainty, its wording as shingles, its campaigns."""

    item: ReviewItem
    uncertainty: float
    shingles: frozenset
    campaign_keys: frozenset  # "" stands for a tweet of no campaign


def uncertainty(score: float, threshold: float) -> float:
    """1 at the model's threshold, falling linearly to 0 at the farther end of [0, 1]."""
    return max(0.0, 1.0 - abs(score - threshold) / max(threshold, 1.0 - threshold))


def shingles(text: str) -> frozenset:
    """Lowercased word pairs of a text without its links (its words when it has only one)."""
    words = _WORD.findall(_URL.sub(" ", text.lower()))
    if len(words) < 2:
        return frozenset(words)
    # Joined into strings: a string caches its hash, a tuple would be hashed at every compare.
    return frozenset(f"{first} {second}" for first, second in zip(words, words[1:], strict=False))


def similarity(first: frozenset, second: frozenset) -> float:
    """Jaccard similarity of two shingle sets (two empty texts count as the same)."""
    if not first and not second:
        return 1.0
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


def review_queue(
    engine: Engine,
    limit: int = 30,
    campaign: str | None = None,
    since: datetime | None = None,
    weight: float = UNCERTAINTY_WEIGHT,
) -> list[ReviewItem]:
    """The unlabelled tweets whose labels would help the model most, most useful first."""
    if limit <= 0:
        return []
    rows = unlabelled_rows(engine, POOL_SIZE, campaign, since)
    candidates = _candidates(rows)
    return _QueueBuilder(candidates, limit, weight).build()


def _candidates(rows: dict[str, list[dict]]) -> list[_Candidate]:
    """One candidate per tweet, at its latest decision; the most uncertain, newest first."""
    chosen: dict[str, _Candidate] = {}
    for source in ("lead", "reject"):
        for row in rows[source]:
            candidate = _candidate(row, source)
            known = chosen.get(candidate.item.tweet_id)
            if known is None or candidate.item.scored_at > known.item.scored_at:
                chosen[candidate.item.tweet_id] = candidate
    # The builder gives ties in value to the earlier candidate: this order makes that total.
    return sorted(
        chosen.values(),
        key=lambda c: (c.uncertainty, c.item.scored_at, c.item.tweet_id),
        reverse=True,
    )


def _candidate(row: dict, source: str) -> _Candidate:
    """A candidate from a stored lead or review-pool row."""
    exact = uncertainty(row["score"], row["threshold"])
    item = ReviewItem(
        tweet_id=row["tweet_id"],
        text=row["text"],
        lang=row["lang"],
        campaigns=tuple(row["campaigns"]),
        score=row["score"],
        threshold=row["threshold"],
        model_version=row["model_version"],
        source=source,
        uncertainty=round(exact, 4),
        why="",
        scored_at=row["scored_at"],
    )
    keys = frozenset(row["campaigns"] or [""])
    return _Candidate(item, exact, shingles(row["text"]), keys)


class _QueueBuilder:
    """Greedy maximal-marginal-relevance selection under kind and campaign shares."""

    def __init__(self, candidates: list[_Candidate], limit: int, weight: float) -> None:
        self.candidates = candidates
        self.limit = min(limit, len(candidates))
        self.weight = weight
        self.open = list(range(len(candidates)))
        self.max_similarity = [0.0] * len(candidates)
        # Nothing is picked yet, so every candidate is still entirely new.
        self.value = [weight * c.uncertainty + (1 - weight) for c in candidates]
        available = Counter(c.item.source for c in candidates)
        least = math.ceil(self.limit * KIND_SHARE)
        self.needed = {kind: min(least, count) for kind, count in available.items()}
        campaigns = frozenset().union(*(c.campaign_keys for c in candidates))
        self.campaign_cap = math.ceil(self.limit / max(1, len(campaigns)))
        self.per_campaign: Counter = Counter()
        self.full_campaigns: set[str] = set()
        self.picked: list[ReviewItem] = []

    def build(self) -> list[ReviewItem]:
        """Pick until the queue is full; `max` keeps the first of equal values, so picks repeat."""
        while len(self.picked) < self.limit:
            spread = self._spread(self.open)
            free = max(spread, key=self.value.__getitem__)
            index = max(self._keep_kinds_reachable(spread), key=self.value.__getitem__)
            self._take(index, kind_forced=self._source(free) != self._source(index))
        return self.picked

    def _source(self, index: int) -> str:
        """The kind of a candidate: lead or reject."""
        return self.candidates[index].item.source

    def _spread(self, pool: list[int]) -> list[int]:
        """The candidates of campaigns still under their share, or all when none is."""
        full = self.full_campaigns
        return [i for i in pool if not self.candidates[i].campaign_keys <= full] or pool

    def _keep_kinds_reachable(self, spread: list[int]) -> list[int]:
        """Only the kinds still short of their share, once the remaining places need them all."""
        short = {kind for kind, count in self.needed.items() if count > 0}
        if not short or sum(self.needed.values()) < self.limit - len(self.picked):
            return spread
        wanted = [i for i in spread if self._source(i) in short]
        return wanted or [i for i in self.open if self._source(i) in short]

    def _take(self, index: int, kind_forced: bool) -> None:
        """Add a candidate to the queue and update how new the others still are."""
        candidate = self.candidates[index]
        why = _why(candidate, self.max_similarity[index], bool(self.picked), kind_forced)
        self.picked.append(replace(candidate.item, why=why))
        self.open.remove(index)
        self.needed[candidate.item.source] = max(0, self.needed[candidate.item.source] - 1)
        self.per_campaign.update(candidate.campaign_keys)
        self.full_campaigns.update(
            key for key in candidate.campaign_keys if self.per_campaign[key] >= self.campaign_cap
        )
        for other in self.open:
            wording = self.candidates[other].shingles
            if wording.isdisjoint(candidate.shingles) and wording:
                continue  # the common case, and much cheaper than a full comparison
            seen = similarity(wording, candidate.shingles)
            if seen > self.max_similarity[other]:
                self.max_similarity[other] = seen
                novelty = 1.0 - seen
                certainty = self.candidates[other].uncertainty
                self.value[other] = self.weight * certainty + (1 - self.weight) * novelty


def _why(candidate: _Candidate, max_similarity: float, has_others: bool, kind_forced: bool) -> str:
    """One line saying why this tweet is in the queue."""
    item = candidate.item
    side = "above" if item.score >= item.threshold else "below"
    figures = f"score {item.score:.2f} {side} the threshold {item.threshold:.2f}"
    if kind_forced:
        return f"keeps {item.source}s represented in the queue ({figures})"
    if candidate.uncertainty >= CLOSE:
        return f"close to the threshold ({figures})"
    if has_others and max_similarity <= UNLIKE:
        return f"unlike the others in the queue ({figures})"
    return f"the model is fairly unsure ({figures})"
