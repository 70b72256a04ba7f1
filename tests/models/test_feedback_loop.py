"""The feedback loop, measured: 100 sales-team labels from a campaign the seed labels do not
cover, stored in the database and picked up by `train_and_register` as in production. Two
campaigns: food service (a sector the seed labels leave out) and a Swedish-speaking team's
property services (a language they do not have).

The protocol (split, storing feedback, scoring) is bench/feedback_loop.py's, loaded from its
file; model A is the session's champion (seed labels, quick candidate), model B the same
recipe retrained with the feedback in a store of its own.
"""

from __future__ import annotations

import importlib.util
import statistics
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import pytest
from sklearn.linear_model import LogisticRegression

from leadstream.settings import load_settings
from models.registry import connect
from training.labels import seed_labels, text_key
from training.split import near_duplicate_groups
from training.train import frozen_split, train_and_register

BENCH = Path(__file__).resolve().parents[2] / "bench" / "feedback_loop.py"
QUICK = {"logreg_c8": LogisticRegression(C=8.0, class_weight="balanced", max_iter=2000)}
MAX_FROZEN_DROP = 0.03
# Campaign F1 moves by about ±0.02 from one split to another: "no worse" allows for that noise.
NO_WORSE = 0.01


@pytest.fixture(scope="module")
def loop():
    """bench/feedback_loop.py as a module (bench/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("feedback_loop", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_feedback_split_is_seeded_stratified_and_keeps_near_duplicates_together(loop):
    rows = loop.campaign_rows()
    # Two near-copies of the first rows, so that whole groups must move together.
    copies = [replace(r, text=r.text + " again!") for r in rows[:2]]
    rows = rows + copies
    feedback, test = loop.feedback_split(rows, 100, seed=0)
    assert len(feedback) == 100 and len(feedback) + len(test) == len(rows)
    assert not {text_key(r.text) for r in feedback} & {text_key(r.text) for r in test}
    again, _ = loop.feedback_split(rows, 100, seed=0)
    other, _ = loop.feedback_split(rows, 100, seed=1)
    assert [r.text for r in again] == [r.text for r in feedback]
    assert [r.text for r in other] != [r.text for r in feedback]
    everyone = Counter((r.lang, r.label) for r in rows)
    chosen = Counter((r.lang, r.label) for r in feedback)
    for stratum, count in everyone.items():
        assert abs(chosen[stratum] - 100 * count / len(rows)) <= 1, stratum
    groups = near_duplicate_groups([r.text for r in rows]).tolist()
    assert groups[-2:] == groups[:2]  # the near-copies share their originals' groups
    in_feedback = {text_key(r.text) for r in feedback}
    sides = defaultdict(set)
    for row, group in zip(rows, groups, strict=True):
        sides[group].add(text_key(row.text) in in_feedback)
    assert all(len(side) == 1 for side in sides.values())


def retrain_with_feedback(
    loop, folder: Path, seed: int, campaign: str = "food-service"
) -> tuple[dict, object, list, list]:
    """Model B of one split: the split's 100 feedback rows stored in a fresh database and
    store, then `train_and_register` as in production. Returns (run, settings, feedback, test)."""
    rows = loop.campaign_rows(loop.CAMPAIGNS[campaign])
    feedback, test = loop.feedback_split(rows, 100, seed=seed)
    retrained = load_settings({"data_dir": folder / "var", "secret_key": "test-secret"}, env={})
    loop.record_feedback_rows(retrained, feedback, who="sales")
    trained = train_and_register(retrained, promote_if_first=True, candidates=QUICK)
    return trained, retrained, feedback, test


@pytest.fixture(scope="module")
def measured(loop, champion_settings, tmp_path_factory) -> dict:
    """Model A (the champion) and model B (retrained with 100 feedback labels), scored on the
    campaign's test set and on the frozen seed evaluation set."""
    folder = tmp_path_factory.mktemp("feedback-loop")
    trained, retrained, feedback, test = retrain_with_feedback(loop, folder, seed=0)
    client = connect(retrained.mlflow_tracking_uri, retrained.mlflow_artifact_root)
    _, frozen = frozen_split(seed_labels())
    parts = {"campaign": test, "frozen": frozen, "feedback": feedback}
    figures = {
        "params": client.get_run(trained["run_id"]).data.params,
        "A": {part: loop.model_quality(champion_settings, rows) for part, rows in parts.items()},
        "B": {part: loop.model_quality(retrained, rows) for part, rows in parts.items()},
    }
    for model in ("A", "B"):
        print(model, {part: {k: q[k] for k in loop.SHOWN} for part, q in figures[model].items()})
    return figures


@pytest.fixture(scope="module")
def campaign_gains(loop, champion_settings, measured, tmp_path_factory) -> list[float]:
    """Campaign F1 of B minus A on splits 0, 1 and 2: one split's figure moves by several
    hundredths with the draw (bench/feedback_loop.py --repeats 5 shows how much)."""
    gains = [measured["B"]["campaign"]["f1"] - measured["A"]["campaign"]["f1"]]
    for seed in (1, 2):
        folder = tmp_path_factory.mktemp(f"feedback-loop-{seed}")
        _, retrained, _, test = retrain_with_feedback(loop, folder, seed)
        a, b = (loop.model_quality(s, test)["f1"] for s in (champion_settings, retrained))
        gains.append(b - a)
    print("campaign F1 gains", [round(g, 3) for g in gains])
    return gains


@pytest.mark.slow
def test_feedback_in_the_database_is_learnt_without_losing_ground(measured):
    a, b = measured["A"], measured["B"]
    assert measured["params"]["feedback_rows"] == "100"
    # B has learnt its own feedback: it now ranks and decides those tweets far better.
    assert b["feedback"]["f1"] >= a["feedback"]["f1"] + 0.1
    assert b["feedback"]["pr_auc"] >= a["feedback"]["pr_auc"] + 0.05
    # On the campaign's unseen tweets B is no worse than A, and on the frozen seed set it
    # loses at most MAX_FROZEN_DROP of F1 (`leadstream promote` itself allows only 0.01).
    assert b["campaign"]["f1"] >= a["campaign"]["f1"] - NO_WORSE
    assert b["campaign"]["pr_auc"] >= a["campaign"]["pr_auc"] - NO_WORSE
    assert b["frozen"]["f1"] >= a["frozen"]["f1"] - MAX_FROZEN_DROP


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="measured: the seed-only model already reaches campaign F1 0.838 (PR-AUC 0.961) "
    "and 100 feedback labels raise it by +0.029 on average (quick candidate, splits 0-2: "
    "+0.041, +0.019, +0.027; bench/feedback_loop.py)",
)
def test_feedback_lifts_f1_on_the_unseen_campaign_clearly(campaign_gains):
    assert statistics.fmean(campaign_gains) >= 0.05


@pytest.fixture(scope="module")
def swedish(loop, champion_settings, tmp_path_factory) -> list[dict]:
    """A and B on the Swedish campaign's test set and B on the frozen set, splits 0 and 1."""
    _, frozen = frozen_split(seed_labels())
    splits = []
    for seed in (0, 1):
        folder = tmp_path_factory.mktemp(f"feedback-swedish-{seed}")
        _, retrained, _, test = retrain_with_feedback(loop, folder, seed, "swedish")
        splits.append(
            {
                "A": loop.model_quality(champion_settings, test),
                "B": loop.model_quality(retrained, test),
                "frozen B": loop.model_quality(retrained, frozen),
            }
        )
    print("swedish", [{m: {k: q[k] for k in loop.SHOWN} for m, q in s.items()} for s in splits])
    return splits


@pytest.mark.slow
def test_feedback_teaches_a_language_the_seed_labels_lack(champion_settings, loop, swedish):
    # Swedish has no seed labels: the seed-only model keeps almost none of the team's leads,
    # and 100 of their labels make the retrained model find a good share of them.
    for split in swedish:
        assert split["B"]["f1"] >= split["A"]["f1"] + 0.2
        assert split["B"]["pr_auc"] >= split["A"]["pr_auc"] + 0.1
    # What it learnt in Swedish costs the seed languages little.
    _, frozen = frozen_split(seed_labels())
    frozen_a = loop.model_quality(champion_settings, frozen)["f1"]
    assert min(s["frozen B"]["f1"] for s in swedish) >= frozen_a - MAX_FROZEN_DROP
