"""The Relevant / Irrelevant buttons: each click becomes a feedback label for retraining."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from dashboard.auth import labeller_required
from dashboard.cards import LABEL_NAMES
from dashboard.security import wants_json
from dashboard.state import get_engine
from leadstream.storage.feedback import FeedbackLabel, record_feedback
from leadstream.storage.leads import get_lead

bp = Blueprint("feedback", __name__)

LABELS = {name: value for value, name in LABEL_NAMES.items()}


@bp.post("/leads/<tweet_id>/feedback")
@login_required
@labeller_required
def give(tweet_id: str):
    """Store the signed-in user's judgement of a lead; JSON for the script, else a redirect."""
    label = LABELS.get(request.form.get("label", ""))
    if label is None:
        abort(400, description="label: must be relevant or irrelevant")
    lead = get_lead(get_engine(), tweet_id)
    if lead is None:
        abort(404, description="No lead with this tweet id is stored.")
    record_feedback(
        get_engine(),
        FeedbackLabel(
            tweet_id=lead.tweet_id,
            text=lead.text,
            label=label,
            username=current_user.username,
            lang=lead.lang,
            campaign=lead.campaigns[0] if lead.campaigns else None,
            model_version=lead.model_version,
        ),
    )
    if wants_json():
        return jsonify(tweet_id=lead.tweet_id, label=LABEL_NAMES[label])
    flash(f"Marked as {LABEL_NAMES[label]}; thank you.", "info")
    campaign = request.form.get("campaign") or None
    return redirect(url_for("leads.index", campaign=campaign, _anchor=f"lead-{lead.tweet_id}"))
