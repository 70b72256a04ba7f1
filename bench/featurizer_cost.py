"""Per-tweet cost of the featurizer and of the whole champion classifier, on one core.

Usage:
    python bench/featurizer_cost.py                  # 20,000 texts per set, warm
    python bench/featurizer_cost.py --profile mixed  # and a cProfile of one set
    python bench/featurizer_cost.py --help

Sets: the authored demo texts in English, German and Finnish separately, all of them mixed
(as the demo stream has them), and real tweets from TweetEval when ../shared/data has them.
Each set is scored once to warm caches, then timed step by step and as the scorer calls it
(pyfunc predict), in batches the size of the scorer's Arrow batches; the fastest of --repeat
rounds counts. Times are CPU time of this process, pinned to one core. Real tweets are timed
on tweets no earlier pass saw, so their caches are only as warm as a live stream's.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import io
import os
import pstats
import random
import time
from dataclasses import dataclass
from pathlib import Path

import orjson
import pandas as pd
from workload import DEFAULT_DATA_DIR, REPO, authored_texts, bench_settings, ensure_champion

from leadstream.settings import Settings

TWEETEVAL = REPO.parent / "shared" / "data" / "tweets" / "tweeteval_texts.tsv"
STEPS = ("analyse", "transform_analysed", "predict_proba", "reasons")
STEPS_TOTAL = "steps together"
WHOLE = "pyfunc predict"  # what the scorer calls: every step plus pandas, schema and JSON


Texts = tuple[list[str], list[str | None]]  # texts and their language tags


@dataclass(frozen=True)
class TextSet:
    """Texts that warm the caches, then per timed round: texts for the steps, for the whole."""

    name: str
    warm: Texts
    rounds: list[tuple[Texts, Texts]]
    fresh: Texts  # for the profile: as warm as the timed texts were


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="bench data dir")
    parser.add_argument("--texts", type=int, default=20_000, help="texts per set (cycled)")
    parser.add_argument("--batch-size", type=int, default=5_000, help="texts per model call")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds; the fastest counts")
    parser.add_argument("--tweeteval", type=Path, default=TWEETEVAL, help="TweetEval texts TSV")
    parser.add_argument(
        "--profile",
        choices=("en", "de", "fi", "mixed", "tweeteval"),
        help="cProfile this set after timing (mixed is what the scorer sees)",
    )
    parser.add_argument("--seed", type=int, default=7, help="seed for sampling real tweets")
    return parser.parse_args(argv)


def load_champion(settings: Settings):
    """The champion as MLflow loads it for the scorer (pyfunc) and the classifier inside it."""
    import mlflow.pyfunc

    ensure_champion(settings)
    model = mlflow.pyfunc.load_model(f"models:/{settings.model_name}@{settings.model_alias}")
    return model, model.unwrap_python_model().classifier


def cycled(items: list, count: int) -> list:
    """The items repeated in order until there are `count` of them."""
    return [items[i % len(items)] for i in range(count)]


def authored_sets(count: int, repeat: int) -> list[TextSet]:
    """Authored en, de and fi texts, and all authored texts mixed as the demo stream has them.

    The demo stream repeats these texts, so every pass may see the same ones.
    """
    texts = authored_texts()
    chosen = {
        lang: (cycled([t.text for t in texts if t.lang == lang], count), [lang] * count)
        for lang in ("en", "de", "fi")
    }
    mixed = cycled(texts, count)
    chosen["mixed"] = ([t.text for t in mixed], [t.lang for t in mixed])
    return [TextSet(name, pair, [(pair, pair)] * repeat, pair) for name, pair in chosen.items()]


def tweeteval_set(path: Path, count: int, repeat: int, seed: int) -> TextSet | str:
    """Disjoint samples of `count` real (English) tweets, or why there are none."""
    if not path.exists():
        return f"{path} not found (the shared data folder is absent)"
    with path.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle, delimiter="\t")]
    rounds = min(repeat, (len(texts) // count - 2) // 2)  # a warm-up and a profile sample too
    if rounds < 1:
        return f"{path} has {len(texts)} tweets, fewer than the {4 * count} needed"
    random.Random(seed).shuffle(texts)
    # Every pass sees tweets no pass saw before: a real stream repeats words, not tweets.
    samples = [(texts[i * count : (i + 1) * count], ["en"] * count) for i in range(2 * rounds + 2)]
    pairs = [(samples[2 * i + 1], samples[2 * i + 2]) for i in range(rounds)]
    return TextSet("tweeteval", samples[0], pairs, samples[-1])


class Stopwatch:
    """CPU and wall seconds spent per step, summed over laps."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        self._marks = (time.process_time(), time.perf_counter())

    def restart(self) -> None:
        """Start the next lap now."""
        self._marks = (time.process_time(), time.perf_counter())

    def lap(self, step: str) -> None:
        """Charge the time since the last lap to `step`."""
        cpu, wall = time.process_time(), time.perf_counter()
        self.cpu[step] = self.cpu.get(step, 0.0) + cpu - self._marks[0]
        self.wall[step] = self.wall.get(step, 0.0) + wall - self._marks[1]
        self._marks = (cpu, wall)


def score_in_steps(classifier, texts: Texts, batch_size: int, watch: Stopwatch) -> None:
    """Run the classifier step by step in scorer-sized batches, timing each step."""
    featurizer = classifier.featurizer
    for start in range(0, len(texts[0]), batch_size):
        chunk, langs = texts[0][start : start + batch_size], texts[1][start : start + batch_size]
        watch.restart()
        analyses = featurizer.analyse(chunk, langs)
        watch.lap("analyse")
        matrix = featurizer.transform_analysed(chunk, analyses)
        watch.lap("transform_analysed")
        scores = classifier.estimator.predict_proba(matrix)[:, 1]
        watch.lap("predict_proba")
        for analysis, score in zip(analyses, scores, strict=True):
            if score >= classifier.threshold:
                classifier.reasons(analysis)
        watch.lap("reasons")


def frames(texts: Texts, batch_size: int) -> list[pd.DataFrame]:
    """The texts as the pandas batches the scorer hands the model."""
    return [
        pd.DataFrame({"text": texts[0][i : i + batch_size], "lang": texts[1][i : i + batch_size]})
        for i in range(0, len(texts[0]), batch_size)
    ]


def score_whole(model, texts: Texts, batch_size: int, watch: Stopwatch) -> None:
    """Score as the scorer does, one pyfunc predict per batch, timing it."""
    for frame in frames(texts, batch_size):
        watch.restart()
        model.predict(frame)
        watch.lap(WHOLE)


def measure(model, classifier, text_set: TextSet, batch_size: int) -> dict:
    """Warm up, then time the steps and the whole call; the fastest round counts."""
    score_whole(model, text_set.warm, batch_size, Stopwatch())
    gc.collect()
    gc.freeze()  # as the scorer's workers do after their first batches
    watches = []
    for steps, whole in text_set.rounds:
        watch = Stopwatch()
        score_in_steps(classifier, steps, batch_size, watch)
        score_whole(model, whole, batch_size, watch)
        watches.append(watch)
    cpu = {step: min(w.cpu[step] for w in watches) for step in (*STEPS, WHOLE)}
    wall = {step: min(w.wall[step] for w in watches) for step in (*STEPS, WHOLE)}
    cpu[STEPS_TOTAL] = sum(cpu[s] for s in STEPS)
    wall[STEPS_TOTAL] = sum(wall[s] for s in STEPS)
    count = len(text_set.warm[0])
    figures = {
        step: {
            "us_per_tweet": round(1e6 * cpu[step] / count, 1),
            "tweets_per_s": round(count / cpu[step]) if cpu[step] > 0 else None,
            "share_of_steps": round(cpu[step] / cpu[STEPS_TOTAL], 3),
            "wall_us_per_tweet": round(1e6 * wall[step] / count, 1),
        }
        for step in (*STEPS, STEPS_TOTAL, WHOLE)
    }
    mean_chars = round(sum(map(len, text_set.warm[0])) / count)
    return {"texts": count, "rounds": len(watches), "mean_chars": mean_chars, **figures}


def print_set(name: str, figures: dict) -> None:
    """One set's steps: µs per tweet, tweets/s and share of the steps together."""
    print(
        f"\n== {name}: {figures['texts']:,} texts of {figures['mean_chars']} characters on "
        f"average, fastest of {figures['rounds']} rounds =="
    )
    print(f"  {'step':<30} {'µs/tweet':>9} {'tweets/s':>9} {'share':>7} {'wall µs':>9}")
    for step, row in figures.items():
        if not isinstance(row, dict):
            continue
        rate = f"{row['tweets_per_s']:,}" if row["tweets_per_s"] else "-"
        wall = row["wall_us_per_tweet"]
        print(
            f"  {step:<30} {row['us_per_tweet']:>9} {rate:>9} "
            f"{row['share_of_steps']:>7.1%} {wall:>9}"
        )


def print_summary(results: dict[str, dict]) -> None:
    """One row per set: µs per tweet of each step and of the whole classifier."""
    steps = (*STEPS, WHOLE)
    print("\nµs per tweet, CPU time on one core")
    print(f"{'set':<10} " + " ".join(f"{s:>18}" for s in steps) + f" {'tweets/s/core':>14}")
    for name, figures in results.items():
        cells = " ".join(f"{figures[s]['us_per_tweet']:>18}" for s in steps)
        print(f"{name:<10} {cells} {figures[WHOLE]['tweets_per_s']:>14,}")


def profile(model, text_set: TextSet, batch_size: int, top: int = 30) -> None:
    """cProfile of the scorer's call on a warm set: where the time goes."""
    batches = frames(text_set.fresh, batch_size)
    profiler = cProfile.Profile()
    profiler.enable()
    for frame in batches:
        model.predict(frame)
    profiler.disable()
    report = io.StringIO()
    stats = pstats.Stats(profiler, stream=report).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"\n== cProfile of {WHOLE} on the {text_set.name} set ==")
    print(report.getvalue())


def main(argv: list[str] | None = None) -> None:
    """Time every set, print the figures and write them as JSON."""
    args = parse_args(argv)
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})  # one core, as one Spark task gets
    settings = bench_settings(args.data_dir.resolve())
    model, classifier = load_champion(settings)
    sets = authored_sets(args.texts, args.repeat)
    real = tweeteval_set(args.tweeteval, args.texts, args.repeat, args.seed)
    if isinstance(real, str):
        print(f"real tweets skipped: {real}")
    else:
        sets.append(real)
    results = {}
    for text_set in sets:
        results[text_set.name] = measure(model, classifier, text_set, args.batch_size)
        print_set(text_set.name, results[text_set.name])
    print_summary(results)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"pinned to CPU {core}; load average {load} (other processes still add noise)")
    if chosen := [s for s in sets if s.name == args.profile]:
        profile(model, chosen[0], args.batch_size)
    target = settings.data_dir / "featurizer_cost.json"
    target.write_bytes(orjson.dumps({"core": core, "sets": results}, option=orjson.OPT_INDENT_2))
    print(f"figures written to {target}")


if __name__ == "__main__":
    main()
