"""What the benchmarks feed the scorer: authored demo texts, bench settings and the champion."""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import orjson

from leadstream.campaigns import Campaign, load_campaigns
from leadstream.settings import BUNDLED_CAMPAIGNS, Settings, load_settings
from leadstream.tweet import Tweet
from models.registry import alias_ref, connect

REPO = Path(__file__).resolve().parents[1]
AUTHORED_DIR = REPO / "collector" / "replay" / "authored"
DEFAULT_DATA_DIR = Path("/tmp/leadstream-bench")


@dataclass(frozen=True)
class AuthoredText:
    """One hand-written demo tweet: its text, language tag and what its author meant it as."""

    text: str
    lang: str | None
    kind: str


def authored_texts(folder: Path = AUTHORED_DIR) -> list[AuthoredText]:
    """Every authored demo text, in file and line order."""
    rows = [
        orjson.loads(line)
        for path in sorted(folder.glob("*.jsonl"))
        for line in path.read_bytes().splitlines()
        if line.strip()
    ]
    return [AuthoredText(r["text"], r.get("lang"), r.get("kind", "noise")) for r in rows]


def bench_settings(data_dir: Path, **overrides) -> Settings:
    """Settings on the bench data dir (SQLite and MLflow inside it), plus explicit overrides.

    LEADSTREAM_* variables are ignored: a benchmark must never write to a real database.
    """
    return load_settings({"data_dir": data_dir, **overrides}, env={})


def ensure_champion(settings: Settings) -> float:
    """Train and promote a first model when the registry has no champion; seconds spent."""
    client = connect(settings.mlflow_tracking_uri, settings.mlflow_artifact_root)
    if alias_ref(client, settings.model_name, settings.model_alias) is not None:
        return 0.0
    # Imported here: training pulls in matplotlib and friends that a warm run never needs.
    from training.train import train_and_register

    started = time.perf_counter()
    print(f"no {settings.model_alias!r} model in {settings.data_dir}: training one (once)")
    train_and_register(settings, promote_if_first=True)
    return time.perf_counter() - started


# Handles checked against the bundled campaigns: none of them starts a keyword.
_HANDLES = ("aino", "ben", "chidi", "dana", "emma", "farah", "jussi", "lars", "maya", "omar")
FIRST_ID = 1_990_000_000_000_000_000


def varied(text: str, rng: random.Random) -> str:
    """The text, now and then with a mention or a number appended, as real tweets vary."""
    roll = rng.random()
    if roll < 0.10:
        return f"{text} @{rng.choice(_HANDLES)}{rng.randint(1, 999)}"
    if roll < 0.15:
        return f"{text} {rng.randint(2, 500)}"
    return text


def write_spool(
    spool_dir: Path, texts: list[AuthoredText], count: int, per_file: int, seed: int = 7
) -> int:
    """Write `count` tweets cycling the texts as complete spool files; return the file count."""
    rng = random.Random(seed)
    order = list(texts)
    rng.shuffle(order)  # every file mixes languages and kinds
    folder = spool_dir / "tweets"
    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for start in range(0, count, per_file):
        lines = [
            _tweet(FIRST_ID + n, order[n % len(order)], rng).to_json_line()
            for n in range(start, min(start + per_file, count))
        ]
        files += 1
        (folder / f"bench-{files:06d}.jsonl").write_bytes(b"".join(lines))
    return files


def _tweet(number: int, authored: AuthoredText, rng: random.Random) -> Tweet:
    """One spooled tweet with a unique id, an author and a time."""
    author = rng.randrange(5_000)
    return Tweet(
        tweet_id=str(number),
        text=varied(authored.text, rng),
        created_at=f"2026-11-{1 + number % 28:02d}T{number % 24:02d}:{number % 60:02d}:00Z",
        lang=authored.lang,
        author_id=str(100_000_000 + author),
        author_username=f"{_HANDLES[author % len(_HANDLES)]}{author}",
        author_name=_HANDLES[author % len(_HANDLES)].title(),
        author_followers=author * 3,
        source="replay",
    )


def _words(text: str, min_length: int = 2) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) >= min_length}


def with_words(texts: list[AuthoredText]) -> list[AuthoredText]:
    """The texts that have a word at all (not only emoji), so a keyword can match them."""
    return [t for t in texts if _words(t.text)]


def keyword_texts(
    texts: list[AuthoredText], campaigns: tuple[Campaign, ...]
) -> list[AuthoredText]:
    """The texts the scorer's keyword prefilter lets through (its rules, in Python)."""
    rules = [
        (re.compile(c.keyword_pattern()), re.compile(c.negative_pattern() or "(?!)"), c)
        for c in campaigns
    ]
    return [
        t
        for t in texts
        if any(
            keyword.search(t.text) and not negative.search(t.text) and c.accepts_language(t.lang)
            for keyword, negative, c in rules
        )
    ]


def common_words(texts: list[str]) -> list[str]:
    """A short list of words that between them start a word of every text (greedy cover)."""
    words_of = [_words(t) for t in texts]
    uncovered = {i for i, words in enumerate(words_of) if words}
    chosen: list[str] = []
    while uncovered:
        counts = Counter(w for i in uncovered for w in words_of[i])
        best = max(counts, key=lambda w: (counts[w], -len(w), w))
        chosen.append(best)
        uncovered -= {i for i in uncovered if best in words_of[i]}
    return chosen


def all_match_campaigns(target: Path, texts: list[str]) -> Campaign:
    """Write the bundled campaigns plus one whose common words match every text; return it."""
    extra = Campaign(name="bench-common-words", keywords=tuple(common_words(texts)))
    keywords = ", ".join(f'"{w}"' for w in extra.keywords)
    target.write_text(
        BUNDLED_CAMPAIGNS.read_text(encoding="utf-8")
        + f'\n[[campaign]]\nname = "{extra.name}"\nkeywords = [{keywords}]\n',
        encoding="utf-8",
    )
    loaded = load_campaigns(target)[-1]
    pattern = re.compile(loaded.keyword_pattern())
    if missed := [t for t in texts if not pattern.search(t)]:
        raise SystemExit(f"all-match campaign misses {len(missed)} texts, e.g. {missed[0]!r}")
    return loaded
