"""The review page: the unlabelled tweets whose labels would teach the model most."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, render_template, request, url_for
from flask_login import login_required

from dashboard.auth import labeller_required
from dashboard.state import get_engine
from leadstream.review import ReviewItem, review_queue

bp = Blueprint("review", __name__)

QUEUE_SIZE = 30


def review_card(item: ReviewItem) -> dict:
    """What the page shows of one queued tweet."""
    return {
        **asdict(item),
        "url": f"https://x.com/i/web/status/{item.tweet_id}",
        "score_percent": max(0, min(100, round(item.score * 100))),
        "uncertainty_percent": round(item.uncertainty * 100),
        "feedback_url": url_for("feedback.give", tweet_id=item.tweet_id),
    }


@bp.get("/review")
@login_required
@labeller_required
def index():
    """The review queue with the label buttons; a labelled tweet leaves it."""
    campaign = request.args.get("campaign", "").strip() or None
    items = review_queue(get_engine(), limit=QUEUE_SIZE, campaign=campaign)
    return render_template(
        "review/index.html", cards=[review_card(item) for item in items], campaign=campaign
    )
