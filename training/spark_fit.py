"""`leadstream train --engine spark`: featurise and fit with Spark MLlib, serve the same pyfunc.

The Featurizer runs in Spark's Python workers (mapInPandas) and LogisticRegression fits in the
JVM, so neither the feature matrix nor the optimisation has to fit on one machine. The fitted
weights are copied into a scikit-learn LogisticRegression inside the usual
BuyingSignalClassifier, because the scorer applies a pyfunc where no SparkSession exists.

Usage:
    leadstream --data-dir var train --engine spark
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import scipy.sparse as sp
from pyspark import keyword_only
from pyspark.ml import Pipeline, PipelineModel, Transformer
from pyspark.ml.classification import LogisticRegression, LogisticRegressionModel
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import VectorSlicer
from pyspark.ml.functions import vector_to_array
from pyspark.ml.linalg import SparseVector, VectorUDT
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.stat import Summarizer
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructField, StructType
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from leadstream.errors import LeadstreamError
from leadstream.settings import Settings
from leadstream.spark import spark_session
from models.classifier import BuyingSignalClassifier
from models.features import Featurizer
from models.registry import connect
from training.fit import FitResult, choose_threshold
from training.labels import LabelledTweet
from training.split import holdout_split, near_duplicate_groups
from training.train import log_and_register, publish, training_rows

log = logging.getLogger(__name__)

# regParam scales a loss averaged over (weighted) rows, unlike scikit-learn's C which scales a
# summed loss: 1e-5 on ~1,900 seed rows is about C=50 there. Each candidate costs a full fit.
CANDIDATES = {
    "spark_l2_3e-6": {"regParam": 3e-6, "elasticNetParam": 0.0},
    "spark_l2_3e-5": {"regParam": 3e-5, "elasticNetParam": 0.0},
    "spark_elastic_1e-5": {"regParam": 1e-5, "elasticNetParam": 0.1},
}
# On the seed labels validation areaUnderPR was no better after 200 L-BFGS steps than after
# 100, and each step is a Spark job.
MAX_ITER, TOLERANCE = 100, 1e-4
CHECKED_ROWS = 32  # rows on which the copied weights must reproduce Spark's probabilities
_FEATURIZERS: dict[tuple, Featurizer] = {}  # per Python worker: spaCy set-up is paid once


@dataclass(frozen=True)
class SparkFit:
    """The common classifier with how it was chosen, and the Spark pipeline it came from."""

    fitted: FitResult
    pipeline: PipelineModel
    params: dict


class TweetFeatures(Transformer, DefaultParamsReadable, DefaultParamsWritable):
    """Spark stage: the classifier's Featurizer over `text` and `lang`, as a `features` vector."""

    wordFeatures = Param(
        Params._dummy(), "wordFeatures", "hashed word n-gram columns", TypeConverters.toInt
    )
    charFeatures = Param(
        Params._dummy(), "charFeatures", "hashed char n-gram columns", TypeConverters.toInt
    )
    denseWeight = Param(
        Params._dummy(), "denseWeight", "weight of cue features", TypeConverters.toFloat
    )
    meaningWeight = Param(
        Params._dummy(), "meaningWeight", "weight of word-piece meaning", TypeConverters.toFloat
    )
    meaningDimensions = Param(
        Params._dummy(),
        "meaningDimensions",
        "principal axes of the word-piece table (0: all its dimensions)",
        TypeConverters.toInt,
    )
    meaningPrior = Param(
        Params._dummy(),
        "meaningPrior",
        "pieces a tweet's meaning needs to count fully (0: every tweet counts fully)",
        TypeConverters.toFloat,
    )

    # A param's default is what stages saved before it existed did: no meaning block, then the
    # whole table. `of` sets every param, so a stage saved today reads back as it was fitted.
    @keyword_only
    def __init__(
        self,
        *,
        wordFeatures=2**18,
        charFeatures=2**18,
        denseWeight=0.5,
        meaningWeight=0.0,
        meaningDimensions=0,
        meaningPrior=0.0,
    ) -> None:
        super().__init__()
        self._setDefault(
            wordFeatures=2**18,
            charFeatures=2**18,
            denseWeight=0.5,
            meaningWeight=0.0,
            meaningDimensions=0,
            meaningPrior=0.0,
        )
        self._set(**self._input_kwargs)

    @classmethod
    def of(cls, featurizer: Featurizer) -> TweetFeatures:
        """The stage computing exactly this featurizer's columns."""
        return cls(
            wordFeatures=featurizer.word_features,
            charFeatures=featurizer.char_features,
            denseWeight=featurizer.dense_weight,
            meaningWeight=featurizer.meaning_weight,
            # The workers compute the same axes: they are signed the same way on every machine,
            # and check_conversion compares the workers' features with the driver's.
            meaningDimensions=(
                featurizer.meaning_projection.dimensions if featurizer.meaning_projection else 0
            ),
            meaningPrior=featurizer.meaning_prior,
        )

    def _transform(self, dataset: DataFrame) -> DataFrame:
        sizes = tuple(self.getOrDefault(p) for p in (self.wordFeatures, self.charFeatures))
        weights = tuple(self.getOrDefault(p) for p in (self.denseWeight, self.meaningWeight))
        dimensions = self.getOrDefault(self.meaningDimensions) or None
        prior = self.getOrDefault(self.meaningPrior)

        def featurise(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            featurizer = _featurizer(*sizes, *weights, dimensions, prior)
            for frame in frames:
                if frame.empty:  # the Featurizer's dense block cannot be built from no rows
                    continue
                texts = frame["text"].fillna("").astype(str).tolist()
                matrix = featurizer.transform(texts, frame["lang"].tolist())
                yield frame.assign(features=sparse_rows(matrix))

        # A new StructType: schema.add would change the input DataFrame's own schema object.
        schema = StructType([*dataset.schema.fields, StructField("features", VectorUDT())])
        return dataset.mapInPandas(featurise, schema)


def _featurizer(
    word_features: int,
    char_features: int,
    dense_weight: float,
    meaning_weight: float,
    meaning_dimensions: int | None,
    meaning_prior: float,
) -> Featurizer:
    """This worker's Featurizer of the given sizes and weights, built once."""
    key = (
        word_features,
        char_features,
        dense_weight,
        meaning_weight,
        meaning_dimensions,
        meaning_prior,
    )
    if key not in _FEATURIZERS:
        _FEATURIZERS[key] = Featurizer(
            word_features,
            char_features,
            dense_weight,
            meaning_weight=meaning_weight,
            meaning_dimensions=meaning_dimensions,
            meaning_prior=meaning_prior,
        )
    return _FEATURIZERS[key]


def sparse_rows(matrix: sp.csr_matrix) -> list[SparseVector]:
    """One Spark SparseVector per CSR row (Spark wants strictly increasing indices)."""
    matrix = matrix.tocsr()
    matrix.sum_duplicates()
    size, bounds = matrix.shape[1], zip(matrix.indptr[:-1], matrix.indptr[1:], strict=True)
    return [SparseVector(size, matrix.indices[a:b], matrix.data[a:b]) for a, b in bounds]


def used_columns(features: DataFrame) -> VectorSlicer:
    """A stage keeping only the feature columns that some training row uses.

    The others would get zero weight anyway; leaving them out shrinks the vector that every
    optimiser step broadcasts and aggregates from half a million weights to tens of thousands.
    """
    counts = features.select(Summarizer.numNonZeros(F.col("features"))).first()[0]
    used = np.flatnonzero(counts.toArray()).tolist()
    return VectorSlicer(inputCol="features", outputCol="used_features", indices=used)


def to_sklearn(slicer: VectorSlicer, model: LogisticRegressionModel, width: int):
    """A scikit-learn LogisticRegression computing the same probabilities as the Spark model,
    on the Featurizer's full `width` columns.

    Only coef_, intercept_ and classes_ matter; its hyperparameters were never used to fit.
    """
    weights = np.zeros(width)
    weights[slicer.getIndices()] = model.coefficients.toArray()
    estimator = SkLogisticRegression()
    estimator.coef_ = weights.reshape(1, -1)
    estimator.intercept_ = np.array([model.intercept])
    estimator.classes_ = np.array([0, 1])
    estimator.n_features_in_ = width
    return estimator


def label_frame(spark: SparkSession, rows: list[LabelledTweet], validation: np.ndarray):
    """The training rows as a DataFrame with balanced class weights and the validation flag."""
    labels = np.array([r.label for r in rows], dtype=float)
    share = labels.mean()
    # Balanced weights, as scikit-learn's class_weight="balanced": each class weighs half.
    weights = np.where(labels == 1, 0.5 / share, 0.5 / (1 - share))
    frame = pd.DataFrame(
        {
            "row": np.arange(len(rows)),
            "text": [r.text for r in rows],
            "lang": [r.lang for r in rows],
            "label": labels,
            "weight": weights,
            "validation": validation,
        }
    )
    schema = "row LONG, text STRING, lang STRING, label DOUBLE, weight DOUBLE, validation BOOLEAN"
    return spark.createDataFrame(frame, schema)


def _logreg(params: dict) -> LogisticRegression:
    # Hashed text columns are not standardised, as in scikit-learn: rare n-grams would
    # otherwise be blown up to unit variance.
    return LogisticRegression(
        featuresCol="used_features",
        weightCol="weight",
        standardization=False,
        maxIter=MAX_ITER,
        tol=TOLERANCE,
        family="binomial",
        **params,
    )


def _scores(model: PipelineModel, features: DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Labels and buying-signal probabilities of the rows, collected to the driver."""
    scored = model.transform(features).select(
        "label", vector_to_array("probability")[1].alias("score")
    )
    pairs = scored.toPandas()
    return pairs["label"].to_numpy(dtype=int), pairs["score"].to_numpy()


def fit_spark(
    spark: SparkSession,
    rows: list[LabelledTweet],
    validation: np.ndarray,
    precision_target: float,
    candidates: dict | None = None,
) -> SparkFit:
    """Choose regParam/elasticNetParam by validation areaUnderPR, set the threshold on those
    validation scores, refit on every row and convert to the common classifier."""
    candidates = candidates or CANDIDATES
    featurizer = Featurizer()
    stage = TweetFeatures.of(featurizer)
    # Featurised once and cached: every candidate fit and the refit read the same vectors.
    labelled = label_frame(spark, rows, validation)
    features = stage.transform(labelled).drop("text", "lang").cache()
    slicer = used_columns(features)
    fit_part = features.filter(~F.col("validation"))
    validation_part = features.filter(F.col("validation"))
    evaluator = BinaryClassificationEvaluator(metricName="areaUnderPR")
    models = {
        name: Pipeline(stages=[slicer, _logreg(params)]).fit(fit_part)
        for name, params in candidates.items()
    }
    pr_auc = {
        name: float(evaluator.evaluate(m.transform(validation_part))) for name, m in models.items()
    }
    best = max(pr_auc, key=pr_auc.get)
    log.info("validation areaUnderPR %s; chose %s", pr_auc, best)
    labels, scores = _scores(models[best], validation_part)
    threshold = choose_threshold(labels, scores, precision_target)
    final = Pipeline(stages=[slicer, _logreg(candidates[best])]).fit(features)
    estimator = to_sklearn(slicer, final.stages[-1], featurizer.width)
    classifier = BuyingSignalClassifier(featurizer, estimator, threshold)
    check_conversion(final, features, classifier, rows)
    features.unpersist()
    pipeline = PipelineModel(stages=[stage, *final.stages])
    params = {"spark_max_iter": MAX_ITER, "spark_used_columns": len(slicer.getIndices())}
    params.update({f"spark_{k}": v for k, v in candidates[best].items()})
    return SparkFit(FitResult(classifier, best, pr_auc, scores), pipeline, params)


def check_conversion(
    model: PipelineModel, features: DataFrame, classifier, rows: list[LabelledTweet]
) -> None:
    """Fail loudly unless the classifier to be registered, featurising on the driver,
    reproduces the Spark model's probabilities on rows the workers featurised."""
    picked = list(range(0, len(rows), max(1, len(rows) // CHECKED_ROWS)))
    sample = features.filter(F.col("row").isin(picked))
    scored = model.transform(sample).select("row", vector_to_array("probability")[1].alias("p"))
    expected = scored.toPandas().sort_values("row")["p"].to_numpy()
    got = classifier.scores([rows[i].text for i in picked], [rows[i].lang for i in picked])
    gap = float(np.max(np.abs(expected - got))) if picked else 0.0
    if gap > 1e-6:
        raise LeadstreamError(f"Spark model conversion is off by {gap:.2e}; do not register it")


def train_and_register_spark(
    settings: Settings,
    seed_dir: Path | None = None,
    promote_if_first: bool = False,
    extra_rows: list[LabelledTweet] | None = None,
) -> dict:
    """Fit with Spark MLlib, judge on the frozen set, log to MLflow, register a version."""
    client = connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
    rows, frozen = training_rows(settings, seed_dir, extra_rows)
    labels = np.array([r.label for r in rows])
    _, validation_idx = holdout_split(labels, near_duplicate_groups([r.text for r in rows]))
    validation = np.isin(np.arange(len(rows)), validation_idx)
    spark = spark_session(settings, app_name="leadstream-training")
    with mlflow.start_run(run_name="train-spark") as run:
        fit = fit_spark(spark, rows, validation, settings.precision_target)
        mlflow.log_params({**fit.params, "validation_rows": int(validation.sum())})
        with tempfile.TemporaryDirectory() as folder:
            # For reference and for Spark batch jobs; the scorer serves the pyfunc below.
            fit.pipeline.write().overwrite().save(Path(folder).as_uri() + "/spark-pipeline")
            mlflow.log_artifacts(str(Path(folder) / "spark-pipeline"), "spark-pipeline")
        version, held_out = log_and_register(settings, fit.fitted, rows, frozen, "spark")
    return publish(
        settings, client, run.info.run_id, "spark", fit.fitted, version, held_out, promote_if_first
    )
