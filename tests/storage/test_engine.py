"""Connections: an unreachable database is retried, then reported in one sentence."""

from __future__ import annotations

import socket

import pytest

from leadstream.errors import StorageUnavailable
from leadstream.storage.engine import make_engine, wait_for_database


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_unreachable_mysql_is_retried_then_reported_without_password(caplog):
    engine = make_engine(f"mysql+pymysql://root:s3cret@127.0.0.1:{_closed_port()}/test")
    with pytest.raises(StorageUnavailable) as error:
        wait_for_database(engine, attempts=3, max_wait=0.05)
    message = str(error.value)
    assert "after 3 attempts" in message and "LEADSTREAM_DATABASE_URL" in message
    assert "s3cret" not in message and "\n" not in message
    assert (
        sum("Retrying" in r.message or "Finished call" in r.message for r in caplog.records) >= 1
    )
    assert "s3cret" not in caplog.text


def test_mysql_url_gets_utf8mb4(mysql_url):
    engine = make_engine(mysql_url)
    assert engine.url.query["charset"] == "utf8mb4"
    with engine.connect() as connection:
        assert (
            connection.exec_driver_sql("SELECT @@character_set_connection").scalar() == "utf8mb4"
        )
