"""train -> register -> promote -> rollback against a real MLflow store in a temporary folder."""

from __future__ import annotations

import orjson
import pytest
from sklearn.linear_model import LogisticRegression

from leadstream.errors import LeadstreamError
from models.registry import alias_ref, connect
from training.labels import SEED_DIR
from training.promotion import alias_changes, list_models, promote, rollback
from training.train import train_and_register

QUICK = {"logreg_c8": LogisticRegression(C=8.0, class_weight="balanced", max_iter=2000)}


@pytest.fixture
def small_seed(tmp_path):
    """A deliberately poor seed set: 40 labels, so its model is worse than the full one."""
    folder = tmp_path / "small_seed"
    folder.mkdir()
    rows = (SEED_DIR / "en_mixed.jsonl").read_bytes().splitlines()[:40]
    (folder / "small.jsonl").write_bytes(b"\n".join(rows) + b"\n")
    return folder


def test_train_register_promote_refuse_force_and_roll_back(settings, small_seed):
    first = train_and_register(settings, promote_if_first=True, candidates=QUICK)
    assert (first["version"], first["promoted"]) == ("1", "champion")
    assert first["held_out"]["n"] > 300 and 0 < first["held_out"]["threshold"] < 1

    second = train_and_register(settings, candidates=QUICK)
    assert "promoted" not in second  # a champion exists: training never promotes by itself
    result = promote(settings, second["version"], actor="tester")
    assert (result["promoted"], result["previous"], result["worse"]) == ("2", "1", [])

    client = connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
    poor = train_and_register(settings, seed_dir=small_seed, candidates=QUICK)
    with pytest.raises(LeadstreamError, match="not promoted: .* on the frozen evaluation set"):
        promote(settings, poor["version"], actor="tester")
    assert alias_ref(client, settings.model_name, "champion").version == "2"

    forced = promote(settings, poor["version"], actor="tester", force=True)
    assert forced["worse"] and alias_ref(client, settings.model_name, "champion").version == "3"

    assert rollback(settings, actor="tester") == {"rolled_back_from": "3", "champion": "2"}
    assert rollback(settings, actor="tester") == {"rolled_back_from": "2", "champion": "1"}
    with pytest.raises(LeadstreamError, match="no earlier champion"):
        rollback(settings, actor="tester")

    history = alias_changes(settings)
    assert [(h["action"], h["version"]) for h in history] == [
        ("bootstrap", "1"),
        ("promote", "2"),
        ("force-promote", "3"),
        ("rollback", "2"),
        ("rollback", "1"),
    ]
    assert all(h["actor"] in ("train", "tester") for h in history)
    assert orjson.loads(history[2]["metrics"])["worse"]
    listed = {row["version"]: row for row in list_models(settings)}
    assert listed["1"]["aliases"] == ["champion"] and listed["3"]["engine"] == "sklearn"


def test_feedback_wins_and_never_leaks_into_the_frozen_set(settings):
    from leadstream.storage.engine import init_db, make_engine
    from leadstream.storage.feedback import FeedbackLabel, record_feedback
    from training.labels import seed_labels, text_key
    from training.train import frozen_split, training_rows

    seed_train, frozen = frozen_split(seed_labels())
    flipped, held = seed_train[0], frozen[0]
    engine = make_engine(settings.database_url)
    init_db(engine)
    record_feedback(engine, FeedbackLabel("a", flipped.text, 1 - flipped.label, "sales"))
    record_feedback(engine, FeedbackLabel("b", held.text, 1 - held.label, "sales"))
    rows, frozen_again = training_rows(settings)
    by_text = {text_key(r.text): r for r in rows}
    assert by_text[text_key(flipped.text)].label == 1 - flipped.label
    assert by_text[text_key(flipped.text)].source == "feedback"
    assert text_key(held.text) not in by_text
    assert [r.text for r in frozen_again] == [r.text for r in frozen]
    assert len(rows) == len(seed_train)
