"""Where models live: the MLflow tracking store and registry, resolved by alias."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from leadstream.errors import ModelNotFound

EXPERIMENT = "leadstream-buying-signal"


@dataclass(frozen=True)
class ModelRef:
    """One registered model version, as the scorer and the promotion tools see it."""

    name: str
    version: str
    threshold: float

    @property
    def uri(self) -> str:
        """The registry URI of exactly this version."""
        return f"models:/{self.name}/{self.version}"


def connect(tracking_uri: str, artifact_root: str | None = None) -> MlflowClient:
    """Point MLflow at the store, creating the local folders and experiment when needed."""
    if tracking_uri.startswith("sqlite:///"):
        Path(tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    if client.get_experiment_by_name(EXPERIMENT) is None:
        client.create_experiment(EXPERIMENT, artifact_location=artifact_root)
    mlflow.set_experiment(EXPERIMENT)
    return client


def version_ref(client: MlflowClient, name: str, version: str) -> ModelRef:
    """A version with the threshold recorded when it was registered."""
    try:
        found = client.get_model_version(name, str(version))
    except MlflowException:
        raise ModelNotFound(f"model {name!r} has no version {version}") from None
    return ModelRef(
        name=name, version=str(found.version), threshold=float(found.tags["threshold"])
    )


def alias_ref(client: MlflowClient, name: str, alias: str) -> ModelRef | None:
    """The version behind an alias such as 'champion', or None when the alias is unset."""
    try:
        found = client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None
    return ModelRef(
        name=name, version=str(found.version), threshold=float(found.tags["threshold"])
    )


def require_alias(client: MlflowClient, name: str, alias: str) -> ModelRef:
    """The version behind an alias, or a clear error saying how to get one."""
    ref = alias_ref(client, name, alias)
    if ref is None:
        raise ModelNotFound(
            f"model {name!r} has no {alias!r} version; run `leadstream train --promote` first"
        )
    return ref


def resolve_uri(client: MlflowClient, uri: str) -> ModelRef | None:
    """The registered version a models:/ URI names, or None for other URIs (runs, paths)."""
    if not uri.startswith("models:/"):
        return None
    rest = uri.removeprefix("models:/")
    if "@" in rest:
        name, alias = rest.split("@", 1)
        return require_alias(client, name, alias)
    name, version = rest.rsplit("/", 1)
    return version_ref(client, name, version)
