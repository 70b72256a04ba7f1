"""Feedback labels and batch statistics on SQLite and MariaDB."""

from __future__ import annotations

from datetime import datetime

import pytest

from leadstream.campaigns import Campaign
from leadstream.storage.batches import BatchStats, recent_batches, record_batch
from leadstream.storage.campaign_store import stored_campaigns, sync_campaigns
from leadstream.storage.feedback import FeedbackLabel, feedback_labels, record_feedback
from leadstream.storage.models_seen import models_seen, record_model_seen


def test_second_click_by_same_user_replaces_the_first(engine):
    record_feedback(engine, FeedbackLabel("t1", "Brauchen Stapler 🚜", 1, "anna", lang="de"))
    record_feedback(engine, FeedbackLabel("t1", "Brauchen Stapler 🚜", 0, "anna", lang="de"))
    record_feedback(engine, FeedbackLabel("t1", "Brauchen Stapler 🚜", 1, "ben"))
    labels = {(f.username, f.label) for f in feedback_labels(engine)}
    assert labels == {("anna", 0), ("ben", 1)}
    assert all(f.text == "Brauchen Stapler 🚜" for f in feedback_labels(engine))


def test_feedback_label_must_be_binary(engine):
    with pytest.raises(ValueError, match="0 or 1"):
        record_feedback(engine, FeedbackLabel("t1", "x", 2, "anna"))


def test_replayed_batch_overwrites_its_first_record(engine):
    moment = datetime(2026, 11, 29, 9, 0)
    first = BatchStats("q", 0, moment, moment, 100, 10, 1, "1")
    record_batch(engine, first)
    record_batch(engine, BatchStats("q", 0, moment, moment, 100, 10, 2, "1"))
    record_batch(engine, BatchStats("q", 1, moment, moment, 50, 5, 0, "1"))
    assert sorted((b.batch_id, b.leads) for b in recent_batches(engine)) == [(0, 2), (1, 0)]


def test_models_seen_and_campaigns_round_trip(engine):
    record_model_seen(engine, "m", "1", 0.7)
    record_model_seen(engine, "m", "1", 0.7)
    record_model_seen(engine, "m", "2", 0.6)
    assert sorted(row["version"] for row in models_seen(engine)) == ["1", "2"]
    campaign = Campaign("bau", ("Dachdecker", "kattoremontti"), ("(m/w/d)",), ("de", "fi"))
    sync_campaigns(engine, (campaign,))
    sync_campaigns(engine, (campaign,))
    assert stored_campaigns(engine) == [campaign]
