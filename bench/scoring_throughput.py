"""Scorer throughput, batch latency and peak memory on a spooled stream of authored tweets.

Usage:
    python bench/scoring_throughput.py                        # both scenarios, 200,000 tweets
    python bench/scoring_throughput.py --scenario all-match --tweets 50000
    python bench/scoring_throughput.py --help

"realistic" spools the authored demo texts as they are (about half match a campaign keyword).
"all-match" makes every tweet a keyword match, so that every tweet reaches the classifier:
by default it spools only the texts that have a campaign keyword (a stream filtered by the
campaigns' rules at the source); --all-match common-words instead adds a campaign of common
words that matches every text (a heavier prefilter). With --scenario both, each scenario runs
in its own Python process and pays its own Spark start.
Figures are printed and written to <data-dir>/scoring_throughput.json; nothing is asserted.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path

import numpy as np
import orjson
from resources import ResourceSampler
from throughput_report import print_detail, print_table
from workload import (
    DEFAULT_DATA_DIR,
    AuthoredText,
    all_match_campaigns,
    authored_texts,
    bench_settings,
    ensure_champion,
    keyword_texts,
    with_words,
    write_spool,
)

from leadstream.campaigns import load_campaigns
from leadstream.settings import BUNDLED_CAMPAIGNS, Settings
from leadstream.spark import spark_session
from leadstream.storage.batches import BatchStats, recent_batches
from leadstream.storage.engine import make_engine
from scoring.job import run_scoring

SCENARIOS = ("realistic", "all-match")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="bench data dir")
    parser.add_argument("--tweets", type=int, default=200_000, help="tweets to spool")
    parser.add_argument("--tweets-per-file", type=int, default=2_000, help="lines per file")
    parser.add_argument(
        "--scenario", choices=(*SCENARIOS, "both"), default="both", help="what to spool"
    )
    parser.add_argument(
        "--all-match",
        choices=("keyword-texts", "common-words"),
        default="keyword-texts",
        help="how every tweet is made a match: spool only the texts that have a campaign "
        "keyword (default), or add a campaign of common words that matches all texts",
    )
    parser.add_argument("--master", default="local[*]", help="Spark master")
    parser.add_argument(
        "--files-per-trigger", type=int, default=10, help="spool files per micro-batch"
    )
    parser.add_argument("--sample-every", type=float, default=0.2, help="RSS sampling period (s)")
    parser.add_argument("--seed", type=int, default=7, help="seed for order and variations")
    parser.add_argument(
        "--json",
        type=Path,
        help="where to write figures (default <data-dir>/scoring_throughput.json)",
    )
    return parser.parse_args(argv)


def reset_run_state(data_dir: Path) -> None:
    """Remove the spool, checkpoints, database and Spark scratch; keep MLflow and models."""
    for name in ("spool", "checkpoints", "spark-tmp"):
        shutil.rmtree(data_dir / name, ignore_errors=True)
    for database in data_dir.glob("leadstream.db*"):
        database.unlink()
    data_dir.mkdir(parents=True, exist_ok=True)


def prepare(args: argparse.Namespace, scenario: str) -> tuple[Settings, dict]:
    """Fresh run state, a champion, the scenario's campaigns and its spooled tweets."""
    reset_run_state(args.data_dir)
    training_s = ensure_champion(bench_settings(args.data_dir))
    texts = authored_texts()
    campaigns_file = BUNDLED_CAMPAIGNS
    if scenario == "all-match":
        texts, campaigns_file = all_match_workload(args, texts)
    settings = bench_settings(
        args.data_dir,
        spark_master=args.master,
        max_files_per_trigger=args.files_per_trigger,
        campaigns_file=campaigns_file,
    )
    started = time.perf_counter()
    files = write_spool(settings.spool_dir, texts, args.tweets, args.tweets_per_file, args.seed)
    written_s = time.perf_counter() - started
    print(f"{scenario}: spooled {args.tweets:,} tweets in {files} files ({written_s:.1f} s)")
    return settings, {"training_s": round(training_s, 1), "spool_files": files}


def all_match_workload(
    args: argparse.Namespace, texts: list[AuthoredText]
) -> tuple[list[AuthoredText], Path]:
    """Texts and campaigns file under which every spooled tweet is a keyword match."""
    if args.all_match == "keyword-texts":
        # What a stream filtered server-side by the campaigns' rules looks like.
        kept = keyword_texts(texts, load_campaigns(BUNDLED_CAMPAIGNS))
        print(f"all-match: the {len(kept)} of {len(texts)} texts with a campaign keyword")
        return kept, BUNDLED_CAMPAIGNS
    kept = with_words(texts)
    campaigns_file = args.data_dir / "campaigns_all_match.toml"
    extra = all_match_campaigns(campaigns_file, [t.text for t in kept])
    print(
        f"all-match: all {len(kept)} texts with words, and a campaign {extra.name!r} "
        f"of {len(extra.keywords)} common words"
    )
    return kept, campaigns_file


def read_batches(settings: Settings) -> list[BatchStats]:
    """Every batch the scorer recorded in batch_stats, in order."""
    engine = make_engine(settings.database_url)
    batches = sorted(recent_batches(engine, limit=1_000_000), key=lambda b: b.batch_id)
    engine.dispose()
    return batches


def batch_figures(batches: list[BatchStats], query_s: float) -> dict:
    """Throughput, latency, matches and leads from the batch_stats the scorer wrote."""
    latency = np.array([(b.finished_at - b.started_at).total_seconds() for b in batches])
    tweets = sum(b.tweets_in for b in batches)
    steady_tweets = sum(b.tweets_in for b in batches[1:])
    steady_s = (batches[-1].finished_at - batches[0].finished_at).total_seconds()
    return {
        "tweets": tweets,
        "keyword_matches": sum(b.keyword_matches for b in batches),
        "leads": sum(b.leads for b in batches),
        "batches": len(batches),
        "tweets_per_s": round(tweets / query_s),
        "steady_tweets_per_s": round(steady_tweets / steady_s) if steady_s > 0 else None,
        "first_batch_s": round(float(latency[0]), 2),
        "latency_p50_s": round(float(np.percentile(latency, 50)), 2),
        "latency_p95_s": round(float(np.percentile(latency, 95)), 2),
        "latency_max_s": round(float(latency.max()), 2),
        "per_batch": [
            {
                "batch": b.batch_id,
                "tweets": b.tweets_in,
                "matches": b.keyword_matches,
                "leads": b.leads,
                "seconds": round(float(s), 2),
            }
            for b, s in zip(batches, latency, strict=True)
        ],
    }


def run_scenario(args: argparse.Namespace, scenario: str) -> dict:
    """Spool the scenario's tweets, score them until idle, and measure."""
    settings, figures = prepare(args, scenario)
    sampler = ResourceSampler(args.sample_every).start()
    started = time.perf_counter()
    spark = spark_session(settings)
    session_s = time.perf_counter() - started
    print(f"{scenario}: Spark session {session_s:.1f} s on {args.master}; scoring ...")
    started = time.perf_counter()
    run_scoring(settings, until_idle=True)  # getOrCreate() finds the session started above
    query_s = time.perf_counter() - started
    use = sampler.stop()
    spark.stop()
    batches = read_batches(settings)
    figures = {
        "scenario": scenario,
        "master": args.master,
        "files_per_trigger": args.files_per_trigger,
        "all_match_by": args.all_match if scenario == "all-match" else None,
        "session_start_s": round(session_s, 1),
        "query_wall_s": round(query_s, 1),
        **batch_figures(batches, query_s),
        "resources": use.as_dict(),
        "steady_cpu_us_per_tweet": steady_cpu(sampler, batches),
        "cpu_ms_per_tweet": round(1000 * sum(use.cpu_s.values()) / args.tweets, 3),
        **figures,
    }
    if figures["tweets"] != args.tweets:
        print(f"warning: scored {figures['tweets']:,} tweets of {args.tweets:,} spooled")
    if scenario == "all-match" and figures["keyword_matches"] != figures["tweets"]:
        print(f"warning: only {figures['keyword_matches']:,} tweets matched a keyword")
    return figures


def steady_cpu(sampler: ResourceSampler, batches: list[BatchStats]) -> dict[str, float]:
    """CPU µs per tweet by process role after the first batch, and what that allows."""
    if len(batches) < 2:
        return {}
    epoch = [b.finished_at.replace(tzinfo=UTC).timestamp() for b in (batches[0], batches[-1])]
    cpu = sampler.cpu_between(*epoch)
    tweets = sum(b.tweets_in for b in batches[1:])
    figures = {role: round(1e6 * seconds / tweets, 1) for role, seconds in cpu.items()}
    figures["total"] = round(sum(figures.values()), 1)
    # If CPU were the only limit, the machine's cores could score this many tweets a second.
    cores = len(os.sched_getaffinity(0))
    figures["cpu_bound_tweets_per_s"] = round(cores * 1e6 / figures["total"])
    return figures


def forwarded(args: argparse.Namespace) -> list[str]:
    """This run's options, for a child process that runs one scenario."""
    return [
        *("--data-dir", str(args.data_dir), "--tweets", str(args.tweets)),
        *("--tweets-per-file", str(args.tweets_per_file), "--master", args.master),
        *("--files-per-trigger", str(args.files_per_trigger), "--all-match", args.all_match),
        *("--sample-every", str(args.sample_every), "--seed", str(args.seed)),
    ]


def run_in_children(args: argparse.Namespace) -> dict[str, dict]:
    """Each scenario in its own process, so memory peaks and warm-up don't leak across."""
    # Train (if needed) here, so that no child's driver memory includes the training.
    training_s = ensure_champion(bench_settings(args.data_dir))
    results = {}
    for scenario in SCENARIOS:
        target = args.data_dir / f"scoring_throughput-{scenario}.json"
        command = [sys.executable, __file__, "--scenario", scenario, "--json", str(target)]
        subprocess.run([*command, *forwarded(args)], check=True)
        results[scenario] = orjson.loads(target.read_bytes())["scenarios"][scenario]
        results[scenario]["training_s"] += round(training_s, 1)
    return results


def main(argv: list[str] | None = None) -> None:
    """Run the chosen scenarios, print the figures and write them as JSON."""
    args = parse_args(argv)
    args.data_dir = args.data_dir.resolve()
    # Quiet progress bars only; they would bury the figures (children inherit these).
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    os.environ.setdefault(
        "PYSPARK_SUBMIT_ARGS", "--conf spark.ui.showConsoleProgress=false pyspark-shell"
    )
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("scoring").setLevel(logging.INFO)
    if args.scenario == "both":
        results = run_in_children(args)  # each child printed its own details
    else:
        results = {args.scenario: run_scenario(args, args.scenario)}
        print_detail(results[args.scenario])
    print_table(results)
    report = {"cpus": os.cpu_count(), "python": sys.version.split()[0], "scenarios": results}
    target = args.json or args.data_dir / "scoring_throughput.json"
    target.write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    print(f"figures written to {target}")


if __name__ == "__main__":
    main()
