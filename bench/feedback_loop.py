"""Does feedback pay? 100 labels from a campaign the model never saw, before and after retraining.

Usage:
    python bench/feedback_loop.py                     # one split, the default candidates
    python bench/feedback_loop.py --repeats 5         # five split seeds, mean ± std
    python bench/feedback_loop.py --quick --out /tmp/feedback.json
    python bench/feedback_loop.py --campaign swedish --quick --repeats 5
    python bench/feedback_loop.py --help

Campaigns: `food-service` (bench/data/feedback_campaign.jsonl, the default), a sector the seed
labels leave out, in English, German and Finnish; `swedish` (feedback_campaign_sv.jsonl), a
Swedish-speaking team selling property and workplace services, in a language the seed labels
do not have at all. `--campaign` also takes the path of any labelled JSONL file.

Protocol: the labelled campaign is split by a seeded, near-duplicate-grouped draw stratified by
language and label into 100 feedback rows and the campaign's test set. Model A learns from the
seed labels only; model B from the seed labels plus the 100 rows, written to B's database as
the sales team's feedback labels, so `train_and_register` finds them as it does in production.
Each model has its own MLflow store and database in a work folder, is scored through its
registered pyfunc at its own threshold, on the campaign test set and on the frozen seed
evaluation set (to show that nothing else regressed). Model A does not depend on the split: it
is trained once.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import orjson
from sklearn.linear_model import LogisticRegression

from leadstream.settings import Settings, load_settings
from leadstream.storage.engine import init_db, make_engine
from leadstream.storage.feedback import FeedbackLabel, record_feedback
from training import train as training_train
from training.evaluate import load_scoring_model, score_rows
from training.labels import LabelledTweet, read_jsonl_labels, seed_labels, text_key
from training.metrics import quality
from training.split import near_duplicate_groups
from training.train import frozen_split, train_and_register

DATA = Path(__file__).resolve().parent / "data"
CAMPAIGNS = {
    "food-service": DATA / "feedback_campaign.jsonl",
    "swedish": DATA / "feedback_campaign_sv.jsonl",
}
CAMPAIGN = CAMPAIGNS["food-service"]
FEEDBACK_SIZE = 100
QUICK = {"logreg_c8": LogisticRegression(C=8.0, class_weight="balanced", max_iter=2000)}
SHOWN = ("n", "precision", "recall", "f1", "pr_auc")
MODELS = {"A": "A seed only", "B": "B + feedback"}


def campaign_path(name: str) -> Path:
    """A named benchmark campaign's file, or the path given (which must exist)."""
    path = CAMPAIGNS.get(name, Path(name))
    if not path.is_file():
        choices = ", ".join(CAMPAIGNS)
        raise argparse.ArgumentTypeError(f"no campaign {name!r}: give one of {choices} or a file")
    return path


def campaign_rows(path: Path = CAMPAIGN) -> list[LabelledTweet]:
    """The labelled campaign tweets, each keeping its id in `extra`."""
    return read_jsonl_labels(path, source="feedback")


def _quotas(strata: Counter, size: int) -> dict:
    """Rows per stratum in proportion to its share (largest remainders), summing to size."""
    total = sum(strata.values())
    exact = {s: size * n / total for s, n in strata.items()}
    quotas = {s: int(share) for s, share in exact.items()}
    by_remainder = sorted(exact, key=lambda s: (quotas[s] - exact[s], str(s)))
    for stratum in by_remainder[: size - sum(quotas.values())]:
        quotas[stratum] += 1
    return quotas


def feedback_split(
    rows: list[LabelledTweet], size: int = FEEDBACK_SIZE, seed: int = 0
) -> tuple[list[LabelledTweet], list[LabelledTweet]]:
    """(feedback rows, test rows): whole near-duplicate groups in a seeded order, taken while
    every (language, label) stratum stays within its proportional quota."""
    groups = near_duplicate_groups([r.text for r in rows])
    strata = [(r.lang or "", r.label) for r in rows]
    quotas = _quotas(Counter(strata), size)
    members: dict[int, list[int]] = defaultdict(list)
    for index, group in enumerate(groups.tolist()):
        members[group].append(index)
    order = sorted(members)
    random.Random(seed).shuffle(order)
    taken: Counter = Counter()
    chosen: set[int] = set()
    for group in order:
        need = Counter(strata[i] for i in members[group])
        if all(taken[s] + n <= quotas[s] for s, n in need.items()):
            taken.update(need)
            chosen.update(members[group])
    feedback = [r for i, r in enumerate(rows) if i in chosen]
    return feedback, [r for i, r in enumerate(rows) if i not in chosen]


def record_feedback_rows(
    settings: Settings, rows: list[LabelledTweet], who: str = "bench"
) -> None:
    """Store the rows as the sales team's feedback labels in the settings' database."""
    engine = make_engine(settings.database_url)
    init_db(engine)
    for row in rows:
        tweet_id = row.extra.get("id") or hashlib.sha1(text_key(row.text).encode()).hexdigest()
        record_feedback(
            engine,
            FeedbackLabel(tweet_id, row.text, row.label, who, row.lang, row.campaign),
        )
    engine.dispose()


def model_quality(settings: Settings, rows: list[LabelledTweet], uri: str | None = None) -> dict:
    """A registered model's figures on labelled rows, at the model's own threshold."""
    model, threshold = load_scoring_model(settings, uri)
    return quality(np.array([r.label for r in rows]), score_rows(model, rows), threshold)


def work_settings(folder: Path, precision_target: float) -> Settings:
    """Settings on a private folder: its own SQLite database and MLflow store, no environment
    (a LEADSTREAM_DATABASE_URL must never receive the bench's feedback labels)."""
    overrides = {"data_dir": folder, "precision_target": precision_target}
    return load_settings(overrides, env={})


def train(settings: Settings, candidates: dict | None) -> dict:
    """Train on the seed labels plus whatever feedback the database holds; make it champion."""
    return train_and_register(settings, promote_if_first=True, candidates=candidates)


def one_split(args, work: Path, seed: int, model_a: Settings, frozen: list[LabelledTweet]) -> dict:
    """Train B on one split's feedback and judge A and B on that split's campaign test set."""
    feedback, test = feedback_split(campaign_rows(args.campaign), args.feedback_size, seed)
    model_b = work_settings(work / f"feedback-{seed}", args.precision_target)
    record_feedback_rows(model_b, feedback)
    trained = train(model_b, QUICK if args.quick else None)
    return {
        "split_seed": seed,
        "feedback_rows": len(feedback),
        "feedback_positives": sum(r.label for r in feedback),
        "candidate_b": trained["candidate"],
        "campaign": {"A": model_quality(model_a, test), "B": model_quality(model_b, test)},
        "frozen": {"B": model_quality(model_b, frozen)},
    }


def summary(runs: list[dict]) -> dict:
    """Mean and standard deviation of each figure over the splits."""
    result: dict = {}
    for part in ("campaign", "frozen"):
        for model in MODELS:
            values = {k: [run[part][model][k] or 0.0 for run in runs] for k in SHOWN}
            result.setdefault(part, {})[model] = {
                k: {
                    "mean": round(statistics.fmean(v), 4),
                    "std": round(statistics.stdev(v), 4) if len(v) > 1 else 0.0,
                }
                for k, v in values.items()
            }
    return result


def print_table(runs: list[dict], figures: dict) -> None:
    """One line per evaluation set and model: n, precision, recall, F1 and PR-AUC."""
    repeats = len(runs)
    print(f"\n{repeats} split(s), seeds {[r['split_seed'] for r in runs]}; mean ± std")
    print(f"{'set':<9} {'model':<13} {'n':>5} " + " ".join(f"{k:>13}" for k in SHOWN[1:]))
    for part in ("campaign", "frozen"):
        for model, label in MODELS.items():
            cells = figures[part][model]
            shown = " ".join(
                f"{cells[k]['mean']:>6.3f} ± {cells[k]['std']:.3f}" for k in SHOWN[1:]
            )
            print(f"{part:<9} {label:<13} {cells['n']['mean']:>5.0f} {shown}")
    gain = [r["campaign"]["B"]["f1"] - r["campaign"]["A"]["f1"] for r in runs]
    drop = [r["frozen"]["A"]["f1"] - r["frozen"]["B"]["f1"] for r in runs]
    print(f"campaign F1 gain B - A: {[round(g, 3) for g in gain]}")
    print(f"frozen F1 drop A - B:   {[round(d, 3) for d in drop]}")


def run(args: argparse.Namespace, work: Path) -> dict:
    """Model A once, then model B and both measurements for each split seed."""
    model_a = work_settings(work / "seed-only", args.precision_target)
    candidates = QUICK if args.quick else None
    trained_a = train(model_a, candidates)
    _, frozen = frozen_split(seed_labels())
    frozen_a = model_quality(model_a, frozen)
    runs = []
    for seed in range(args.first_seed, args.first_seed + args.repeats):
        result = one_split(args, work, seed, model_a, frozen)
        result["candidate_a"] = trained_a["candidate"]
        result["frozen"]["A"] = frozen_a
        runs.append(result)
        print(
            f"split {seed}: campaign F1 A {result['campaign']['A']['f1']:.3f} -> B "
            f"{result['campaign']['B']['f1']:.3f}",
            flush=True,
        )
    return {
        "protocol": {
            "campaign": str(args.campaign),
            "feedback_size": args.feedback_size,
            "candidates": sorted(candidates) if candidates else "default",
            "precision_target": args.precision_target,
            # what a feedback row weighs against a seed row in training (1 when unweighted)
            "feedback_weight": getattr(training_train, "FEEDBACK_WEIGHT", 1.0),
        },
        "runs": runs,
        "summary": summary(runs),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--campaign",
        type=campaign_path,
        default=CAMPAIGN,
        help=f"labelled campaign: {' or '.join(CAMPAIGNS)}, or a JSONL path",
    )
    parser.add_argument("--feedback-size", type=int, default=FEEDBACK_SIZE, help="feedback rows")
    parser.add_argument(
        "--repeats", type=int, default=1, help="splits, with seeds from --first-seed"
    )
    parser.add_argument("--first-seed", type=int, default=0, help="seed of the first split")
    parser.add_argument("--quick", action="store_true", help="only the logreg_c8 candidate")
    parser.add_argument("--precision-target", type=float, default=0.90, help="threshold goal")
    parser.add_argument("--work-dir", type=Path, help="keep the stores here (default: temporary)")
    parser.add_argument(
        "--out", type=Path, default=Path("/tmp/leadstream-feedback-loop.json"), help="JSON"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the protocol, print the table and write the JSON report."""
    args = parse_args(argv)
    if args.work_dir and args.work_dir.exists() and any(args.work_dir.iterdir()):
        # an old store would keep its champion and its feedback: the figures would be wrong
        raise SystemExit(f"--work-dir {args.work_dir} is not empty; give a new or empty folder")
    with tempfile.TemporaryDirectory(prefix="leadstream-feedback-") as temporary:
        report = run(args, args.work_dir or Path(temporary))
    print_table(report["runs"], report["summary"])
    args.out.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
