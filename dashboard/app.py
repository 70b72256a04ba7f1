"""The dashboard's application factory: Settings in, a Flask app with one blueprint per concern."""

from __future__ import annotations

from typing import Any

from flask import Flask

from dashboard import auth, feedback, leads, review, stats
from dashboard.security import init_security
from dashboard.state import DashboardState, attach_state
from dashboard.throttle import LoginThrottle
from leadstream.errors import ConfigError
from leadstream.settings import Settings
from leadstream.storage.engine import init_db, make_engine

MISSING_SECRET_KEY = (
    "LEADSTREAM_SECRET_KEY is not set: set it to a long random string, for example the output "
    "of `python -c 'import secrets; print(secrets.token_hex(32))'`, before starting the dashboard."
)


def _config(settings: Settings, test_config: dict[str, Any] | None) -> dict[str, Any]:
    """Flask configuration from the settings, then whatever a test overrides."""
    config = {
        "SECRET_KEY": settings.secret_key,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # A page left open all day must still label: the token lives as long as the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCKOUT_SECONDS": 900,
    }
    config.update(test_config or {})
    if not config["SECRET_KEY"]:
        raise ConfigError(MISSING_SECRET_KEY)
    return config


def create_app(settings: Settings, test_config: dict[str, Any] | None = None) -> Flask:
    """A dashboard app on the settings' database, with its tables created if missing."""
    app = Flask(__name__)
    app.config.from_mapping(_config(settings, test_config))
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    engine = make_engine(settings.database_url)
    init_db(engine)
    throttle = LoginThrottle(
        max_failures=app.config["LOGIN_MAX_FAILURES"],
        window_seconds=app.config["LOGIN_LOCKOUT_SECONDS"],
    )
    attach_state(app, DashboardState(settings, engine, throttle))
    init_security(app)
    auth.init_auth(app)
    app.register_blueprint(leads.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(stats.bp)
    app.register_blueprint(review.bp)
    return app
