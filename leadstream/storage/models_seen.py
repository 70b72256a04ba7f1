"""Which model versions have scored tweets, and when: the dashboard's model history."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select, update

from leadstream.storage.schema import model_versions
from leadstream.storage.upsert import Database, writing


def record_model_seen(db: Database, model_name: str, version: str, threshold: float) -> None:
    """Note that a version scored a batch now (first and last time seen)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    key = (model_versions.c.model_name == model_name) & (model_versions.c.version == version)
    with writing(db) as connection:
        touched = connection.execute(
            update(model_versions).where(key).values(last_seen_at=now)
        ).rowcount
        if not touched:
            connection.execute(
                model_versions.insert().values(
                    model_name=model_name,
                    version=version,
                    threshold=threshold,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )


def models_seen(engine: Engine) -> list[dict]:
    """Every version that has scored, newest first."""
    query = select(model_versions).order_by(model_versions.c.first_seen_at.desc())
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]
