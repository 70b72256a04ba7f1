"""The figures behind the charts, through /api/stats and the storage aggregates behind it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from leadstream.storage.activity import (
    feedback_counts,
    funnel_totals,
    leads_per_bucket,
    leads_per_campaign,
    model_versions_seen,
)
from leadstream.storage.batches import BatchStats, record_batch
from leadstream.storage.feedback import FeedbackLabel, record_feedback
from leadstream.storage.models_seen import record_model_seen


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _batch(batch_id: int, tweets_in: int, matches: int, leads: int) -> BatchStats:
    moment = _now() - timedelta(seconds=10 - batch_id)
    return BatchStats("query-1", batch_id, moment, moment, tweets_in, matches, leads, "3")


def test_stats_shape_with_data(
    client, engine, settings, users_by_role, sign_in, add_leads, make_lead
):
    add_leads(
        make_lead("1", campaigns=["construction"], scored_at=_now() - timedelta(seconds=30)),
        make_lead("2", model_version="4"),
    )
    record_batch(engine, _batch(0, 1000, 40, 1))
    record_batch(engine, _batch(1, 500, 10, 1))
    record_feedback(engine, FeedbackLabel("1", "text", 1, "sales1"))
    record_model_seen(engine, "leadstream-buying-signal", "5", 0.8)
    settings.spool_dir.mkdir(parents=True)
    counters = {"tweets_received": 1500, "reconnects": 2, "source": "replay", "nested": {"x": 1}}
    (settings.spool_dir / "collector_stats.json").write_bytes(orjson.dumps(counters))
    sign_in("viewer1")

    stats = client.get("/api/stats").get_json()
    assert stats["leads_total"] == 2
    assert stats["leads_per_campaign"] == [
        {"campaign": "construction", "leads": 2},
        {"campaign": "software", "leads": 1},
    ]
    timeline = stats["leads_over_time"]
    assert timeline["unit"] == "minute" and len(timeline["buckets"]) == 60
    assert sum(bucket["leads"] for bucket in timeline["buckets"]) == 2
    assert stats["funnel"] == {"batches": 2, "tweets_in": 1500, "keyword_matches": 50, "leads": 2}
    assert [batch["batch_id"] for batch in stats["recent_batches"]] == [0, 1]
    assert stats["feedback"] == {"relevant": 1, "irrelevant": 0}
    assert [(m["model_version"], m["leads"]) for m in stats["models"]] == [
        ("5", 0),  # scored the newest batch, has found nothing yet
        ("4", 1),
        ("3", 1),
    ]
    assert stats["collector"] == {"tweets_received": 1500, "reconnects": 2, "source": "replay"}


def test_stats_on_an_empty_database(client, users_by_role, sign_in):
    sign_in("viewer1")
    stats = client.get("/api/stats", query_string={"unit": "hour"}).get_json()
    assert stats["leads_total"] == 0 and stats["leads_per_campaign"] == []
    assert len(stats["leads_over_time"]["buckets"]) == 48
    assert stats["funnel"]["batches"] == 0 and stats["funnel"]["tweets_in"] == 0
    assert stats["feedback"] == {"relevant": 0, "irrelevant": 0}
    assert stats["models"] == [] and stats["collector"] is None


def test_unreadable_collector_stats_are_ignored(client, settings, users_by_role, sign_in):
    settings.spool_dir.mkdir(parents=True)
    (settings.spool_dir / "collector_stats.json").write_bytes(b'{"tweets_rec')
    sign_in("viewer1")
    assert client.get("/api/stats").get_json()["collector"] is None
    assert client.get("/api/stats", query_string={"unit": "week"}).status_code == 400


def test_leads_per_bucket_fills_empty_buckets(engine, add_leads, make_lead):
    start = datetime(2026, 11, 29, 10, 0, 0)
    add_leads(
        make_lead("1", scored_at=start + timedelta(seconds=5)),
        make_lead("2", scored_at=start + timedelta(seconds=59)),
        make_lead("3", scored_at=start + timedelta(minutes=2, seconds=1)),
        make_lead("4", scored_at=start + timedelta(minutes=9)),  # outside the window
    )
    series = leads_per_bucket(engine, "minute", start, start + timedelta(minutes=4))
    assert series == [
        (start, 2),
        (start + timedelta(minutes=1), 0),
        (start + timedelta(minutes=2), 1),
        (start + timedelta(minutes=3), 0),
    ]
    hours = leads_per_bucket(engine, "hour", start, start + timedelta(hours=2))
    assert hours == [(start, 4), (start + timedelta(hours=1), 0)]


def test_aggregates_on_an_empty_database(engine):
    assert leads_per_campaign(engine) == {}
    assert feedback_counts(engine) == {"relevant": 0, "irrelevant": 0}
    assert funnel_totals(engine) == {
        "batches": 0,
        "tweets_in": 0,
        "keyword_matches": 0,
        "leads": 0,
    }
    assert model_versions_seen(engine) == []
