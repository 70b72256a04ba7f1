"""Following the champion alias while the stream runs, and shipping each new version to workers."""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import mlflow.artifacts
from pyspark.sql import SparkSession

from leadstream.settings import Settings
from models.registry import ModelRef, alias_ref, connect, require_alias

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShippedModel:
    """A model version available to the workers under `folder_name`."""

    ref: ModelRef
    folder_name: str


class ChampionTracker:
    """Re-resolves an alias between micro-batches; a promotion reaches the next batch."""

    def __init__(
        self,
        settings: Settings,
        spark: SparkSession,
        check_every: float = 5.0,
        alias: str | None = None,
        required: bool = True,
    ) -> None:
        self.settings = settings
        self.spark = spark
        self.check_every = check_every
        self.alias = alias or settings.model_alias
        self.required = required
        self.client = connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
        self._shipped: ShippedModel | None = None
        self._checked_at = 0.0

    def current(self) -> ShippedModel | None:
        """The version behind the alias now, downloaded and added to the Spark context
        (None for an optional alias that is not set)."""
        if time.monotonic() - self._checked_at < self.check_every and (
            self._shipped or not self.required
        ):
            return self._shipped
        self._checked_at = time.monotonic()
        if self.required:
            ref = require_alias(self.client, self.settings.model_name, self.alias)
        elif (ref := alias_ref(self.client, self.settings.model_name, self.alias)) is None:
            self._shipped = None
            return None
        if self._shipped is None or self._shipped.ref != ref:
            self._shipped = self._ship(ref)
            log.info(
                "%s: %s version %s (threshold %.3f)",
                self.alias,
                ref.name,
                ref.version,
                ref.threshold,
            )
        return self._shipped

    def _ship(self, ref: ModelRef) -> ShippedModel:
        folder_name = f"{ref.name}-v{ref.version}"
        target = self.settings.data_dir / "models" / folder_name
        if not (target / "MLmodel").exists():
            target.mkdir(parents=True, exist_ok=True)
            mlflow.artifacts.download_artifacts(artifact_uri=ref.uri, dst_path=str(target))
        if self.settings.spark_master.startswith("local"):
            # Local workers share our disk: skip copying the model into every task's folder.
            return ShippedModel(ref, str(Path(target).resolve()))
        # Clusters take no local directories: ship a zip, which executors unpack on arrival
        # and SparkFiles.get() resolves to the unpacked folder.
        archive = Path(shutil.make_archive(str(target), "zip", root_dir=target))
        self.spark.sparkContext.addArchive(str(archive))
        return ShippedModel(ref, archive.name)
