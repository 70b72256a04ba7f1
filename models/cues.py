"""Buying cues and look-alike cues, per language, as phrases matched on normalised tokens.

Phrases are written in plain words; they go through the same tokenizer and normaliser as
tweets, so "looking for" also matches "Looking for", "urakoitsija" matches "urakoitsijaa" and
"Lieferant" matches "Lieferanten". The classifier weighs them: a cue is evidence, not a verdict.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

# What each cue means, shown to the sales team as the reason behind a score.
CUE_LABELS = {
    "request": "asks for a product or service",
    "recommendation": "asks for recommendations",
    "tender": "asks for quotes or runs a tender",
    "switching": "evaluates or switches vendors",
    "pain": "describes a failure or urgent need",
    "expansion": "is expanding or setting up",
    "crowd_ask": "asks the network",
    "own_org": "speaks for their own organisation",
    "commercial_object": "names something businesses buy",
    "seller_ad": "reads like a seller's advert",
    "job_ad": "reads like a job ad or career talk",
    "news": "reads like news",
    "looking_forward": "looks forward to an event",
    "satisfied": "a satisfied customer",
    "support": "a how-to question about something owned",
    "household": "a private household, not a business",
    "workplace": "speaks from a workplace",
}
BUYING_CUES = ("request", "recommendation", "tender", "switching", "pain", "expansion")

LEXICON_FILE = Path(__file__).with_name("cues.toml")


@lru_cache(maxsize=4)
def _lexicon(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def load_cues(path: Path = LEXICON_FILE) -> dict[str, dict[str, tuple[str, ...]]]:
    """The cue phrases per language and category, from the lexicon file (read once)."""
    return {
        lang: {category: tuple(table["phrases"]) for category, table in categories.items()}
        for lang, categories in _lexicon(path).items()
    }


def load_cue_endings(path: Path = LEXICON_FILE) -> dict[str, dict[str, tuple[str, ...]]]:
    """Word endings that are a cue by themselves, per language and category (a table's
    optional `endings`): Finnish says "we" and "our" with an ending, not a word."""
    return {
        lang: {c: tuple(t["endings"]) for c, t in categories.items() if t.get("endings")}
        for lang, categories in _lexicon(path).items()
    }
