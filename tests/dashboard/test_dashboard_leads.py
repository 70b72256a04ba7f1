"""The live page and its JSON feed: what is shown, to whom, escaped, and only what is new."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
EMPTY_STATE = "No leads yet — the scorer writes them here as they are found."


def _moments(count: int) -> list[datetime]:
    """Whole-second moments a minute apart, oldest first, ending a minute ago."""
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    return [now - timedelta(minutes=count - i) for i in range(count)]


def test_empty_page_says_where_leads_come_from(client, users_by_role, sign_in):
    sign_in("viewer1")
    assert EMPTY_STATE in client.get("/").get_data(as_text=True)


def test_page_shows_lead_details_and_buttons_for_sales(
    client, users_by_role, sign_in, add_leads, make_lead
):
    add_leads(make_lead("1001"))
    sign_in("sales1")
    html = client.get("/").get_data(as_text=True)
    for shown in (
        "Looking for a roofing contractor",
        "@mervi_k",
        "Mervi Korhonen",
        "Espoo",
        "construction",
        "roofing",
        "asks for a supplier",
        "0.91",
        "v3",
    ):
        assert shown in html
    assert "/leads/1001/feedback" in html
    assert ">Relevant<" in html and ">Irrelevant<" in html


def test_viewer_sees_no_feedback_buttons(client, users_by_role, sign_in, add_leads, make_lead):
    add_leads(make_lead("1001"))
    sign_in("viewer1")
    html = client.get("/").get_data(as_text=True)
    assert "Looking for a roofing contractor" in html
    assert "/leads/1001/feedback" not in html
    assert ">Relevant<" not in html


def test_hostile_tweet_text_is_escaped_in_html_and_plain_in_json(
    client, users_by_role, sign_in, add_leads, make_lead
):
    add_leads(make_lead("666", text=XSS, author_name="<b>bold</b>"))
    sign_in("sales1")
    html = client.get("/").get_data(as_text=True)
    assert XSS not in html and "<img src=x" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    answer = client.get("/api/leads")
    assert answer.mimetype == "application/json"
    assert json.loads(answer.get_data(as_text=True))["leads"][0]["text"] == XSS


def test_feed_cursor_returns_only_newer_leads(
    client, users_by_role, sign_in, add_leads, make_lead
):
    first, second, third = _moments(3)
    add_leads(make_lead("2001", scored_at=first), make_lead("2002", scored_at=second))
    sign_in("viewer1")
    answer = client.get("/api/leads").get_json()
    assert [lead["tweet_id"] for lead in answer["leads"]] == ["2002", "2001"]
    cursor = answer["cursor"]
    assert client.get("/api/leads", query_string={"after": cursor}).get_json()["leads"] == []

    # A lead in the same second as the cursor, and one later: both are new.
    add_leads(make_lead("2003", scored_at=second), make_lead("2004", scored_at=third))
    newer = client.get("/api/leads", query_string={"after": cursor}).get_json()
    assert [lead["tweet_id"] for lead in newer["leads"]] == ["2004", "2003"]
    assert newer["cursor"] != cursor
    again = client.get("/api/leads", query_string={"after": newer["cursor"]}).get_json()
    assert again["leads"] == [] and again["cursor"] == newer["cursor"]


def test_feed_filters_by_campaign(client, users_by_role, sign_in, add_leads, make_lead):
    add_leads(
        make_lead("3001", campaigns=["logistics"]),
        make_lead("3002", campaigns=["software"]),
        make_lead("3003", campaigns=["software_support"]),
    )
    sign_in("viewer1")
    answer = client.get("/api/leads", query_string={"campaign": "software"}).get_json()
    assert [lead["tweet_id"] for lead in answer["leads"]] == ["3002"]


def test_feed_caps_its_answer_and_says_so(client, users_by_role, sign_in, add_leads, make_lead):
    add_leads(*(make_lead(str(4000 + i), scored_at=m) for i, m in enumerate(_moments(5))))
    sign_in("viewer1")
    answer = client.get("/api/leads", query_string={"limit": 2}).get_json()
    assert [lead["tweet_id"] for lead in answer["leads"]] == ["4004", "4003"]
    assert answer["truncated"] is True


@pytest.mark.parametrize("cursor", ["yesterday", "2026-13-01T00:00:00_1", "2026-11-29T10:00:00"])
def test_feed_rejects_a_cursor_it_did_not_issue(client, users_by_role, sign_in, cursor):
    sign_in("viewer1")
    answer = client.get("/api/leads", query_string={"after": cursor})
    assert answer.status_code == 400
    assert "after" in answer.get_json()["error"]


def test_security_headers_on_pages_and_api(client, users_by_role, sign_in):
    responses = [client.get("/auth/login")]
    sign_in("viewer1")
    responses += [client.get("/"), client.get("/api/leads"), client.get("/api/stats")]
    for response in responses:
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script(client, users_by_role, sign_in, add_leads, make_lead):
    add_leads(make_lead("5001"))
    sign_in("sales1")
    for path in ("/", "/auth/login"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "onclick" not in html
