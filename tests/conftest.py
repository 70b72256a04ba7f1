"""Shared fixtures: settings on a temporary data folder, real SQLite and real MariaDB engines."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import OperationalError

from leadstream.settings import Settings, load_settings
from leadstream.storage.engine import init_db, make_engine
from leadstream.storage.schema import metadata

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DEFAULT_MYSQL_URL = "mysql+pymysql://root@127.0.0.1:3306/test"


def shared_data(relative: str) -> Path:
    """A file of ../shared/data, or skip the test saying why."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real data not available here: {path} is absent")
    return path


@pytest.fixture
def real_data():
    """shared_data for tests: `real_data("tweets/…")` is the file, or a skip saying why."""
    return shared_data


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a fresh data folder with SQLite, ignoring the developer's environment."""
    return load_settings({"data_dir": tmp_path / "var", "secret_key": "test-secret-key"}, env={})


@pytest.fixture(scope="session")
def mysql_url() -> str:
    """A private MariaDB/MySQL database for this test session, dropped at the end.

    The server comes from LEADSTREAM_TEST_MYSQL_URL (default: local root); the test fails
    instead of skipping when LEADSTREAM_REQUIRE_MYSQL is set, as it is in CI.
    """
    server_url = os.environ.get("LEADSTREAM_TEST_MYSQL_URL", DEFAULT_MYSQL_URL)
    server = make_engine(server_url)
    name = f"leadstream_test_{os.getpid()}"
    try:
        with server.begin() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    except OperationalError as exc:
        message = f"MySQL/MariaDB not reachable at {server_url}: {str(exc.orig).splitlines()[0]}"
        server.dispose()
        if os.environ.get("LEADSTREAM_REQUIRE_MYSQL"):
            pytest.fail(message)
        pytest.skip(message)
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    with server.begin() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
    server.dispose()


def _fresh(url: str):
    engine = make_engine(url)
    metadata.drop_all(engine)
    init_db(engine)
    return engine


@pytest.fixture
def mysql_engine(mysql_url: str):
    """A MariaDB engine on empty Leadstream tables (dropped again afterwards)."""
    engine = _fresh(mysql_url)
    yield engine
    metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def engine(request, tmp_path: Path):
    """The same test on a real SQLite file and on the real MariaDB server."""
    if request.param == "sqlite":
        engine = _fresh(f"sqlite:///{tmp_path / 'leadstream.db'}")
        yield engine
        engine.dispose()
    else:
        yield request.getfixturevalue("mysql_engine")


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def database_url(request, tmp_path: Path) -> str:
    """A URL of an empty Leadstream database, on SQLite and on MariaDB."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'leadstream.db'}"
    engine = request.getfixturevalue("mysql_engine")
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def champion_settings(tmp_path_factory) -> Settings:
    """Settings whose MLflow store holds a champion trained on the seed labels (once a session).

    Tests that write leads should `dataclasses.replace` the data folder and database URL and
    keep the MLflow URIs, so that they share the one trained model.
    """
    from sklearn.linear_model import LogisticRegression

    from training.train import train_and_register

    folder = tmp_path_factory.mktemp("champion")
    settings = load_settings({"data_dir": folder / "var", "secret_key": "test-secret-key"}, env={})
    quick = {"logreg_c8": LogisticRegression(C=8.0, class_weight="balanced", max_iter=2000)}
    train_and_register(settings, promote_if_first=True, candidates=quick)
    return settings


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One local Spark session for the whole test run (starting one costs seconds)."""
    from leadstream.spark import spark_session

    folder = tmp_path_factory.mktemp("spark")
    settings = load_settings({"data_dir": folder, "spark_master": "local[2]"}, env={})
    session = spark_session(settings)
    yield session
    session.stop()
