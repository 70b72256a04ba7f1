"""Connections: one engine per database URL, SQLite tuned for concurrent writers, MySQL retried."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import OperationalError
from tenacity import (
    before_sleep_log,
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from leadstream.errors import StorageUnavailable
from leadstream.storage.schema import metadata

log = logging.getLogger(__name__)


def _tune_sqlite(dbapi_connection, _record) -> None:
    """WAL lets the dashboard read while the scorer writes; busy_timeout queues writers."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for a sqlite:/// or mysql+pymysql:// URL, with utf8mb4 forced on MySQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    if parsed.query.get("charset") not in (None, "utf8mb4"):
        log.warning("overriding charset=%s with utf8mb4", parsed.query.get("charset"))
    parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return create_engine(parsed, pool_pre_ping=True, pool_recycle=3600)


def safe_url(engine: Engine) -> str:
    """The engine's URL with any password hidden, for messages and logs."""
    return engine.url.render_as_string(hide_password=True)


def wait_for_database(engine: Engine, attempts: int = 8, max_wait: float = 10.0) -> None:
    """Connect, retrying with backoff; give up with one clear sentence."""

    @retry(
        retry=retry_if_exception_type(OperationalError),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential(multiplier=0.5, max=max_wait),
        before_sleep=before_sleep_log(log, logging.WARNING),
        reraise=True,
    )
    def ping() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        ping()
    except OperationalError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
        raise StorageUnavailable(
            f"database {safe_url(engine)} unreachable after {attempts} attempts ({reason}); "
            "check LEADSTREAM_DATABASE_URL and that the server is running"
        ) from None


def init_db(engine: Engine) -> None:
    """Create every table that does not exist yet (safe to run again, and concurrently)."""
    wait_for_database(engine)
    for attempt in range(3):
        try:
            metadata.create_all(engine)
            return
        except OperationalError as exc:
            # Collector, scorer and dashboard may start together: another process can create
            # a table between our existence check and our CREATE. Check again.
            if "already exists" not in str(exc.orig) or attempt == 2:
                raise
