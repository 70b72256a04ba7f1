"""Feedback labels: the sales team's relevant/irrelevant clicks, kept for retraining."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from leadstream.storage.schema import feedback
from leadstream.storage.upsert import upsert


@dataclass(frozen=True)
class FeedbackLabel:
    """One person's judgement of one tweet: 1 relevant, 0 irrelevant."""

    tweet_id: str
    text: str
    label: int
    username: str
    lang: str | None = None
    campaign: str | None = None
    model_version: str | None = None
    labelled_at: datetime | None = None


def record_feedback(engine: Engine, label: FeedbackLabel) -> None:
    """Store a label; a second click by the same person replaces their first."""
    if label.label not in (0, 1):
        raise ValueError(f"label must be 0 or 1, got {label.label!r}")
    row = {
        **label.__dict__,
        "labelled_at": label.labelled_at or datetime.now(UTC).replace(tzinfo=None),
    }
    changed = ("label", "labelled_at", "model_version", "campaign")
    upsert(engine, feedback, [row], ["tweet_id", "username"], changed)


def feedback_labels(engine: Engine) -> list[FeedbackLabel]:
    """Every stored label, oldest first."""
    columns = [feedback.c[name] for name in FeedbackLabel.__dataclass_fields__]
    query = select(*columns).order_by(feedback.c.labelled_at, feedback.c.id)
    with engine.connect() as connection:
        return [FeedbackLabel(**row._mapping) for row in connection.execute(query)]
