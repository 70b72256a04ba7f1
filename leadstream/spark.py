"""The Spark session of Leadstream: local[*] by default, a cluster when the master says so."""

from __future__ import annotations

import os
import sys

from pyspark.sql import SparkSession

from leadstream.java import ensure_java
from leadstream.settings import Settings


def spark_session(settings: Settings, app_name: str = "leadstream-scoring") -> SparkSession:
    """Start (or reuse) a Spark session configured for the scorer."""
    ensure_java(settings.data_dir / "java")
    # Workers must run the interpreter that has Leadstream and its model code installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.appName(app_name)
        .master(settings.spark_master)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "5000")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", os.environ.get("LEADSTREAM_SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.sql.streaming.stopGracefullyOnShutdown", "true")
        .config("spark.local.dir", str(settings.data_dir / "spark-tmp"))
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark
