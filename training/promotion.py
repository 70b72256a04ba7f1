"""Moving the champion alias, with a history MLflow itself does not keep (mlflow#2169)."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from mlflow import MlflowClient

from leadstream.settings import Settings
from leadstream.storage.engine import init_db, make_engine
from leadstream.storage.schema import alias_history
from models.registry import alias_ref


def record_alias_change(
    settings: Settings, client: MlflowClient, version: str, action: str, actor: str, metrics: dict
) -> None:
    """Point the alias at `version` and write who, when, why into alias_history."""
    previous = alias_ref(client, settings.model_name, settings.model_alias)
    client.set_registered_model_alias(settings.model_name, settings.model_alias, str(version))
    engine = make_engine(settings.database_url)
    init_db(engine)
    with engine.begin() as connection:
        connection.execute(
            alias_history.insert().values(
                model_name=settings.model_name,
                alias=settings.model_alias,
                version=str(version),
                previous_version=previous.version if previous else None,
                action=action,
                actor=actor,
                metrics=orjson.dumps(metrics).decode(),
                changed_at=datetime.now(UTC).replace(tzinfo=None),
            )
        )
    engine.dispose()
