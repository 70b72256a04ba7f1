"""Tokenising and normalising tweets per language with blank spaCy pipelines."""

from __future__ import annotations

import re
from functools import lru_cache

import spacy
from snowballstemmer import stemmer as snowball
from spacy.attrs import ORTH
from spacy.lookups import load_lookups

LANGUAGES = ("en", "de", "fi")
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@\w+")
# A number with its separators, spaced thousands included ("1 250", as Finnish writes it), is
# one masked token: its format must not change a decision.
_NUMBER = re.compile(r"\d+(?:[.,:]\d+|[ \u00a0\u202f]\d{3}(?!\d))*")
_REPEAT = re.compile(r"(\w)\1{2,}")

# Small, high-frequency function words: enough to route a tweet without a language tag.
_MARKERS = {
    "en": set(
        [
            "the",
            "and",
            "is",
            "are",
            "we",
            "our",
            "you",
            "for",
            "to",
            "of",
            "a",
            "an",
            "in",
            "on",
            "with",
            "need",
            "any",
            "anyone",
            "looking",
        ]
    ),
    "de": set(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "wir",
            "unser",
            "ich",
            "nicht",
            "für",
            "mit",
            "ein",
            "eine",
            "auf",
            "bei",
            "sucht",
            "suchen",
        ]
    ),
    "fi": set(
        [
            "ja",
            "on",
            "ei",
            "me",
            "meidän",
            "se",
            "että",
            "kun",
            "jos",
            "mä",
            "mun",
            "tai",
            "joku",
            "onko",
            "tarvitaan",
        ]
    ),
}


def guess_language(text: str) -> str:
    """The likeliest of en/de/fi by function words; English when nothing stands out."""
    words = re.findall(r"\w+", text.lower())
    scores = {lang: sum(w in marks for w in words) for lang, marks in _MARKERS.items()}
    if any(ch in text for ch in "äöÄÖ") and not any(ch in text for ch in "üßÜ"):
        scores["fi"] += 1
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else "en"


def route_language(lang: str | None, text: str) -> str:
    """The pipeline language for a tweet: its own tag when we have one, else a guess."""
    if lang in LANGUAGES:
        return lang
    if lang in (None, "", "und", "qme", "qht", "zxx"):
        return guess_language(text)
    return "en"  # other languages: English cues still catch code-switched business talk


def clean_text(text: str) -> str:
    """Mask what identifies people or links, so features learn wording, not names."""
    text = _URL.sub(" httpurl ", text)
    text = _HANDLE.sub(" @user ", text)
    text = _NUMBER.sub("0", text)
    text = text.replace("#", " ")
    return _REPEAT.sub(r"\1\1", text)


def _german_pronouns() -> dict[str, str]:
    """German personal pronouns as themselves, possessives by their stem (unsere -> unser)."""
    personal = "ich du er sie es wir ihr mich mir dich dir ihn ihm uns euch ihnen sich"
    forms = {pronoun: pronoun for pronoun in personal.split()}
    for stem in ("mein", "dein", "sein", "ihr", "unser"):
        forms.update({stem + ending: stem for ending in ("", "e", "en", "em", "er", "es")})
    forms.update({form: "euer" for form in ("euer", "eure", "euren", "eurem", "eurer", "eures")})
    return forms


# The lemma lookups fold German pronouns together (wir, Sie and es -> "ich"; uns -> "sich"),
# which would make "Wir suchen" (a buyer) read like "Sie suchen" (a seller's advert).
_KEEP = {"de": _german_pronouns()}


class Normaliser:
    """Maps a token to its lowercased lemma (English, German) or stem (Finnish)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._lemmas = None
        if lang in ("en", "de"):
            self._lemmas = load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup")
        self._stem = snowball("finnish").stemWord if lang == "fi" else None
        self._keep = _KEEP.get(lang, {})
        # Tweets repeat a small vocabulary: caching makes normalising nearly free.
        self.norm = lru_cache(maxsize=200_000)(self._norm)

    def _norm(self, token: str) -> str:
        lower = token.lower()
        if lower in self._keep:
            return self._keep[lower]
        if self._stem is not None:
            return self._stem(lower)
        if self._lemmas is None:
            return lower
        # German lemma tables are keyed by the written case ("Lieferanten").
        lemma = self._lemmas.get(token) or self._lemmas.get(lower)
        return lemma.lower() if isinstance(lemma, str) else lower


@lru_cache(maxsize=8)
def pipeline(lang: str):
    """A blank spaCy pipeline for the language; no download, no trained weights."""
    nlp = spacy.blank(lang if lang in LANGUAGES else "xx")
    nlp.max_length = 100_000
    # Keep the exceptions' splits ("don't" -> "do", "n't") but not their norms: the featurizer
    # gives every spelling its own lemma as NORM, and an exception's norm would override it.
    nlp.tokenizer.rules = {
        text: [{ORTH: token[ORTH]} for token in tokens]
        for text, tokens in nlp.tokenizer.rules.items()
    }
    return nlp
