"""Signing in: login required, no hint at who has an account, lockout, cookies, secret key."""

from __future__ import annotations

import pytest

from dashboard.app import create_app
from dashboard.auth import BAD_CREDENTIALS
from leadstream.errors import ConfigError
from leadstream.settings import load_settings


def test_pages_and_api_require_sign_in(client):
    page = client.get("/")
    assert page.status_code == 302
    assert "/auth/login" in page.headers["Location"]
    for path in ("/api/leads", "/api/stats"):
        answer = client.get(path)
        assert answer.status_code == 401
        assert answer.is_json and "Sign in" in answer.get_json()["error"]


def test_wrong_password_and_unknown_user_get_the_same_answer(client, users_by_role, sign_in):
    wrong = sign_in("sales1", "not the password")
    unknown = sign_in("nobody-here", "not the password")
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert BAD_CREDENTIALS in answer.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_sign_in_then_out(client, users_by_role, sign_in, csrf_token):
    answer = sign_in("sales1")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_the_name_even_with_the_right_password(
    client, users_by_role, sign_in, password
):
    for _ in range(5):
        assert sign_in("sales1", "guess").status_code == 401
    locked = sign_in("sales1", password)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # Other names are unaffected.
    assert sign_in("viewer1").status_code == 302


def test_next_only_leads_back_into_the_dashboard(client, users_by_role, csrf_token, password):
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    form = {"username": "sales1", "password": password, "csrf_token": token}
    answer = client.post("/auth/login?next=https://evil.example/", data=form)
    assert answer.headers["Location"] == "/"


def test_session_cookie_is_http_only_and_same_site_lax(users_by_role, sign_in):
    answer = sign_in("sales1")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_post_without_csrf_token_is_rejected(client, users_by_role, password):
    answer = client.post("/auth/login", data={"username": "sales1", "password": password})
    assert answer.status_code == 400
    assert client.get("/").status_code == 302


def test_missing_secret_key_refuses_to_start_with_one_clear_sentence(tmp_path):
    settings = load_settings({"data_dir": tmp_path}, env={})
    with pytest.raises(ConfigError) as caught:
        create_app(settings)
    message = str(caught.value)
    assert "LEADSTREAM_SECRET_KEY" in message
    assert "\n" not in message
