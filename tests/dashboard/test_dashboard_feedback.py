"""Feedback clicks: who may label, what gets stored, and that every POST needs its CSRF token."""

from __future__ import annotations

import re

from leadstream.storage.feedback import feedback_labels

JSON = {"Accept": "application/json"}


def test_viewer_cannot_label(
    client, engine, users_by_role, sign_in, page_token, add_leads, make_lead
):
    add_leads(make_lead("1001"))
    sign_in("viewer1")
    answer = client.post(
        "/leads/1001/feedback",
        data={"label": "relevant"},
        headers={**JSON, "X-CSRFToken": page_token()},
    )
    assert answer.status_code == 403
    assert "sales role" in answer.get_json()["error"]
    assert feedback_labels(engine) == []


def test_sales_click_is_stored_as_a_label(
    client, engine, users_by_role, sign_in, page_token, add_leads, make_lead
):
    add_leads(make_lead("1001", text="Need a new CRM vendor for 40 people", lang="en"))
    sign_in("sales1")
    answer = client.post(
        "/leads/1001/feedback",
        data={"label": "relevant"},
        headers={**JSON, "X-CSRFToken": page_token()},
    )
    assert answer.status_code == 200
    assert answer.get_json() == {"tweet_id": "1001", "label": "relevant"}
    (stored,) = feedback_labels(engine)
    assert (stored.tweet_id, stored.text, stored.label, stored.username) == (
        "1001",
        "Need a new CRM vendor for 40 people",
        1,
        "sales1",
    )
    assert (stored.lang, stored.campaign, stored.model_version) == ("en", "construction", "3")
    # The page now shows the choice as made.
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'button-relevant is-chosen"\s+aria-pressed="true"', html)


def test_a_second_click_replaces_the_first(
    client, engine, users_by_role, sign_in, page_token, add_leads, make_lead
):
    add_leads(make_lead("1001"))
    sign_in("admin1")
    for label in ("relevant", "irrelevant"):
        headers = {**JSON, "X-CSRFToken": page_token()}
        client.post("/leads/1001/feedback", data={"label": label}, headers=headers)
    assert [(f.label, f.username) for f in feedback_labels(engine)] == [(0, "admin1")]


def test_plain_form_post_redirects_back_to_the_lead(
    client, engine, users_by_role, sign_in, page_token, add_leads, make_lead
):
    add_leads(make_lead("1001"))
    sign_in("sales1")
    form = {"label": "irrelevant", "csrf_token": page_token(), "campaign": "construction"}
    answer = client.post("/leads/1001/feedback", data=form)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/?campaign=construction#lead-1001"
    assert "Marked as irrelevant" in client.get("/").get_data(as_text=True)
    assert [f.label for f in feedback_labels(engine)] == [0]


def test_post_without_csrf_token_is_rejected(
    client, engine, users_by_role, sign_in, add_leads, make_lead
):
    add_leads(make_lead("1001"))
    sign_in("sales1")
    answer = client.post("/leads/1001/feedback", data={"label": "relevant"}, headers=JSON)
    assert answer.status_code == 400
    assert "reload the page" in answer.get_json()["error"]
    forged = client.post(
        "/leads/1001/feedback",
        data={"label": "relevant"},
        headers={**JSON, "X-CSRFToken": "forged-token"},
    )
    assert forged.status_code == 400
    assert feedback_labels(engine) == []


def test_unknown_lead_and_unknown_label_are_refused(
    client, engine, users_by_role, sign_in, page_token, add_leads, make_lead
):
    add_leads(make_lead("1001"))
    sign_in("sales1")
    headers = {**JSON, "X-CSRFToken": page_token()}
    missing = client.post("/leads/9999/feedback", data={"label": "relevant"}, headers=headers)
    assert missing.status_code == 404
    odd = client.post("/leads/1001/feedback", data={"label": "maybe"}, headers=headers)
    assert odd.status_code == 400
    assert "relevant or irrelevant" in odd.get_json()["error"]
    assert feedback_labels(engine) == []
