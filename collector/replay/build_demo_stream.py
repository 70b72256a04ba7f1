"""Build the bundled demo stream: authored texts wrapped in the X API v2 filtered-stream shape.

Usage:
    python -m collector.replay.build_demo_stream   # rewrites demo_stream.jsonl.gz

The output is deterministic (fixed seed, gzip without a timestamp), so a test can check that
the committed file matches its sources in authored/.
"""

from __future__ import annotations

import gzip
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from leadstream.campaigns import load_campaigns
from leadstream.settings import BUNDLED_CAMPAIGNS

HERE = Path(__file__).resolve().parent
AUTHORED = HERE / "authored"
OUTPUT = HERE / "demo_stream.jsonl.gz"
START = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)
FIRST_ID = 1_985_000_000_000_000_000

_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "sen",
    "ti",
    "va",
    "no",
    "el",
    "ja",
    "ri",
    "ko",
    "sa",
    "lu",
    "an",
    "be",
    "to",
    "ha",
    "ne",
    "vi",
]
_FIRST = [
    "Aino",
    "Ben",
    "Chidi",
    "Dana",
    "Emma",
    "Farah",
    "Jussi",
    "Kate",
    "Lars",
    "Maya",
    "Nia",
    "Omar",
    "Priya",
    "Ravi",
    "Sanna",
    "Tom",
    "Ulla",
    "Vik",
    "Wen",
    "Yusuf",
    "Zoe",
    "Leon",
    "Mia",
    "Jonas",
    "Greta",
    "Matti",
    "Aisha",
    "Diego",
    "Hanna",
    "Kofi",
]
_LAST = [
    "Virtanen",
    "Smith",
    "Okafor",
    "Müller",
    "Korhonen",
    "Patel",
    "Schmidt",
    "Nieminen",
    "Brown",
    "Adeyemi",
    "Weber",
    "Lehtonen",
    "Garcia",
    "Fischer",
    "Mäkinen",
    "Kim",
    "Nowak",
    "Rossi",
    "Hughes",
    "Kariuki",
]
_PLACES = [
    ("Leeds, England", "United Kingdom"),
    ("Helsinki, Finland", "Finland"),
    ("München, Germany", "Germany"),
    ("Lagos, Nigeria", "Nigeria"),
    ("Pune, India", "India"),
    ("Austin, TX", "United States"),
    ("Tampere, Finland", "Finland"),
    ("Graz, Austria", "Austria"),
    ("Zürich, Switzerland", "Switzerland"),
    ("Manchester, England", "United Kingdom"),
    ("Nairobi, Kenya", "Kenya"),
    ("Melbourne, Victoria", "Australia"),
    ("Oulu, Finland", "Finland"),
    ("Hamburg, Germany", "Germany"),
    ("Cork, Ireland", "Ireland"),
]


def _authors(rng: random.Random, count: int) -> list[dict]:
    authors = []
    for number in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        handle = f"{first.lower()}_{''.join(rng.sample(_SYLLABLES, 2))}{rng.randint(1, 99)}"
        authors.append(
            {
                "id": str(100_000_000 + number * 7919),
                "name": f"{first} {last}",
                "username": handle.replace("ä", "a").replace("ü", "u"),
                "public_metrics": {
                    "followers_count": int(rng.lognormvariate(5, 1.6)),
                    "following_count": rng.randint(10, 2000),
                    "tweet_count": rng.randint(50, 40_000),
                    "listed_count": 0,
                },
            }
        )
    return authors


def _rule_tags(text: str, patterns: dict) -> list[str]:
    return [name for name, pattern in patterns.items() if pattern.search(text)]


def build_lines(seed: int = 2018) -> list[bytes]:
    """The demo stream's lines, keep-alives and a few damaged lines included."""
    import re

    rng = random.Random(seed)
    texts = [
        orjson.loads(line)
        for path in sorted(AUTHORED.glob("*.jsonl"))
        for line in path.read_bytes().splitlines()
        if line.strip()
    ]
    rng.shuffle(texts)
    patterns = {c.name: re.compile(c.keyword_pattern()) for c in load_campaigns(BUNDLED_CAMPAIGNS)}
    authors = _authors(rng, 700)
    moment, lines = START, []
    for number, item in enumerate(texts):
        moment += timedelta(seconds=rng.expovariate(1 / 20))
        tweet_id, author = str(FIRST_ID + number * 4_096_001), rng.choice(authors)
        data = {
            "id": tweet_id,
            "text": item["text"],
            "lang": item["lang"],
            "created_at": moment.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "author_id": author["id"],
            "edit_history_tweet_ids": [tweet_id],
        }
        includes: dict = {"users": [author]}
        if rng.random() < 0.15:
            place_id = f"{rng.getrandbits(64):016x}"
            full_name, country = rng.choice(_PLACES)
            data["geo"] = {"place_id": place_id}
            includes["places"] = [{"id": place_id, "full_name": full_name, "country": country}]
        tags = _rule_tags(item["text"], patterns) or ["general"]
        rules = [{"id": str(1_600_000_000_000_000_000 + len(tag)), "tag": tag} for tag in tags]
        lines.append(orjson.dumps({"data": data, "includes": includes, "matching_rules": rules}))
        if number % 97 == 0:
            lines.append(b"")  # the keep-alive newline the real stream sends
        if number in (401, 1703):
            lines.append(lines[-1][: len(lines[-1]) // 2])  # a line cut off mid-object
    return lines


def main() -> None:
    """Write demo_stream.jsonl.gz next to this file."""
    payload = b"\n".join(build_lines()) + b"\n"
    OUTPUT.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    print(f"wrote {OUTPUT} ({len(payload.splitlines())} lines)")


if __name__ == "__main__":
    main()
