"""Serving the dashboard: blocking for `leadstream serve`, or in a thread for the main job."""

from __future__ import annotations

import logging
import threading

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from dashboard.app import create_app
from dashboard.state import app_state
from leadstream.settings import Settings

log = logging.getLogger(__name__)


class _QuietPollHandler(WSGIRequestHandler):
    """Logs requests, except the successful polls the page makes every two seconds."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log like werkzeug does, minus the routine polls."""
        if self.path.startswith("/api/") and str(code).startswith("2"):
            return
        super().log_request(code, size)


class DashboardServer:
    """A dashboard served from a background thread; `.url` is where, `.stop()` ends it."""

    def __init__(self, server: BaseWSGIServer) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="dashboard", daemon=True)

    @property
    def url(self) -> str:
        """The address to open, with the port actually bound (also when 0 was asked)."""
        return _url(self._server)

    def start(self) -> DashboardServer:
        """Begin answering requests."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering, wait for the thread, and close the database connections."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        app_state(self._server.app).engine.dispose()


def _url(server: BaseWSGIServer) -> str:
    """http://host:port/ for a bound server."""
    host = server.host if ":" not in server.host else f"[{server.host}]"
    return f"http://{host}:{server.port}/"


def _make_server(settings: Settings, port: int | None = None) -> BaseWSGIServer:
    """A threaded WSGI server for a fresh dashboard app."""
    app = create_app(settings)
    port = settings.dashboard_port if port is None else port
    return make_server(
        settings.dashboard_host, port, app, threaded=True, request_handler=_QuietPollHandler
    )


def serve_forever(settings: Settings) -> None:
    """Serve the dashboard until interrupted (Ctrl-C)."""
    server = _make_server(settings)
    log.info("dashboard at %s", _url(server))
    try:
        server.serve_forever()
    finally:
        server.server_close()
        app_state(server.app).engine.dispose()


def start_dashboard(settings: Settings, port: int | None = None) -> DashboardServer:
    """Serve the dashboard from a background thread; port 0 picks a free port."""
    server = DashboardServer(_make_server(settings, port)).start()
    log.info("dashboard at %s", server.url)
    return server
