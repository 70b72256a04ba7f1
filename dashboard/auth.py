"""Signing in and out with Flask-Login, and the role checks the other views rely on."""

from __future__ import annotations

import functools
import math
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from dashboard.security import wants_json
from dashboard.state import app_state, get_engine
from leadstream.storage.users import User, authenticate, get_user

bp = Blueprint("auth", __name__, url_prefix="/auth")

# One message for a wrong password and an unknown name alike: no hint at who has an account.
BAD_CREDENTIALS = "Wrong username or password."
LOCKED_OUT = "Too many failed sign-ins for this username; wait {minutes} minutes and try again."
NOT_A_LABELLER = "Your role can read leads but not label them; ask an admin for the sales role."


class SignedInUser(UserMixin):
    """A dashboard user as Flask-Login sees them."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.username = user.username
        self.role = user.role
        self.can_label = user.can_label

    def get_id(self) -> str:
        """The id kept in the session cookie."""
        return str(self.user.id)


def init_auth(app: Flask) -> None:
    """Give the app a login manager that loads users from the database."""
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.user_loader(_load_user)
    manager.unauthorized_handler(_unauthorized)
    app.register_blueprint(bp)


def _load_user(user_id: str) -> SignedInUser | None:
    """The user behind a session, or None once they are gone."""
    if not user_id.isdigit():
        return None
    user = get_user(get_engine(), int(user_id))
    return SignedInUser(user) if user else None


def _unauthorized():
    """Scripts get 401 so the page can say the session ended; people go to the sign-in page."""
    if wants_json():
        return jsonify(error="Sign in to the dashboard first."), 401
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def labeller_required(view):
    """Let only users whose clicks become labels (sales, admin) through; others get 403."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.can_label:
            abort(403, description=NOT_A_LABELLER)
        return view(*args, **kwargs)

    return guarded


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("leads.index")
    parts = urlsplit(target)
    return url_for("leads.index") if parts.scheme or parts.netloc else target


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Show the sign-in form and check what it sends."""
    if current_user.is_authenticated:
        return redirect(url_for("leads.index"))
    if request.method == "GET":
        return render_template("auth/login.html")
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    throttle = app_state().login_throttle
    if throttle.locked(username):
        error = LOCKED_OUT.format(minutes=math.ceil(throttle.window_seconds / 60))
        return render_template("auth/login.html", username=username, error=error), 429
    user = authenticate(get_engine(), username, password) if username and password else None
    if user is None:
        throttle.failed(username)
        return render_template("auth/login.html", username=username, error=BAD_CREDENTIALS), 401
    throttle.succeeded(username)
    session.clear()  # start a fresh session, nothing carried over from before sign-in
    login_user(SignedInUser(user))
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
def logout():
    """Sign out (a POST, so another site cannot sign people out)."""
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
