"""One real browser session: sign in, watch a lead arrive live, label it, and stay XSS-free."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from dashboard.server import start_dashboard
from leadstream.settings import load_settings
from leadstream.storage.batches import BatchStats, record_batch
from leadstream.storage.engine import init_db, make_engine
from leadstream.storage.feedback import feedback_labels
from leadstream.storage.leads import upsert_leads
from leadstream.storage.users import save_user

CHROMIUM = Path("/usr/bin/chromium")
XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"
SCREENSHOT = Path("/tmp/dashboard.png")
HELPDESK = "We need a helpdesk tool that works for 40 agents, budget approved. Recommendations?"


# (tweet id, minutes ago, fields): a logistics lead, a software lead, and a hostile one.
SEED_LEADS = (
    ("9001", 40, {
        "campaigns": ["logistics"], "lang": "en", "score": 0.78,
        "text": "Our 3PL keeps losing pallets. Anyone know a reliable warehouse partner "
                "around Hamburg?",
        "author_name": "Jonas Weber", "author_username": "jweber",
        "place_name": "Hamburg", "place_country": "Germany",
        "matched_keywords": ["3pl", "pallet", "warehous"],
        "reasons": ["complains about current supplier", "asks for a recommendation"],
    }),
    ("9002", 12, {
        "campaigns": ["software"], "score": 0.95, "text": HELPDESK,
        "author_name": "Priya Nair", "author_username": "priya_ops",
        "place_name": None, "place_country": None,
        "matched_keywords": ["helpdesk", "tool"],
        "reasons": ["budget mentioned", "asks for a recommendation"],
    }),
    ("9003", 5, {"text": XSS, "score": 0.83, "author_name": "Mallory",
                 "author_username": "mallory"}),
)  # fmt: skip


def _seed(engine, make_lead) -> None:
    """A sales user, a few leads (one hostile), some batches and collector counters."""
    save_user(engine, "sam", "browser-password", "sales")
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    leads = [
        make_lead(tweet_id, scored_at=now - timedelta(minutes=ago), **fields)
        for tweet_id, ago, fields in SEED_LEADS
    ]
    upsert_leads(engine, leads)
    for batch_id in range(3):
        moment = now - timedelta(minutes=30 - batch_id * 10)
        record_batch(engine, BatchStats("q", batch_id, moment, moment, 4200, 180, 1, "3"))


@pytest.mark.browser
def test_live_page_in_chromium(tmp_path, make_lead):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    settings = load_settings({"data_dir": tmp_path, "secret_key": "browser-test-key"}, env={})
    engine = make_engine(settings.database_url)
    init_db(engine)
    _seed(engine, make_lead)
    settings.spool_dir.mkdir(parents=True)
    counters = {"tweets_received": 12600, "tweets_spooled": 12598, "reconnects": 1}
    (settings.spool_dir / "collector_stats.json").write_bytes(orjson.dumps(counters))

    server = start_dashboard(dataclasses.replace(settings, dashboard_port=0))
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            try:
                _drive(
                    browser.new_page(viewport={"width": 1360, "height": 1000}),
                    server.url,
                    engine,
                    make_lead,
                )
            finally:
                browser.close()
    finally:
        server.stop()
        engine.dispose()


def _drive(page, url: str, engine, make_lead) -> None:
    """Everything a salesperson does in one visit, checked as it happens."""
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(url)
    page.fill("input[name=username]", "sam")
    page.fill("input[name=password]", "browser-password")
    page.click("button[type=submit]")
    page.wait_for_selector("#lead-9002")
    assert page.inner_text("#lead-9003 .lead-text") == XSS
    page.evaluate("window.sameDocument = true")

    # A lead the scorer writes now appears without a reload, hostile text and all.
    later = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(seconds=1)
    upsert_leads(engine, [make_lead("9100", scored_at=later, text="Live: " + XSS)])
    page.wait_for_selector("#lead-9100", timeout=15_000)
    assert page.evaluate("window.sameDocument") is True
    assert page.inner_text("#lead-9100 .lead-text") == "Live: " + XSS
    assert page.locator("#lead-list > li").first.get_attribute("id") == "lead-9100"

    page.locator("#lead-9002").get_by_role("button", name="Irrelevant", exact=True).click()
    page.locator("#lead-9100").get_by_role("button", name="Relevant", exact=True).click()
    page.wait_for_selector('#lead-9100 button[value=relevant][aria-pressed="true"]')
    page.wait_for_selector('#lead-9002 button[value=irrelevant][aria-pressed="true"]')
    stored = {(f.tweet_id, f.label, f.username, f.text) for f in feedback_labels(engine)}
    assert stored == {("9100", 1, "sam", "Live: " + XSS), ("9002", 0, "sam", HELPDESK)}

    page.wait_for_selector("#chart-timeline svg rect.bar", state="attached")
    page.wait_for_selector("#chart-feedback svg rect.bar-relevant", state="attached")
    page.wait_for_timeout(2500)  # let the highlight of the live lead fade before the picture
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert dialogs == [], f"a script ran from lead text: {dialogs}"
    assert errors == [], f"browser console errors (CSP?): {errors}"
