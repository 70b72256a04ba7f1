"""What each dashboard app holds once: its settings, its database engine, its login throttle."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import Engine

from dashboard.throttle import LoginThrottle
from leadstream.settings import Settings

_KEY = "leadstream"


@dataclass(frozen=True)
class DashboardState:
    """The long-lived parts of one dashboard app, shared by every request."""

    settings: Settings
    engine: Engine
    login_throttle: LoginThrottle


def attach_state(app: Flask, state: DashboardState) -> None:
    """Keep the state on the app, where Flask extensions keep theirs."""
    app.extensions[_KEY] = state


def app_state(app: Flask | None = None) -> DashboardState:
    """The state of the given app, or of the app handling the current request."""
    return (app or current_app).extensions[_KEY]


def get_engine() -> Engine:
    """The engine of the app handling the current request."""
    return app_state().engine
