"""The Relevant / Irrelevant buttons: each click becomes a feedback label for retraining."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from dashboard.auth import labeller_required
from dashboard.cards import LABEL_NAMES
from dashboard.security import wants_json
from dashboard.state import get_engine
from leadstream.storage.decisions import pooled_reject
from leadstream.storage.feedback import FeedbackLabel, record_feedback
from leadstream.storage.leads import get_lead

bp = Blueprint("feedback", __name__)

LABELS = {name: value for value, name in LABEL_NAMES.items()}
NOT_STORED = "No lead or review item with this tweet id is stored."


def _judged_tweet(tweet_id: str) -> dict:
    """What a label keeps of the tweet: from the leads, else from the review pool, else 404."""
    lead = get_lead(get_engine(), tweet_id)
    if lead is not None:
        judged = {"text": lead.text, "lang": lead.lang, "campaigns": lead.campaigns}
        return {**judged, "model_version": lead.model_version}
    pooled = pooled_reject(get_engine(), tweet_id)
    if pooled is None:
        abort(404, description=NOT_STORED)
    return pooled


def _back(tweet_id: str):
    """After a plain form post: back to the page the button was on."""
    campaign = request.form.get("campaign") or None
    if request.form.get("back") == "review":
        return redirect(url_for("review.index", campaign=campaign))
    return redirect(url_for("leads.index", campaign=campaign, _anchor=f"lead-{tweet_id}"))


@bp.post("/leads/<tweet_id>/feedback")
@login_required
@labeller_required
def give(tweet_id: str):
    """Store the signed-in user's judgement of a lead or pooled reject; JSON or a redirect."""
    label = LABELS.get(request.form.get("label", ""))
    if label is None:
        abort(400, description="label: must be relevant or irrelevant")
    judged = _judged_tweet(tweet_id)
    record_feedback(
        get_engine(),
        FeedbackLabel(
            tweet_id=tweet_id,
            text=judged["text"],
            label=label,
            username=current_user.username,
            lang=judged["lang"],
            campaign=judged["campaigns"][0] if judged["campaigns"] else None,
            model_version=judged["model_version"],
        ),
    )
    if wants_json():
        return jsonify(tweet_id=tweet_id, label=LABEL_NAMES[label])
    flash(f"Marked as {LABEL_NAMES[label]}; thank you.", "info")
    return _back(tweet_id)
