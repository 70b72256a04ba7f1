"""Lead cards: one lead shaped for the page and the JSON feed, and the feed's cursor."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import url_for

from leadstream.storage.lead_feed import FeedPosition
from leadstream.storage.leads import Lead

LABEL_NAMES = {1: "relevant", 0: "irrelevant"}


def lead_card(lead: Lead, my_label: int | None = None) -> dict:
    """What the page shows of one lead; the template and the script render the same fields."""
    place = ", ".join(part for part in (lead.place_name, lead.place_country) if part)
    return {
        "tweet_id": lead.tweet_id,
        "text": lead.text,
        "url": f"https://x.com/i/web/status/{lead.tweet_id}",
        "lang": lead.lang,
        "author_username": lead.author_username,
        "author_name": lead.author_name,
        "author_followers": lead.author_followers,
        "place": place or None,
        "tweeted_at": lead.tweeted_at.isoformat(),
        "tweeted_at_label": lead.tweeted_at.strftime("%d %b %Y, %H:%M UTC"),
        "scored_at": lead.scored_at.isoformat(),
        "campaigns": lead.campaigns,
        "matched_keywords": lead.matched_keywords,
        "reasons": lead.reasons,
        "score": round(lead.score, 4),
        "score_percent": max(0, min(100, round(lead.score * 100))),
        "score_level": score_level(lead.score, lead.threshold),
        "threshold": lead.threshold,
        "model_name": lead.model_name,
        "model_version": lead.model_version,
        "my_label": LABEL_NAMES.get(my_label) if my_label is not None else None,
        "feedback_url": url_for("feedback.give", tweet_id=lead.tweet_id),
    }


def score_level(score: float, threshold: float) -> str:
    """high, good or fair: how far above the model's threshold a lead scored."""
    headroom = (score - threshold) / max(1.0 - threshold, 1e-9)
    if headroom >= 0.5:
        return "high"
    return "good" if headroom >= 0.2 else "fair"


def cursor_of(leads: list[Lead]) -> str | None:
    """The cursor just past the newest of these leads (they come newest first)."""
    if not leads:
        return None
    return format_cursor(FeedPosition.of(leads[0]))


def format_cursor(position: FeedPosition) -> str:
    """An opaque-looking but readable cursor: scored_at and tweet id."""
    return f"{position.scored_at.isoformat()}_{position.tweet_id}"


def parse_cursor(text: str | None) -> FeedPosition | None:
    """The position a cursor names, None for no cursor; ValueError for anything else."""
    if not text:
        return None
    moment, separator, tweet_id = text.partition("_")
    if not separator or not tweet_id or len(tweet_id) > 32:
        raise ValueError(f"not a lead cursor: {text!r}")
    scored_at = datetime.fromisoformat(moment)
    if scored_at.tzinfo is not None:
        # The database keeps naive UTC times.
        scored_at = scored_at.astimezone(UTC).replace(tzinfo=None)
    return FeedPosition(scored_at, tweet_id)
