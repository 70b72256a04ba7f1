"""The review queue: unsure tweets first, no repeated wording, both kinds, no labelled tweets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from leadstream.review import review_queue, shingles, similarity, uncertainty
from leadstream.storage.decisions import add_to_review_pool
from leadstream.storage.feedback import FeedbackLabel, record_feedback
from leadstream.storage.leads import Lead, upsert_leads
from leadstream.storage.schema import leads, review_pool

NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
CRM = "Looking for a CRM for our 40 person sales team, any recommendations? https://t.co/a1"
CRM_RETWEET = "RT @ops_anna: Looking for a CRM for our 40 person sales team, any recommendations?"
CRM_AGAIN = "Looking for a CRM for our 40 person sales team. Any recommendations? https://t.co/b2"


def _distinct(n: int) -> str:
    """A text sharing no word with any other _distinct text."""
    return " ".join(f"{word}{n}" for word in ("need", "new", "vendor", "for", "team"))


def _lead(tweet_id: str, score: float, text: str | None = None, **fields) -> Lead:
    """A stored lead; threshold 0.5 unless given."""
    values = {
        "text": text or _distinct(int(tweet_id)),
        "tweeted_at": NOW - timedelta(hours=1),
        "score": score,
        "model_name": "leadstream-buying-signal",
        "model_version": "3",
        "threshold": 0.5,
        "scored_at": NOW - timedelta(minutes=5),
        "campaigns": ["software"],
        "lang": "en",
    }
    return Lead(tweet_id=tweet_id, **{**values, **fields})


def _reject(tweet_id: str, score: float, text: str | None = None, **fields) -> dict:
    """A review-pool row (a keyword match the model rejected); threshold 0.5 unless given."""
    row = {
        "tweet_id": tweet_id,
        "text": text or _distinct(int(tweet_id)),
        "lang": "en",
        "campaigns": '["software"]',
        "score": score,
        "threshold": 0.5,
        "model_version": "3",
        "scored_at": NOW - timedelta(minutes=5),
    }
    return {**row, **fields}


def test_uncertainty_is_one_at_the_threshold_and_falls_with_distance():
    assert uncertainty(0.7, 0.7) == 1.0
    assert uncertainty(1.0, 0.7) == pytest.approx(1 - 0.3 / 0.7)
    assert uncertainty(0.0, 0.7) == 0.0
    assert uncertainty(0.6, 0.5) == uncertainty(0.4, 0.5) == pytest.approx(0.8)
    assert uncertainty(0.55, 0.5) > uncertainty(0.7, 0.5) > uncertainty(0.95, 0.5)


def test_similarity_ignores_case_and_links_and_sees_rewording():
    assert similarity(shingles(CRM), shingles(CRM.upper().replace("A1", "zz9"))) == 1.0
    assert similarity(shingles(CRM), shingles(CRM_AGAIN)) > 0.8
    assert similarity(shingles(CRM), shingles(_distinct(1))) == 0.0
    assert similarity(shingles("crm"), shingles("CRM!")) == 1.0


def test_empty_database_gives_an_empty_queue(engine):
    assert review_queue(engine) == []


def test_distinct_tweets_come_most_uncertain_first(engine):
    upsert_leads(engine, [_lead("1", 0.9), _lead("2", 0.52), _lead("3", 0.99), _lead("4", 0.6)])
    queue = review_queue(engine, limit=10)
    assert [item.tweet_id for item in queue] == ["2", "4", "1", "3"]
    assert [item.uncertainty for item in queue] == [0.96, 0.8, 0.2, 0.02]
    first = queue[0]
    assert (first.source, first.campaigns, first.model_version, first.lang) == (
        "lead",
        ("software",),
        "3",
        "en",
    )
    assert first.why == "close to the threshold (score 0.52 above the threshold 0.50)"
    assert queue[2].why.startswith("unlike the others in the queue")


def test_near_duplicates_are_not_picked_together(engine):
    upsert_leads(
        engine,
        [
            _lead("1", 0.50, CRM),
            _lead("2", 0.51, CRM_RETWEET),
            _lead("3", 0.52, CRM_AGAIN),
            _lead("4", 0.60),
            _lead("5", 0.62),
        ],
    )
    picked = {item.tweet_id for item in review_queue(engine, limit=3)}
    assert len(picked & {"1", "2", "3"}) == 1
    assert {"4", "5"} <= picked
    # Uncertainty alone would have asked about the same tweet three times.
    only_uncertain = review_queue(engine, limit=3, weight=1.0)
    assert {item.tweet_id for item in only_uncertain} == {"1", "2", "3"}


def test_leads_and_rejects_each_keep_a_third_of_the_queue(engine):
    upsert_leads(engine, [_lead(str(n), 0.5 + n / 1000) for n in range(1, 10)])
    add_to_review_pool(engine, [_reject(str(n), 0.05 + n / 1000) for n in range(11, 20)])
    queue = review_queue(engine, limit=6)
    sources = [item.source for item in queue]
    # The leads are far more uncertain, yet the rejects still get their third of the queue.
    assert sources == ["lead"] * 4 + ["reject"] * 2
    assert [item.tweet_id for item in queue[4:]] == ["19", "18"]
    assert queue[4].why == (
        "keeps rejects represented in the queue (score 0.07 below the threshold 0.50)"
    )


def test_a_missing_kind_leaves_the_queue_to_the_other(engine):
    upsert_leads(engine, [_lead(str(n), 0.9) for n in range(1, 6)])
    assert [item.source for item in review_queue(engine, limit=4)] == ["lead"] * 4


def test_campaigns_are_spread_across_the_queue(engine):
    software = [_lead(str(n), 0.5) for n in range(1, 11)]
    logistics = [_lead(str(n), 0.95, campaigns=["logistics"]) for n in (21, 22)]
    upsert_leads(engine, software + logistics)
    queue = review_queue(engine, limit=4)
    assert sorted(item.campaigns[0] for item in queue) == ["logistics"] * 2 + ["software"] * 2


def test_tweets_labelled_by_anyone_are_left_out(engine):
    upsert_leads(engine, [_lead("1", 0.5), _lead("2", 0.55)])
    add_to_review_pool(engine, [_reject("3", 0.45), _reject("4", 0.4)])
    for tweet_id, username in (("1", "sales1"), ("3", "admin1")):
        record_feedback(engine, FeedbackLabel(tweet_id, "text", 1, username))
    assert sorted(item.tweet_id for item in review_queue(engine)) == ["2", "4"]


def test_a_tweet_kept_and_pooled_counts_once_as_its_latest_decision(engine):
    upsert_leads(engine, [_lead("1", 0.7, scored_at=NOW - timedelta(minutes=9))])
    add_to_review_pool(engine, [_reject("1", 0.45, scored_at=NOW - timedelta(minutes=2))])
    (item,) = review_queue(engine)
    assert (item.tweet_id, item.source, item.score) == ("1", "reject", 0.45)


def test_campaign_and_since_narrow_the_candidates(engine):
    upsert_leads(
        engine,
        [
            _lead("1", 0.6, campaigns=["logistics", "software"]),
            _lead("2", 0.6, campaigns=["software-eu"]),
            _lead("3", 0.6, scored_at=NOW - timedelta(days=3)),
        ],
    )
    add_to_review_pool(engine, [_reject("4", 0.4, campaigns='["logistics"]')])
    by_campaign = review_queue(engine, campaign="logistics")
    assert sorted(item.tweet_id for item in by_campaign) == ["1", "4"]
    recent = review_queue(engine, since=NOW - timedelta(days=1))
    assert sorted(item.tweet_id for item in recent) == ["1", "2", "4"]


def _tied_rows() -> tuple[list[Lead], list[dict]]:
    """Leads and rejects with equal scores, times and wording: only tie-breaks order them."""
    text = "Which payroll software do you use? Ours is dying."
    return (
        [_lead(str(n), 0.55, text) for n in range(1, 8)],
        [_reject(str(n), 0.45, text) for n in range(11, 18)],
    )


def test_the_same_data_gives_the_same_queue(engine):
    tied_leads, tied_rejects = _tied_rows()
    upsert_leads(engine, tied_leads)
    add_to_review_pool(engine, tied_rejects)
    first = review_queue(engine, limit=6)
    assert review_queue(engine, limit=6) == first
    with engine.begin() as connection:
        connection.execute(delete(leads))
        connection.execute(delete(review_pool))
    upsert_leads(engine, reversed(tied_leads))
    add_to_review_pool(engine, reversed(tied_rejects))
    assert review_queue(engine, limit=6) == first
    assert len({item.tweet_id for item in first}) == 6
