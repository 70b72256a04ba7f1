"""One tweet in one language: its tokens, word n-grams, cue matches and dense features.

`LanguageTools` holds a language's tokenizer, normaliser and cue matcher, with caches per
distinct spelling; `models.features.Featurizer` turns the analyses into the feature matrix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

import numpy as np
from spacy.attrs import ORTH
from spacy.matcher import PhraseMatcher

from models.cues import BUYING_CUES, CUE_LABELS, load_cue_endings, load_cues
from models.hashing import hashed_column
from models.language import Normaliser, clean_text, pipeline
from models.word_pieces import NO_PIECES, WordPieces

CUE_NAMES = tuple(CUE_LABELS)
META_NAMES = ("question", "url", "reply", "hashtags", "exclaim", "short", "long")
# A buying cue means more next to a first-person buyer, a thing businesses buy, or a question:
# "quote" in a political rant should not weigh like "we need quotes for a new roof".
CONTEXT_CUES = ("own_org", "commercial_object", "crowd_ask", "workplace")
PAIR_NAMES = tuple(f"{b}&{c}" for b in BUYING_CUES for c in (*CONTEXT_CUES, "question"))
DENSE_NAMES = (
    tuple(f"cue:{c}" for c in CUE_NAMES)
    + tuple(f"meta:{m}" for m in META_NAMES)
    + tuple(f"pair:{p}" for p in PAIR_NAMES)
)
_CUE_INDEX = {name: i for i, name in enumerate(CUE_NAMES)}
_META_OFFSET = len(CUE_NAMES)
_PAIR_INDEX = {
    tuple(p.split("&")): i for i, p in enumerate(PAIR_NAMES, start=_META_OFFSET + len(META_NAMES))
}
_PAIR_CONTEXTS = frozenset((*CONTEXT_CUES, "question"))
NAME = "<name>"  # what a capitalised word inside an English or Finnish sentence becomes
_NAME_MASKING_LANGUAGES = frozenset({"en", "fi"})
_SENTENCE_ENDS = frozenset({".", "!", "?", ":", ";", "\n", "\n\n", "…"})
_INITIAL_UPPER = attrgetter("initial_upper")
_CACHE_LIMIT = 1_000_000  # distinct spellings (or bigrams) remembered per language


class _Token(NamedTuple):
    """A distinct spelling with its normal form and its hashed columns, computed once.

    A tuple of plain values, which the garbage collector stops tracking: the caches hold
    hundreds of thousands of these, and tracked objects would make every collection scan them.
    """

    text: str
    norm: str
    is_word: bool
    word_column: int  # column of the unigram "w:<norm>"
    char_columns: np.ndarray  # columns of its character 3- to 5-grams, repeats kept
    initial_upper: bool  # starts with a capital letter
    capitalised: bool  # starts with a capital but is not all capitals (a name, inside text)
    ends_sentence: bool
    pieces: np.ndarray  # its word-piece ids in the encoder's vocabulary (empty: none used)
    ending_cue: str | None  # the cue category its ending marks, if any (models/cues.toml)


@dataclass
class Analysis:
    """What the featurizer saw in one tweet: its words, the cues that matched, dense features."""

    words: list[_Token] = field(default_factory=list)  # word tokens in order
    grams: dict = field(default_factory=dict)  # distinct word n-gram (norm or pair) -> column
    cues: list[tuple[str, str]] = field(default_factory=list)  # (category, phrase as written)
    dense: list[float] = field(default_factory=list)  # cue counts, meta flags, cue pairs

    @property
    def word_columns(self) -> list[int]:
        """The column of each distinct word n-gram."""
        return list(self.grams.values())

    def written(self) -> dict:
        """Each word n-gram key of `grams` with the text it was (last) written as."""
        texts: dict = {t.norm: t.text for t in self.words}
        for a, b in zip(self.words, self.words[1:], strict=False):
            texts[a.norm, b.norm] = f"{a.text} {b.text}"
        return texts

    @property
    def ngrams(self) -> dict[str, str]:
        """Each word and bigram feature, by its hashed name, with the text it was written as."""
        return {feature_name(key): text for key, text in self.written().items()}


def feature_name(key: str | tuple[str, str]) -> str:
    """The hashed name of a word n-gram: "w:<norm>" for a unigram, "b:<norm> <norm>" a bigram."""
    return f"b:{key[0]} {key[1]}" if isinstance(key, tuple) else f"w:{key}"


def _char_grams(word: str) -> tuple[str, ...]:
    """Character 3- to 5-grams of one lowercased word with its edges marked."""
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in (3, 4, 5) for i in range(max(len(padded) - n + 1, 1)))


class LanguageTools:
    """The tokenizer, normaliser and cue matcher of one language, and per-spelling caches."""

    def __init__(
        self, lang: str, word_features: int, char_features: int, pieces: WordPieces | None
    ) -> None:
        self.nlp = pipeline(lang)
        self.word_pieces = pieces
        self.normaliser = Normaliser(lang)
        self.word_features = word_features
        self.char_features = char_features
        self._tokens: dict[int, _Token] = {}
        self._bigrams: dict[tuple[str, str], int] = {}
        self.masks_names = lang in _NAME_MASKING_LANGUAGES
        self.name_token = _Token(
            text=NAME,
            norm=NAME,
            is_word=True,
            word_column=hashed_column(feature_name(NAME), word_features),
            char_columns=np.zeros(0, dtype=np.int32),
            initial_upper=False,
            capitalised=False,
            ends_sentence=False,
            pieces=NO_PIECES,  # a name says nothing about buying, in meaning either
            ending_cue=None,
        )
        # (category, ending) pairs; a word must be two letters longer than the ending
        self.endings = tuple(
            (category, ending)
            for category, endings in load_cue_endings().get(lang, {}).items()
            for ending in endings
        )
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="NORM")
        for category, phrases in load_cues()[lang].items():
            docs = [self.nlp.make_doc(clean_text(p)) for p in phrases]
            for doc in docs:
                self.tokens(doc)  # sets the phrase words' NORM
            self.matcher.add(category, docs)

    def token(self, orth: int) -> _Token:
        """What we need of a token, computed once per distinct spelling."""
        info = self._tokens.get(orth)
        if info is None:
            text = self.nlp.vocab.strings[orth]
            norm = self.normaliser.norm(text)
            # The cue matcher reads NORM, which falls back to the lexeme's: setting it once
            # per spelling spares writing every token's NORM into every doc.
            self.nlp.vocab[orth].norm_ = norm
            lower = text.lower()
            grams = _char_grams(lower)
            is_word = any(ch.isalnum() for ch in text)
            # Only words reach the meaning block: punctuation and emoji need no pieces.
            pieces = self.word_pieces.pieces(text) if self.word_pieces and is_word else NO_PIECES
            info = _Token(
                text=text,
                norm=norm,
                is_word=is_word,
                word_column=hashed_column(feature_name(norm), self.word_features),
                char_columns=np.array(
                    [hashed_column(g, self.char_features) for g in grams], dtype=np.int32
                ),
                initial_upper=text[:1].isupper(),
                capitalised=text[:1].isupper() and not text.isupper(),
                ends_sentence=text in _SENTENCE_ENDS,
                pieces=pieces,
                ending_cue=self.ending_cue(lower) if is_word else None,
            )
            if len(self._tokens) < _CACHE_LIMIT:  # bound memory on an endless stream
                self._tokens[orth] = info
        return info

    def ending_cue(self, word: str) -> str | None:
        """The cue category a word's ending marks by itself, if any."""
        for category, ending in self.endings:
            if word.endswith(ending) and len(word) >= len(ending) + 2:
                return category
        return None

    def without_names(self, tokens: list[_Token]) -> list[_Token]:
        """The word tokens, each capitalised word inside a sentence replaced by one NAME token.

        A place, person or company name says nothing about buying, but a model learns them
        ("Oulu" appears in more Finnish leads than not). English and Finnish capitalise only
        names inside a sentence; German capitalises every noun, so it keeps its words.
        """
        plain = [t for t in tokens if t.is_word]
        capitalised = sum(map(_INITIAL_UPPER, plain)) - (plain[0].initial_upper if plain else 0)
        if len(plain) >= 4 and capitalised * 2 > len(plain) - 1:
            return plain  # a headline or a listing in Title Case: capitals mark no names here
        if not any(t.capitalised for t in plain):
            return plain  # nothing to mask
        words = []
        starts_sentence = True
        name = self.name_token
        for token in tokens:
            if token.is_word:
                words.append(name if token.capitalised and not starts_sentence else token)
            starts_sentence = token.ends_sentence
        return words

    def tokens(self, doc) -> list[_Token]:
        """Each token's info, in order (which also sets the NORM the cue matcher reads)."""
        known = self._tokens.get
        return [known(orth) or self.token(orth) for orth in doc.to_array(ORTH).tolist()]

    def word_grams(self, words: list[_Token]) -> dict:
        """The distinct unigram (norm) and bigram (pair of norms) features of a tweet's words,
        each with its column."""
        known = self._bigrams.get
        features: dict = {}  # unigram norm or (norm, norm) bigram -> column
        previous = None
        for word in words:
            features[word.norm] = word.word_column
            if previous is not None:
                key = (previous.norm, word.norm)
                column = known(key)
                if column is None:
                    column = hashed_column(feature_name(key), self.word_features)
                    if len(self._bigrams) < _CACHE_LIMIT:
                        self._bigrams[key] = column
                features[key] = column
            previous = word
        return features

    def analyse(self, doc, original: str) -> Analysis:
        """Word n-gram columns, cue matches and dense features of one tokenised tweet."""
        tokens = self.tokens(doc)
        words = (
            self.without_names(tokens) if self.masks_names else [t for t in tokens if t.is_word]
        )
        dense = [0.0] * len(DENSE_NAMES)
        cues = []
        for match_id, start, end in self.matcher(doc):
            category = self.nlp.vocab.strings[match_id]
            cues.append((category, " ".join(t.text for t in tokens[start:end])))
            dense[_CUE_INDEX[category]] += 1.0
        if self.endings:
            for token in tokens:
                if token.ending_cue is not None:
                    cues.append((token.ending_cue, token.text))
                    dense[_CUE_INDEX[token.ending_cue]] += 1.0
        present = {c for c, _ in cues}
        for i in {_CUE_INDEX[c] for c in present}:
            dense[i] = math.log1p(dense[i])
        if "?" in original:
            present.add("question")
        for i, flag in enumerate(_meta_flags(original, len(words)), start=_META_OFFSET):
            dense[i] = float(flag)
        for buying in present.intersection(BUYING_CUES):
            for context in present.intersection(_PAIR_CONTEXTS):
                dense[_PAIR_INDEX[buying, context]] = 1.0
        return Analysis(words=words, grams=self.word_grams(words), cues=cues, dense=dense)


def _meta_flags(original: str, words: int) -> tuple[bool, ...]:
    """Question, link, reply, hashtag-heavy, exclamation, short, long (as META_NAMES)."""
    return (
        "?" in original,
        "http" in original,
        original.lstrip().startswith("@"),
        original.count("#") >= 3,
        "!" in original,
        words <= 6,
        words >= 35,
    )
