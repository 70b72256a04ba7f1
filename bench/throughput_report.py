"""Printing the scoring benchmark's figures: each batch, then one compact row per scenario."""

from __future__ import annotations

TARGET_ALL_MATCH = 8_000  # tweets/s when every tweet must be classified


def print_detail(figures: dict) -> None:
    """One scenario's figures, with each batch."""
    print(f"\n== {figures['scenario']} ==")
    for batch in figures["per_batch"]:
        print(
            f"  batch {batch['batch']:>3}: {batch['tweets']:>7,} tweets {batch['matches']:>7,} "
            f"matches {batch['leads']:>6,} leads {batch['seconds']:>6.2f} s"
        )
    for key, value in figures.items():
        if key not in ("per_batch", "resources", "scenario"):
            print(f"  {key:<22} {value:,}" if isinstance(value, int) else f"  {key:<22} {value}")
    for key, value in figures["resources"].items():
        print(f"  {key:<22} {value}")


COLUMNS = (
    ("tweets", "tweets"),
    ("matches", "keyword_matches"),
    ("leads", "leads"),
    ("start s", "session_start_s"),
    ("query s", "query_wall_s"),
    ("tweets/s", "tweets_per_s"),
    ("steady/s", "steady_tweets_per_s"),
    ("1st s", "first_batch_s"),
    ("p50 s", "latency_p50_s"),
    ("p95 s", "latency_p95_s"),
    ("max s", "latency_max_s"),
    ("cpu µs/tw", "steady_cpu_us_per_tweet.total"),
    ("cpu-bound/s", "steady_cpu_us_per_tweet.cpu_bound_tweets_per_s"),
)
MEMORY_COLUMNS = (
    ("driver MB", "resources.driver_mb"),
    ("jvm MB", "resources.jvm_mb"),
    ("workers MB", "resources.python_workers_mb"),
    ("total MB", "resources.total_mb"),
    ("load 1m", "resources.load_average_1_5_15"),
)


def _lookup(figures: dict, path: str) -> object:
    """A figure by dotted path; None when the run has no such figure."""
    value: object = figures
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, list):  # the load averages: the last minute is what the run saw
        return value[0]
    return round(value) if isinstance(value, float) and value >= 100 else value


def _cell(value: object, width: int) -> str:
    """A right-aligned table cell; whole numbers get thousands separators."""
    text = "-" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
    return text.rjust(width)


def print_table(results: dict[str, dict]) -> None:
    """The compact summary: one row per scenario, memory as peak RSS in MB."""
    names = [name for name, _ in (*COLUMNS, *MEMORY_COLUMNS)]
    widths = [max(len(name), 8) for name in names]
    print(
        "\n"
        + " ".join(
            ["scenario".ljust(10), *(n.rjust(w) for n, w in zip(names, widths, strict=True))]
        )
    )
    for scenario, figures in results.items():
        values = [_lookup(figures, key) for _, key in (*COLUMNS, *MEMORY_COLUMNS)]
        print(" ".join([scenario.ljust(10), *map(_cell, values, widths)]))
    if "all-match" in results:
        steady = results["all-match"]["steady_tweets_per_s"] or 0
        verdict = "reached" if steady >= TARGET_ALL_MATCH else "NOT reached"
        print(f"all-match steady state {steady:,} tweets/s: target {TARGET_ALL_MATCH:,} {verdict}")
