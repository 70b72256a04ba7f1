"""Labelled tweets for training: the bundled seed labels plus the sales team's feedback."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from leadstream.errors import ConfigError

SEED_DIR = Path(__file__).resolve().parent / "seed_labels"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class LabelledTweet:
    """One text with its 0/1 label and where the label came from."""

    text: str
    label: int
    lang: str | None = None
    campaign: str | None = None
    source: str = "seed"
    extra: dict = field(default_factory=dict, compare=False)


def text_key(text: str) -> str:
    """The identity of a text for de-duplication: case and spacing do not matter."""
    return _SPACE.sub(" ", text.strip().lower())


def read_jsonl_labels(path: Path, source: str) -> list[LabelledTweet]:
    """Read {"text", "label", ...} lines; a bad line is reported with its file and number."""
    rows = []
    with Path(path).open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = orjson.loads(line)
                text, label = item["text"], item["label"]
            except (orjson.JSONDecodeError, KeyError, TypeError):
                raise ConfigError(
                    f'{path}:{number}: expected a JSON object with "text" and "label"'
                ) from None
            if label not in (0, 1) or not isinstance(text, str) or not text.strip():
                raise ConfigError(f"{path}:{number}: label must be 0 or 1 and text non-empty")
            rows.append(
                LabelledTweet(
                    text=text,
                    label=int(label),
                    lang=item.get("lang"),
                    campaign=item.get("campaign") or item.get("industry"),
                    source=source,
                    extra={k: v for k, v in item.items() if k not in ("text", "label")},
                )
            )
    return rows


def seed_labels(seed_dir: Path | None = None) -> list[LabelledTweet]:
    """Every *.jsonl file of the seed folder, in name order."""
    folder = seed_dir or SEED_DIR
    files = sorted(Path(folder).glob("*.jsonl"))
    if not files:
        raise ConfigError(f"{folder}: no seed label files (*.jsonl)")
    return [row for path in files for row in read_jsonl_labels(path, "seed")]


def merge_labels(seed: list[LabelledTweet], feedback: list[LabelledTweet]) -> list[LabelledTweet]:
    """Seed and feedback labels with one label per text: the newest feedback wins."""
    merged: dict[str, LabelledTweet] = {}
    for row in [*seed, *feedback]:
        merged[text_key(row.text)] = row
    return list(merged.values())


def fingerprint(rows: list[LabelledTweet]) -> str:
    """A short hash of the label set, so a run records exactly what it learnt from."""
    digest = hashlib.sha256()
    for key, label in sorted((text_key(r.text), r.label) for r in rows):
        digest.update(f"{label}\t{key}\n".encode())
    return digest.hexdigest()[:16]
