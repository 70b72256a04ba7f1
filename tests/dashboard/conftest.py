"""Dashboard fixtures: an app on the shared `database_url` (SQLite and MariaDB), users, leads.

`settings` and `engine` here override the shared ones for tests/dashboard: the settings point
at `database_url`, and the engine is the app's own.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.app import create_app
from dashboard.state import app_state
from leadstream.settings import load_settings
from leadstream.storage.leads import Lead, upsert_leads
from leadstream.storage.users import save_user

PASSWORD = "correct horse battery"
SECRET_KEY = "dashboard-tests-secret-key-not-for-production"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture
def settings(tmp_path, database_url):
    """Settings on a temporary data dir and an empty test database, ignoring the environment."""
    overrides = {"data_dir": tmp_path / "var", "database_url": database_url}
    return load_settings({**overrides, "secret_key": SECRET_KEY}, env={})


@pytest.fixture
def app(settings):
    """A dashboard app with CSRF protection on, as in production."""
    app = create_app(settings, {"TESTING": True})
    yield app
    app_state(app).engine.dispose()


@pytest.fixture
def engine(app):
    """The app's own engine, for arranging rows and checking what the app stored."""
    return app_state(app).engine


@pytest.fixture
def client(app):
    """A test client that keeps its cookies, like a browser."""
    return app.test_client()


@pytest.fixture
def users_by_role(engine):
    """One user per role, all with PASSWORD."""
    for role in ("viewer", "sales", "admin"):
        save_user(engine, f"{role}1", PASSWORD, role)
    return {"viewer": "viewer1", "sales": "sales1", "admin": "admin1"}


def _csrf_token(html: str) -> str:
    """The CSRF token the page put in its meta tag."""
    match = _CSRF_META.search(html)
    assert match, "page has no csrf-token meta tag"
    return match.group(1)


@pytest.fixture
def password() -> str:
    """The password every test user has."""
    return PASSWORD


@pytest.fixture
def csrf_token():
    """Read the CSRF token out of a page's HTML."""
    return _csrf_token


@pytest.fixture
def sign_in(client):
    """Sign the test client in through the real login form; returns the last response."""

    def sign_in_as(username: str, password: str = PASSWORD):
        token = _csrf_token(client.get("/auth/login").get_data(as_text=True))
        form = {"username": username, "password": password, "csrf_token": token}
        return client.post("/auth/login", data=form)

    return sign_in_as


@pytest.fixture
def page_token(client):
    """A CSRF token from the signed-in live page, as the page's script would send it."""

    def token() -> str:
        return _csrf_token(client.get("/").get_data(as_text=True))

    return token


def _make_lead(tweet_id: str, scored_at: datetime | None = None, **fields) -> Lead:
    """A plausible lead; scored_at in whole seconds so SQLite and MySQL store the same value."""
    scored_at = scored_at or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    values = {
        "text": "Looking for a roofing contractor in Espoo, any recommendations?",
        "tweeted_at": scored_at - timedelta(minutes=3),
        "score": 0.91,
        "model_name": "leadstream-buying-signal",
        "model_version": "3",
        "threshold": 0.7,
        "campaigns": ["construction", "software"],
        "matched_keywords": ["roofing", "contractor"],
        "reasons": ["asks for a supplier", "names a service"],
        "lang": "en",
        "author_username": "mervi_k",
        "author_name": "Mervi Korhonen",
        "author_followers": 1200,
        "place_name": "Espoo",
        "place_country": "Finland",
    }
    return Lead(tweet_id=tweet_id, scored_at=scored_at, **{**values, **fields})


@pytest.fixture
def make_lead():
    """Build a plausible lead; keyword arguments replace its fields."""
    return _make_lead


@pytest.fixture
def add_leads(engine):
    """Store leads in the test database."""

    def add(*leads: Lead) -> None:
        upsert_leads(engine, leads)

    return add
