"""The classifier as an MLflow pyfunc model: a `text` column in, score and reasons out."""

from __future__ import annotations

import joblib
import mlflow.pyfunc
import orjson
import pandas as pd
from mlflow.models import ModelSignature
from mlflow.types import ColSpec, Schema

ARTIFACT = "classifier"
INPUT_SCHEMA = Schema([ColSpec("string", "text"), ColSpec("string", "lang", required=False)])
OUTPUT_SCHEMA = Schema(
    [ColSpec("double", "score"), ColSpec("boolean", "is_lead"), ColSpec("string", "reasons")]
)
SIGNATURE = ModelSignature(inputs=INPUT_SCHEMA, outputs=OUTPUT_SCHEMA)
INPUT_EXAMPLE = pd.DataFrame(
    {
        "text": [
            "Third forklift breakdown this month. Anyone know a decent rental firm near Leeds?",
            "Wir suchen einen Dachdecker für unsere Lagerhalle, bitte um Angebote",
        ],
        "lang": ["en", "de"],
    }
)


class BuyingSignalModel(mlflow.pyfunc.PythonModel):
    """Loads the fitted classifier from its artifact and scores a DataFrame of tweets."""

    def load_context(self, context) -> None:
        """Load the pickled classifier once per process."""
        self.classifier = joblib.load(context.artifacts[ARTIFACT])

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        """One row per tweet: score, whether it clears the threshold, and reasons as JSON."""
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        texts = frame["text"].fillna("").astype(str).tolist()
        langs = frame["lang"].tolist() if "lang" in frame else None
        scores, reasons = self.classifier.score_and_explain(texts, langs)
        return pd.DataFrame(
            {
                "score": scores.astype(float),
                "is_lead": scores >= self.classifier.threshold,
                "reasons": [orjson.dumps(r).decode() for r in reasons],
            }
        )
