"""The dashboard served over real HTTP from a background thread, on a port the OS picks."""

from __future__ import annotations

import dataclasses

import pytest
import requests

from dashboard.server import start_dashboard


def test_background_server_reports_its_real_port_and_stops(settings):
    server = start_dashboard(dataclasses.replace(settings, dashboard_port=0))
    try:
        assert not server.url.endswith(":0/")
        page = requests.get(server.url + "auth/login", timeout=10)
        assert page.status_code == 200
        assert "Sign in" in page.text
        assert page.headers["X-Frame-Options"] == "DENY"
    finally:
        server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "auth/login", timeout=2)
