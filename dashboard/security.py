"""Browser-facing protections: CSRF on every POST, security headers, and error pages."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

# Scripts, styles and data only from this server; no inline script, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
CSRF_EXPIRED = (
    "This form was not sent from the dashboard or has expired; reload the page and try again."
)
DATABASE_DOWN = "The lead database is not reachable right now; check that it is running."


def wants_json() -> bool:
    """Whether the client is the page's own script (or an API caller) rather than a form."""
    if request.path.startswith("/api/"):
        return True
    return request.accept_mimetypes.best == "application/json"


def init_security(app: Flask) -> None:
    """Protect every POST against CSRF and add headers and error pages to every response."""
    CSRFProtect(app)
    app.after_request(_add_security_headers)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_down)


def _add_security_headers(response):
    """Headers that keep the page from being framed, sniffed, or fed foreign scripts."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        # Lead pages and API answers carry customer data: keep them out of shared caches.
        headers.setdefault("Cache-Control", "no-store")
    return response


def _csrf_failed(error: CSRFError):
    """A POST without a valid token: refuse it with a message saying what to do."""
    return _error_response(400, CSRF_EXPIRED)


def _http_error(error: HTTPException):
    """Every HTTP error as JSON for scripts and as a small page for people."""
    if error.code is None or error.code < 400:
        return error
    return _error_response(error.code, error.description or error.name)


def _database_down(error: OperationalError):
    """The database went away mid-request: say so, and let the page keep polling."""
    current_app.logger.warning("database unavailable: %s", str(error.orig or error)[:200])
    return _error_response(503, DATABASE_DOWN)


def _error_response(status: int, message: str):
    """One error body in the shape the client asked for."""
    if wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status
