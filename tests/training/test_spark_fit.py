"""Spark MLlib training: one CLI run on a slice of the seed labels, served as the usual pyfunc."""

from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
import orjson
import pandas as pd
import pytest
import scipy.sparse as sp
from click.testing import CliRunner
from pyspark.ml import PipelineModel
from pyspark.ml.functions import vector_to_array

from leadstream.cli import cli
from leadstream.settings import load_settings
from models.features import Featurizer
from models.registry import connect
from training.labels import seed_labels
from training.metrics import quality
from training.spark_fit import CANDIDATES, TweetFeatures, sparse_rows

SUBSET = 400
BUYING = "Our warehouse roof is leaking again. Can anyone recommend a reliable roofer near Leeds?"
CHATTER = "Lovely sunny morning, off to walk the dog in the park before the football."


def write_seed_subset(folder: Path, size: int, seed: int = 11) -> Path:
    """A seeded sample of the bundled seed labels, stratified by label, as one JSONL file."""
    rows = seed_labels()
    rng = np.random.default_rng(seed)
    positives = [i for i, r in enumerate(rows) if r.label == 1]
    negatives = [i for i, r in enumerate(rows) if r.label == 0]
    wanted = round(size * len(positives) / len(rows))
    chosen = [
        *rng.choice(positives, wanted, replace=False),
        *rng.choice(negatives, size - wanted, replace=False),
    ]
    folder.mkdir(parents=True)
    with (folder / "subset.jsonl").open("wb") as handle:
        for i in sorted(chosen):
            row = rows[i]
            item = {"text": row.text, "label": row.label, "lang": row.lang}
            handle.write(orjson.dumps({**item, "campaign": row.campaign}) + b"\n")
    return folder


def spark_scores(spark, pipeline, rows) -> np.ndarray:
    """The Spark pipeline's buying-signal probability of each row, in row order."""
    tweets = pd.DataFrame(
        {"order": range(len(rows)), "text": [r.text for r in rows], "lang": [r.lang for r in rows]}
    )
    frame = spark.createDataFrame(tweets, "order LONG, text STRING, lang STRING")
    scored = pipeline.transform(frame).select(
        "order", vector_to_array("probability")[1].alias("score")
    )
    return scored.toPandas().sort_values("order")["score"].to_numpy()


@pytest.fixture(scope="module")
def trained(spark, tmp_path_factory):
    """`leadstream train --engine spark --promote`, once, on 400 seed labels: settings, JSON."""
    folder = tmp_path_factory.mktemp("spark-train")
    seeds = write_seed_subset(folder / "seeds", SUBSET)
    data_dir = folder / "var"
    outcome = CliRunner().invoke(
        cli,
        ["--data-dir", str(data_dir), "train", "--engine", "spark"]
        + ["--seed-dir", str(seeds), "--promote"],
    )
    assert outcome.exit_code == 0, outcome.output
    settings = load_settings({"data_dir": data_dir}, env={})
    return settings, orjson.loads(outcome.stdout.strip().splitlines()[-1])


@pytest.mark.spark
def test_cli_trains_and_registers_version_1_tagged_spark(trained):
    settings, result = trained
    assert result["version"] == "1"
    assert result["engine"] == "spark"
    assert result["candidate"] in CANDIDATES
    assert result["promoted"] == settings.model_alias
    assert set(result["held_out"]) == set(quality(np.array([0, 1]), np.array([0.2, 0.8]), 0.5))
    client = connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
    version = client.get_model_version(settings.model_name, "1")
    assert version.tags["engine"] == "spark"
    assert float(version.tags["threshold"]) == pytest.approx(result["held_out"]["threshold"], 1e-3)
    champion = client.get_model_version_by_alias(settings.model_name, settings.model_alias)
    assert str(champion.version) == "1"
    run = client.get_run(result["run_id"])
    assert run.data.params["engine"] == "spark"
    assert run.data.params["candidate"] == result["candidate"]
    assert "test_pr_auc" in run.data.metrics
    logged = {a.path for a in client.list_artifacts(result["run_id"])}
    assert {"spark-pipeline", "pr_curve.png", "confusion_matrix.json"} <= logged


@pytest.mark.spark
def test_registered_pyfunc_ranks_a_buying_signal_above_chatter(trained):
    settings, _ = trained
    connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
    model = mlflow.pyfunc.load_model(f"models:/{settings.model_name}/1")
    scored = model.predict(pd.DataFrame({"text": [BUYING, CHATTER], "lang": ["en", "en"]}))
    assert scored["score"][0] > scored["score"][1]
    assert set(scored.columns) == {"score", "is_lead", "reasons"}


@pytest.mark.spark
def test_copied_weights_reproduce_spark_probabilities(trained, spark):
    settings, result = trained
    connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
    folder = mlflow.artifacts.download_artifacts(
        run_id=result["run_id"], artifact_path="spark-pipeline"
    )
    pipeline = PipelineModel.load(folder)
    model = mlflow.pyfunc.load_model(f"models:/{settings.model_name}/1")
    classifier = model.unwrap_python_model().classifier
    slicer, spark_model = pipeline.stages[-2:]
    weights = classifier.estimator.coef_.ravel()
    assert np.array_equal(weights[slicer.getIndices()], spark_model.coefficients.toArray())
    assert np.count_nonzero(weights) <= len(slicer.getIndices())
    assert classifier.estimator.intercept_[0] == spark_model.intercept
    rows = seed_labels()[::40]  # every language and campaign, most not seen in training
    expected = spark_scores(spark, pipeline, rows)
    got = classifier.scores([r.text for r in rows], [r.lang for r in rows])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)


def test_sparse_rows_sorts_and_sums_indices_for_spark():
    matrix = sp.csr_matrix(
        (np.array([1.0, 2.0, 3.0, 4.0]), np.array([5, 1, 5, 0]), np.array([0, 3, 3, 4])),
        shape=(3, 8),
    )
    vectors = sparse_rows(matrix)
    assert [v.indices.tolist() for v in vectors] == [[1, 5], [], [0]]
    assert [v.values.tolist() for v in vectors] == [[2.0, 4.0], [], [4.0]]
    assert all(v.size == 8 for v in vectors)


@pytest.mark.spark
def test_a_saved_stage_reads_back_as_fitted_and_an_older_one_without_the_meaning_block(
    spark, tmp_path
):
    stage = TweetFeatures.of(Featurizer())
    stage.write().save(str(tmp_path / "today"))
    loaded = TweetFeatures.load(str(tmp_path / "today"))
    assert loaded.getOrDefault(loaded.meaningWeight) == 1.0
    assert loaded.getOrDefault(loaded.meaningDimensions) == 128
    assert loaded.getOrDefault(loaded.meaningPrior) == 16.0
    # A stage saved before the meaning params existed has none of them in its metadata.
    (metadata,) = (tmp_path / "today" / "metadata").glob("part-*")
    saved = orjson.loads(metadata.read_bytes())
    for params in (saved["paramMap"], saved["defaultParamMap"]):
        params.pop("meaningWeight", None)
        params.pop("meaningDimensions", None)
        params.pop("meaningPrior", None)
    metadata.write_bytes(orjson.dumps(saved))
    for checksum in metadata.parent.glob(".*.crc"):  # Hadoop's checksums of the old bytes
        checksum.unlink()
    older = TweetFeatures.load(str(tmp_path / "today"))
    assert older.getOrDefault(older.meaningWeight) == 0.0
    assert older.getOrDefault(older.meaningDimensions) == 0
    assert older.getOrDefault(older.meaningPrior) == 0.0
