"""The live lead page and the JSON feed it polls for leads newer than what it shows."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user, login_required

from dashboard.cards import cursor_of, lead_card, parse_cursor
from dashboard.state import get_engine
from leadstream.storage.activity import leads_per_campaign
from leadstream.storage.lead_feed import labels_given, leads_after
from leadstream.storage.leads import Lead

bp = Blueprint("leads", __name__)

PAGE_SIZE = 50
MAX_FEED_SIZE = 200


def _cards(leads: list[Lead]) -> list[dict]:
    """Cards for these leads, marked with the labels the signed-in user already gave."""
    given = labels_given(get_engine(), current_user.username, (lead.tweet_id for lead in leads))
    return [lead_card(lead, given.get(lead.tweet_id)) for lead in leads]


def _campaign_filter() -> str | None:
    """The campaign named in the query string, if any."""
    return request.args.get("campaign", "").strip() or None


@bp.get("/")
@login_required
def index():
    """The newest leads, with buttons for users who can label them."""
    campaign = _campaign_filter()
    leads = leads_after(get_engine(), None, campaign, PAGE_SIZE)
    return render_template(
        "leads/index.html",
        cards=_cards(leads),
        cursor=cursor_of(leads) or "",
        campaign=campaign,
        campaigns=leads_per_campaign(get_engine()),
    )


@bp.get("/api/leads")
@login_required
def feed():
    """Leads newer than the `after` cursor, newest first, and the cursor to ask with next."""
    try:
        position = parse_cursor(request.args.get("after"))
    except ValueError:
        return jsonify(error="after: pass the cursor from a previous answer, or nothing"), 400
    limit = request.args.get("limit", PAGE_SIZE, type=int)
    limit = max(1, min(limit, MAX_FEED_SIZE))
    leads = leads_after(get_engine(), position, _campaign_filter(), limit + 1)
    # When more arrived than fit, the page shows the newest; `truncated` says some were skipped.
    return jsonify(
        leads=_cards(leads[:limit]),
        cursor=cursor_of(leads) or request.args.get("after") or None,
        truncated=len(leads) > limit,
        can_label=bool(current_user.can_label),
    )
