"""`leadstream run`: every stage on one machine — replay, spool, Spark scorer, dashboard."""

from __future__ import annotations

import logging
import os
import secrets
import threading
from dataclasses import replace
from pathlib import Path

from leadstream.settings import Settings
from leadstream.shutdown import stopping_on_signals
from leadstream.storage.engine import init_db, make_engine, safe_url

log = logging.getLogger(__name__)


def _private_file(path: Path, make_value) -> str:
    """Read a generated local secret, creating it (mode 600) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(make_value())
    return path.read_text().strip()


def demo_credentials(settings: Settings) -> tuple[Settings, Path]:
    """For a one-machine run: a session key and an admin password kept in the data folder.

    Production deployments set LEADSTREAM_SECRET_KEY and create users with `create-user`;
    these files exist only so that `make run` works with nothing configured.
    """
    if not settings.secret_key:
        key = _private_file(settings.data_dir / "secret_key", lambda: secrets.token_hex(32))
        settings = replace(settings, secret_key=key)
    password_file = settings.data_dir / "admin_password"
    password = os.environ.get("LEADSTREAM_ADMIN_PASSWORD") or _private_file(
        password_file, lambda: secrets.token_urlsafe(12)
    )
    from leadstream.storage.users import save_user

    engine = make_engine(settings.database_url)
    init_db(engine)
    save_user(engine, "admin", password, "admin")
    engine.dispose()
    return settings, password_file


def ensure_champion(settings: Settings) -> None:
    """Train and promote a bootstrap model when the registry has no champion yet."""
    from models.registry import alias_ref, connect

    client = connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
    if alias_ref(client, settings.model_name, settings.model_alias) is None:
        log.info(
            "no %s model yet: training the bootstrap model on the seed labels (about 2 min)",
            settings.model_alias,
        )
        from training.train import train_and_register

        train_and_register(settings, promote_if_first=True)


def run_main_job(settings: Settings) -> None:
    """Run collector, scorer and dashboard together until Ctrl-C; a rerun resumes."""
    log.info(
        "data in %s, database %s", settings.data_dir, safe_url(make_engine(settings.database_url))
    )
    stop = threading.Event()
    with stopping_on_signals(stop):
        _run_stages(settings, stop)


def _run_stages(settings: Settings, stop: threading.Event) -> None:
    """Bootstrap, then dashboard and collector threads beside the scorer, until `stop`."""
    from collector.run import collect
    from dashboard.server import start_dashboard
    from scoring.job import run_scoring

    settings, password_file = demo_credentials(settings)
    ensure_champion(settings)
    if stop.is_set():  # Ctrl-C during the bootstrap training
        return
    dashboard = start_dashboard(settings)
    hint = (
        "LEADSTREAM_ADMIN_PASSWORD" if "LEADSTREAM_ADMIN_PASSWORD" in os.environ else password_file
    )
    log.info("dashboard on %s — sign in as admin (password: %s)", dashboard.url, hint)
    collector = threading.Thread(
        target=collect,
        name="collector",
        daemon=True,
        kwargs={"settings": settings, "source": "replay", "stop": stop},
    )
    collector.start()
    try:
        run_scoring(settings, stop=stop)  # returns on Ctrl-C or SIGTERM, via `stop`
    finally:
        log.info("stopping: collector, scorer, dashboard")
        stop.set()
        collector.join(timeout=30)
        dashboard.stop()
