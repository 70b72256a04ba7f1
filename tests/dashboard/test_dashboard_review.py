"""The review page: who sees it, what it lists, and labels that take tweets out of the queue."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dashboard.server import start_dashboard
from leadstream.settings import load_settings
from leadstream.storage.decisions import add_to_review_pool
from leadstream.storage.engine import init_db, make_engine
from leadstream.storage.feedback import feedback_labels
from leadstream.storage.leads import upsert_leads
from leadstream.storage.users import save_user

CHROMIUM = Path("/usr/bin/chromium")
JSON = {"Accept": "application/json"}
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
QUEUED = re.compile(r'<li class="lead review-item[^"]*" id="review-([^"]+)"')
POOLED = "Anyone know a cheaper freight forwarder for Hamburg to Rotterdam? Current one is slow"


def _pool(engine, tweet_id: str = "7001", text: str = POOLED, **fields) -> None:
    """A near-miss the scorer kept for review."""
    row = {
        "tweet_id": tweet_id,
        "text": text,
        "lang": "en",
        "campaigns": '["logistics", "software"]',
        "score": 0.64,
        "threshold": 0.7,
        "model_version": "5",
        "scored_at": datetime.now(UTC).replace(tzinfo=None, microsecond=0),
    }
    add_to_review_pool(engine, [{**row, **fields}])


def _sign_out(client, csrf_token) -> None:
    """Sign out through the page's own form."""
    token = csrf_token(client.get("/").get_data(as_text=True))
    client.post("/auth/logout", data={"csrf_token": token})


def _queued_ids(client) -> list[str]:
    """The tweet ids the review page lists, in order."""
    return QUEUED.findall(client.get("/review").get_data(as_text=True))


def test_page_lists_leads_and_rejects_with_buttons(
    client, engine, users_by_role, sign_in, add_leads, make_lead
):
    add_leads(make_lead("1001", score=0.72))
    _pool(engine)
    sign_in("sales1")
    answer = client.get("/review")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    for shown in (
        "Looking for a roofing contractor",
        POOLED,
        ">Lead<",
        ">Reject<",
        "close to the threshold (score 0.64 below the threshold 0.70)",
        "logistics",
        "model v5",
        'action="/leads/7001/feedback"',
        'action="/leads/1001/feedback"',
        'name="back" value="review"',
    ):
        assert shown in html
    assert ">Relevant<" in html and ">Irrelevant<" in html
    assert sorted(_queued_ids(client)) == ["1001", "7001"]


def test_nav_links_to_the_review_page_only_for_labellers(
    client, users_by_role, sign_in, csrf_token
):
    sign_in("sales1")
    assert 'href="/review"' in client.get("/").get_data(as_text=True)
    _sign_out(client, csrf_token)
    sign_in("viewer1")
    page = client.get("/").get_data(as_text=True)
    assert "viewer1" in page and 'href="/review"' not in page


def test_viewer_is_refused_and_a_stranger_sent_to_sign_in(client, users_by_role, sign_in):
    assert "/auth/login" in client.get("/review").headers["Location"]
    sign_in("viewer1")
    answer = client.get("/review")
    assert answer.status_code == 403
    assert "sales role" in answer.get_data(as_text=True)


def test_hostile_pooled_text_is_escaped(client, engine, users_by_role, sign_in):
    _pool(engine, text=XSS)
    sign_in("sales1")
    html = client.get("/review").get_data(as_text=True)
    assert XSS not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_labelling_a_reject_stores_its_pooled_text_and_leaves_the_queue(
    client, engine, users_by_role, sign_in, page_token
):
    _pool(engine)
    _pool(engine, "7002", "Which payroll software do small Finnish firms use?", score=0.5)
    sign_in("sales1")
    assert sorted(_queued_ids(client)) == ["7001", "7002"]
    answer = client.post(
        "/leads/7001/feedback",
        data={"label": "relevant", "back": "review"},
        headers={**JSON, "X-CSRFToken": page_token()},
    )
    assert answer.status_code == 200
    assert answer.get_json() == {"tweet_id": "7001", "label": "relevant"}
    (stored,) = feedback_labels(engine)
    assert (stored.tweet_id, stored.text, stored.label, stored.username) == (
        "7001",
        POOLED,
        1,
        "sales1",
    )
    assert (stored.lang, stored.campaign, stored.model_version) == ("en", "logistics", "5")
    assert _queued_ids(client) == ["7002"]


def test_a_label_by_anyone_takes_the_tweet_out_of_everyones_queue(
    client, engine, users_by_role, sign_in, page_token, csrf_token
):
    _pool(engine)
    sign_in("admin1")
    headers = {**JSON, "X-CSRFToken": page_token()}
    client.post("/leads/7001/feedback", data={"label": "irrelevant"}, headers=headers)
    _sign_out(client, csrf_token)
    sign_in("sales1")
    html = client.get("/review").get_data(as_text=True)
    assert _queued_ids(client) == []
    assert "Nothing to review" in html


def test_plain_form_post_returns_to_the_review_page(
    client, engine, users_by_role, sign_in, csrf_token
):
    _pool(engine)
    sign_in("sales1")
    token = csrf_token(client.get("/review").get_data(as_text=True))
    form = {"label": "irrelevant", "back": "review", "csrf_token": token}
    answer = client.post("/leads/7001/feedback", data=form)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/review"
    page = client.get("/review").get_data(as_text=True)
    assert "Marked as irrelevant" in page and POOLED not in page
    assert [(f.tweet_id, f.label) for f in feedback_labels(engine)] == [("7001", 0)]


def test_labelling_from_the_review_page_needs_the_csrf_token(
    client, engine, users_by_role, sign_in
):
    _pool(engine)
    sign_in("sales1")
    missing = client.post("/leads/7001/feedback", data={"label": "relevant"}, headers=JSON)
    assert missing.status_code == 400
    assert "reload the page" in missing.get_json()["error"]
    forged = client.post(
        "/leads/7001/feedback",
        data={"label": "relevant", "csrf_token": "forged"},
        headers={**JSON, "X-CSRFToken": "forged-token"},
    )
    assert forged.status_code == 400
    assert feedback_labels(engine) == []
    assert _queued_ids(client) == ["7001"]


def test_review_page_keeps_the_content_security_policy(client, users_by_role, sign_in):
    sign_in("sales1")
    answer = client.get("/review")
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    html = answer.get_data(as_text=True)
    assert '<script src="/static/review.js"></script>' in html
    assert "<script>" not in html


@pytest.mark.browser
def test_a_label_takes_the_tweet_off_the_page_in_chromium(tmp_path, make_lead):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    settings = load_settings({"data_dir": tmp_path, "secret_key": "browser-test-key"}, env={})
    engine = make_engine(settings.database_url)
    init_db(engine)
    save_user(engine, "sam", "browser-password", "sales")
    upsert_leads(engine, [make_lead("1001", text=XSS, score=0.72)])
    _pool(engine)
    server = start_dashboard(dataclasses.replace(settings, dashboard_port=0))
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            try:
                _label_in_browser(browser.new_page(), server.url, engine)
            finally:
                browser.close()
    finally:
        server.stop()
        engine.dispose()


def _label_in_browser(page, url: str, engine) -> None:
    """Sign in, open the review page, label both tweets, and see the queue empty."""
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(url + "auth/login?next=/review")
    page.fill("input[name=username]", "sam")
    page.fill("input[name=password]", "browser-password")
    page.click("button[type=submit]")
    page.wait_for_selector("#review-7001")
    assert page.inner_text("#review-1001 .lead-text") == XSS
    page.evaluate("window.sameDocument = true")
    page.locator("#review-7001").get_by_role("button", name="Irrelevant", exact=True).click()
    page.wait_for_selector("#review-7001", state="detached")
    assert page.locator("#review-1001").count() == 1
    page.locator("#review-1001").get_by_role("button", name="Relevant", exact=True).click()
    page.wait_for_selector("#empty-state", state="visible")
    assert page.evaluate("window.sameDocument") is True
    stored = {(f.tweet_id, f.label, f.text) for f in feedback_labels(engine)}
    assert stored == {("7001", 0, POOLED), ("1001", 1, XSS)}
    assert dialogs == [], f"a script ran from tweet text: {dialogs}"
    assert errors == [], f"browser console errors (CSP?): {errors}"
